//! A person's several devices: linking a new one with a code from one they
//! already use, and unlinking a lost one (whose successors get the new
//! epoch's key in envelopes, see [`super::envelopes`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::document::{DocId, shard};
use crate::error::{Error, Result};
use crate::features::codes::LinkCode;
use crate::store::{SpaceRole, Store};
use crate::sync::SyncReport;
use crate::sync::run::StoreAccess;
use crate::sync::seal::SpaceKey;

/// A single-use code (15 minutes) that links another device to this
/// person: it carries the server's link code and the private space's
/// key, so show it only on this screen and only to yourself. The store is
/// released while the server answers.
pub fn link_code(access: &mut impl StoreAccess) -> Result<Zeroizing<String>> {
    let (account, space, key, invite) = access.with(|store| {
        let account = store.account()?.ok_or(Error::NoServer)?;
        let space = store.private_space()?.ok_or(Error::NoServer)?;
        let key = store
            .space_key(&space.space_id, space.epoch)?
            .ok_or_else(|| Error::CorruptStore("the private space's key is missing".into()))?;
        let invite = super::log::new_link_invite(store)?;
        Ok((account, space, key, invite))
    })?;
    let answer = account.client()?.link_code()?;
    let server_code: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&answer.code)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::Server {
            status: 200,
            message: "the link code is not 32 bytes".into(),
        })?;
    let mut space_id = [0u8; 16];
    hex::decode_to_slice(&space.space_id, &mut space_id)
        .map_err(|_| Error::CorruptStore("a space id is damaged".into()))?;
    // The invite goes out before the code is shown: the new device finds
    // it in the log at its first sync and adds itself with it.
    if invite.is_some() {
        crate::sync::run::sync(access)?;
    }
    Ok(LinkCode {
        server_code,
        space_id,
        epoch: space.epoch,
        key,
        invite: invite.map(|seed| SpaceKey::from_bytes(*seed)),
    }
    .to_text())
}

/// Links this fresh device to the person whose device showed `code`,
/// at `server`, and syncs everything down. The store is released while
/// the server answers.
pub fn link(access: &mut impl StoreAccess, code: &str, server: &str) -> Result<SyncReport> {
    let code = LinkCode::parse(code)?;
    let fresh = |store: &mut Store| -> Result<()> {
        if store.person().is_ok() || store.account()?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
        Ok(())
    };
    access.with(fresh)?;
    let server_code = URL_SAFE_NO_PAD.encode(code.server_code);
    let account = crate::sync::client::register_at(server, Some(&server_code))?;
    access.with(|store| {
        // Set up meanwhile (a double tap, another window): keep what is there.
        fresh(store)?;
        store.keep_account(account)?;
        // The code's invite key adds this device to the device log once
        // the first pull has brought the invite (see `log::keep`).
        store.keep_link_invite(code.invite.as_ref().map(SpaceKey::as_bytes))?;
        store.add_space(
            &hex::encode(code.space_id),
            SpaceRole::Private,
            code.epoch,
            &code.key,
        )
    })?;
    // History made here before linking has nothing to share: a fresh
    // store holds no changes.
    crate::sync::run::sync(access)
}

/// One of the person's devices, as the Devices screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceView {
    /// The server's id for the device.
    pub device_id: String,
    /// Its public key (X25519, hex): new epoch keys are sealed to it.
    pub public_key: String,
    /// Unlinked: its token no longer works and it gets no new keys.
    pub unlinked: bool,
    /// Whether it is the device this store is on.
    #[serde(default)]
    pub this_device: bool,
    /// What the server says of it, when the list was read from the server
    /// (none: read offline, or the server no longer has it).
    #[serde(default)]
    pub server: Option<super::DeviceOnServer>,
    /// Listed by the server but recorded by none of the person's devices.
    #[serde(default)]
    pub uncertified: bool,
    /// Its automerge actor id (hex): the writer its records name, so that
    /// no one else's identity can certify it as theirs. Recorded by the
    /// device itself (none for one that has not published it yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// This device started unlinking it and did not finish (the
    /// connection dropped midway): the new keys may not have reached the
    /// person's other devices and pairs yet. Unlinking it again finishes.
    #[serde(default)]
    pub unlink_unfinished: bool,
    /// The code of its keys (four groups of five digits): the one the log
    /// certifies it with, or asked with while it is not certified; for
    /// this device, its own. The device shows it for itself, so the person
    /// compares the two before confirming a flagged device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The fields of a [`DeviceView`] that the devices document keeps.
