//! A person's several devices: linking a new one with a code from one they
//! already use, unlinking a lost one, and the key envelopes that carry the
//! private space's keys to each linked device.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use tandem_protocol::SnapshotUpload;

use crate::document::{DocId, shard};
use crate::error::{Error, Result};
use crate::features::codes::LinkCode;
use crate::store::{SpaceRole, Store};
use crate::sync::run::StoreAccess;
use crate::sync::seal::SpaceKey;
use crate::sync::{Client, SyncReport};

/// A single-use code (15 minutes) that links another device to this
/// person: it carries the server's link code and the private space's
/// key, so show it only on this screen and only to yourself. The store is
/// released while the server answers.
pub fn link_code(access: &mut impl StoreAccess) -> Result<Zeroizing<String>> {
    let (account, space, key) = access.with(|store| {
        let account = store.account()?.ok_or(Error::NoServer)?;
        let space = store.private_space()?.ok_or(Error::NoServer)?;
        let key = store
            .space_key(&space.space_id, space.epoch)?
            .ok_or_else(|| Error::CorruptStore("the private space's key is missing".into()))?;
        Ok((account, space, key))
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
    Ok(LinkCode {
        server_code,
        space_id,
        epoch: space.epoch,
        key,
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
}

/// The fields of a [`DeviceView`] that the devices document keeps.
#[derive(serde::Serialize)]
struct Recorded<'a> {
    device_id: &'a str,
    public_key: &'a str,
    unlinked: bool,
}

/// The devices document's record of `view`.
fn record(view: &DeviceView) -> Result<String> {
    Ok(serde_json::to_string(&Recorded {
        device_id: &view.device_id,
        public_key: &view.public_key,
        unlinked: view.unlinked,
    })?)
}

/// The opaque snapshot name under which a device finds its key envelope
/// for `epoch` of the private space.
fn envelope_name(device_id: &str, epoch: u32) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"tandem device key envelope v1\0");
    h.update(device_id.as_bytes());
    h.update(epoch.to_be_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Every key of a space, as `(epoch, key)` pairs, packed for an envelope.
pub(crate) fn pack_keys(keys: &[(u32, SpaceKey)]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(keys.len() * 36));
    for (epoch, key) in keys {
        out.extend_from_slice(&epoch.to_be_bytes());
        out.extend_from_slice(key.as_bytes());
    }
    out
}

/// The inverse of [`pack_keys`].
pub(crate) fn unpack_keys(bytes: &[u8]) -> Option<Vec<(u32, SpaceKey)>> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(36) {
        return None;
    }
    Some(
        bytes
            .chunks(36)
            .map(|c| {
                let epoch = u32::from_be_bytes(c[..4].try_into().expect("sized"));
                let key: [u8; 32] = c[4..].try_into().expect("sized");
                (epoch, SpaceKey::from_bytes(key))
            })
            .collect(),
    )
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
    };
    if list(store)?
        .iter()
        .any(|d| d.device_id == view.device_id && d.public_key == view.public_key)
    {
        return Ok(());
    }
    let body = record(&view)?;
    store.write_whole(&DocId::devices(), |tx| {
        shard::put(tx, &account.device_id, &body)
    })
}

/// The person's devices.
pub fn list(store: &Store) -> Result<Vec<DeviceView>> {
    let me = store.account()?.map(|a| a.device_id);
    let bodies = store.device_records()?;
    let mut out = Vec::with_capacity(bodies.len());
    for b in bodies {
        let mut d: DeviceView = serde_json::from_str(&b)?;
        d.this_device = me.as_deref() == Some(d.device_id.as_str());
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
            }
        }
        None => return Err(Error::not_found("device", device_id)),
    };
    let revoked = match client.unlink_device(device_id) {
        Ok(revoked) => revoked,
        Err(Error::Server { status: 404, .. }) => vec![device_id.to_owned()],
        Err(e) => return Err(e),
    };
    lost.unlinked = true;
    // What the lost device linked was revoked with it: none of those gets
    // the new epoch's key either.
    let known = list(store)?;
    store.write_whole(&DocId::devices(), |tx| {
        for d in known.iter().filter(|d| revoked.contains(&d.device_id)) {
            let gone = DeviceView {
                unlinked: true,
                ..d.clone()
            };
            shard::put(tx, &gone.device_id, &record(&gone)?)?;
        }
        shard::put(tx, device_id, &record(&lost)?)
    })?;
    let epoch = client.new_epoch(&space.space_id)?.epoch;
    store.add_space(
        &space.space_id,
        SpaceRole::Private,
        epoch,
        &SpaceKey::generate(),
    )?;
    send_epoch_keys(store, &client)?;
    let recovery = super::recovery::new_recovery_key(store)?;
    crate::sync::run::sync(store)?;
    Ok((lost, recovery))
}

/// Seals every key of the private space to each linked device (but not
/// unlinked ones), then deletes the envelopes the new ones supersede:
/// each device's envelopes of earlier epochs (the new one holds every
/// key) and all of an unlinked device's, so the space keeps only live
/// snapshots under its quota.
fn send_epoch_keys(store: &mut Store, client: &Client) -> Result<()> {
    let space = store.private_space()?.ok_or(Error::NoServer)?;
    let keys = store.space_keys(&space.space_id)?;
    let packed = pack_keys(&keys);
    let devices = list(store)?;
    for d in &devices {
        if d.unlinked || d.this_device {
            continue;
        }
        let mut pk = [0u8; 32];
        if hex::decode_to_slice(&d.public_key, &mut pk).is_err() {
            continue;
        }
        let sealed = crypto_box::PublicKey::from(pk)
            .seal(&mut crypto_box::aead::OsRng, &packed)
            .map_err(|_| Error::invalid("device key", "could not be sealed"))?;
        client.put_snapshot(
            &space.space_id,
            &SnapshotUpload {
                doc_id: envelope_name(&d.device_id, space.epoch),
                upto_seq: 0,
                key_epoch: space.epoch,
                nonce: String::new(),
                ciphertext: URL_SAFE_NO_PAD.encode(sealed),
            },
        )?;
    }
    for d in &devices {
        for epoch in 0..space.epoch {
            client.delete_snapshot(&space.space_id, &envelope_name(&d.device_id, epoch))?;
        }
    }
    Ok(())
}

/// Fetches this device's envelope for `epoch` of the private space and
/// keeps the keys in it. Returns whether the epoch's key is now known.
pub(crate) fn receive_epoch_keys(
    store: &mut Store,
    client: &Client,
    space_id: &str,
    epoch: u32,
) -> Result<bool> {
    let Some(account) = store.account()? else {
        return Ok(false);
    };
    let name = envelope_name(&account.device_id, epoch);
    let secret = store.box_secret()?;
    for snap in client.snapshots(space_id)?.snapshots {
        if snap.doc_id != name {
            continue;
        }
        let sealed = URL_SAFE_NO_PAD.decode(&snap.ciphertext).unwrap_or_default();
        let Ok(opened) = secret.unseal(&sealed) else {
            continue;
        };
        let Some(keys) = unpack_keys(&opened) else {
            continue;
        };
        for (e, key) in keys {
            store.add_space(space_id, SpaceRole::Private, e, &key)?;
        }
    }
    Ok(store.space_key(space_id, epoch)?.is_some())
}
