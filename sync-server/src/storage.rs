//! Storage behind a small trait, with two implementations: SQLite (the
//! embedded default, one machine) and PostgreSQL (several stateless server
//! processes over one database).
//!
//! The same conformance suite (`tests/conformance.rs`) runs against both.
//! Callers check membership before touching a space; the storage keeps the
//! invariants that need a transaction: `seq` unique and gap-free per space,
//! de-duplication by `(space, change_hash)`, single-use invites and link codes.
//! What those invariants decide (invite expiry, wrong secrets, burning, link
//! codes, account deletion, new key epochs) is [`rules`], which both
//! backends call; the backends run SQL only.

pub mod postgres;
pub mod rules;
pub mod sqlite;

use async_trait::async_trait;
use tandem_protocol::{AccountDeleted, SpaceHead, SpaceInfo};

use crate::secret::Hash;

/// What storage can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached right now.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Anything else the database reported.
    #[error("storage error: {0}")]
    Database(String),
    /// A pushed record sealed under an epoch the space has moved past: a
    /// device that had not heard of the new epoch yet (it pulls and seals
    /// again), or a holder of an old key (a lost phone, through a partner).
    #[error("space {0} has moved to a newer key epoch: pull, then seal again")]
    StaleEpoch(String),
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Database(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.is_closed() {
            StorageError::Unavailable(e.to_string())
        } else {
            StorageError::Database(e.to_string())
        }
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StorageError::Unavailable(e.to_string())
    }
}

/// Storage's result type.
pub type StorageResult<T> = Result<T, StorageError>;

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Its account.
    pub account_id: String,
    /// The device.
    pub device_id: String,
}

/// A device as stored, for listing an account's devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The device.
    pub device_id: String,
    /// When it registered, rounded down to the hour (UTC ms).
    pub created_hour: i64,
    /// The start of the last day it called (UTC ms), if recorded.
    pub seen_day: Option<i64>,
    /// The device whose link code registered it.
    pub linked_by: Option<String>,
    /// The X25519 public key it set for key envelopes, if it has.
    pub box_key: Option<Vec<u8>>,
}

/// An account's place in a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    /// Whether the account owns the space.
    pub owner: bool,
    /// The space's current key epoch.
    pub epoch: u32,
    /// The space's newest sequence number.
    pub head_seq: i64,
}

/// How registering with a link code went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// The device is registered.
    Done(Device),
    /// The link code is unknown, used or expired.
    CodeGone,
    /// The account has as many devices as a link code may add to (the code
    /// is used up).
    TooManyDevices,
}

/// How redeeming an invite went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// The account is now a member.
    Joined {
        /// The space.
        space_id: String,
        /// Its key epoch.
        epoch: u32,
    },
    /// The secret was wrong; the invite is burned once too many were.
    WrongSecret,
    /// No usable invite: unknown, expired, used or burned.
    Gone,
}

/// A record to store (binary fields decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// The space.
    pub space_id: String,
    /// The document's opaque name.
    pub doc_id: String,
    /// The change hash.
    pub change_hash: [u8; 32],
    /// The key epoch.
    pub key_epoch: u32,
    /// The nonce.
    pub nonce: Vec<u8>,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its sequence number.
    pub seq: i64,
    /// The document's opaque name.
    pub doc_id: String,
    /// The change hash.
    pub change_hash: [u8; 32],
    /// The key epoch.
    pub key_epoch: u32,
    /// The nonce.
    pub nonce: Vec<u8>,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
}

/// A page of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Records after the cursor, in order.
    pub records: Vec<Record>,
    /// Whether more follow.
    pub more: bool,
    /// The space's newest sequence number.
    pub head_seq: i64,
    /// The space's key epoch.
    pub epoch: u32,
}

impl Page {
    /// A page of `records` read in order, up to `limit + 1` of them: one past
    /// `limit` is not sent, it only says that more follow.
    pub(crate) fn cut(mut records: Vec<Record>, limit: u32, head_seq: i64, epoch: u32) -> Page {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = records.len() > limit;
        records.truncate(limit);
        Page {
            records,
            more,
            head_seq,
            epoch,
        }
    }
}

/// A stored snapshot (binary fields decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    /// The document's opaque name.
    pub doc_id: String,
    /// Covers the document's records up to here.
    pub upto_seq: i64,
    /// The key epoch.
    pub key_epoch: u32,
    /// The nonce.
    pub nonce: Vec<u8>,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
}

