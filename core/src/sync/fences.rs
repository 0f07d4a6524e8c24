//! Where each epoch of a space began: **fences**.
//!
//! A space moves to a new epoch when a device is unlinked (the private
//! space and every pair of the person) or a pair's new key never came.
//! Whoever held only the old keys (the unlinked phone, whoever has its
//! store) can still seal records under them. The server refuses a new
//! record under an epoch the space has moved past (`409 stale_epoch`,
//! checked under the lock the bump takes), so every record after the
//! `head_seq` at which an epoch began is sealed under it or a later one.
//!
//! The device that starts an epoch asks the server for that head right
//! after the bump and records it as the epoch's fence: the keyring carries
//! it to the person's other devices (a pair's `{space}.fence.{epoch}`),
//! and key envelopes carry it with the keys (the private space's, and a
//! pair's to the other person's devices). From then on a record sealed
//! under an earlier epoch and placed after the fence is refused
//! ([`Refusal::Superseded`]) on every device that holds the fence: a
//! server that stores such a record anyway (one working with the holder
//! of a lost phone) cannot get it read.
//!
//! A fence counts only for an epoch whose key this device holds, and only
//! the device that started the epoch, or one that took its key, writes
//! it: the starter the head it read, the private space's other devices
//! what the starter's envelope carries, a device taking a pair's key from
//! the other person the head of the pull that showed it the new epoch (a
//! bound the other person cannot push lower, which would have real
//! records refused). What a later write says replaces what was there (a
//! phone that planted a fence before its unlink is written over by the
//! device that starts or takes the epoch). No key is sealed under before
//! the server reports its epoch (`Store::note_server_epoch`), so a key
//! planted ahead for an epoch to come is never used.

use super::Client;
use super::seal::Refusal;
use crate::error::{Error, Result};
use crate::store::Store;

/// The fences of one space, as `(epoch, after_seq)`, oldest epoch first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fences(Vec<(u32, i64)>);

impl Fences {
    /// What this device knows of `space_id`'s fences.
    pub(crate) fn of(store: &Store, space_id: &str) -> Result<Fences> {
        Ok(Fences(store.fences(space_id)?))
    }

    /// Whether a record (or a snapshot's bound) sealed under `key_epoch`
    /// may sit at `seq`: not past the fence of any later epoch.
    pub(crate) fn admit(&self, key_epoch: u32, seq: i64) -> Result<(), Refusal> {
        if self
            .0
            .iter()
            .any(|(epoch, after)| *epoch > key_epoch && seq > *after)
        {
            return Err(Refusal::Superseded);
        }
        Ok(())
    }

    /// Whether a snapshot sealed under `key_epoch` is taken: only under the
    /// newest fenced epoch or a later one. A snapshot is a whole document,
    /// which no bound limits: one sealed under a key a lost phone still
    /// holds could carry anything. The device that fenced the epoch asked
    /// for a new round of snapshots under it.
    pub(crate) fn admit_snapshot(&self, key_epoch: u32) -> Result<(), Refusal> {
        match self.0.last() {
            Some((newest, _)) if key_epoch < *newest => Err(Refusal::Superseded),
            _ => Ok(()),
        }
    }
}

/// Where `epoch` of `space_id`, which this device just started, began: the
/// space's head as the server reports it now. Records after it are all
/// sealed under `epoch` or a later one (the server took no other), so the
/// bound is safe even when others pushed since the bump. Never below the
/// highest head this device has seen (a server that under-reports it would
/// have real records refused).
pub(crate) fn started_at(
    store: &Store,
    client: &Client,
    space_id: &str,
    epoch: u32,
) -> Result<i64> {
    let list = client.list_spaces()?;
    let info = list
        .spaces
        .iter()
        .find(|s| s.space_id == space_id)
        .ok_or_else(|| Error::not_found("space", space_id))?;
    if info.epoch < epoch {
        return Err(Error::Server {
            status: 200,
            message: format!(
                "the server lists space {space_id} at epoch {} after starting epoch {epoch}",
                info.epoch
            ),
        });
    }
    let seen = store
        .spaces()?
        .into_iter()
        .find(|s| s.space_id == space_id)
        .map_or(0, |s| s.high_water.max(s.cursor));
    Ok(info.head_seq.max(seen))
}

/// Records that `epoch` of `space_id`, just started here, began at the
/// head the server reports now; returns that head.
pub(crate) fn fence_new_epoch(
    store: &Store,
    client: &Client,
    space_id: &str,
    epoch: u32,
) -> Result<i64> {
    let after = started_at(store, client, space_id, epoch)?;
    store.set_fence(space_id, epoch, after)?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_under_an_earlier_epoch_passes_only_up_to_the_later_epochs_start() {
        let fences = Fences(vec![(2, 10), (5, 40)]);
        // Epoch 0 and 1 end where epoch 2 began.
        assert_eq!(fences.admit(0, 10), Ok(()));
        assert_eq!(fences.admit(1, 11), Err(Refusal::Superseded));
        // Epochs 2 to 4 end where epoch 5 began.
        assert_eq!(fences.admit(2, 40), Ok(()));
        assert_eq!(fences.admit(4, 41), Err(Refusal::Superseded));
        // The newest epoch, and one beyond it, have no end.
        assert_eq!(fences.admit(5, 1_000), Ok(()));
        assert_eq!(fences.admit(6, 1_000), Ok(()));
        assert_eq!(Fences::default().admit(0, 1_000), Ok(()));
        // Snapshots: only under the newest fenced epoch or later.
        assert_eq!(fences.admit_snapshot(4), Err(Refusal::Superseded));
        assert_eq!(fences.admit_snapshot(5), Ok(()));
        assert_eq!(Fences::default().admit_snapshot(0), Ok(()));
    }
}
