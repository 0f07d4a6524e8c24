//! The Today screen: clean time, today's counts and check-in, a summary of
//! the sync status, and whether a pair exists.

use serde::{Deserialize, Serialize};

use super::sync_status::SyncSummary;
use crate::App;
use crate::error::Result;
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
}

impl TodayScreen {
    pub(crate) fn load(app: &App) -> Result<TodayScreen> {
        Ok(TodayScreen {
            today: app.today()?,
            sync: SyncSummary::from(&app.sync_status()?),
            has_pair: app.pairs().list()?.iter().any(|p| !p.ended),
        })
    }
}
