//! Sharing: which of a mentee's items a pair sees. Sharing with a mentor: goals move into the pair space, journal entries
//! and cravings are copied there; unsharing removes them from the pair space
//! from then on.
//!
//! A copy the mentor's phone already synced cannot be recalled: every view
//! of a shared item carries that warning (see `docs/privacy.md`).

use crate::document::{DocId, shard};
use crate::domain::craving::Outcome;
use crate::domain::goal::Goal;
use crate::domain::pair::{SharedItem, Side};
use crate::error::{Error, Result};
use crate::features::pairs;
use crate::store::Store;

super::handle!(
    /// What is shared into which pair.
    Sharing
);

impl Sharing<'_> {
    /// Shares an item into the pair `pair_id` (or the only pair).
    pub fn share(&self, kind: ShareKind, id: &str, pair_id: Option<&str>) -> Result<()> {
        self.app.write(|s| share(s, kind, id, pair_id))
    }

    /// Writes a journal entry and shares it as one step (see
    /// [`add_journal_shared`]).
    pub fn add_journal(
        &self,
        input: crate::journal::JournalInput,
        pair_id: Option<&str>,
    ) -> Result<crate::journal::JournalEntry> {
        self.app.write(|s| add_journal_shared(s, input, pair_id))
    }

    /// Logs a craving and shares it as one step (see
    /// [`add_craving_shared`]).
    pub fn add_craving(
        &self,
        input: crate::craving::CravingInput,
        pair_id: Option<&str>,
    ) -> Result<crate::craving::CravingEntry> {
        self.app.write(|s| add_craving_shared(s, input, pair_id))
    }

    /// Stops sharing an item from now on (the other phone may keep the
    /// copy it already synced).
    pub fn unshare(&self, kind: ShareKind, id: &str, pair_id: Option<&str>) -> Result<()> {
        self.app.write(|s| unshare(s, kind, id, pair_id))
    }

    /// The pairs an item is shared in.
    pub fn shared_in(&self, id: &str) -> Result<Vec<String>> {
        self.app.read(|s| s.shared_in(id))
    }

    /// Whether this person has a pair to share into.
    pub fn can_share(&self) -> Result<bool> {
        self.app.read(can_share)
    }

    /// Shows (or stops showing) this person's clean time in a pair.
    pub fn share_clean_time(&self, pair_id: &str, on: bool) -> Result<()> {
        self.app.write(|s| pairs::share_clean_time(s, pair_id, on))
    }
}

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

/// The pair `pair` names (or the only pair), if this person may share into
/// it: they are its mentee and it has not ended.
fn pair_to_share_with(store: &Store, pair: Option<&str>) -> Result<String> {
    let pair = pairs::resolve(store, pair)?;
    if pair.side != Side::Mentee {
        return Err(Error::invalid(
            "pair",
            "only the mentee of a pair shares their items",
        ));
    }
    Ok(pair.pair_id)
}

/// Writes a journal entry and shares it into `pair` (or the only pair) as
/// one step: the pair is checked before anything is written, so an entry
/// is never left written but unshared by a pair that cannot take it.
pub fn add_journal_shared(
    store: &mut Store,
    input: crate::journal::JournalInput,
    pair: Option<&str>,
) -> Result<crate::journal::JournalEntry> {
    let space = pair_to_share_with(store, pair)?;
    let entry = store.add_journal(input)?;
    share(store, ShareKind::Journal, &entry.id, Some(&space))?;
    Ok(entry)
}

/// Logs a craving and shares it into `pair` (or the only pair) as one
/// step, the pair checked first (see [`add_journal_shared`]).
pub fn add_craving_shared(
    store: &mut Store,
    input: crate::craving::CravingInput,
    pair: Option<&str>,
) -> Result<crate::craving::CravingEntry> {
    let space = pair_to_share_with(store, pair)?;
    let entry = store.add_craving(input)?;
    share(store, ShareKind::Craving, &entry.id, Some(&space))?;
    Ok(entry)
}

