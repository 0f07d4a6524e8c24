//! The Goals screen: every goal, own and shared, each marked shared or not.

use serde::{Deserialize, Serialize};

use crate::App;
use crate::error::Result;
use crate::view::GoalView;

/// One goal as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalRow {
    /// The goal and its milestones.
    pub goal: GoalView,
    /// Whether it is shared in a pair.
    pub shared: bool,
}

/// The Goals screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalsScreen {
    /// Every goal.
    pub rows: Vec<GoalRow>,
    /// Whether the person has a pair to share into.
    pub can_share: bool,
    /// No goal yet: the screen shows its empty state.
    pub empty: bool,
}

impl GoalsScreen {
    pub(crate) fn load(app: &App) -> Result<GoalsScreen> {
        let goals = app.goals().list()?;
        let shared = app.read(|s| s.shared_among(goals.iter().map(|g| g.id.as_str())))?;
        Ok(GoalsScreen {
            empty: goals.is_empty(),
            can_share: app.sharing().can_share()?,
            rows: goals
                .into_iter()
                .map(|goal| GoalRow {
                    shared: shared.contains(&goal.id),
                    goal,
                })
                .collect(),
        })
    }
}
