//! New epochs of a pair's key: started by the mentee (the pair space's
//! owner) when one of their devices is unlinked, so a lost phone that
//! holds the pair's keys reads nothing written after, and taken up by
//! every device of both people.
//!
//! The new key reaches the mentee's other devices through the keyring
//! (in the private space, itself under a new epoch) and the mentor's
//! devices in envelopes (see `features/devices/envelopes.rs`) sealed from
//! this device to each device the mentor's pinned identity vouches for in
//! the pair. The mentor takes a new epoch's key only from such an
//! envelope, sent by a device the mentee's pinned identity vouches for.

use super::pairing::{remember_pair, start_epoch};
use super::pins::partner_devices;
use crate::domain::pair::Side;
use crate::error::{Error, Result};
use crate::features::devices::envelopes;
use crate::store::{Space, Store};
use crate::sync::Client;
use crate::sync::seal::SpaceKey;

/// After this person unlinked one of their devices: every live pair they
/// own starts a new epoch, whose key goes into the keyring and, sealed,
/// to each of the mentor's devices. Returns the pairs moved on.
pub(crate) fn rotate_after_unlink(store: &mut Store, client: &Client) -> Result<Vec<String>> {
    let account = store.account()?.ok_or(Error::NoServer)?;
    let secret = store.box_secret()?;
    let mut moved = Vec::new();
    for space in store.spaces()? {
        if space.side != Some(Side::Mentee) || space.ended {
            continue;
        }
        let epoch = client.new_epoch(&space.space_id)?.epoch;
        let key = SpaceKey::generate();
        remember_pair(store, &space.space_id, Side::Mentee, epoch, &key)?;
        let packed = envelopes::pack_keys(&[(epoch, key)]);
        for (device, public) in partner_devices(store, &space.space_id, Side::Mentee)? {
            let upload = envelopes::seal(
                &secret,
                &account.device_id,
                (&device, &public),
                &space.space_id,
                epoch,
                &packed,
            )?;
            client.put_snapshot(&space.space_id, &upload)?;
            // The envelopes of earlier epochs are superseded (best effort).
            for old in 0..epoch {
                let name = envelopes::name(&secret, &public, &space.space_id, old);
                let _ = client.delete_snapshot(&space.space_id, &name);
            }
        }
        moved.push(space.space_id);
    }
    Ok(moved)
}

/// The key of `epoch` of pair `space`, now that the server reports that
/// epoch: known already (the keyring brought it from another of this
/// person's devices), made now (a mentee whose mentor left, so nobody else
/// will), or taken from an envelope one of the mentee's devices sealed to
/// this mentor's device. Whether the key is known; when it is not, the
/// pair's records of that epoch wait.
pub(crate) fn next_epoch_key(
    store: &mut Store,
    client: &Client,
    space: &Space,
    epoch: u32,
) -> Result<bool> {
    let space_id = space.space_id.as_str();
    if store.space_key(space_id, epoch)?.is_some() {
        return Ok(true);
    }
    match space.side {
        // Another of this person's devices started the epoch: its key
        // comes with the keyring. Only when the mentor is gone does this
        // device make one.
        Some(Side::Mentee) if store.pair_members(space_id)?.unwrap_or(2) <= 1 => {
            start_epoch(store, space_id, epoch)?;
        }
        Some(Side::Mentee) => {}
        Some(Side::Mentor) => {
            let Some(account) = store.account()? else {
                return Ok(false);
            };
            let senders = partner_devices(store, space_id, Side::Mentor)?;
            if senders.is_empty() {
                return Ok(false);
            }
            let secret = store.box_secret()?;
            let snapshots = client.snapshots(space_id)?.snapshots;
            for (sender, public) in &senders {
                let Some(keys) = envelopes::open(
                    &secret,
                    (sender, public),
                    &account.device_id,
                    space_id,
                    epoch,
                    &snapshots,
                ) else {
                    continue;
                };
                if let Some((_, key)) = keys.into_iter().find(|(e, _)| *e == epoch) {
                    remember_pair(store, space_id, Side::Mentor, epoch, &key)?;
                    break;
                }
            }
        }
        None => {}
    }
    Ok(store.space_key(space_id, epoch)?.is_some())
}
