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
/// the server's epoch moved: every pull calls this.
pub(crate) fn note_server_epoch(conn: &Connection, space_id: &str, epoch: u32) -> Result<()> {
    let moved = conn
        .prepare_cached(
            "UPDATE spaces SET server_epoch = ?2 WHERE space_id = ?1 AND server_epoch < ?2",
        )?
        .execute(params![space_id, epoch])?;
    if moved > 0 {
        raise_sealing_epoch(conn, space_id)?;
    }
    Ok(())
}

/// Moves the epoch `space_id` is sealed under to the newest key this
/// device holds up to the epoch the server has reported: never to an
/// epoch it holds no key for, nor past the server's.
pub(crate) fn raise_sealing_epoch(conn: &Connection, space_id: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE spaces SET epoch = max(epoch, coalesce((SELECT max(k.epoch) FROM space_keys k
             WHERE k.space_id = ?1 AND k.epoch <= spaces.server_epoch), 0))
         WHERE space_id = ?1",
    )?
    .execute([space_id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epochs(conn: &Connection) -> (u32, u32) {
        conn.query_row(
            "SELECT epoch, server_epoch FROM spaces WHERE space_id = 's'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    fn key(conn: &Connection, epoch: u32) {
        conn.execute(
            "INSERT INTO space_keys (space_id, epoch, key) VALUES ('s', ?1, ?2)",
            params![epoch, vec![epoch as u8; 32]],
        )
        .unwrap();
        raise_sealing_epoch(conn, "s").unwrap();
    }

    #[test]
    fn the_sealing_epoch_is_the_newest_key_held_up_to_the_servers_epoch() {
        let conn = Connection::open_in_memory().unwrap();
        crate::store::schema::create(&conn).unwrap();
        conn.execute(
            "INSERT INTO spaces (space_id, role, epoch, server_epoch) VALUES ('s', 'pair', 2, 2)",
            [],
        )
        .unwrap();
        key(&conn, 2);
        // A key planted ahead of the server is held, not sealed under.
        key(&conn, 7);
        assert_eq!(epochs(&conn), (2, 2));
        // The server moves on to an epoch with no key here: nothing moves
        // to it.
        note_server_epoch(&conn, "s", 4).unwrap();
        assert_eq!(epochs(&conn), (2, 4));
        key(&conn, 4);
        assert_eq!(epochs(&conn), (4, 4));
        // An older report changes nothing.
        note_server_epoch(&conn, "s", 3).unwrap();
        assert_eq!(epochs(&conn), (4, 4));
        // Fences count only with their epoch's key.
        set(&conn, "s", 4, 10).unwrap();
        set(&conn, "s", 5, 0).unwrap();
        assert_eq!(of(&conn, "s").unwrap(), vec![(4, 10)]);
        set(&conn, "s", 4, 12).unwrap();
        assert_eq!(of(&conn, "s").unwrap(), vec![(4, 12)]);
    }
}
