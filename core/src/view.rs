//! View state: the structured data each screen draws, computed by the core
//! so that every shell renders the same numbers. Numbers, dates, kinds and
//! ids only; shells word, localise and pluralise them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::checkin::CheckIn;
use crate::domain::goal::{Goal, GoalStatus};
use crate::domain::track::TrackStats;
use crate::error::Result;
use crate::store::Store;

/// The Today screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayView {
    /// The person's local date.
    pub date: NaiveDate,
    /// Their display name.
    pub name: String,
    /// Their time zone.
    pub timezone: String,
    /// Clean time and milestones per track.
    pub tracks: Vec<TrackStats>,
    /// Today's check-in, if done.
    pub checkin: Option<CheckIn>,
    /// Journal entries written today.
    pub journal_today: u32,
    /// Cravings logged for today.
    pub cravings_today: u32,
    /// Goals being worked on.
    pub active_goals: u32,
}

/// The Today screen, from the store's read model.
pub fn today(store: &Store) -> Result<TodayView> {
    let person = store.person()?;
    let date = crate::clean_time::local_date(store.now(), person.tz());
    let tracks = store.tracks_on(date)?;
    let counts = store.counts_on(date)?;
    Ok(TodayView {
        date,
        name: person.name,
        timezone: person.timezone,
        tracks,
        checkin: store.checkin_on(date)?,
        journal_today: counts.journal,
        cravings_today: counts.cravings,
        active_goals: store.active_goal_count()?,
    })
}

/// A goal as the Goals screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalView {
    /// The goal's id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Why it matters.
    pub why: String,
    /// Target date.
    pub target: Option<NaiveDate>,
    /// Status.
    pub status: GoalStatus,
    /// Milestones in the order they were added.
    pub milestones: Vec<MilestoneView>,
    /// How many milestones are done.
    pub milestones_done: u32,
}

/// One milestone of a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneView {
    /// The milestone's id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Done or not.
    pub done: bool,
}

impl From<&Goal> for GoalView {
    fn from(g: &Goal) -> Self {
        let milestones: Vec<MilestoneView> = g
            .ordered_milestones()
            .into_iter()
            .map(|(id, m)| MilestoneView {
                id: id.clone(),
                title: m.title.clone(),
                done: m.done,
            })
            .collect();
        GoalView {
            id: g.id.clone(),
            title: g.title.clone(),
            why: g.why.clone(),
            target: g.target,
            status: g.status,
            milestones_done: milestones.iter().filter(|m| m.done).count() as u32,
            milestones,
        }
    }
}
