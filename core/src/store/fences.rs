//! Where each epoch of a space began, as this device learned it (see
//! `sync::fences`): written by the store and by the keyring's projection.

use rusqlite::{Connection, params};

use crate::error::Result;

/// Records that `epoch` of `space_id` began after `after_seq`, keeping the
/// later bound where one is known already.
pub(crate) fn add(conn: &Connection, space_id: &str, epoch: u32, after_seq: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO epoch_fences (space_id, epoch, after_seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (space_id, epoch) DO UPDATE SET after_seq = max(after_seq, excluded.after_seq)",
    )?
    .execute(params![space_id, epoch, after_seq.max(0)])?;
    Ok(())
}