/// The warning every view of a shared item shows.
pub const SHARED_COPY_WARNING: &str = "Shared with your mentor. Their phone may already hold a copy, \
     and unsharing cannot take that copy back.";

/// Shares an item with the mentor of `pair` (this person must be its mentee).
pub fn share(store: &mut Store, kind: ShareKind, id: &str, pair: Option<&str>) -> Result<()> {
    let space = pair_to_share_with(store, pair)?;
    let now_ms = store.now().timestamp_millis();
    match kind {
        ShareKind::Goal => {
            let goal = goal_in(store, &DocId::goals(), id)?;
            // The copy lands first: a kill in between leaves it in both
            // places, and sharing again finishes the move.
            put_goal(store, &DocId::in_pair(&space, "goals"), &goal)?;
            put_goal(store, &DocId::goals(), &tombstone(goal))?;
        }
        ShareKind::Journal => {
            let e = store.journal_entry(id)?;
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
            put_shared(store, &space, &item)?;
        }
        ShareKind::Craving => {
            let c = store.craving(id)?;
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
            put_shared(store, &space, &item)?;
        }
    }
    Ok(())
}

/// Stops sharing an item: it leaves the pair `pair` from now on (a goal
/// moves back to the private space). With no pair named it leaves every
/// pair it is shared in: a person with two mentors who turns sharing off
/// means off for both. Copies already synced stay on the mentors' phones.
pub fn unshare(store: &mut Store, kind: ShareKind, id: &str, pair: Option<&str>) -> Result<()> {
    let Some(pair) = pair else {
        let spaces = store.shared_in(id)?;
        if spaces.is_empty() {
            return Err(Error::not_found("shared item", id));
        }
        for space in spaces {
            unshare_from(store, kind, id, &space)?;
        }
        return Ok(());
    };
    let space = pairs::resolve(store, Some(pair))?.pair_id;
    unshare_from(store, kind, id, &space)
}

/// Takes an item out of the one pair space `space`.
fn unshare_from(store: &mut Store, kind: ShareKind, id: &str, space: &str) -> Result<()> {
    match kind {
        ShareKind::Goal => {
            let doc = DocId::in_pair(space, "goals");
            let goal = goal_in(store, &doc, id)?;
            put_goal(store, &DocId::goals(), &goal)?;
            put_goal(store, &doc, &tombstone(goal))?;
        }
        ShareKind::Journal | ShareKind::Craving => {
            let doc = DocId::in_pair(space, "shared");
            let now_ms = store.now().timestamp_millis();
            store.write_whole(&doc, |tx| {
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

/// Whether this person can share items now: they are the mentee of a
/// pair that has not ended (what [`share`] requires).
pub fn can_share(store: &Store) -> Result<bool> {
    Ok(pairs::list(store)?
        .iter()
        .any(|p| !p.ended && p.side == Side::Mentee))
}

fn goal_in(store: &mut Store, doc: &DocId, id: &str) -> Result<Goal> {
    crate::id::is_well_formed(id)
        .then_some(())
        .ok_or_else(|| Error::not_found("goal", id))?;
    let found: Option<Goal> = store.read_doc(doc, |d| shard::get(d, id))?;
    found
        .filter(|g| !g.deleted)
        .ok_or_else(|| Error::not_found("goal", id))
}

fn put_goal(store: &mut Store, doc: &DocId, goal: &Goal) -> Result<()> {
    store.write_whole(doc, |tx| shard::put(tx, &goal.id, goal))
}

fn put_shared(store: &mut Store, space: &str, item: &SharedItem) -> Result<()> {
    let doc = DocId::in_pair(space, "shared");
    store.write_whole(&doc, |tx| shard::put(tx, &item.id, item))
}

fn tombstone(mut g: Goal) -> Goal {
    g.deleted = true;
    g.title = String::new();
    g.why = String::new();
    g.milestones.clear();
    g
}
