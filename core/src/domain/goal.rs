//! Goals with milestones. All of a space's goals live in one document.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::date_field;
use super::text::bounded;
use crate::error::{Error, Result};

/// Longest goal or milestone title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest "why it matters", in characters.
pub const WHY_MAX: usize = 2_000;

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Being worked on.
    Active,
    /// Reached.
    Done,
    /// Set aside on purpose.
    Dropped,
}

impl GoalStatus {
    /// The status's name as used in the CLI, JSON and the read model.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::Active => "active",
            GoalStatus::Done => "done",
            GoalStatus::Dropped => "dropped",
        }
    }

    /// Parses the name written by [`GoalStatus::as_str`].
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(GoalStatus::Active),
            "done" => Ok(GoalStatus::Done),
            "dropped" => Ok(GoalStatus::Dropped),
            other => Err(Error::invalid(
                "status",
                format!("{other:?} is not active, done or dropped"),
            )),
        }
    }
}

/// A goal as stored in the space's goals document.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Goal {
    /// The goal's id.
    pub id: String,
    /// What the goal is.
    pub title: String,
    /// Why it matters to the person.
    pub why: String,
    /// When they hope to reach it.
    #[autosurgeon(with = "date_field::option")]
    pub target: Option<NaiveDate>,
    /// Where it stands.
    pub status: GoalStatus,
    /// Created (UTC ms).
    pub created_ms: i64,
    /// Last changed (UTC ms).
    pub edited_ms: i64,
    /// Steps towards it, keyed by their own id so two devices can add steps at once.
    pub milestones: BTreeMap<String, GoalMilestone>,
    /// Tombstone.
    #[serde(default)]
    pub deleted: bool,
}

/// One step towards a goal.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct GoalMilestone {
    /// What the step is.
    pub title: String,
    /// Whether it is done.
    pub done: bool,
    /// When it was last marked done (UTC ms).
    pub done_ms: Option<i64>,
    /// Created (UTC ms).
    pub created_ms: i64,
    /// Where it stands in the list: one past the last step when added. Steps
    /// added at once on two devices may share a position; ties go by id.
    pub position: i64,
}

/// What a person enters for a new goal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalInput {
    /// Title.
    pub title: String,
    /// Why it matters.
    pub why: String,
    /// Target date.
    pub target: Option<NaiveDate>,
}

impl GoalInput {
    /// Validates into a new active goal with no milestones.
    pub fn into_goal(self, id: String, now_ms: i64) -> Result<Goal> {
        Ok(Goal {
            id,
            title: bounded("title", &self.title, 1, TITLE_MAX)?,
            why: bounded("why", &self.why, 0, WHY_MAX)?,
            target: self.target,
            status: GoalStatus::Active,
            created_ms: now_ms,
            edited_ms: now_ms,
            milestones: BTreeMap::new(),
            deleted: false,
        })
    }
}

impl Goal {
    /// The goal's milestones in the order they were added, with their ids.
    pub fn ordered_milestones(&self) -> Vec<(&String, &GoalMilestone)> {
        let mut v: Vec<_> = self.milestones.iter().collect();
        v.sort_by_key(|(id, m)| (m.position, (*id).clone()));
        v
    }

    /// A new milestone, validated.
    pub fn new_milestone(title: &str, now_ms: i64) -> Result<GoalMilestone> {
        Ok(GoalMilestone {
            title: bounded("title", title, 1, TITLE_MAX)?,
            done: false,
            done_ms: None,
            created_ms: now_ms,
            position: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_order() {
        let mut g = GoalInput {
            title: "Run 5k".into(),
            ..Default::default()
        }
        .into_goal("g".into(), 5)
        .unwrap();
        assert_eq!(g.status, GoalStatus::Active);
        assert!(
            GoalInput {
                title: "".into(),
                ..Default::default()
            }
            .into_goal("g".into(), 5)
            .is_err()
        );
        assert!(
            GoalInput {
                title: "t".into(),
                why: "w".repeat(WHY_MAX + 1),
                target: None
            }
            .into_goal("g".into(), 5)
            .is_err()
        );
        for (id, title, position) in [("b", "second", 1), ("a", "third", 2), ("c", "first", 0)] {
            let mut m = Goal::new_milestone(title, 2).unwrap();
            m.position = position;
            g.milestones.insert(id.into(), m);
        }
        let titles: Vec<_> = g
            .ordered_milestones()
            .iter()
            .map(|(_, m)| m.title.clone())
            .collect();
        assert_eq!(titles, vec!["first", "second", "third"]);
        assert!(Goal::new_milestone(" ", 1).is_err());
        assert_eq!(GoalStatus::parse("done").unwrap(), GoalStatus::Done);
        assert!(GoalStatus::parse("finished").is_err());
    }
}
