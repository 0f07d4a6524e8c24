//! New epochs of a pair's key: started by whichever person unlinked one
//! of their devices (the mentee, who owns the pair space, or the mentor),
//! so a lost phone that holds the pair's keys reads nothing written after,
//! and taken up by every device of both people.
//!
//! The new key reaches the starter's other devices through the keyring
//! (in the private space, itself under a new epoch) and the other
//! person's devices in envelopes (see `features/devices/envelopes.rs`)
//! sealed from this device to each device the other side's pinned
//! identity vouches for in the pair. A device takes a new epoch's key from
//! the other side only from such an envelope, sent by a device the other
//! side's pinned identity vouches for.

use super::pairing::{remember_fence, remember_pair, start_epoch};
use super::pins::partner_devices;
use crate::domain::pair::Side;
use crate::error::{Error, Result};
use crate::features::devices::envelopes;
use crate::store::{Space, Store};
use crate::sync::Client;
use crate::sync::seal::SpaceKey;

/// After this person unlinked one of their devices: every live pair they
/// are in that has the other person starts a new epoch, whose key goes
/// into the keyring and, sealed with every earlier key of the pair, to
/// each of the other person's devices. The mentee, who owns the space,
/// also clears every other envelope in it (the new ones hold every key;
/// one the lost phone planted must not be found); the server lets only
/// the owner delete. Returns the pairs moved on.
pub(crate) fn rotate_after_unlink(store: &mut Store, client: &Client) -> Result<Vec<String>> {
    let mut moved = Vec::new();
    for space in store.spaces()? {
        let Some(side) = space.side else { continue };
        let has_partner = store
            .pair_person(&space.space_id, side.other())?
            .account_id
            .is_some();
        if space.ended || !has_partner {
            continue;
        }
        rotate(store, client, &space.space_id, side)?;
        moved.push(space.space_id);
    }
    Ok(moved)
}

/// Moves pair `space_id` (this person on `side` of it) to a new epoch:
/// its key goes into the keyring and, with every earlier key, to each of
/// the other person's vouched-for devices; the mentee also clears the
/// pair's other envelopes. Returns the new epoch.
pub(crate) fn rotate(
    store: &mut Store,
    client: &Client,
    space_id: &str,
    side: Side,
) -> Result<u32> {
    let account = store.account()?.ok_or(Error::NoServer)?;
    let secret = store.box_secret()?;
    let epoch = fresh_epoch(store, client, space_id)?;
    remember_pair(store, space_id, side, epoch, &SpaceKey::generate())?;
    // Nothing sealed under the keys before counts past this point.
    let after = crate::sync::fences::started_at(store, client, space_id, epoch)?;
    remember_fence(store, space_id, epoch, after)?;
    // Keys of earlier epochs this device has not got (both sides moved the
    // pair on at once) are read from the other side's envelopes first: the
    // new envelopes then carry them, and the clearing up below loses none.
    for e in (epoch.saturating_sub(envelopes::LOOK_BACK)..epoch).rev() {
        if store.space_key(space_id, e)?.is_none() {
            take_keys(store, client, space_id, side, e)?;
        }
    }
    let packed = envelopes::KeySet::of(store, space_id)?.pack();
    let mut sent = Vec::new();
    for (device, public) in partner_devices(store, space_id, side)? {
        let upload = envelopes::seal(
            &secret,
            &account.device_id,
            (&device, &public),
            space_id,
            epoch,
            &packed,
        )?;
        client.put_snapshot(space_id, &upload)?;
        sent.push(upload.doc_id);
    }
    // Clearing up is best effort: what stays opens only for its device
    // and, from a sender no longer vouched for, is not taken.
    if side == Side::Mentee {
        for old in client.snapshots(space_id)?.snapshots {
            if old.upto_seq == 0 && !sent.contains(&old.doc_id) {
                let _ = client.delete_snapshot(space_id, &old.doc_id);
            }
        }
    }
    Ok(epoch)
}

/// How long a device waits for the key of a pair's new epoch before it
/// starts one of its own: the member who started that epoch (a hostile
/// partner, a lost phone before its unlink) may never send the key. An
/// honest starter sends it within the same call that started the epoch,
/// and moving on costs only one more epoch (what the starter sealed before
/// is still read once its key comes: see `sync::fences`), so the wait is
/// short: a partner who keeps starting keyless epochs delays the other's
/// writes by minutes each time.
pub(crate) const STUCK_AFTER_MS: i64 = 10 * 60 * 1000;

/// Moves on every pair whose new epoch's key has not come for
/// [`STUCK_AFTER_MS`]: this device starts the next epoch, whose key goes
/// to the other side's vouched-for devices, so what was written here
/// meanwhile goes out. Records of the skipped epoch, if any, are then
/// refused as of an unknown epoch and pulled again should its key come
/// after all (see `sync::retry`). Returns the pairs moved on.
pub(crate) fn move_on_when_stuck(store: &mut Store, client: &Client) -> Result<Vec<String>> {
    let now = store.now().timestamp_millis();
    let mut moved = Vec::new();
    for space in store.spaces()? {
        let (Some(side), false) = (space.side, space.ended) else {
            continue;
        };
        if store
            .waiting_epoch(&space.space_id)?
            .is_none_or(|e| e <= space.epoch)
            || store
                .waiting_since(&space.space_id)?
                .is_none_or(|since| now - since < STUCK_AFTER_MS)
            || partner_devices(store, &space.space_id, side)?.is_empty()
        {
            continue;
        }
        rotate(store, client, &space.space_id, side)?;
        store.set_waiting_epoch(&space.space_id, None)?;
        moved.push(space.space_id);
    }
    Ok(moved)
}

