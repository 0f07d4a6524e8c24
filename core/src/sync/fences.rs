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
//! A fence travels with the key it came with and trusts what that key
//! trusts. Of two fences claimed for one epoch the later holds: one too
//! early would refuse records that are real; a later one only lets in
//! what the honest server refused to store.

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
}

/// Where `epoch` of `space_id`, which this device just started, began: the
/// space's head as the server reports it now. Records after it are all
/// sealed under `epoch` or a later one (the server took no other), so the
/// bound is safe even when others pushed since the bump.
pub(crate) fn started_at(client: &Client, space_id: &str, epoch: u32) -> Result<i64> {
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
    Ok(info.head_seq)
}

/// Records that `epoch` of `space_id`, just started here, began at the
/// head the server reports now; returns that head.
pub(crate) fn fence_new_epoch(
    store: &Store,
    client: &Client,
    space_id: &str,
    epoch: u32,
) -> Result<i64> {
    let after = started_at(client, space_id, epoch)?;
    store.add_fence(space_id, epoch, after)?;
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
    }
}
