//! The mentor's overview: per mentee, clean time, goals and milestone
//! progress, shared entries, open reach-outs, and what changed since the
//! mentor last looked. View state: numbers, dates, ids; shells word it.

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use crate::clean_time::{MilestoneDate, clean_days, local_date, milestones};
use crate::document::DocId;
use crate::domain::pair::{ReachOut, SharedItem, SharedTrack, Side};
use crate::error::Result;
use crate::features::meetings::{MeetingSummary, summary};
use crate::store::Store;
use crate::view::GoalView;

/// One mentee in the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenteeOverview {
    /// The pair's id.
    pub pair_id: String,
    /// The mentee's display name (once their device synced).
    pub name: Option<String>,
    /// Ended pairs stay listed with what was synced before.
    pub ended: bool,
    /// Reach-outs not acknowledged yet, oldest first.
    pub open_reach_outs: Vec<ReachOut>,
    /// Clean time per track, counted in the mentee's zone.
    pub clean_time: Vec<SharedCleanTime>,
    /// Goals the mentee shared, with milestone progress.
    pub goals: Vec<GoalView>,
    /// Journal entries and cravings the mentee shared, newest first.
    pub shared: Vec<SharedItem>,
    /// What changed since the mentor last looked.
    pub changes: Changes,
    /// How regular the pair's meetings have been, and the next one.
    pub meetings: MeetingSummary,
}

/// One track's clean time as the mentor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedCleanTime {
    /// The track's name.
    pub name: String,
    /// The current attempt's first day.
    pub since: NaiveDate,
    /// Clean days today, in the mentee's zone.
    pub clean_days: i64,
    /// Attempts so far.
    pub attempts: u32,
    /// The next milestone.
    pub next_milestone: Option<MilestoneDate>,
}

/// Counts of what is new since the last look.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Entries shared since.
    pub new_shared: u32,
    /// Milestones completed since.
    pub milestones_done: u32,
    /// Goals changed (added, edited, status) since.
    pub goals_changed: u32,
    /// Shared notes edited since.
    pub notes_edited: u32,
    /// Reach-outs since.
    pub new_reach_outs: u32,
}

/// The overview of every mentee this person mentors; those with open
/// reach-outs first. With `mark_seen`, "what changed" starts over from now.
pub fn overview(store: &mut Store, mark_seen: bool) -> Result<Vec<MenteeOverview>> {
    let now = store.now();
    let viewer = store.person()?.tz();
    let mut out = Vec::new();
    for space in store.spaces()? {
        if space.side != Some(Side::Mentor) {
            continue;
        }
        let pair = space.space_id.clone();
        let since = space.looked_ms;
        let mentee = store.pair_person(&pair, Side::Mentee)?;
        let tz: Tz = mentee
            .timezone
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(Tz::UTC);
        let today = local_date(now, tz);
        let clean_time = mentee
            .clean_time
            .unwrap_or_default()
            .into_iter()
            .map(|t: SharedTrack| SharedCleanTime {
                clean_days: clean_days(t.since, today),
                next_milestone: milestones(t.since, today).1,
                name: t.name,
                since: t.since,
                attempts: t.attempts,
            })
            .collect();
        let goals_doc = DocId::in_pair(&pair, "goals");
        let goals = store.goals_of_doc(goals_doc.as_str())?;
        let mut changes = Changes::default();
        for g in &goals {
            if g.edited_ms > since {
                changes.goals_changed += 1;
            }
            changes.milestones_done += g
                .milestones
                .values()
                .filter(|m| m.done_ms.is_some_and(|t| t > since))
                .count() as u32;
        }
        let shared = store.shared_items(&pair)?;
        changes.new_shared = shared.iter().filter(|s| s.shared_ms > since).count() as u32;
        let reach_outs = store.reach_outs(&pair)?;
        changes.new_reach_outs = reach_outs.iter().filter(|r| r.at_ms > since).count() as u32;
        changes.notes_edited = store.pair_notes_edited_since(&pair, since)?;
        let meetings = summary(store, &pair, viewer)?;
        out.push(MenteeOverview {
            pair_id: pair,
            name: mentee.name,
            ended: space.ended,
            open_reach_outs: reach_outs
                .into_iter()
                .filter(|r| r.acknowledged_ms.is_none())
                .collect(),
            clean_time,
            goals: goals.iter().map(GoalView::from).collect(),
            shared,
            changes,
            meetings,
        });
    }
    out.sort_by_key(|m| (m.open_reach_outs.is_empty(), m.ended, m.name.clone()));
    if mark_seen {
        store.mark_mentor_looked(now.timestamp_millis())?;
    }
    Ok(out)
}
