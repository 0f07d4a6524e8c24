//! Each person's device log, published in their pairs: what lets the
//! other person tell which devices are really theirs.
//!
//! Identities vouch for devices in a pair (see [`super::pins`]), but every
//! device of an account holds the identity, a lost phone too: before its
//! unlink it could vouch for a device of its own that nothing then takes
//! out of the pair. So each side also publishes its device log (see
//! [`crate::features::devices::log`]) in the pair's `people` document,
//! under `mentee.log.<hash>` and `mentor.log.<hash>`, and the other side
//! builds it with the same rules: a new epoch's key is sealed only to,
//! and taken only from, a device that the pinned identity vouches for
//! *and* that log certifies, with the box key the log gives. The unlink's
//! removals reach the other person with the next change to the pair, so
//! the lost phone and every device it linked drop out there too.
//!
//! A side that has published no log (a build from before it) is still
//! taken at its identity's word.

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::document::{DocId, shard};
use crate::domain::pair::Side;
use crate::error::Result;
use crate::features::devices::log::{self, Log, device_bytes};
use crate::store::Store;

/// The entries of this account's device log that pair `space_id` (this
/// person on `side`) lacks now, as `(hash, entry)` in hex: every counted
/// entry and its past, so the other side builds the same log. Compared
/// with what the pair's `people` document holds now (not with what this
/// device once saw there): an entry someone deleted or rewrote goes back.
pub(crate) fn unpublished(
    store: &mut Store,
    space_id: &str,
    side: Side,
) -> Result<Vec<(String, String)>> {
    let own = log::load(store)?;
    let prefix = format!("{}.log.", side.as_str());
    let present: HashMap<String, Option<String>> =
        store.read_doc(&DocId::in_pair(space_id, "people"), |doc| {
            let mut out = HashMap::new();
            for key in automerge::ReadDoc::keys(doc, automerge::ROOT) {
                if let Some(hash) = key.strip_prefix(&prefix) {
                    out.insert(
                        hash.to_owned(),
                        shard::get::<_, String>(doc, &key).ok().flatten(),
                    );
                }
            }
            Ok(out)
        })?;
    Ok(own
        .published()
        .map(|e| (hex::encode(e.hash()), hex::encode(e.to_bytes())))
        .filter(|(hash, entry)| present.get(hash).and_then(Option::as_ref) != Some(entry))
        .collect())
}

/// How many bytes of entries (hex) one change publishes at most: well
/// under what the server takes in one record, after sealing.
const CHUNK_BYTES: usize = 48 * 1024;

