//! The outbox: changes made on this device that no server has acknowledged
//! yet, appended in the same transaction as the change itself. Only the
//! server's acknowledgement empties it.

use std::collections::HashSet;

use automerge::Change;
use rusqlite::params;

use super::Store;
use crate::error::{Error, Result};

/// One change waiting in the outbox.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// Its place in the outbox: later changes have higher numbers.
    pub(crate) seq: i64,
    /// The document it changes.
    pub(crate) doc_id: String,
    /// Its automerge change hash.
    pub(crate) hash: Vec<u8>,
    /// The encoded change.
    pub(crate) bytes: Vec<u8>,
}

impl Store {
    /// How many changes made here wait to be sent.
    pub(crate) fn outbox_len(&self) -> Result<u64> {
        if let Some(n) = self.outbox_len.get() {
            return Ok(n);
        }
        let n = self
            .conn
            .prepare_cached("SELECT count(*) FROM outbox")?
            .query_row([], |r| r.get::<_, i64>(0))?;
        let n = u64::try_from(n).unwrap_or(0);
        self.outbox_len.set(Some(n));
        Ok(n)
    }

    /// Whether a change made here goes to the outbox. A device without an
    /// account keeps no second copy of its changes for a server it may
    /// never use; registering queues everything made before (see
    /// [`Store::keep_account`]) and every change after.
    pub(crate) fn queues_changes(&self) -> Result<bool> {
        if let Some(q) = self.queues.get() {
            return Ok(q);
        }
        let q = self
            .conn
            .prepare_cached("SELECT 1 FROM meta WHERE key = 'account'")?
            .exists([])?;
        self.queues.set(Some(q));
        Ok(q)
    }

    /// Starts queueing changes: this device has just registered.
    pub(crate) fn start_queueing(&self) {
        self.queues.set(Some(true));
    }

    /// Forgets the outbox count after the sync client queued or removed
    /// changes; the next [`Store::outbox_len`] counts again.
    pub(crate) fn forget_outbox_len(&self) {
        self.outbox_len.set(None);
    }

    /// Queues every change of every document once, when asked to by
    /// `outbox_seeded = 'no'`: for a device that registers (changes made
    /// without an account were not queued) and for stores that held data
    /// before they could sync (schema 1). The server de-duplicates.
    pub(crate) fn seed_outbox(&mut self) -> Result<()> {
        if self.meta("outbox_seeded")?.as_deref() != Some("no") {
            return Ok(());
        }
        let mut rows = Vec::new();
        for doc_id in self.doc_ids()? {
            for bytes in self.changes_since(&doc_id, &[])? {
                let change =
                    Change::from_bytes(bytes.clone()).map_err(|e| Error::CorruptDocument {
                        doc_id: doc_id.to_string(),
                        reason: e.to_string(),
                    })?;
                rows.push((doc_id.clone(), change.hash().0.to_vec(), bytes));
            }
        }
        let tx = self.conn.transaction()?;
        // Changes made since the upgrade are queued already.
        let queued: HashSet<Vec<u8>> = tx
            .prepare("SELECT hash FROM outbox")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for (doc_id, hash, bytes) in rows {
            if queued.contains(&hash) {
                continue;
            }
            tx.execute(
                "INSERT INTO outbox (doc_id, hash, bytes) VALUES (?1, ?2, ?3)",
                params![doc_id.as_str(), hash, bytes],
            )?;
        }
        tx.execute(
            "UPDATE meta SET value = 'yes' WHERE key = 'outbox_seeded'",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// At most `limit` changes of the outbox after `after`, oldest first.
    pub(crate) fn outbox_after(&self, after: i64, limit: usize) -> Result<Vec<Outgoing>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, doc_id, hash, bytes FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![after, limit as i64], |r| {
                Ok(Outgoing {
                    seq: r.get(0)?,
                    doc_id: r.get(1)?,
                    hash: r.get(2)?,
                    bytes: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// A server acknowledged the changes `seqs`: they leave the outbox, and
    /// `private` of them (those of the private space) count towards the
    /// next round of snapshots, in one transaction.
    pub(crate) fn acknowledge_outbox(
        &mut self,
        seqs: impl IntoIterator<Item = i64>,
        private: usize,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for seq in seqs {
            tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        }
        super::meta::count_snapshot_changes(&tx, private)?;
        tx.commit()?;
        Ok(())
    }
}
