//! The mentor's overview: each mentee, what they shared, their reach-outs.

use serde::Serialize;

use crate::App;
use crate::error::Result;
use crate::features::mentor::MenteeOverview;

/// The Mentor overview screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentorOverviewScreen {
    /// Each mentee, those with open reach-outs first.
    pub mentees: Vec<MenteeOverview>,
    /// Reach-outs not acknowledged yet, over all mentees (a badge).
    pub open_reach_outs: u32,
    /// This person mentors nobody: the screen shows its empty state.
    pub empty: bool,
}

impl MentorOverviewScreen {
    pub(crate) fn load(app: &App, mark_seen: bool) -> Result<MentorOverviewScreen> {
        let mentees = app.mentor().overview(mark_seen)?;
        Ok(MentorOverviewScreen {
            empty: mentees.is_empty(),
            open_reach_outs: mentees.iter().map(|m| m.open_reach_outs.len() as u32).sum(),
            mentees,
        })
    }
}