/// `entries` (as [`unpublished`] gives them) in runs of at most
/// [`CHUNK_BYTES`], one change each.
pub(crate) fn chunks(entries: &[(String, String)]) -> Vec<&[(String, String)]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, (hash, entry)) in entries.iter().enumerate() {
        let size = hash.len() + entry.len();
        if i > start && bytes + size > CHUNK_BYTES {
            out.push(&entries[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < entries.len() {
        out.push(&entries[start..]);
    }
    out
}

/// Takes into this account's own device log what its side of each pair
/// holds that the log lacks, when a device the log certifies now signed
/// it: a lost phone that writes a removal only into a pair, before its
/// unlink, is seen and answered like one it writes into the private
/// space. Read from the pair's document itself (not from what this device
/// kept of it, which a flood may have capped), each entry's author
/// checked before its signature. Entries signed by anyone else (the
/// partner, who can write this side too, or a device removed since,
/// whose writing the private space's epoch fence would refuse) stay out.
pub(crate) fn take_own_entries(store: &mut Store) -> Result<()> {
    for space in store.spaces()? {
        let (Some(side), false) = (space.side, space.ended) else {
            continue;
        };
        let live: std::collections::HashSet<[u8; 32]> = log::load(store)?
            .live_devices()
            .values()
            .map(|c| c.signing)
            .collect();
        let prefix = format!("{}.log.", side.as_str());
        let candidates: Vec<Vec<u8>> =
            store.read_doc(&DocId::in_pair(&space.space_id, "people"), |doc| {
                let mut out = Vec::new();
                for key in automerge::ReadDoc::keys(doc, automerge::ROOT) {
                    if !key.starts_with(&prefix) {
                        continue;
                    }
                    let Some(bytes) = log::stored(doc, &key) else {
                        continue;
                    };
                    if log::Entry::author_unchecked(&bytes).is_some_and(|a| live.contains(&a)) {
                        out.push(bytes);
                    }
                }
                Ok(out)
            })?;
        for bytes in candidates {
            let hash = hex::encode(Sha256::digest(&bytes));
            if store.has_device_log_entry(&hash)? {
                continue;
            }
            let Some(entry) = log::Entry::from_bytes(&bytes) else {
                continue;
            };
            store.keep_device_log_entry(&hash, &bytes, &hex::encode(entry.author))?;
        }
    }
    Ok(())
}

/// The device log side `side` of pair `space_id` published, as built
/// here (once per change of what is kept of it).
pub(crate) fn load(store: &Store, space_id: &str, side: Side) -> Result<Arc<Log>> {
    let version = store.pair_log_version(space_id, side)?;
    let name = format!("{space_id}.{}", side.as_str());
    let built = log::cached(store, &name, &version, || {
        Ok(Log::build(
            store
                .pair_log_entries(space_id, side)?
                .iter()
                .filter_map(|bytes| log::Entry::from_bytes(bytes)),
        ))
    })?;
    if let Some(fresh) = &built.fresh {
        // What the devices this log certifies sign is kept past the cap.
        store.trust_pair_log_authors(space_id, side, &log::trusted_authors(fresh))?;
    }
    Ok(built.log)
}

/// Of `vouched`, the devices (id, box key) of side `side` of pair
/// `space_id` that its published log certifies with that box key; all of
/// them while that log decides nothing (nothing published yet: a build
/// from before it), none once the side published more than a store keeps.
pub(crate) fn certified(
    store: &Store,
    space_id: &str,
    side: Side,
    vouched: Vec<(String, [u8; 32])>,
) -> Result<Vec<(String, [u8; 32])>> {
    if store.pair_log_full(space_id, side)? {
        return Ok(Vec::new());
    }
    let log = load(store, space_id, side)?;
    if !log.decides() {
        return Ok(vouched);
    }
    Ok(vouched
        .into_iter()
        .filter(|(id, key)| {
            device_bytes(id)
                .and_then(|d| log.live(&d))
                .is_some_and(|c| c.box_key == *key)
        })
        .collect())
}

/// Writes `entries` (key, value) into pair `space_id`'s `people`
/// document as they are: what anyone holding the pair's key can write,
/// the other side's keys included (for tests of what a hostile partner
/// can do).
#[doc(hidden)]
pub fn write_in_pair(
    store: &mut Store,
    space_id: &str,
    entries: &[(String, String)],
) -> Result<()> {
    store.write_whole(&DocId::in_pair(space_id, "people"), |tx| {
        for (k, v) in entries {
            shard::put(tx, k, v)?;
        }
        Ok(())
    })
}

/// Writes, into this person's side of pair `space_id` only, a removal of
/// device `device_id` signed by this device, and deletes every entry of
/// that side that was there: what a lost phone can do before its unlink
/// (for tests). Returns the key and value written.
#[doc(hidden)]
pub fn plant_in_pair(
    store: &mut Store,
    space_id: &str,
    device_id: &str,
) -> Result<(String, String)> {
    use crate::error::Error;
    let side = store
        .spaces()?
        .into_iter()
        .find(|s| s.space_id == space_id)
        .and_then(|s| s.side)
        .ok_or_else(|| Error::not_found("pair", space_id))?;
    let device = device_bytes(device_id).ok_or_else(|| Error::not_found("device", device_id))?;
    let key = ed25519_dalek::SigningKey::from_bytes(&*store.signing_seed()?);
    let parents = log::load(store)?.parents_for(&key.verifying_key().to_bytes());
    let entry = log::Entry::sign(log::Change::Remove { device }, &parents, &key);
    let prefix = format!("{}.log.", side.as_str());
    let doc = DocId::in_pair(space_id, "people");
    let old: Vec<String> = store.read_doc(&doc, |d| {
        Ok(automerge::ReadDoc::keys(d, automerge::ROOT)
            .filter(|k| k.starts_with(&prefix))
            .collect())
    })?;
    let written = (
        format!("{prefix}{}", hex::encode(entry.hash())),
        hex::encode(entry.to_bytes()),
    );
    store.write_whole(&doc, |tx| {
        for k in &old {
            automerge::transaction::Transactable::delete(tx, automerge::ROOT, k.as_str())?;
        }
        shard::put(tx, &written.0, &written.1)
    })?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::devices::log::{Change, Entry};
    use crate::store::{Options, StoreKey};
    use crate::store::{PAIR_LOG_HARD, PAIR_LOG_SOFT};
    use ed25519_dalek::SigningKey;

    const SPACE: &str = "0123456789abcdef0123456789abcdef";

    /// A founding entry of a device whose keys come from `n`.
    fn founding(n: u16) -> Entry {
        let mut seed = [1u8; 32];
        seed[..2].copy_from_slice(&n.to_be_bytes());
        let key = SigningKey::from_bytes(&seed);
        let mut device = [0u8; 16];
        device[..2].copy_from_slice(&n.to_be_bytes());
        let add = Change::Add {
            device,
            signing: key.verifying_key().to_bytes(),
            box_key: [9; 32],
        };
        Entry::sign(add, &[], &key)
    }

    /// Writes `entries` into the mentor's side of the pair's `people`.
    fn publish(store: &mut Store, entries: &[Entry]) {
        let raw: Vec<(String, Vec<u8>)> = entries
            .iter()
            .map(|e| (hex::encode(e.hash()), e.to_bytes()))
            .collect();
        publish_raw(store, &raw);
    }

    /// Writes `(hash, bytes)` pairs as entries of the mentor's side.
    fn publish_raw(store: &mut Store, entries: &[(String, Vec<u8>)]) {
        store
            .write_whole(&DocId::in_pair(SPACE, "people"), |tx| {
                for (hash, bytes) in entries {
                    shard::put(tx, &format!("mentor.log.{hash}"), &hex::encode(bytes))?;
                }
                Ok(())
            })
            .unwrap();
    }

    /// A store of its own in a folder of its own.
    fn fresh_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with(
            dir.path().join("s.db"),
            Some(&StoreKey::from_bytes([3; 32])),
            Options::default(),
        )
        .unwrap();
        (dir, store)
    }

    #[test]
    fn a_side_that_floods_its_log_is_capped_then_marked_full_and_trusted_by_no_one() {
        let (_dir, mut store) = fresh_store();
        let count = |s: &Store| s.pair_log_entries(SPACE, Side::Mentor).unwrap().len() as i64;
        // Past the first cap, entries from anyone are not kept (nor their
        // signatures checked): a forged one beside them changes nothing.
        publish(&mut store, &[founding(0)]);
        let junk: Vec<Entry> = (1..30).map(founding).collect();
        publish(&mut store, &junk);
        assert_eq!(count(&store), PAIR_LOG_SOFT);
        let real = founding(500);
        let mut forged = real.to_bytes();
        *forged.last_mut().unwrap() ^= 1;
        publish_raw(&mut store, &[(hex::encode(real.hash()), forged)]);
        assert_eq!(count(&store), PAIR_LOG_SOFT);
        assert!(!store.pair_log_full(SPACE, Side::Mentor).unwrap());
        // What the side's certified devices sign is kept past it, up to
        // the second cap: then the side is full, and none of its devices
        // counts for a pair key whatever its identity vouches for.
        let trusted = load(&store, SPACE, Side::Mentor).unwrap();
        assert!(trusted.decides());
        let authors = log::trusted_authors(&trusted);
        assert_eq!(authors.len() as i64, PAIR_LOG_SOFT);
        // Device 0's own key (see `founding`) signs invites.
        let mut seed = [1u8; 32];
        seed[..2].copy_from_slice(&0u16.to_be_bytes());
        let key = SigningKey::from_bytes(&seed);
        let more: Vec<Entry> = (0..30u8)
            .map(|n| {
                let invite = Change::Invite {
                    key: [n + 100; 32],
                    recovery: false,
                };
                Entry::sign(invite, &[founding(0).hash()], &key)
            })
            .collect();
        publish(&mut store, &more);
        assert_eq!(count(&store), PAIR_LOG_HARD);
        assert!(store.pair_log_full(SPACE, Side::Mentor).unwrap());
        let vouched = vec![(hex::encode([0u8; 16]), [9u8; 32])];
        assert!(
            certified(&store, SPACE, Side::Mentor, vouched)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_side_that_published_no_log_goes_by_its_identity_and_one_that_did_by_its_log() {
        let (_dir, mut store) = fresh_store();
        let a = founding(1);
        let (Change::Add { device, .. }, Change::Add { device: other, .. }) =
            (a.change.clone(), founding(2).change)
        else {
            unreachable!()
        };
        let vouched = vec![
            (hex::encode(device), [9u8; 32]),
            (hex::encode(other), [9u8; 32]),
        ];
        let as_is = certified(&store, SPACE, Side::Mentor, vouched.clone()).unwrap();
        assert_eq!(as_is, vouched);
        publish(&mut store, &[a]);
        let now = certified(&store, SPACE, Side::Mentor, vouched.clone()).unwrap();
        assert_eq!(now, vec![vouched[0].clone()]);
        // A box key other than the one the log gives does not count.
        let rekeyed = vec![(hex::encode(device), [8u8; 32])];
        assert!(
            certified(&store, SPACE, Side::Mentor, rekeyed)
                .unwrap()
                .is_empty()
        );
    }
}
