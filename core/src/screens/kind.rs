//! The screens by name, and which of them a change makes stale: one table
//! from each screen to the [`Area`]s it draws, read both ways.

use serde::{Deserialize, Serialize};

use crate::area::Area;

/// A screen that draws data (flows draw what their steps carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenKind {
    /// [`TodayScreen`](super::TodayScreen).
    Today,
    /// [`JournalScreen`](super::JournalScreen).
    Journal,
    /// [`CravingsScreen`](super::CravingsScreen).
    Cravings,
    /// [`InsightsScreen`](super::InsightsScreen).
    Insights,
    /// [`GoalsScreen`](super::GoalsScreen).
    Goals,
    /// [`NotesScreen`](super::NotesScreen).
    Notes,
    /// [`MeetingsScreen`](super::MeetingsScreen) and
    /// [`MeetingScreen`](super::MeetingScreen).
    Meetings,
    /// [`PairsScreen`](super::PairsScreen).
    Pairs,
    /// [`MentorOverviewScreen`](super::MentorOverviewScreen).
    MentorOverview,
    /// [`DevicesScreen`](super::DevicesScreen).
    Devices,
    /// [`SettingsScreen`](super::SettingsScreen).
    Settings,
    /// [`SyncStatusScreen`](super::SyncStatusScreen).
    SyncStatus,
}

impl ScreenKind {
    /// Every screen.
    pub const ALL: &'static [ScreenKind] = &[
        ScreenKind::Today,
        ScreenKind::Journal,
        ScreenKind::Cravings,
        ScreenKind::Insights,
        ScreenKind::Goals,
        ScreenKind::Notes,
        ScreenKind::Meetings,
        ScreenKind::Pairs,
        ScreenKind::MentorOverview,
        ScreenKind::Devices,
        ScreenKind::Settings,
        ScreenKind::SyncStatus,
    ];

    /// The areas this screen's record is computed from: it is stale once
    /// one of them changed.
    ///
    /// Beyond each screen's own area: sharing an item writes the pair's
    /// shared document ([`Area::Overview`]) and a pair starting or ending
    /// ([`Area::Pairs`]) changes whether anything can be shared, so the
    /// lists that mark items shared follow both; Today shows whether a pair
    /// exists and a summary of the sync status; the screens that offer to
    /// pair or list devices depend on whether the device syncs.
    pub fn areas(self) -> &'static [Area] {
        match self {
            ScreenKind::Today => &[Area::Today, Area::Pairs, Area::Sync],
            ScreenKind::Journal => &[Area::Journal, Area::Pairs, Area::Overview],
            ScreenKind::Cravings => &[Area::Cravings, Area::Pairs, Area::Overview],
            ScreenKind::Insights => &[Area::Insights, Area::Cravings],
            ScreenKind::Goals => &[Area::Goals, Area::Pairs, Area::Overview],
            ScreenKind::Notes => &[Area::Notes],
            ScreenKind::Meetings => &[Area::Meetings, Area::Pairs],
            ScreenKind::Pairs => &[Area::Pairs, Area::Sync],
            ScreenKind::MentorOverview => &[Area::Overview, Area::Pairs],
            ScreenKind::Devices => &[Area::Devices, Area::Sync],
            ScreenKind::Settings => &[Area::Settings],
            ScreenKind::SyncStatus => &[Area::Sync],
        }
    }
}

/// The screens to draw again after a change touched `areas`, in
/// [`ScreenKind::ALL`] order, each once.
pub fn redraws(areas: &[Area]) -> Vec<ScreenKind> {
    ScreenKind::ALL
        .iter()
        .copied()
        .filter(|screen| screen.areas().iter().any(|a| areas.contains(a)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_area_redraws_some_screen_and_all_areas_redraw_every_screen() {
        for area in Area::ALL {
            assert!(!redraws(&[*area]).is_empty(), "{area:?} redraws nothing");
        }
        assert_eq!(redraws(Area::ALL), ScreenKind::ALL);
        assert!(redraws(&[]).is_empty());
    }

    #[test]
    fn a_shared_item_redraws_the_lists_that_mark_it() {
        let screens = redraws(&[Area::Overview]);
        assert_eq!(
            screens,
            vec![
                ScreenKind::Journal,
                ScreenKind::Cravings,
                ScreenKind::Goals,
                ScreenKind::MentorOverview
            ]
        );
    }

    #[test]
    fn a_logged_craving_redraws_today_the_log_and_insights_only() {
        // What the store reports for a write to the cravings document.
        let screens = redraws(&[Area::Today, Area::Cravings, Area::Insights]);
        assert_eq!(
            screens,
            vec![
                ScreenKind::Today,
                ScreenKind::Cravings,
                ScreenKind::Insights
            ]
        );
    }

    #[test]
    fn a_sync_redraws_what_depends_on_being_connected() {
        assert_eq!(
            redraws(&[Area::Sync]),
            vec![
                ScreenKind::Today,
                ScreenKind::Pairs,
                ScreenKind::Devices,
                ScreenKind::SyncStatus
            ]
        );
    }
}
