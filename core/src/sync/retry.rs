//! Records refused because they were written in a newer format than this
//! build reads ([`Refusal::Newer`]): the refusal notes the format this
//! build read, and once the device runs a build that reads a newer one,
//! each such record is pulled again on its own and applied if it opens now.
//! The cursor has moved past them, so nothing else waits for them. So are
//! records of an epoch the device had no key for while it held a later
//! one (`UnknownEpoch:<epoch>`), once that key arrives.

use super::client::Client;
use super::engine::{SyncReport, open_record};
use super::seal::{Refusal, SpaceKey, VERSION};
use crate::error::Result;
use crate::store::{SpaceRole, Store};
use crate::sync::StoreAccess;

/// The reason kept for a refused record: a newer format carries the
/// format this build reads (`Newer:1`), so a later build knows to retry.
pub(super) fn reason(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Newer => format!("Newer:{VERSION}"),
        other => format!("{other:?}"),
    }
}

/// The reason kept for a refused record of `epoch`: as [`reason`], and for
/// a record of an epoch this device had no key for, that epoch
/// (`UnknownEpoch:3`), so it is pulled again once the key arrives.
pub(super) fn reason_for(refusal: &Refusal, epoch: u32) -> String {
    match refusal {
        Refusal::UnknownEpoch => format!("UnknownEpoch:{epoch}"),
        other => reason(other),
    }
}

/// The epoch a kept reason names for want of its key (`UnknownEpoch:3`).
fn unknown_epoch(reason: &str) -> Option<u32> {
    reason
        .strip_prefix("UnknownEpoch:")
        .and_then(|e| e.parse::<u32>().ok())
}

/// Whether a kept reason is a record of an epoch whose key this device
/// holds now.
fn keyed_now(store: &Store, space_id: &str, reason: &str) -> Result<bool> {
    match unknown_epoch(reason) {
        Some(epoch) => Ok(store.space_key(space_id, epoch)?.is_some()),
        None => Ok(false),
    }
}

/// Whether a kept reason is a newer-format refusal made by a build that
/// read an older format than this one.
fn readable_now(reason: &str) -> bool {
    reason
        .strip_prefix("Newer:")
        .and_then(|v| v.parse::<u8>().ok())
        .is_some_and(|read| read < VERSION)
}

/// Pulls again, one by one, the records an older build of this device
/// refused as newer, and applies those that open now. Each is applied and
/// its refusal forgotten in one transaction; one that still does not open
/// keeps its refusal with the new reason.
pub(crate) fn retry_newer(
    access: &mut impl StoreAccess,
    client: &Client,
    report: &mut SyncReport,
) -> Result<()> {
    let refused = access.with(|s| s.refused_records())?;
    fetch_keys_for_refused(access, client, &refused)?;
    let waiting = access.with(|s| {
        let mut again = Vec::new();
        for (space_id, seq, reason) in refused {
            if readable_now(&reason) || keyed_now(s, &space_id, &reason)? {
                again.push((space_id, seq, reason));
            }
        }
        Ok(again)
    })?;
    for (space_id, seq, _) in waiting {
        let record = client.pull_one(&space_id, seq)?;
        access.with(|store| apply(store, &space_id, seq, record, report))?;
    }
    Ok(())
}

/// Looks for the keys of epochs whose records were refused for want of
/// one: the pull looks for an epoch's key only when the server first
/// reports that epoch, and a device that moved on without it (two devices
/// or both sides of a pair starting epochs at once) would otherwise never
/// read those records. The next epoch's envelope carries every earlier key
/// its sender held.
fn fetch_keys_for_refused(
    access: &mut impl StoreAccess,
    client: &Client,
    refused: &[(String, i64, String)],
) -> Result<()> {
    let wanted = access.with(|s| {
        let mut by_space: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
        for (space_id, _, reason) in refused {
            let Some(epoch) = unknown_epoch(reason) else {
                continue;
            };
            if s.space_key(space_id, epoch)?.is_none() {
                let epochs = by_space.entry(space_id.clone()).or_default();
                if !epochs.contains(&epoch) {
                    epochs.push(epoch);
                }
            }
        }
        let spaces = s.spaces()?;
        Ok(by_space
            .into_iter()
            .filter_map(|(id, epochs)| {
                let space = spaces.iter().find(|x| x.space_id == id && !x.ended)?;
                Some((space.clone(), epochs))
            })
            .collect::<Vec<_>>())
    })?;
    for (space, epochs) in wanted {
        access.with(|store| match space.role {
            SpaceRole::Private => crate::features::devices::fetch_missing_keys(
                store,
                client,
                &space.space_id,
                space.epoch,
            ),
            SpaceRole::Pair => {
                crate::features::pairs::fetch_missing_keys(store, client, &space, &epochs)
            }
        })?;
    }
    Ok(())
}

/// Applies one record pulled again (or forgets it: compacted away, its
/// space gone).
fn apply(
    store: &mut Store,
    space_id: &str,
    seq: i64,
    record: Option<tandem_protocol::StoredRecord>,
    report: &mut SyncReport,
) -> Result<()> {
    let space = store.spaces()?.into_iter().find(|s| s.space_id == space_id);
    let (Some(space), Some(record)) = (space, record) else {
        return store.forget_refused(space_id, seq, None);
    };
    let keys: std::collections::BTreeMap<u32, SpaceKey> =
        store.space_keys(space_id)?.into_iter().collect();
    let members = super::signature::Members::of(store, &space)?;
    let mut writers = super::signature::Writers::load(store)?;
    match open_record(&space, &keys, &members, &mut writers, &record) {
        Ok((doc_id, changes)) => {
            report.applied +=
                store.apply_retried(doc_id, changes, space_id, seq, writers.learned())?;
            Ok(())
        }
        Err(refusal) => store.forget_refused(space_id, seq, Some(&reason(&refusal))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_newer_refusals_by_an_older_reader_are_retried() {
        assert!(readable_now(&format!("Newer:{}", VERSION - 1)));
        assert!(!readable_now(&reason(&Refusal::Newer)));
        assert!(!readable_now("Forged"));
        assert!(!readable_now("Newer:x"));
        assert!(!readable_now("Newer:"));
    }
}