/// What storing a snapshot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotPut {
    /// Stored, or an equal or newer snapshot of the document was already
    /// there (the upload is then dropped: a snapshot never goes back).
    Stored,
    /// Refused: the document has no snapshot yet and the space holds its
    /// quota of snapshots.
    OverQuota,
}

/// A device's Web Push subscription (binary fields decoded): where its
/// wake-ups go and the keys they are encrypted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscription {
    /// The push endpoint URL.
    pub endpoint: String,
    /// The subscriber's P-256 public key, uncompressed (65 bytes).
    pub p256dh: Vec<u8>,
    /// The subscriber's authentication secret (16 bytes).
    pub auth: Vec<u8>,
}

/// A device to wake and its subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WakeupTarget {
    /// The device.
    pub device_id: String,
    /// Where its wake-up goes.
    pub subscription: PushSubscription,
}

/// A link code's expiry that marks it as the account's recovery code.
pub const RECOVERY_EXPIRES_MS: i64 = i64::MAX;

/// Times are UTC milliseconds, rounded down to the hour before they are
/// stored (`coarse`): the server keeps no finer record of when people act.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Whether the database answers.
    async fn ready(&self) -> StorageResult<()>;

    /// Registers a device: with `link_code` into the code's account (the code is
    /// then used up; a link code adds no device past `max_devices`, see
    /// [`rules::device_fits`]), without one into a new account.
    async fn register(
        &self,
        token: Hash,
        link_code: Option<Hash>,
        now_ms: i64,
        max_devices: u32,
    ) -> StorageResult<Registration>;

    /// Stores a single-use link code for `device`'s account, recording
    /// `device` as the one that made it.
    async fn create_link_code(
        &self,
        device: &Device,
        code: Hash,
        expires_ms: i64,
    ) -> StorageResult<()>;

    /// Sets `account`'s recovery code (a link code that never expires),
    /// retiring the one it had.
    /// The code records `device` as the one that set it: a device registered
    /// with it counts as linked by that device, and the code goes when that
    /// device is unlinked.
    async fn set_recovery_code(&self, device: &Device, code: Hash) -> StorageResult<()>;

    /// Unlinks `device_id` of `caller`'s account: it, every device it linked
    /// that [`rules::revoked`] names, and their pending link codes are
    /// deleted (their tokens stop working), in one transaction. Returns the
    /// revoked devices, the unlinked one first; none when the account has
    /// no such device.
    async fn delete_device(&self, caller: &Device, device_id: &str) -> StorageResult<Vec<String>>;

    /// Every device of `account`, oldest first.
    async fn devices(&self, account: &str) -> StorageResult<Vec<DeviceRow>>;

    /// Sets `device`'s own box key, once: `true` when it is now `box_key`
    /// (set here, or set before to the same), `false` when another is set.
    async fn set_box_key(&self, device: &Device, box_key: [u8; 32]) -> StorageResult<bool>;

    /// Records that `device_id` called on the day starting at `day_ms`
    /// (kept only if later than the day recorded).
    async fn touch_device(&self, device_id: &str, day_ms: i64) -> StorageResult<()>;

    /// Starts a new key epoch of `space` without removing anyone (after a
    /// device of its owner was unlinked). Returns the new epoch.
    async fn bump_epoch(&self, space: &str) -> StorageResult<u32> {
        // Removing nobody still starts a new epoch.
        self.remove_member(space, "").await
    }

    /// The device holding the token with this hash.
    async fn authenticate(&self, token: Hash) -> StorageResult<Option<Device>>;

    /// Creates a space owned by `account`.
    async fn create_space(&self, account: &str, space_id: &str, now_ms: i64) -> StorageResult<()>;

    /// The spaces `account` is a member of.
    async fn spaces(&self, account: &str) -> StorageResult<Vec<SpaceInfo>>;

    /// `account`'s membership of `space`, if any.
    async fn membership(&self, account: &str, space: &str) -> StorageResult<Option<Membership>>;

    /// Stores an invite to `space`.
    async fn create_invite(
        &self,
        space: &str,
        invite_id: &str,
        secret: Hash,
        expires_ms: i64,
    ) -> StorageResult<()>;

    /// Redeems an invite for `account`, counting a wrong secret against it.
    async fn redeem_invite(
        &self,
        invite_id: &str,
        secret: Hash,
        account: &str,
        now_ms: i64,
        max_wrong: u32,
    ) -> StorageResult<Redeemed>;

    /// Removes `member` from `space` and starts a new key epoch, which is returned.
    async fn remove_member(&self, space: &str, member: &str) -> StorageResult<u32>;

    /// Stores records; returns each one's sequence number, in order. A record
    /// whose `(space, change_hash)` is already stored keeps its old number.
    /// A new record sealed under an epoch older than its space's current one
    /// stores nothing of the push: [`StorageError::StaleEpoch`]. Checked
    /// under the same lock as the epoch's bump, so every record after the
    /// `head_seq` at which an epoch started is sealed under it or a later
    /// one, which devices rely on (see the core's `sync::fences`).
    async fn push(&self, records: Vec<NewRecord>, now_ms: i64) -> StorageResult<Vec<i64>>;

    /// Up to `limit` records of `space` after `after`.
    async fn pull(&self, space: &str, after: i64, limit: u32) -> StorageResult<Page>;

    /// Newest sequence number and epoch of every space of `account`.
    async fn heads(&self, account: &str) -> StorageResult<Vec<SpaceHead>>;

    /// Stores a snapshot, replacing an older one of the same document; a
    /// document new to the space is refused once the space holds `quota`
    /// snapshots ([`rules::snapshot_fits`]).
    async fn put_snapshot(
        &self,
        space: &str,
        snapshot: StoredSnapshot,
        now_ms: i64,
        quota: u32,
    ) -> StorageResult<SnapshotPut>;

    /// Deletes the snapshot of `doc_id` if it covers no records
    /// (`upto_seq` 0, as key envelopes do); a snapshot that compaction may
    /// rely on is never deleted. Returns whether one was deleted.
    async fn delete_snapshot(&self, space: &str, doc_id: &str) -> StorageResult<bool>;

    /// The newest snapshot of every document of `space`.
    async fn snapshots(&self, space: &str) -> StorageResult<Vec<StoredSnapshot>>;

    /// Removes the change records of `doc_id` that its snapshot covers.
    async fn compact(&self, space: &str, doc_id: &str) -> StorageResult<u64>;

    /// Deletes the account, its devices and memberships, and every space it
    /// alone owns with all their records and snapshots. Spaces it owns with
    /// other members left are deleted too: the owner's erasure wins.
    async fn delete_account(&self, account: &str) -> StorageResult<AccountDeleted>;

    /// Keeps `subscription` as `device_id`'s one wake-up subscription,
    /// replacing the one it had. Nothing is stored for a device that does
    /// not exist. The subscription goes with the device (and its account).
    async fn put_wakeup(
        &self,
        device_id: &str,
        subscription: PushSubscription,
    ) -> StorageResult<()>;

    /// Removes `device_id`'s wake-up subscription; with `endpoint`, only if
    /// it still goes there (a push service said the endpoint is gone while
    /// the device may already have registered a new one). Returns whether
    /// one was removed.
    async fn delete_wakeup(&self, device_id: &str, endpoint: Option<&str>) -> StorageResult<bool>;

    /// The subscriptions of every device of every member account of
    /// `space` except the device `except` (the one that wrote; `""` for
    /// none), by device id.
    async fn wakeup_targets(&self, space: &str, except: &str) -> StorageResult<Vec<WakeupTarget>>;

    /// The server's VAPID private key: `candidate` is stored if none is
    /// yet, and the stored one is returned, so that every process over one
    /// database signs with the same key.
    async fn vapid_key(&self, candidate: [u8; 32]) -> StorageResult<Vec<u8>>;
}

