//! The person's devices as the server lists them, beside the ones their
//! own devices recorded in the private space. A device only the server
//! knows (registered with a link code, but never recorded by one of the
//! person's devices) is flagged `uncertified`: a lost phone's link code
//! used by someone else looks like that.

use tandem_protocol::DeviceInfo;

use super::linking::{DeviceView, list};
use crate::error::{Error, Result};
use crate::sync::run::StoreAccess;

/// What the server knows of a device. Times are as coarse as the server
/// keeps them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceOnServer {
    /// When it registered (UTC ms, to the hour).
    pub created_at_ms: i64,
    /// The day it last called the server (UTC ms of the day's start).
    pub last_seen_ms: Option<i64>,
    /// The device whose link code added it, if one did.
    pub linked_by: Option<String>,
}

/// Every device of the person: the recorded ones with what the server
/// says of each (none: the server no longer has it), then any the server
/// lists that no device recorded, flagged. The store is released while the
/// server answers.
pub fn list_with_server(access: &mut impl StoreAccess) -> Result<Vec<DeviceView>> {
    let (local, account) = access.with(|store| {
        let account = store.account()?.ok_or(Error::NoServer)?;
        Ok((list(store)?, account))
    })?;
    let server = account.client()?.devices()?;
    Ok(merge(local, server.devices, &account.device_id))
}

/// The recorded devices with the server's view of each, then the server's
/// devices nobody recorded. Which one is this device is this device's own
/// knowledge (`me`), never the server's word.
fn merge(mut local: Vec<DeviceView>, server: Vec<DeviceInfo>, me: &str) -> Vec<DeviceView> {
    for d in server {
        let seen = DeviceOnServer {
            created_at_ms: d.created_at_ms,
            last_seen_ms: d.last_seen_ms,
            linked_by: d.linked_by,
        };
        match local.iter_mut().find(|l| l.device_id == d.device_id) {
            Some(known) => known.server = Some(seen),
            None => local.push(DeviceView {
                this_device: d.device_id == me,
                device_id: d.device_id,
                public_key: String::new(),
                unlinked: false,
                server: Some(seen),
                uncertified: true,
                actor: None,
                unlink_unfinished: false,
                code: None,
            }),
        }
    }
    local
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(id: &str) -> DeviceView {
        DeviceView {
            device_id: id.into(),
            public_key: "ab".into(),
            unlinked: false,
            this_device: false,
            server: None,
            uncertified: false,
            actor: None,
            unlink_unfinished: false,
            code: None,
        }
    }

    fn on_server(id: &str, linked_by: Option<&str>) -> DeviceInfo {
        DeviceInfo {
            device_id: id.into(),
            created_at_ms: 3_600_000,
            last_seen_ms: Some(86_400_000),
            linked_by: linked_by.map(str::to_owned),
            // A server claiming every device is the one asking.
            this_device: true,
            box_key: None,
        }
    }

    #[test]
    fn a_device_only_the_server_knows_is_flagged() {
        let merged = merge(
            vec![recorded("a"), recorded("gone")],
            vec![on_server("a", None), on_server("x", Some("a"))],
            "a",
        );
        assert_eq!(merged.len(), 3);
        assert!(!merged[0].uncertified);
        assert_eq!(
            merged[0].server.as_ref().unwrap().last_seen_ms,
            Some(86_400_000)
        );
        assert_eq!(merged[1].device_id, "gone");
        assert_eq!(merged[1].server, None, "the server no longer has it");
        assert_eq!(merged[2].device_id, "x");
        assert!(merged[2].uncertified);
        assert!(
            !merged[2].this_device,
            "the server's word is not taken for it"
        );
        assert_eq!(
            merged[2].server.as_ref().unwrap().linked_by.as_deref(),
            Some("a")
        );
    }
}
