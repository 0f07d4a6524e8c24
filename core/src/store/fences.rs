//! Where each epoch of a space began, as this device learned it (see
//! `sync::fences`), and how far the server says each space has come:
//! written by the store and by the keyring's projection.

use rusqlite::{Connection, params};

use crate::error::Result;

/// Records that `epoch` of `space_id` began after `after_seq`, in place of
/// whatever was recorded for it before.
pub(crate) fn set(conn: &Connection, space_id: &str, epoch: u32, after_seq: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO epoch_fences (space_id, epoch, after_seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (space_id, epoch) DO UPDATE SET after_seq = excluded.after_seq",
    )?
    .execute(params![space_id, epoch, after_seq.max(0)])?;
    Ok(())
}

/// Where each epoch of `space_id` whose key this device holds began, as
/// `(epoch, after_seq)`, oldest first. A fence for an epoch without a key
/// (one planted ahead for an epoch that never began) counts for nothing.
pub(crate) fn of(conn: &Connection, space_id: &str) -> Result<Vec<(u32, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.epoch, f.after_seq FROM epoch_fences f
         JOIN space_keys k ON k.space_id = f.space_id AND k.epoch = f.epoch
         WHERE f.space_id = ?1 ORDER BY f.epoch",
    )?;
    let rows = stmt
        .query_map([space_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Notes that the server reported `epoch` for `space_id`, and moves the
/// epoch this device seals under to the newest key it holds up to there.
/// A key for an epoch the server has not reached (planted in the keyring
/// by a phone before its unlink) is never sealed under. Writes only when
/// the server's epoch moved (a key that arrives for an epoch already
/// reported raises the sealing epoch where it is stored): every pull
/// calls this.
pub(crate) fn note_server_epoch(conn: &Connection, space_id: &str, epoch: u32) -> Result<()> {
    conn.prepare_cached(
        "UPDATE spaces SET server_epoch = ?2,
             epoch = max(epoch, coalesce((SELECT max(k.epoch) FROM space_keys k
                 WHERE k.space_id = ?1 AND k.epoch <= ?2), 0))
         WHERE space_id = ?1 AND server_epoch < ?2",
    )?
    .execute(params![space_id, epoch])?;
    Ok(())
}
