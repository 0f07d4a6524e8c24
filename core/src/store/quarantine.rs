//! Received changes that open but cannot be taken into the documents (a
//! field of the wrong type, a change that does not parse, one that breaks
//! the projection): kept aside with the reason, counted in the sync status,
//! and blocking nothing else. Another device (a partner's, or a hostile
//! one) cannot stop this one syncing by writing one bad item.

use sha2::Digest as _;

use super::Store;
use crate::document::DocId;
use crate::error::{Error, Result};

/// Keeps `bytes` (a change for `doc_id`, whose hash is `hash` when it
/// parsed) aside with `reason`. The same change kept twice stays one row.
pub(super) fn keep(
    tx: &rusqlite::Transaction<'_>,
    doc_id: &DocId,
    hash: Option<&[u8]>,
    bytes: &[u8],
    reason: &str,
    at_ms: i64,
) -> Result<()> {
    let digest;
    let hash = match hash {
        Some(h) => h,
        None => {
            digest = sha2::Sha256::digest(bytes);
            &digest[..]
        }
    };
    tx.execute(
        "INSERT INTO quarantine (doc_id, change_hash, change, reason, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (doc_id, change_hash) DO NOTHING",
        rusqlite::params![doc_id.as_str(), hash, bytes, reason, at_ms],
    )?;
    Ok(())
}

/// Whether `e` means the change itself could not be taken (quarantine it),
/// rather than the store failing (a disk or SQLite error: the whole
/// batch fails and is pulled again).
pub(super) fn is_the_changes_fault(e: &Error) -> bool {
    !matches!(e, Error::Sqlite(_) | Error::Io(_))
}

impl Store {
    /// How many received changes are kept aside, unapplied.
    pub fn quarantined_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM quarantine")?
            .query_row([], |r| r.get::<_, i64>(0))? as u64)
    }
}
