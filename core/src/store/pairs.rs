//! What the pair spaces' documents hold, as the read model has it: each
//! side's person, the items shared, the reach-outs, and which items are
//! shared where.

use std::collections::HashSet;

use rusqlite::OptionalExtension;

use super::Store;
use crate::document::DocId;
use crate::domain::pair::{PairPerson, ReachOut, SharedItem, Side};
use crate::error::Result;

impl Store {
    /// What one side of a pair shows the other.
    pub fn pair_person(&self, pair_id: &str, side: Side) -> Result<PairPerson> {
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM pair_people WHERE doc_id = ?1",
                [DocId::in_pair(pair_id, "people").as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(body) = body else {
            return Ok(PairPerson::default());
        };
        let v: serde_json::Value = serde_json::from_str(&body)?;
        Ok(serde_json::from_value(v[side.as_str()].clone()).unwrap_or_default())
    }

    /// The items shared in a pair, newest first.
    pub fn shared_items(&self, pair: &str) -> Result<Vec<SharedItem>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM shared_items WHERE doc_id = ?1 ORDER BY shared_ms DESC, id",
        )?;
        let rows = stmt
            .query_map([DocId::in_pair(pair, "shared").as_str()], |r| {
                r.get::<_, String>(0)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.iter().map(|b| Ok(serde_json::from_str(b)?)).collect()
    }

    /// The reach-outs of a pair, oldest first.
    pub fn reach_outs(&self, pair: &str) -> Result<Vec<ReachOut>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, text, at_ms, acknowledged_ms FROM reach_outs WHERE doc_id = ?1
             ORDER BY at_ms, id",
        )?;
        let rows = stmt
            .query_map([DocId::in_pair(pair, "reachouts").as_str()], |r| {
                Ok(ReachOut {
                    id: r.get(0)?,
                    text: r.get(1)?,
                    at_ms: r.get(2)?,
                    acknowledged_ms: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The document holding the reach-out `id`, if there is one.
    pub(crate) fn reach_out_doc(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT doc_id FROM reach_outs WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// How many of a pair's notes were edited after `since_ms`.
    pub(crate) fn pair_notes_edited_since(&self, pair: &str, since_ms: i64) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM notes WHERE doc_id LIKE ?1 AND edited_ms > ?2",
            rusqlite::params![format!("pair/{pair}/note/%"), since_ms],
            |r| r.get::<_, i64>(0),
        )? as u32)
    }

    /// The pairs an item is shared in (empty: private).
    pub fn shared_in(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc_id FROM shared_items WHERE id = ?1
             UNION SELECT doc_id FROM goals WHERE id = ?1 AND doc_id LIKE 'pair/%'",
        )?;
        let docs = stmt
            .query_map([id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(docs
            .iter()
            .filter_map(|d| DocId::parse(d).ok())
            .filter_map(|d| d.pair_space().map(str::to_owned))
            .collect())
    }

    /// Which of `ids` are shared in some pair: what a list marks as shared.
    /// One query for the whole list (none for a person who never paired).
    pub fn shared_among<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<HashSet<String>> {
        let ids: Vec<&str> = ids.into_iter().collect();
        if ids.is_empty() || !self.spaces()?.iter().any(|s| s.side.is_some()) {
            return Ok(Default::default());
        }
        let list = serde_json::to_string(&ids)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM shared_items
              WHERE id IN (SELECT value FROM json_each(?1)) AND doc_id LIKE 'pair/%'
             UNION
             SELECT id FROM goals
              WHERE id IN (SELECT value FROM json_each(?1)) AND doc_id LIKE 'pair/%'",
        )?;
        let shared = stmt
            .query_map([list], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        Ok(shared)
    }

    /// Every entry of the device log that side `side` of pair `space_id`
    /// published, as kept here.
    pub(crate) fn pair_log_entries(&self, space_id: &str, side: Side) -> Result<Vec<Vec<u8>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT entry FROM pair_logs WHERE space_id = ?1 AND side = ?2 ORDER BY hash",
        )?;
        let entries = stmt
            .query_map([space_id, side.as_str()], |r| r.get::<_, Vec<u8>>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(entries)
    }

    /// What changes whenever side `side` of pair `space_id` gains a log
    /// entry here (none is ever dropped): their number and greatest hash.
    pub(crate) fn pair_log_version(&self, space_id: &str, side: Side) -> Result<String> {
        let (n, max): (i64, Option<String>) = self.conn.query_row(
            "SELECT COUNT(*), MAX(hash) FROM pair_logs WHERE space_id = ?1 AND side = ?2",
            [space_id, side.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(format!("{n}.{}", max.unwrap_or_default()))
    }

    /// Replaces the signing keys (hex) whose entries side `side`'s log in
    /// pair `space_id` keeps past the cap: those of the devices it
    /// certifies now.
    pub(crate) fn trust_pair_log_authors(
        &self,
        space_id: &str,
        side: Side,
        authors: &[String],
    ) -> Result<()> {
        self.conn.execute(
            "DELETE FROM pair_log_trusted WHERE space_id = ?1 AND side = ?2",
            [space_id, side.as_str()],
        )?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO pair_log_trusted (space_id, side, author) VALUES (?1, ?2, ?3)",
        )?;
        for a in authors {
            stmt.execute([space_id, side.as_str(), a])?;
        }
        Ok(())
    }
}

/// How many entries of one side's published device log a store keeps
/// from anyone: past this, only what that side's certified devices sign,
/// or what this account's own log holds (what this device publishes is
/// never crowded out of its own view of the pair).
pub(crate) const PAIR_LOG_SOFT: i64 = if cfg!(test) { 20 } else { 5_000 };

/// How many entries of one side's published device log a store keeps at
/// all: a side that writes more (a partner flooding its own side, a lost
/// phone flooding its person's before its unlink) is marked full, and no
/// pair key goes to or comes from its devices on its log's word (building
/// a log takes memory of the square of its length).
pub(crate) const PAIR_LOG_HARD: i64 = if cfg!(test) { 40 } else { 10_000 };

/// The meta key that marks side `side` of pair `space_id` full.
pub(crate) fn pair_log_full_key(space_id: &str, side: Side) -> String {
    format!("pair_log_full:{space_id}.{}", side.as_str())
}

impl Store {
    /// Whether side `side` of pair `space_id` published more log entries
    /// than a store keeps ([`PAIR_LOG_HARD`]).
    pub(crate) fn pair_log_full(&self, space_id: &str, side: Side) -> Result<bool> {
        Ok(self.meta(&pair_log_full_key(space_id, side))?.is_some())
    }
}
