//! The recovery key: shown once at set-up, it brings a person's data back on
//! a new device when every old one is lost.
//!
//! From the key the device derives (one-way) a server code — a link code
//! that never expires, of which the server keeps only a hash — and a wrap
//! key. The private space's key is sealed under the wrap key into an
//! "envelope" stored as an encrypted snapshot of the private space under an
//! opaque name. A new device with the recovery key registers with the
//! server code (which uses it up), finds and opens the envelope, and syncs
//! everything; the keyring then gives it the pairs. It is shown a new
//! recovery key, because the old one's server code is spent.
//!
//! The device keeps only what it derived (in the encrypted store), never the
//! recovery key itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tandem_protocol::SnapshotUpload;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::features::codes::RecoveryKey;
use crate::store::{RecoveryRecord, Store};
use crate::sync::run::StoreAccess;
use crate::sync::seal::{self, Place, SpaceKey};
use crate::sync::{Client, SyncReport};

/// The envelope's fixed place (it is not a change of any document).
const ENVELOPE_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Makes a new recovery key for this person and returns it, to be shown
/// once. If the device syncs already, the server code and the envelope
/// are stored at once (the store released while the server answers);
/// otherwise at the first sync.
pub fn new_recovery_key(access: &mut impl StoreAccess) -> Result<Zeroizing<String>> {
    replace_recovery_key(access, None)
}

/// Makes a new recovery key as [`new_recovery_key`] does; the envelope of
/// `spent` (a key just used up by a restore) is deleted with the old ones.
fn replace_recovery_key(
    access: &mut impl StoreAccess,
    spent: Option<String>,
) -> Result<Zeroizing<String>> {
    let key = RecoveryKey::generate();
    let mut kept = RecoveryRecord {
        server_code: key.server_code().to_string(),
        wrap: hex::encode(key.wrap_key().as_bytes()),
        envelope: key.envelope_name(),
        uploaded: false,
        superseded: spent.into_iter().collect(),
    };
    let client = access.with(|store| {
        if let Some(old) = store.recovery_record()? {
            kept.superseded.extend(old.superseded);
            kept.superseded.push(old.envelope);
        }
        store.keep_recovery_record(&kept)?;
        // The device log takes the new key's invite, which replaces the
        // one before: what the old key adds from now on counts nowhere.
        let mut wrap = [0u8; 32];
        hex::decode_to_slice(&kept.wrap, &mut wrap)
            .map_err(|_| Error::CorruptStore("the recovery record is damaged".into()))?;
        super::log::register_recovery(store, &wrap)?;
        match store.account()? {
            Some(account) if store.private_space()?.is_some() => Ok(Some(account.client()?)),
            _ => Ok(None),
        }
    })?;
    if let Some(client) = client {
        upload_recovery(access, &client)?;
    }
    Ok(key.to_text())
}

/// What uploading the recovery record sends: the sealed envelope and the
/// server code.
struct Upload {
    space_id: String,
    snapshot: SnapshotUpload,
    server_code: String,
    envelope: String,
    superseded: Vec<String>,
}

/// Seals the envelope of the recovery record not stored yet, if any.
fn prepare_upload(store: &mut Store) -> Result<Option<Upload>> {
    let Some(kept) = store.recovery_record()? else {
        return Ok(None);
    };
    if kept.uploaded {
        return Ok(None);
    }
    let Some(space) = store.private_space()? else {
        return Ok(None);
    };
    let keys = super::envelopes::KeySet::of(store, &space.space_id)?.pack();
    let mut wrap = [0u8; 32];
    hex::decode_to_slice(&kept.wrap, &mut wrap)
        .map_err(|_| Error::CorruptStore("the recovery record is damaged".into()))?;
    let wrap = SpaceKey::from_bytes(wrap);
    let place = Place {
        space_id: &space.space_id,
        wire_doc_id: &kept.envelope,
        wire_change_hash: ENVELOPE_HASH,
        epoch: space.epoch,
    };
    let (nonce, ciphertext) = seal::seal(
        &wrap,
        &place,
        "envelope",
        seal::Writer::Unsigned(&[]),
        &keys,
    )?;
    Ok(Some(Upload {
        snapshot: SnapshotUpload {
            doc_id: kept.envelope.clone(),
            upto_seq: 0,
            key_epoch: space.epoch,
            nonce: URL_SAFE_NO_PAD.encode(nonce),
            ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
        },
        space_id: space.space_id,
        server_code: kept.server_code,
        envelope: kept.envelope,
        superseded: kept.superseded,
    }))
}