#[derive(serde::Serialize)]
struct Recorded<'a> {
    device_id: &'a str,
    public_key: &'a str,
    unlinked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<&'a str>,
    /// The writer ids the device wrote under before its id was bound to
    /// its signing key: its own, for the person's other devices too.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    former: &'a [String],
}

/// The devices document's record of `view`, with the writer ids it wrote
/// under before (`former`, for this device's own record).
fn record(view: &DeviceView, former: &[String]) -> Result<String> {
    Ok(serde_json::to_string(&Recorded {
        device_id: &view.device_id,
        public_key: &view.public_key,
        unlinked: view.unlinked,
        actor: view.actor.as_deref(),
        former,
    })?)
}

/// Adds this device to the person's devices document with its public key.
pub(crate) fn publish_device(store: &mut Store) -> Result<()> {
    let Some(account) = store.account()? else {
        return Ok(());
    };
    let public = hex::encode(store.box_secret()?.public_key().as_bytes());
    let view = DeviceView {
        device_id: account.device_id.clone(),
        public_key: public,
        unlinked: false,
        this_device: false,
        server: None,
        uncertified: false,
        actor: Some(store.device_id()),
        unlink_unfinished: false,
        code: None,
    };
    // Against the record as it stands, not as pinned: a record someone
    // rewrote is written back, so devices linked later see the real one.
    let former = store.former_writers()?;
    if recorded(store)?.iter().any(|d| {
        d.device_id == view.device_id && d.public_key == view.public_key && d.actor == view.actor
    }) && recorded_former(store, &view.device_id)? == former
    {
        return Ok(());
    }
    let body = record(&view, &former)?;
    store.write_whole(&DocId::devices(), |tx| {
        shard::put(tx, &account.device_id, &body)
    })
}

/// The person's devices, each with the box key first seen for it (a
/// rewrite of a device's record does not change the key it is known by).
/// One the device log does not certify (while it certifies this device)
/// is flagged `uncertified`: it gets and sends no keys.
pub fn list(store: &Store) -> Result<Vec<DeviceView>> {
    let mut out = recorded(store)?;
    let peers = super::log::envelope_peers(store)?;
    let log = super::log::load(store)?;
    for d in &mut out {
        if let Some(pinned) = store.pinned_box_key(&d.device_id)? {
            d.public_key = pinned;
        }
        d.code = if d.this_device {
            Some(super::log::own_code(store)?)
        } else {
            super::log::device_bytes(&d.device_id).and_then(|id| log.code_of(&id))
        };
        d.uncertified |= !d.unlinked
            && peers
                .as_ref()
                .is_some_and(|p| !p.contains_key(&d.device_id));
    }
    Ok(out)
}

/// The former writer ids device `device_id`'s record lists now.
fn recorded_former(store: &Store, device_id: &str) -> Result<Vec<String>> {
    Ok(store
        .device_records_read()?
        .into_iter()
        .find(|r| r.device_id == device_id)
        .map(|r| r.former)
        .unwrap_or_default())
}

/// The person's devices as the devices document records them now.
pub(crate) fn recorded(store: &Store) -> Result<Vec<DeviceView>> {
    let me = store.account()?.map(|a| a.device_id);
    let bodies = store.device_records()?;
    let mut out = Vec::with_capacity(bodies.len());
    for b in bodies {
        let mut d: DeviceView = serde_json::from_str(&b)?;
        d.this_device = me.as_deref() == Some(d.device_id.as_str());
        d.unlink_unfinished = store.unlink_unfinished(&d.device_id)?;
        out.push(d);
    }
    Ok(out)
}