/// Sets aside the keys of `space_id` for epochs the server has not
/// reported yet, up to `epoch` (which it reports now), that no device the
/// device log certifies now wrote in the keyring (a device since removed,
/// or a writer id bound to no device's key): a lost phone can plant keys
/// for epochs to come before its unlink. When the other side then starts
/// one of those epochs, this device takes the key from the other side's
/// envelope, and when this person does, a key of their own, never the
/// lost phone's. Nothing is set aside while the log certifies no one (it
/// decides nothing then). Run before the server's epoch is noted.
pub(crate) fn set_aside_planted_keys(store: &mut Store, space_id: &str, epoch: u32) -> Result<()> {
    // A pair this device made from the keyring (a device linked or
    // restored a moment ago) holds the keys of its history: the first
    // epoch it hears from the server sets none of them aside.
    if store.first_heard(space_id)? {
        return Ok(());
    }
    let reported = store.server_epoch(space_id)?;
    if epoch <= reported {
        return Ok(());
    }
    let keys = store.keyring_keys_after(space_id, reported)?;
    if keys.is_empty() {
        return Ok(());
    }
    let log = crate::features::devices::log::load(store)?;
    if log.live_devices().is_empty() {
        return Ok(());
    }
    for (e, writer) in keys {
        if e <= epoch && !log.certified_writer(&writer) {
            store.set_aside_keyring_key(space_id, e, &writer)?;
        }
    }
    Ok(())
}

/// A new epoch of pair `space_id` at the server for which this device
/// holds no key yet. A key already known for the epoch the server just
/// started was planted (a lost phone can write the keyring before it is
/// unlinked): that epoch is skipped, so nothing is sealed under it.
fn fresh_epoch(store: &mut Store, client: &Client, space_id: &str) -> Result<u32> {
    for _ in 0..8 {
        let epoch = client.new_epoch(space_id)?.epoch;
        set_aside_planted_keys(store, space_id, epoch)?;
        store.note_server_epoch(space_id, epoch)?;
        if store.space_key(space_id, epoch)?.is_none() {
            return Ok(epoch);
        }
    }
    Err(Error::Server {
        status: 200,
        message: "every new epoch of the pair already has a key on this device".into(),
    })
}

/// The key of `epoch` of pair `space`, now that the server reports that
/// epoch with the space's head at `head`: known already (the keyring
/// brought it, and where it began, from another of this person's
/// devices), made now (a mentee whose mentor left, so nobody else will),
/// or taken from an envelope one of the other person's devices sealed to
/// this device (they started the epoch after unlinking a lost phone).
/// Whether the key is known; when it is not, the pair's records of that
/// epoch wait. A key made or taken here comes with its fence at `head`:
/// everything after it is sealed under the new epoch (a fence the other
/// person could set lower would have real records refused).
pub(crate) fn next_epoch_key(
    store: &mut Store,
    client: &Client,
    space: &Space,
    epoch: u32,
    head: i64,
) -> Result<bool> {
    let space_id = space.space_id.as_str();
    if store.space_key(space_id, epoch)?.is_some() {
        return Ok(true);
    }
    let Some(side) = space.side else {
        return Ok(false);
    };
    // Only when the mentor is gone does this device make a key: nobody
    // else will.
    if side == Side::Mentee && store.pair_members(space_id)?.unwrap_or(2) <= 1 {
        start_epoch(store, space_id, epoch)?;
        remember_fence(store, space_id, epoch, head)?;
        return Ok(store.space_key(space_id, epoch)?.is_some());
    }
    if !take_keys(store, client, space_id, side, epoch)? {
        return Ok(false);
    }
    // Where the new epoch began, which the person's other devices take
    // from the keyring: the head of the pull that showed it (the other
    // side's envelope may say earlier, which this device cannot check).
    remember_fence(store, space_id, epoch, head)?;
    Ok(store.space_key(space_id, epoch)?.is_some())
}

/// Takes the keys in an envelope for `epoch` of pair `space_id` that one
/// of the other side's vouched-for devices sealed to this device (this
/// person on `side`). Every key of the pair comes along, so an epoch this
/// device missed (offline, or skipped while two devices moved the pair on
/// at once) is not lost; a key this device already holds is kept as it
/// is. Whether an envelope was found.
fn take_keys(
    store: &mut Store,
    client: &Client,
    space_id: &str,
    side: Side,
    epoch: u32,
) -> Result<bool> {
    let Some(account) = store.account()? else {
        return Ok(false);
    };
    let senders = partner_devices(store, space_id, side)?;
    let Some(found) =
        envelopes::keys_from(store, client, &account.device_id, space_id, epoch, &senders)?
    else {
        return Ok(false);
    };
    for (e, key) in &found.keys {
        if store.space_key(space_id, *e)?.is_none() {
            remember_pair(store, space_id, side, *e, key)?;
        }
    }
    Ok(true)
}

/// Looks for the keys of `missing` epochs of pair `space`, whose records
/// were refused for want of one: in the envelope for the pair's current
/// epoch first (which carries every key its sender held), then in those
/// for the newest [`envelopes::LOOK_BACK`] missing epochs. Run before
/// those records are pulled again.
pub(crate) fn fetch_missing_keys(
    store: &mut Store,
    client: &Client,
    space: &Space,
    missing: &[u32],
) -> Result<()> {
    let Some(side) = space.side else {
        return Ok(());
    };
    let mut newest_first = missing.to_vec();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    newest_first.truncate(envelopes::LOOK_BACK as usize);
    for epoch in std::iter::once(space.epoch).chain(newest_first.clone()) {
        take_keys(store, client, &space.space_id, side, epoch)?;
        let mut still = false;
        for e in &newest_first {
            still |= store.space_key(&space.space_id, *e)?.is_none();
        }
        if !still {
            break;
        }
    }
    Ok(())
}