/// Stores the server code and the envelope if they are not stored yet:
/// sealed with the store held, sent with it released, then marked stored
/// unless a newer key was made meanwhile (that one goes next time).
pub(crate) fn upload_recovery(access: &mut impl StoreAccess, client: &Client) -> Result<()> {
    let Some(upload) = access.with(prepare_upload)? else {
        return Ok(());
    };
    client.put_snapshot(&upload.space_id, &upload.snapshot)?;
    client.set_recovery(&upload.server_code)?;
    // The new envelope is stored and the old code retired: the old
    // envelopes go (each is a snapshot covering nothing).
    for old in &upload.superseded {
        client.delete_snapshot(&upload.space_id, old)?;
    }
    access.with(|store| match store.recovery_record()? {
        Some(mut kept) if kept.envelope == upload.envelope => {
            kept.uploaded = true;
            kept.superseded.retain(|e| !upload.superseded.contains(e));
            store.keep_recovery_record(&kept)
        }
        _ => Ok(()),
    })
}

/// Restores a person on this fresh device from their recovery key, at
/// `server`: everything in their private space, and their pairs. Returns
/// what arrived and the person's **new** recovery key (the old one is
/// used up), to be shown once.
pub fn restore(
    access: &mut impl StoreAccess,
    recovery_key: &str,
    server: &str,
) -> Result<(SyncReport, Zeroizing<String>)> {
    let key = RecoveryKey::parse(recovery_key)?;
    let fresh = |store: &mut Store| -> Result<()> {
        if store.person().is_ok() || store.account()?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
        Ok(())
    };
    access.with(fresh)?;
    let account = crate::sync::client::register_at(server, Some(&key.server_code())).map_err(
        |e| match e {
            Error::Server { status: 410, .. } => Error::invalid(
                "recovery key",
                "the server does not know it (or it was used already)",
            ),
            e => e,
        },
    )?;
    let client = account.client()?;
    let wrap = key.wrap_key();
    access.with(|store| {
        fresh(store)?;
        store.keep_account(account)?;
        // The recovery key's invite adds this device to the device log
        // at its first sync (see `log::keep`).
        store.keep_link_invite(Some(&super::log::recovery_invite_seed(wrap.as_bytes())))
    })?;
    let name = key.envelope_name();
    let mut found = None;
    for space in client.list_spaces()?.spaces.into_iter().filter(|s| s.owner) {
        for snap in client.snapshots(&space.space_id)?.snapshots {
            if snap.doc_id != name {
                continue;
            }
            let place = Place {
                space_id: &space.space_id,
                wire_doc_id: &name,
                wire_change_hash: ENVELOPE_HASH,
                epoch: snap.key_epoch,
            };
            let nonce = URL_SAFE_NO_PAD.decode(&snap.nonce).unwrap_or_default();
            let ct = URL_SAFE_NO_PAD.decode(&snap.ciphertext).unwrap_or_default();
            if let Ok(opened) = seal::open(&wrap, &place, &nonce, &ct)
                && let Some(keys) = super::envelopes::KeySet::unpack(&opened.payload)
            {
                found = Some((space.space_id.clone(), keys));
            }
        }
    }
    let (space_id, keys) = found
        .ok_or_else(|| Error::invalid("recovery key", "no data for it was found at this server"))?;
    access.with(|store| keys.keep_private(store, &space_id))?;
    let mut report = crate::sync::run::sync(access)?;
    // The keyring arrived with the first sync: the pairs come with the second.
    let more = crate::sync::run::sync(access)?;
    report.pulled += more.pulled;
    report.applied += more.applied;
    let new_key = replace_recovery_key(access, Some(name))?;
    Ok((report, new_key))
}