/// Unlinks a lost device: the server stops taking its token, and the
/// private space starts a new epoch whose key is sealed only to the
/// remaining devices. The recovery key is replaced too (the lost device
/// may have known how to use the old one): the new one is returned, to
/// be shown once. What the lost device already held stays readable to
/// whoever holds it and its store key.
pub fn unlink(store: &mut Store, device_id: &str) -> Result<(DeviceView, Zeroizing<String>)> {
    let account = store.account()?.ok_or(Error::NoServer)?;
    let space = store.private_space()?.ok_or(Error::NoServer)?;
    if device_id == account.device_id {
        return Err(Error::invalid(
            "device",
            "this is the device you are using; unlink it from another one",
        ));
    }
    let client = account.client()?;
    // A device none of the person's devices recorded (flagged in the list)
    // can be unlinked too, when the server lists it.
    let mut lost = match list(store)?.into_iter().find(|d| d.device_id == device_id) {
        Some(d) => d,
        None if client
            .devices()?
            .devices
            .iter()
            .any(|d| d.device_id == device_id) =>
        {
            DeviceView {
                device_id: device_id.to_owned(),
                public_key: String::new(),
                unlinked: false,
                this_device: false,
                server: None,
                uncertified: true,
                actor: None,
                unlink_unfinished: false,
                code: None,
            }
        }
        None => return Err(Error::not_found("device", device_id)),
    };
    // Until every step below is done, the device shows as not fully
    // unlinked, and unlinking it again (each step can run twice) finishes.
    store.mark_unlinking(device_id, true)?;
    let revoked = match client.unlink_device(device_id) {
        Ok(revoked) => revoked,
        Err(Error::Server { status: 404, .. }) => vec![device_id.to_owned()],
        Err(e) => return Err(e),
    };
    lost.unlinked = true;
    // The device log forgets it too, with every device it added (the log
    // knows who added whom; the server's answer, which could name the
    // person's other devices, is not taken for it): a server that lists
    // one of them again hands it nothing.
    super::log::remove(store, &[device_id.to_owned()])?;
    // What the lost device linked was revoked with it: none of those gets
    // the new epoch's key either.
    let known = list(store)?;
    let mut formers = std::collections::HashMap::new();
    for d in known.iter().filter(|d| revoked.contains(&d.device_id)) {
        formers.insert(d.device_id.clone(), recorded_former(store, &d.device_id)?);
    }
    let lost_former = recorded_former(store, device_id)?;
    store.write_whole(&DocId::devices(), |tx| {
        for d in known.iter().filter(|d| revoked.contains(&d.device_id)) {
            let gone = DeviceView {
                unlinked: true,
                ..d.clone()
            };
            let former = formers.get(&d.device_id).map(Vec::as_slice).unwrap_or(&[]);
            shard::put(tx, &gone.device_id, &record(&gone, former)?)?;
        }
        shard::put(tx, device_id, &record(&lost, &lost_former)?)
    })?;
    let epoch = client.new_epoch(&space.space_id)?.epoch;
    store.note_server_epoch(&space.space_id, epoch)?;
    store.add_space(
        &space.space_id,
        SpaceRole::Private,
        epoch,
        &SpaceKey::generate(),
    )?;
    // Nothing sealed under the keys the lost device holds counts past this
    // point; the fence goes out with the new key.
    crate::sync::fences::fence_new_epoch(store, &client, &space.space_id, epoch)?;
    store.request_snapshot_round()?;
    // The recovery key first: the lost phone may know how to use the old
    // one, and nothing after this may stop it being replaced.
    let recovery = super::recovery::new_recovery_key(store)?;
    super::envelopes::send_epoch_keys(store, &client)?;
    // The removals go out to the pairs under the epoch the other person
    // reads now, before any pair moves on: their devices then stop
    // counting the lost phone, and every device it added, even if the new
    // epoch's key is kept from them (a server working with the thief)
    // and they start an epoch of their own.
    // Best effort: the pairs move on all the same (what did not go out
    // goes with the next sync, under the new epochs).
    crate::features::pairs::publish_to_pairs(store)?;
    let _ = crate::sync::run::push_outbox(store, &client);
    // The pairs this person is in move on too: the lost phone holds their
    // keys.
    crate::features::pairs::rotate_after_unlink(store, &client)?;
    store.mark_unlinking(device_id, false)?;
    crate::sync::run::sync(store)?;
    Ok((lost, recovery))
}
