//! Sharing with a mentor: goals move into the pair space, journal entries
//! and cravings are copied there; unsharing removes them from the pair space
//! from then on. Reach-outs, and the mentor's acknowledgement.
//!
//! A copy the mentor's phone already synced cannot be recalled: every view
//! of a shared item carries that warning (see `docs/privacy.md`).

use crate::document::{DocId, shard};
use crate::domain::craving::Outcome;
use crate::domain::goal::Goal;
use crate::domain::pair::{ReachOut, SharedItem, Side};
use crate::error::{Error, Result};
use crate::id::new_id;
use crate::store::Store;

/// What kind of item is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareKind {
    /// A goal (moves to the pair space with its milestones).
    Goal,
    /// A journal entry (copied).
    Journal,
    /// A craving (copied).
    Craving,
}

/// The warning every view of a shared item shows.
pub const SHARED_COPY_WARNING: &str = "Shared with your mentor. Their phone may already hold a copy, \
     and unsharing cannot take that copy back.";

impl Store {
    /// Shares an item with the mentor of `pair` (this person must be its mentee).
    pub fn share(&mut self, kind: ShareKind, id: &str, pair: Option<&str>) -> Result<()> {
        let pair = self.resolve_pair(pair)?;
        if pair.side != Side::Mentee {
            return Err(Error::invalid(
                "pair",
                "only the mentee of a pair shares their items",
            ));
        }
        let space = pair.pair_id;
        let now_ms = self.now().timestamp_millis();
        match kind {
            ShareKind::Goal => {
                let goal = self.goal_in(&DocId::goals(), id)?;
                // The copy lands first: a kill in between leaves it in both
                // places, and sharing again finishes the move.
                self.put_goal(&DocId::in_pair(&space, "goals"), &goal)?;
                self.put_goal(&DocId::goals(), &tombstone(goal))?;
            }
            ShareKind::Journal => {
                let e = self.journal_entry(id)?;
                let item = SharedItem {
                    id: e.id,
                    kind: "journal".into(),
                    at_ms: e.created_ms,
                    shared_ms: now_ms,
                    tz: e.tz,
                    text: e.text,
                    level: e.mood,
                    labels: e.tags,
                    detail: String::new(),
                    deleted: false,
                };
                self.put_shared(&space, &item)?;
            }
            ShareKind::Craving => {
                let c = self.craving(id)?;
                let item = SharedItem {
                    id: c.id,
                    kind: "craving".into(),
                    at_ms: c.at_ms,
                    shared_ms: now_ms,
                    tz: c.tz,
                    text: c.trigger,
                    level: Some(c.intensity),
                    labels: c.helped,
                    detail: match c.outcome {
                        Some(Outcome::Resisted) => "resisted".into(),
                        Some(Outcome::Used) => "used".into(),
                        None => String::new(),
                    },
                    deleted: false,
                };
                self.put_shared(&space, &item)?;
            }
        }
        Ok(())
    }

    /// Stops sharing an item: it leaves the pair space from now on (a goal
    /// moves back to the private space). Copies already synced stay there.
    pub fn unshare(&mut self, kind: ShareKind, id: &str, pair: Option<&str>) -> Result<()> {
        let pair = self.resolve_pair(pair)?;
        let space = pair.pair_id;
        match kind {
            ShareKind::Goal => {
                let doc = DocId::in_pair(&space, "goals");
                let goal = self.goal_in(&doc, id)?;
                self.put_goal(&DocId::goals(), &goal)?;
                self.put_goal(&doc, &tombstone(goal))?;
            }
            ShareKind::Journal | ShareKind::Craving => {
                let doc = DocId::in_pair(&space, "shared");
                let now_ms = self.now().timestamp_millis();
                self.write_whole(&doc, |tx| {
                    let item: SharedItem = shard::get(tx, id)?
                        .filter(|i: &SharedItem| !i.deleted)
                        .ok_or_else(|| Error::not_found("shared item", id))?;
                    let gone = SharedItem {
                        id: item.id,
                        kind: item.kind,
                        at_ms: 0,
                        shared_ms: now_ms,
                        tz: String::new(),
                        text: String::new(),
                        level: None,
                        labels: vec![],
                        detail: String::new(),
                        deleted: true,
                    };
                    shard::put(tx, id, &gone)
                })?;
            }
        }
        Ok(())
    }

    /// The pairs an item is shared in (empty: private).
    pub fn shared_in(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
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

    /// Whether this person can share items now: they are the mentee of a
    /// pair that has not ended (what [`Store::share`] requires).
    pub fn can_share(&self) -> Result<bool> {
        Ok(self
            .pairs()?
            .iter()
            .any(|p| !p.ended && p.side == Side::Mentee))
    }

    /// Which of `ids` are shared in some pair: what a list marks as shared.
    /// One query for the whole list (none for a person who never paired).
    pub fn shared_among<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<std::collections::HashSet<String>> {
        let ids: Vec<&str> = ids.into_iter().collect();
        if ids.is_empty() || !self.spaces()?.iter().any(|s| s.side.is_some()) {
            return Ok(Default::default());
        }
        let list = serde_json::to_string(&ids)?;
        let mut stmt = self.conn().prepare_cached(
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

    /// "I'm struggling right now": tops the mentor's overview until they
    /// acknowledge it. Returns its id.
    pub fn reach_out(&mut self, pair: Option<&str>, text: &str) -> Result<String> {
        let pair = self.resolve_pair(pair)?;
        let text = ReachOut::text(text)?;
        let doc = DocId::in_pair(&pair.pair_id, "reachouts");
        let r = ReachOut {
            id: new_id(),
            text,
            at_ms: self.now().timestamp_millis(),
            acknowledged_ms: None,
        };
        self.write_whole(&doc, |tx| shard::put(tx, &r.id, &r))?;
        Ok(r.id)
    }

    /// The mentor acknowledges a reach-out.
    pub fn acknowledge_reach_out(&mut self, id: &str) -> Result<()> {
        let doc: String = {
            use rusqlite::OptionalExtension;
            self.conn()
                .query_row("SELECT doc_id FROM reach_outs WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| Error::not_found("reach-out", id))?
        };
        let doc = DocId::parse(&doc)?;
        let now_ms = self.now().timestamp_millis();
        self.write_whole(&doc, |tx| {
            let mut r: ReachOut =
                shard::get(tx, id)?.ok_or_else(|| Error::not_found("reach-out", id))?;
            if r.acknowledged_ms.is_none() {
                r.acknowledged_ms = Some(now_ms);
                shard::put(tx, id, &r)?;
            }
            Ok(())
        })
    }

    fn goal_in(&mut self, doc: &DocId, id: &str) -> Result<Goal> {
        crate::id::is_well_formed(id)
            .then_some(())
            .ok_or_else(|| Error::not_found("goal", id))?;
        let found: Option<Goal> = self.read_doc(doc, |d| shard::get(d, id))?;
        found
            .filter(|g| !g.deleted)
            .ok_or_else(|| Error::not_found("goal", id))
    }

    fn put_goal(&mut self, doc: &DocId, goal: &Goal) -> Result<()> {
        self.write_whole(doc, |tx| shard::put(tx, &goal.id, goal))
    }

    fn put_shared(&mut self, space: &str, item: &SharedItem) -> Result<()> {
        let doc = DocId::in_pair(space, "shared");
        self.write_whole(&doc, |tx| shard::put(tx, &item.id, item))
    }
}

fn tombstone(mut g: Goal) -> Goal {
    g.deleted = true;
    g.title = String::new();
    g.why = String::new();
    g.milestones.clear();
    g
}
