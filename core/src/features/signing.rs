//! Where each space's unsigned records end.
//!
//! Spaces made by a build that signs (a new account's private space, a
//! pair invited with a `TP3-` code) take only signed records from their
//! first. A space from before signatures takes the unsigned records it
//! already holds, and no more: once an upgraded device has pulled it
//! (everything the server had), it records the last `seq` it pulled as the
//! end of the space's unsigned records. Devices that speak protocol 3
//! sign everything and older ones are refused by the server, so any
//! unsigned record after that point was sealed by someone holding a key
//! who is no member's device: a pair partner writing under an old epoch
//! in the other person's name, or a server handed an old key.
//!
//! The decision travels in the keyring (in the private space), so the
//! person's other devices, and devices linked or restored later, hold the
//! same one; the earliest decision wins, so a later entry can only make a
//! space stricter.

use crate::document::{DocId, shard};
use crate::error::Result;
use crate::features::identity;
use crate::store::{SpaceRole, Store};

/// The keyring field that holds where the private space's unsigned
/// records end (a pair's is `{space}.signed_after`).
pub(crate) const PRIVATE_FIELD: &str = "signed_after";

/// Records that `space_id` takes no unsigned record after `seq`, here and
/// (through the keyring) on the person's other devices.
pub(crate) fn decide(store: &mut Store, space_id: &str, seq: i64) -> Result<()> {
    if store.signed_after(space_id)?.is_some_and(|s| s <= seq) {
        return Ok(());
    }
    store.decide_signed_after(space_id, seq)?;
    write_keyring(store, space_id, seq)
}

/// The key-ring field that holds where `space_id`'s unsigned records end.
fn field(store: &Store, space_id: &str) -> Result<String> {
    let private = store
        .private_space()?
        .is_some_and(|s| s.space_id == space_id);
    Ok(if private {
        PRIVATE_FIELD.to_owned()
    } else {
        format!("{space_id}.signed_after")
    })
}

/// What the key ring says of where `space_id`'s unsigned records end.
fn keyring_says(store: &mut Store, space_id: &str) -> Result<Option<i64>> {
    let field = field(store, space_id)?;
    let text = store.read_doc(&DocId::keyring(), |d| shard::get::<_, String>(d, &field))?;
    Ok(text.and_then(|t| t.parse().ok()))
}

/// Writes where `space_id`'s unsigned records end into the key ring.
fn write_keyring(store: &mut Store, space_id: &str, seq: i64) -> Result<()> {
    let field = field(store, space_id)?;
    store.write_whole(&DocId::keyring(), |tx| {
        shard::put(tx, &field, &seq.max(0).to_string())
    })
}

/// Decides, for every space this device syncs that has no decision yet
/// and is not waiting for a key, that its unsigned records end where this
/// device's pull stands; run after a sync pulled everything. A store from
/// before identities makes the account's identity here (after a full pull
/// brought any other device's), so that it can sign from now on. Returns
/// the spaces decided.
pub(crate) fn decide_pulled(store: &mut Store, waiting: &[String]) -> Result<Vec<String>> {
    let mut decided = Vec::new();
    // While the private space waits for a key, what its key ring says of
    // the pairs is not all here yet: nothing is decided.
    if store
        .private_space()?
        .is_some_and(|p| waiting.contains(&p.space_id))
    {
        return Ok(decided);
    }
    for space in store.spaces()? {
        if space.ended || waiting.contains(&space.space_id) {
            continue;
        }
        if let Some(after) = store.signed_after(&space.space_id)? {
            // A key-ring entry looser than what this device holds (a lost
            // phone's, which a device linked later would take) is written
            // over with this device's.
            if keyring_says(store, &space.space_id)?.is_some_and(|k| k > after) {
                write_keyring(store, &space.space_id, after)?;
            }
            continue;
        }
        if space.role == SpaceRole::Private || space.side.is_some() {
            identity::get_or_make(store)?;
            decide(store, &space.space_id, space.cursor)?;
            decided.push(space.space_id);
        }
    }
    Ok(decided)
}