/// Rounds an instant down to the start of its day (UTC): how precisely the
/// server records when a device was last seen.
pub fn day(ms: i64) -> i64 {
    ms - ms.rem_euclid(86_400_000)
}

/// Rounds an instant down to the hour: the only precision the server stores.
pub fn coarse(ms: i64) -> i64 {
    ms - ms.rem_euclid(3_600_000)
}

/// A stored 32-byte hash; a value of another length (damage) reads as zeros.
pub(crate) fn hash32(v: Vec<u8>) -> [u8; 32] {
    <[u8; 32]>::try_from(v.as_slice()).unwrap_or([0; 32])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64) -> Record {
        Record {
            seq,
            doc_id: "d".into(),
            change_hash: [0; 32],
            key_epoch: 0,
            nonce: vec![],
            ciphertext: vec![],
        }
    }

    #[test]
    fn a_page_keeps_limit_records_and_says_whether_more_follow() {
        let full = Page::cut((1..=3).map(record).collect(), 2, 9, 1);
        assert_eq!(
            full.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
            [1, 2]
        );
        assert!(full.more);
        assert_eq!((full.head_seq, full.epoch), (9, 1));
        let last = Page::cut((1..=2).map(record).collect(), 2, 2, 0);
        assert_eq!(last.records.len(), 2);
        assert!(!last.more);
    }
}
