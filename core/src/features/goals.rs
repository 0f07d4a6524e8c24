//! Goals and their milestones, own and shared.

use crate::error::Result;
use crate::goal::{GoalInput, GoalStatus};
use crate::view::GoalView;

super::handle!(
    /// Goals and milestones.
    Goals
);

impl Goals<'_> {
    /// Adds a goal.
    pub fn add(&self, input: GoalInput) -> Result<GoalView> {
        self.app
            .write(|s| s.add_goal(input))
            .map(|g| GoalView::from(&g))
    }

    /// Every goal, own and shared.
    pub fn list(&self) -> Result<Vec<GoalView>> {
        self.app
            .read(|s| s.goals())
            .map(|goals| goals.iter().map(GoalView::from).collect())
    }

    /// Marks a goal active, done or dropped.
    pub fn set_status(&self, id: &str, status: GoalStatus) -> Result<GoalView> {
        self.app
            .write(|s| s.set_goal_status(id, status))
            .map(|g| GoalView::from(&g))
    }

    /// Adds a milestone; returns the goal and the milestone's id.
    pub fn add_milestone(&self, goal_id: &str, title: &str) -> Result<(GoalView, String)> {
        self.app
            .write(|s| s.add_milestone(goal_id, title))
            .map(|(g, id)| (GoalView::from(&g), id))
    }

    /// Marks a milestone done or not done.
    pub fn set_milestone_done(
        &self,
        goal_id: &str,
        milestone_id: &str,
        done: bool,
    ) -> Result<GoalView> {
        self.app
            .write(|s| s.set_milestone_done(goal_id, milestone_id, done))
            .map(|g| GoalView::from(&g))
    }
}
