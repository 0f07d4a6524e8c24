//! A sync, step by step. Each step runs on the store and returns; the
//! network calls between the steps run with the store released, so an app
//! that shares its store between threads keeps writing (a journal entry, a
//! craving at a meeting in a basement) while a sync waits on a slow or dead
//! connection.
//!
//! [`StoreAccess`] is how the driver reaches the store: a [`Store`] owned
//! by the caller is its own access (the terminal client, the tests), an app
//! passes its lock. Every step is written for what may have happened since
//! the step before: a push's acknowledgement only removes the outbox rows
//! that request carried, a pull answer is applied against the spaces and
//! cursors as they are when it arrives.
//!
//! Steps that reach the network only now and then keep the store while
//! they do: the first upload of the recovery envelope, a new device's
//! snapshots, a round of snapshot uploads, the keys of a new epoch.

use super::engine::{self, SyncReport};
use super::snapshots;
use crate::error::{Error, Result};
use crate::features::{pairs, signing};
use crate::store::Store;

/// Runs steps of a sync on a store held only for each step.
pub trait StoreAccess {
    /// Runs `f` on the store, holding it only for the call.
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T>;
}

impl StoreAccess for Store {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        f(self)
    }
}

/// One sync through `access`: push, then pull; the outcome is recorded in
/// the sync status.
pub fn sync(access: &mut impl StoreAccess) -> Result<SyncReport> {
    let result = steps(access);
    access.with(|store| engine::record_outcome(store, &result))?;
    result
}

fn steps(access: &mut impl StoreAccess) -> Result<SyncReport> {
    let client = access.with(engine::begin)?;
    let mut report = SyncReport::default();
    crate::features::wakeups::refresh(access, &client)?;

    // Who is in each pair and at which epoch, as the server says: a pair
    // has two members, and one this device is no longer in has ended. One
    // small request, made only by a device that has a pair, and made
    // before pushing: a pair whose epoch moved while this device was away
    // (a lost phone unlinked) must not get what was written here sealed
    // under the old key.
    let listed = if access.with(|store| pairs::has_live_pairs(store))? {
        let list = client.list_spaces()?;
        access.with(|store| engine::note_epochs(store, &list))?;
        Some(list)
    } else {
        None
    };

    push_all(access, &client, &mut report)?;

    let (docs, _) = access.with(|store| snapshots::load(store, &client))?;
    report.from_snapshots = docs;

    let mut refreshed = false;
    if let Some(list) = listed {
        access.with(|store| pairs::note_pair_spaces(store, &list))?;
        refreshed = true;
    }
    loop {
        let cursors = access.with(engine::pull_cursors)?;
        let answer = match client.pull(cursors) {
            Ok(answer) => answer,
            // A pair this device was removed from: the server answers as
            // if it did not exist. Note which pairs ended, then go on.
            Err(Error::Server { status: 404, .. }) if !refreshed => {
                refreshed = true;
                let list = client.list_spaces()?;
                access.with(|store| pairs::note_pair_spaces(store, &list))?;
                continue;
            }
            Err(e) => return Err(e),
        };
        // The pairs wait for the private space at most once a sync, so an
        // answer that keeps bringing key-ring changes cannot stall them.
        let defer = !report.deferred;
        if !access.with(|store| engine::apply_pull(store, &client, answer, &mut report, defer))? {
            break;
        }
    }
    super::retry::retry_newer(access, &client, &mut report)?;
    access.with(pairs::pin_identities)?;
    // A space from before signatures takes no unsigned record after what
    // this device has now pulled. Then what waited goes out: what that
    // wrote (the keyring, so the person's other devices take this
    // decision), and what a device linked a moment ago held until the
    // pull brought the identity it signs with.
    access.with(|store| signing::decide_pulled(store, &report.waiting_for_keys))?;
    // A pair whose new epoch's key has not come for long moves on to one
    // of this device's own.
    let moved = access.with(|store| pairs::move_on_when_stuck(store, &client))?;
    report.waiting_for_keys.retain(|s| !moved.contains(s));
    // What one of the person's devices wrote into the device log only
    // through a pair is taken into it; then this device takes its place
    // in the log (a link code's or the recovery key's invite, or founding
    // itself), before any key goes to or comes from a device the log must
    // certify.
    access.with(crate::features::pairs::take_own_entries)?;
    access.with(crate::features::devices::log::keep)?;
    // A device linked since the private space last moved on gets the
    // earlier keys from here.
    access.with(|store| crate::features::devices::send_keys_to_new_devices(store, &client))?;
    push_all(access, &client, &mut report)?;

    report.snapshots_uploaded = access.with(|store| snapshots::upload(store, &client))?;
    Ok(report)
}

/// Pushes everything in the outbox now, each space under the epoch this
/// device seals it with (for a step that must reach the server before
/// the next one, like an unlink's removals before the pairs move on).
pub(crate) fn push_outbox(store: &mut Store, client: &super::Client) -> Result<()> {
    push_all(store, client, &mut SyncReport::default())
}

/// Pushes everything in the outbox, a request at a time.
fn push_all(
    access: &mut impl StoreAccess,
    client: &super::Client,
    report: &mut SyncReport,
) -> Result<()> {
    let mut after = 0i64;
    while let Some(batch) = access.with(|store| engine::next_push(store, &mut after, report))? {
        let (answer, body_bytes) = match client.push(batch.records) {
            Ok(answer) => answer,
            // A space moved to a new epoch since this device last heard
            // (another device unlinked a lost phone): the server takes
            // nothing sealed under the old key. What this request carried
            // stays in the outbox, waits for the new key (the pull brings
            // it) and goes out in the push after the pull.
            Err(e @ Error::Server { status: 409, .. }) => {
                let list = client.list_spaces()?;
                if !access.with(|store| engine::note_epochs(store, &list))? {
                    // No space moved: the refusal is not this device's to
                    // mend, and is shown rather than retried for ever.
                    return Err(e);
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        report.sent_bytes += body_bytes as u64;
        report.pushed +=
            access.with(|store| engine::acknowledge_push(store, &batch.carried, &answer))?;
    }
    Ok(())
}
