//! The Insights screen: every series over one window.

use serde::{Deserialize, Serialize};

use crate::App;
use crate::error::Result;
use crate::insights::Insights;

/// How many days the Insights screen covers, on every shell (and the
/// terminal's default).
pub const INSIGHTS_DAYS: u32 = 90;

/// The Insights screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightsScreen {
    /// The window in days ([`INSIGHTS_DAYS`]).
    pub days: u32,
    /// Every series over the window.
    pub insights: Insights,
    /// Nothing to chart: no craving and no check-in mood in the window.
    pub empty: bool,
}

impl InsightsScreen {
    pub(crate) fn load(app: &App) -> Result<InsightsScreen> {
        let insights = app.insights(INSIGHTS_DAYS)?;
        Ok(InsightsScreen {
            days: INSIGHTS_DAYS,
            empty: insights.cravings == 0 && insights.mood.is_empty(),
            insights,
        })
    }
}
