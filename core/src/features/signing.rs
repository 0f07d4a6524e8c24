//! Signing epochs: from which epoch a space takes only signed records.
//!
//! Spaces made by a build that signs (a new account's private space, a
//! pair invited with a `TP3-` code) are signed from their first epoch.
//! A space from before signatures has no signing epoch until one of its
//! members' upgraded devices starts one: after a sync that pulled
//! everything, it moves the space to a new epoch (the private space: any
//! of the person's devices; a pair: either member, once the other side's
//! devices are known to send the key to) and records that epoch as the
//! first signed one. Unsigned records stay readable below it; at and
//! after it, a record without a member's signature is refused.
//!
//! The decision travels in the keyring (in the private space), so the
//! person's other devices, and devices linked or restored later, hold the
//! same one; the first decision a device learns is the one it keeps.

use crate::document::{DocId, shard};
use crate::error::{Error, Result};
use crate::features::{devices, identity, pairs};
use crate::store::{SpaceRole, Store};
use crate::sync::Client;
use crate::sync::seal::SpaceKey;

/// The keyring field that holds the private space's first signed epoch
/// (a pair's is `{space}.signed_from`).
pub(crate) const PRIVATE_FIELD: &str = "signed_from";

/// Records that `space_id` takes only signed records from `epoch` on,
/// here and (through the keyring) on the person's other devices, unless a
/// signing epoch was decided already.
pub(crate) fn decide(store: &mut Store, space_id: &str, epoch: u32) -> Result<()> {
    if store.signed_from(space_id)?.is_some() {
        return Ok(());
    }
    store.decide_signed_from(space_id, epoch)?;
    let private = store
        .private_space()?
        .is_some_and(|s| s.space_id == space_id);
    let field = if private {
        PRIVATE_FIELD.to_owned()
    } else {
        format!("{space_id}.signed_from")
    };
    store.write_whole(&DocId::keyring(), |tx| {
        shard::put(tx, &field, &epoch.to_string())
    })
}

/// Starts the signing epoch of every space this device syncs that has
/// none yet and that it may move on now; run after a sync pulled
/// everything. Returns the spaces moved on.
pub(crate) fn start_signing_epochs(store: &mut Store, client: &Client) -> Result<Vec<String>> {
    let mut started = Vec::new();
    for space in store.spaces()? {
        if space.ended || store.signed_from(&space.space_id)?.is_some() {
            continue;
        }
        match (space.role, space.side) {
            (SpaceRole::Private, _) => {
                // The identity certifies this device's signatures: a store
                // from before identities makes the account's now, after a
                // full pull brought any other device's.
                identity::get_or_make(store)?;
                let epoch = client.new_epoch(&space.space_id)?.epoch;
                if store.space_key(&space.space_id, epoch)?.is_some() {
                    return Err(Error::Server {
                        status: 200,
                        message: "the new epoch of the private space already has a key".into(),
                    });
                }
                store.add_space(
                    &space.space_id,
                    SpaceRole::Private,
                    epoch,
                    &SpaceKey::generate(),
                )?;
                decide(store, &space.space_id, epoch)?;
                // The person's other devices, and the recovery envelope,
                // get the new key; the envelope's next upload holds it.
                devices::send_epoch_keys(store, client)?;
                devices::reseal_recovery(store)?;
                devices::upload_recovery(store, client)?;
                store.request_snapshot_round()?;
            }
            (SpaceRole::Pair, Some(side)) => {
                let other = store.pair_person(&space.space_id, side.other())?;
                // The key must reach the other side: wait until their
                // devices are known (they publish them once upgraded).
                if other.account_id.is_none()
                    || pairs::partner_devices(store, &space.space_id, side)?.is_empty()
                {
                    continue;
                }
                identity::get_or_make(store)?;
                pairs::rotate(store, client, &space.space_id, side)?;
            }
            (SpaceRole::Pair, None) => continue,
        }
        started.push(space.space_id);
    }
    Ok(started)
}
