//! Where this device's pulls stand: each space's cursor (the last record
//! applied) and high-water mark (the most the server ever reported), and
//! the records it refused. They move in the same transaction as the
//! changes they account for, so a kill never leaves a cursor past what was
//! applied.

use automerge::Automerge;
use rusqlite::params;

use super::Store;
use crate::document::DocId;
use crate::error::Result;

/// Where one space's pull now stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CursorMove {
    /// The space.
    pub(crate) space_id: String,
    /// The last record taken (applied or refused).
    pub(crate) cursor: i64,
    /// The most records the server has reported for the space.
    pub(crate) high_water: i64,
}

/// A pulled record that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefusedRow {
    /// Its space.
    pub(crate) space_id: String,
    /// Its sequence number there.
    pub(crate) seq: i64,
    /// Why, as the sync client words it.
    pub(crate) reason: String,
}

/// What a pull answer settles beside its changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pulled {
    /// Changes of the private space among them, towards the next round of
    /// snapshots.
    pub(crate) private_changes: usize,
    /// Where each space's pull now stands.
    pub(crate) moves: Vec<CursorMove>,
    /// The records refused.
    pub(crate) refused: Vec<RefusedRow>,
    /// Writing devices seen signing for the first time, with the
    /// fingerprint of the identity that certified each.
    pub(crate) writers: Vec<crate::sync::signature::Learned>,
    /// When (UTC ms).
    pub(crate) at_ms: i64,
}

impl Store {
    /// Applies the changes of one pull answer and moves the cursors, notes
    /// the refused records and counts the private changes, all in one
    /// transaction. Returns how many new changes were stored.
    pub(crate) fn apply_pulled(
        &mut self,
        batch: Vec<(DocId, Vec<Vec<u8>>)>,
        pulled: &Pulled,
    ) -> Result<usize> {
        self.apply_batch(batch, |tx| {
            super::meta::count_snapshot_changes(tx, pulled.private_changes)?;
            for m in &pulled.moves {
                tx.execute(
                    "UPDATE spaces SET cursor = max(cursor, ?2), high_water = max(high_water, ?3)
                         WHERE space_id = ?1",
                    params![m.space_id, m.cursor, m.high_water],
                )?;
            }
            for r in &pulled.refused {
                tx.execute(
                    "INSERT OR IGNORE INTO sync_refused (space_id, seq, reason, seen_ms)
                         VALUES (?1, ?2, ?3, ?4)",
                    params![r.space_id, r.seq, r.reason, pulled.at_ms],
                )?;
            }
            keep_writers(tx, &pulled.writers)
        })
    }

    /// Which identity (fingerprint) each writing device seen signing so
    /// far belongs to, by hex actor id.
    pub(crate) fn writer_identities(&self) -> Result<std::collections::HashMap<String, [u8; 16]>> {
        self.writers_under("writer:")
    }

    /// The writers seen signing with the key their id is bound to, and
    /// the identity that certified each (see `sync::signature`).
    pub(crate) fn bound_writers(&self) -> Result<std::collections::HashMap<String, [u8; 16]>> {
        self.writers_under("bound:")
    }

    /// The `meta` rows under `prefix` (ending in `:`), read as writer to
    /// identity fingerprint.
    fn writers_under(&self, prefix: &str) -> Result<std::collections::HashMap<String, [u8; 16]>> {
        let end = format!("{};", prefix.trim_end_matches(':'));
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM meta WHERE key >= ?1 AND key < ?2")?;
        let rows = stmt
            .query_map([prefix, end.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, v)| {
                Some((
                    k.strip_prefix(prefix)?.to_owned(),
                    crate::features::identity::from_hex::<16>(&v)?,
                ))
            })
            .collect())
    }

    /// Installs documents loaded from the snapshots of `space_id` and moves
    /// its cursor to `upto`, where they end, in one transaction; notes that
    /// the device's snapshots reach `upto`. Returns how many documents were
    /// new here.
    pub(crate) fn install_snapshots(
        &mut self,
        docs: Vec<(DocId, Automerge, Vec<u8>)>,
        space_id: &str,
        upto: i64,
    ) -> Result<usize> {
        let installed = self.install_documents(docs, |tx| {
            tx.execute(
                "UPDATE spaces SET cursor = max(cursor, ?2) WHERE space_id = ?1",
                params![space_id, upto],
            )?;
            Ok(())
        })?;
        self.set_meta("snapshot_upto", &upto.to_string())?;
        Ok(installed)
    }

    /// Every refused record: space, seq and the reason kept.
    pub(crate) fn refused_records(&self) -> Result<Vec<(String, i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT space_id, seq, reason FROM sync_refused ORDER BY space_id, seq",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(rows)
    }

    /// Forgets the refusal of record `seq` of `space_id`, or keeps it with
    /// `reason` instead when one is given.
    pub(crate) fn forget_refused(
        &self,
        space_id: &str,
        seq: i64,
        reason: Option<&str>,
    ) -> Result<()> {
        match reason {
            Some(reason) => self.conn.execute(
                "UPDATE sync_refused SET reason = ?3 WHERE space_id = ?1 AND seq = ?2",
                params![space_id, seq, reason],
            )?,
            None => self.conn.execute(
                "DELETE FROM sync_refused WHERE space_id = ?1 AND seq = ?2",
                params![space_id, seq],
            )?,
        };
        Ok(())
    }

    /// Applies the changes of a refused record pulled again, keeps the
    /// `writers` it taught and forgets its refusal, in one transaction. Returns how many new changes were stored.
    pub(crate) fn apply_retried(
        &mut self,
        doc_id: DocId,
        changes: Vec<Vec<u8>>,
        space_id: &str,
        seq: i64,
        writers: &[crate::sync::signature::Learned],
    ) -> Result<usize> {
        let private = if doc_id.pair_space().is_none() {
            changes.len()
        } else {
            0
        };
        self.apply_batch(vec![(doc_id, changes)], |tx| {
            super::meta::count_snapshot_changes(tx, private)?;
            tx.execute(
                "DELETE FROM sync_refused WHERE space_id = ?1 AND seq = ?2",
                params![space_id, seq],
            )?;
            keep_writers(tx, writers)
        })
    }

    /// How many pulled records were refused so far.
    pub(crate) fn refused_count(&self) -> Result<u64> {
        // Cached: the Today screen asks for the sync status on every draw.
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM sync_refused")?
            .query_row([], |r| r.get::<_, i64>(0))? as u64)
    }
}

/// Keeps the writers learned while pulling: a bound one replaces what was
/// kept (its key proved it), an unbound one only adds.
pub(crate) fn keep_writers(
    tx: &rusqlite::Connection,
    learned: &[crate::sync::signature::Learned],
) -> Result<()> {
    for w in learned {
        if w.bound {
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![format!("bound:{}", w.writer), hex::encode(w.identity)],
            )?;
        } else {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![format!("writer:{}", w.writer), hex::encode(w.identity)],
            )?;
        }
    }
    Ok(())
}
