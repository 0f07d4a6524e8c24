//! The Today screen: clean time, today's counts and check-in, a summary of
//! the sync status, and whether a pair exists.

use serde::{Deserialize, Serialize};

use super::sync_status::SyncSummary;
use crate::App;
use crate::domain::pair::Side;
use crate::error::Result;
use crate::features::meetings::MeetingView;
use crate::view::TodayView;

/// The Today screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayScreen {
    /// Clean time, today's counts and check-in.
    pub today: TodayView,
    /// Whether and how this device syncs.
    pub sync: SyncSummary,
    /// Whether the person is in a pair that has not ended (as mentee or
    /// mentor): reaching out and the overview are offered.
    pub has_pair: bool,
    /// The next meeting of any pair (for both people), if one is scheduled.
    pub next_meeting: Option<MeetingView>,
    /// This person is the mentee of the next meeting's pair and has not
    /// asked to move it yet: Today offers "ask to reschedule" (one tap).
    pub can_ask_reschedule: bool,
}

impl TodayScreen {
    pub(crate) fn load(app: &App) -> Result<TodayScreen> {
        let pairs = app.pairs().list()?;
        let next_meeting = app.read(crate::features::meetings::next)?;
        let can_ask_reschedule = next_meeting.as_ref().is_some_and(|m| {
            !m.reschedule_asked
                && pairs
                    .iter()
                    .any(|p| p.pair_id == m.pair_id && p.side == Side::Mentee)
        });
        Ok(TodayScreen {
            today: app.today()?,
            sync: SyncSummary::from(&app.sync_status()?),
            has_pair: pairs.iter().any(|p| !p.ended),
            next_meeting,
            can_ask_reschedule,
        })
    }
}
