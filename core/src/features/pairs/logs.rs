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

use std::sync::Arc;

use crate::domain::pair::Side;
use crate::error::Result;
use crate::features::devices::log::{self, Log, device_bytes};
use crate::store::Store;

/// The entries of this account's device log that pair `space_id` (this
/// person on `side`) does not hold yet, as `(hash, entry)` in hex: every
/// counted entry and its past, so the other side builds the same log.
pub(crate) fn unpublished(
    store: &Store,
    space_id: &str,
    side: Side,
) -> Result<Vec<(String, String)>> {
    let own = log::load(store)?;
    let held = store.pair_log_hashes(space_id, side)?;
    Ok(own
        .published()
        .map(|e| (hex::encode(e.hash()), e))
        .filter(|(hash, _)| !held.contains(hash))
        .map(|(hash, e)| (hash, hex::encode(e.to_bytes())))
        .collect())
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
/// them while the log certifies no device (nothing published yet).
pub(crate) fn certified(
    store: &Store,
    space_id: &str,
    side: Side,
    vouched: Vec<(String, [u8; 32])>,
) -> Result<Vec<(String, [u8; 32])>> {
    let log = load(store, space_id, side)?;
    if log.live_devices().is_empty() {
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
