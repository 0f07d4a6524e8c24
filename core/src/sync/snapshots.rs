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
use super::seal::{self, Place, Writer};
use super::signature::{Members, device_signer};
use crate::document::DocId;
use crate::error::Result;
use crate::store::Store;

/// The fixed "change hash" snapshots were sealed under before their bound
/// was sealed too: such a snapshot still loads on a new device, but its
/// `upto_seq` (which the server could have changed) never excuses a gap.
const LEGACY_SNAPSHOT_HASH: &str =
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

/// The "change hash" a snapshot covering records up to `upto` is sealed
/// under: the bound is bound into the sealed data, so a server that
/// changes `upto_seq` has a snapshot that no longer opens.
fn sealed_bound(upto: i64) -> String {
    format!("{:064x}", upto.max(0))
}

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
    // Snapshots are signed as records are; a device that cannot sign yet
    // leaves the round to a later sync.
    let Some(signer) = device_signer(store)? else {
        return Ok(0);
    };
    let mut sent = 0;
    for doc_id in store.doc_ids()? {
        if doc_id.pair_space().is_some() {
            continue;
        }
        let bytes = store.document_bytes(&doc_id)?;
        let wire_doc_id = key.wire_doc_id(doc_id.as_str());
        let bound = sealed_bound(space.cursor);
        let place = Place {
            space_id: &space.space_id,
            wire_doc_id: &wire_doc_id,
            wire_change_hash: &bound,
            epoch: space.epoch,
        };
        let (nonce, ciphertext) = seal::seal(
            &key,
            &place,
            doc_id.as_str(),
            Writer::Signed(&signer),
            &bytes,
        )?;
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
    let opened = open_all(store, client, &space.space_id)?;
    let upto = opened.iter().map(|s| s.upto).min();
    let batch: Vec<_> = opened
        .into_iter()
        .map(|s| (s.doc_id, s.doc, s.bytes))
        .collect();
    let Some(upto) = upto else {
        return Ok((0, 0));
    };
    let loaded = batch.len();
    let space_id = space.space_id.clone();
    let changes = store.install_snapshots(batch, &space_id, upto)?;
    Ok((loaded, changes))
}

/// When the server's records of the private space jump past `cursor`:
/// merges in every snapshot whose sealed bound lies beyond it (the records
/// in the gap were compacted into them) and returns the highest sealed
/// bound, which is how far a gap is excused. None when no snapshot with a
/// sealed bound covers anything past the cursor.
pub(crate) fn merge_over_gap(
    store: &mut Store,
    client: &Client,
    space_id: &str,
    cursor: i64,
) -> Result<Option<i64>> {
    let covering: Vec<Opened> = open_all(store, client, space_id)?
        .into_iter()
        .filter(|s| s.sealed_bound && s.upto > cursor)
        .collect();
    let Some(bound) = covering.iter().map(|s| s.upto).max() else {
        return Ok(None);
    };
    let batch = covering
        .into_iter()
        .map(|s| (s.doc_id, s.doc, s.bytes))
        .collect();
    // Merged, not installed as the cursor: records past the cursor that
    // were not compacted are applied from the page as usual.
    store.install_snapshots(batch, space_id, cursor)?;
    Ok(Some(bound))
}

/// A snapshot's document, if its bytes load. automerge can panic on
/// damaged input; that is caught here and read as "does not load".
pub(crate) fn load_document(bytes: &[u8]) -> Option<automerge::Automerge> {
    std::panic::catch_unwind(|| automerge::Automerge::load(bytes))
        .ok()?
        .ok()
}

/// A snapshot of the private space, opened.
struct Opened {
    doc_id: DocId,
    doc: automerge::Automerge,
    bytes: Vec<u8>,
    upto: i64,
    /// Whether `upto` was sealed with the document (not only claimed by
    /// the server).
    sealed_bound: bool,
}

/// Every snapshot of the private space `space_id` that opens with a key
/// this device holds, signed as the space requires, with its bound; the
/// rest (key envelopes, damage, another space's, unsigned where only
/// signed ones count, signed by a stranger) are left alone.
fn open_all(store: &Store, client: &Client, space_id: &str) -> Result<Vec<Opened>> {
    let Some(space) = store.spaces()?.into_iter().find(|s| s.space_id == space_id) else {
        return Ok(Vec::new());
    };
    let members = Members::of(store, &space)?;
    let mut out = Vec::new();
    for snap in client.snapshots(space_id)?.snapshots {
        let Some(key) = store.space_key(space_id, snap.key_epoch)? else {
            continue;
        };
        let (Ok(nonce), Ok(ct)) = (
            URL_SAFE_NO_PAD.decode(&snap.nonce),
            URL_SAFE_NO_PAD.decode(&snap.ciphertext),
        ) else {
            continue;
        };
        let bound = sealed_bound(snap.upto_seq);
        let open_as = |hash: &str| {
            let place = Place {
                space_id,
                wire_doc_id: &snap.doc_id,
                wire_change_hash: hash,
                epoch: snap.key_epoch,
            };
            seal::open(&key, &place, &nonce, &ct).ok()
        };
        let (opened, sealed) = match open_as(&bound) {
            Some(o) => (o, true),
            None => match open_as(LEGACY_SNAPSHOT_HASH) {
                Some(o) => (o, false),
                None => continue,
            },
        };
        if members
            .admit_snapshot(opened.signer, sealed.then_some(snap.upto_seq))
            .and_then(|()| members.admit_snapshot_epoch(snap.key_epoch))
            .is_err()
        {
            continue;
        }
        let Ok(doc_id) = DocId::parse(&opened.doc_id) else {
            continue;
        };
        if doc_id.pair_space().is_some() {
            continue;
        }
        let Some(doc) = load_document(&opened.payload) else {
            continue;
        };
        // One snapshot per document: the one that reaches furthest (an
        // older round, sealed under an earlier epoch, may still be there),
        // a bound sealed with it before one only the server claims.
        if let Some(kept) = out.iter_mut().find(|o: &&mut Opened| o.doc_id == doc_id) {
            if (sealed, snap.upto_seq) > (kept.sealed_bound, kept.upto) {
                *kept = Opened {
                    doc_id,
                    doc,
                    bytes: opened.payload,
                    upto: snap.upto_seq,
                    sealed_bound: sealed,
                };
            }
            continue;
        }
        out.push(Opened {
            doc_id,
            doc,
            bytes: opened.payload,
            upto: snap.upto_seq,
            sealed_bound: sealed,
        });
    }
    Ok(out)
}
