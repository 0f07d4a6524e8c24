//! Encrypted document snapshots, so a new device need not replay every
//! record.
//!
//! After a sync that sent or received enough changes of the private space
//! since the last round (`Options::snapshot_every`), the device uploads a sealed `Automerge::save()` of every
//! private-space document, each marked with the space's cursor
//! (`upto_seq`): everything up to that record is in it. A device that is
//! linked or restored loads those snapshots first, in one transaction with
//! the cursor, and pulls only what came after.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tandem_protocol::SnapshotUpload;

use super::client::Client;
use super::seal::{self, Place};
use crate::document::DocId;
use crate::error::Result;
use crate::store::Store;

/// The fixed "change hash" a snapshot is sealed under.
const SNAPSHOT_HASH: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

/// Uploads a round of snapshots of the private space if enough changes
/// came since the last round. Returns how many were uploaded.
pub(crate) fn upload(store: &mut Store, client: &Client) -> Result<usize> {
    let Some(space) = store.private_space()? else {
        return Ok(0);
    };
    let since = store.changes_since_snapshots()?;
    if since < i64::from(store.options().snapshot_every) {
        return Ok(0);
    }
    let Some(key) = store.space_key(&space.space_id, space.epoch)? else {
        return Ok(0);
    };
    let mut sent = 0;
    for doc_id in store.doc_ids()? {
        if doc_id.pair_space().is_some() {
            continue;
        }
        let bytes = store.document_bytes(&doc_id)?;
        let wire_doc_id = key.wire_doc_id(doc_id.as_str());
        let place = Place {
            space_id: &space.space_id,
            wire_doc_id: &wire_doc_id,
            wire_change_hash: SNAPSHOT_HASH,
            epoch: space.epoch,
        };
        let (nonce, ciphertext) = seal::seal(&key, &place, doc_id.as_str(), &[], &bytes)?;
        client.put_snapshot(
            &space.space_id,
            &SnapshotUpload {
                doc_id: wire_doc_id,
                upto_seq: space.cursor,
                key_epoch: space.epoch,
                nonce: URL_SAFE_NO_PAD.encode(nonce),
                ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
            },
        )?;
        sent += 1;
    }
    store.finish_snapshot_round(space.cursor)?;
    Ok(sent)
}

/// On a fresh device: loads the private space's newest snapshots and
/// moves the cursor to where they end, in one transaction. Snapshots
/// that do not open (key envelopes, damage) are left alone. Returns
/// how many documents were loaded, and how many of them were new here.
pub(crate) fn load(store: &mut Store, client: &Client) -> Result<(usize, usize)> {
    let Some(space) = store.private_space()? else {
        return Ok((0, 0));
    };
    if space.cursor > 0 {
        return Ok((0, 0));
    }
    let mut batch = Vec::new();
    let mut upto: Option<i64> = None;
    for snap in client.snapshots(&space.space_id)?.snapshots {
        let Some(key) = store.space_key(&space.space_id, snap.key_epoch)? else {
            continue;
        };
        let place = Place {
            space_id: &space.space_id,
            wire_doc_id: &snap.doc_id,
            wire_change_hash: SNAPSHOT_HASH,
            epoch: snap.key_epoch,
        };
        let (Ok(nonce), Ok(ct)) = (
            URL_SAFE_NO_PAD.decode(&snap.nonce),
            URL_SAFE_NO_PAD.decode(&snap.ciphertext),
        ) else {
            continue;
        };
        let Ok(opened) = seal::open(&key, &place, &nonce, &ct) else {
            continue;
        };
        let Ok(doc_id) = DocId::parse(&opened.doc_id) else {
            continue;
        };
        if doc_id.pair_space().is_some() {
            continue;
        }
        let loaded = std::panic::catch_unwind(|| automerge::Automerge::load(&opened.payload));
        let Ok(Ok(doc)) = loaded else {
            continue;
        };
        batch.push((doc_id, doc, opened.payload));
        upto = Some(upto.map_or(snap.upto_seq, |u| u.min(snap.upto_seq)));
    }
    let Some(upto) = upto else {
        return Ok((0, 0));
    };
    let loaded = batch.len();
    let space_id = space.space_id.clone();
    let changes = store.install_snapshots(batch, &space_id, upto)?;
    Ok((loaded, changes))
}
