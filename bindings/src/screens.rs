//! The core's screens for the shells: one call per screen, each returning
//! the screen's whole record. The flows between them are in
//! [`crate::flows`].
//!
//! The records are the core's own (`tandem_core::screens`), declared here
//! with `#[uniffi::remote]`; lists that page and the insights series have a
//! mirror, as in [`crate::mirror`], because uniffi cannot carry arrays or
//! name two record types alike. Nothing here decides what a screen shows.

use tandem_core::Area;
use tandem_core::craving::CravingEntry;
use tandem_core::domain::meeting::MeetingKind;
use tandem_core::features::devices::DeviceView;
use tandem_core::features::meetings::{MeetingView, PlanView};
use tandem_core::features::mentor::MenteeOverview;
use tandem_core::features::pairs::PairView;
use tandem_core::journal::JournalEntry;
use tandem_core::note::SharedNote;
use tandem_core::pair::Side;
use tandem_core::screens::{
    self, CravingRow, DevicesScreen, FirstRunStep, GoalRow, GoalsScreen, Launch, MeetingPair,
    MeetingScreen, MeetingsScreen, MentorOverviewScreen, NotesScreen, PairsScreen, ScreenKind,
    SettingsScreen, SyncStatusScreen, SyncSummary, TodayScreen,
};
use tandem_core::settings::Settings;
use tandem_core::sync::SyncStatus;
use tandem_core::view::{GoalView, TodayView};

use crate::app::Tandem;
use crate::error::Result;
use crate::mirror::{Insights, PageCursor};

/// Which screen the app opens on.
#[uniffi::remote(Enum)]
pub enum Launch {
    /// Locked: the unlock screen, then ask again.
    Locked,
    /// The first run, at this step.
    FirstRun { step: FirstRunStep },
    /// Set up: Today.
    Today,
}

/// A screen that draws data.
#[uniffi::remote(Enum)]
pub enum ScreenKind {
    Today,
    Journal,
    Cravings,
    Insights,
    Goals,
    Notes,
    Meetings,
    Pairs,
    MentorOverview,
    Devices,
    Settings,
    SyncStatus,
}

/// The sync status in brief, for Today's badge.
#[uniffi::remote(Record)]
pub struct SyncSummary {
    pub connected: bool,
    pub last_success_ms: Option<i64>,
    pub pending_changes: u64,
    pub failing: bool,
}

/// The Today screen.
#[uniffi::remote(Record)]
pub struct TodayScreen {
    pub today: TodayView,
    pub sync: SyncSummary,
    pub has_pair: bool,
    pub next_meeting: Option<MeetingView>,
    pub can_ask_reschedule: bool,
}

/// One journal entry as the list shows it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct JournalRow {
    /// The entry.
    pub entry: JournalEntry,
    /// Whether it is shared in a pair.
    pub shared: bool,
}

/// A page of the journal.
#[derive(Debug, Clone, uniffi::Record)]
pub struct JournalScreen {
    /// The page's entries, newest first.
    pub rows: Vec<JournalRow>,
    /// Whether the person has a pair to share into.
    pub can_share: bool,
    /// Where the next page starts; none on the last page.
    pub next: Option<PageCursor>,
    /// The journal holds nothing yet.
    pub empty: bool,
}

/// One craving as the log shows it.
#[uniffi::remote(Record)]
pub struct CravingRow {
    pub craving: CravingEntry,
    pub shared: bool,
}

/// A page of the craving log.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CravingsScreen {
    /// The page's cravings, newest first.
    pub rows: Vec<CravingRow>,
    /// Whether the person has a pair to share into.
    pub can_share: bool,
    /// Where the next page starts; none on the last page.
    pub next: Option<PageCursor>,
    /// The log holds nothing yet.
    pub empty: bool,
}

/// The Insights screen.
#[derive(Debug, Clone, uniffi::Record)]
pub struct InsightsScreen {
    /// The window in days.
    pub days: u32,
    /// Every series over the window.
    pub insights: Insights,
    /// Nothing to chart yet.
    pub empty: bool,
}

/// A goal as the Goals screen lists it.
#[uniffi::remote(Record)]
pub struct GoalRow {
    pub goal: GoalView,
    pub shared: bool,
}

/// The Goals screen.
#[uniffi::remote(Record)]
pub struct GoalsScreen {
    pub rows: Vec<GoalRow>,
    pub can_share: bool,
    pub empty: bool,
}

/// The Notes screen.
#[uniffi::remote(Record)]
pub struct NotesScreen {
    pub notes: Vec<SharedNote>,
    pub empty: bool,
}

/// A pair the person can schedule meetings in.
#[uniffi::remote(Record)]
pub struct MeetingPair {
    pub pair_id: String,
    pub side: Side,
    pub other_name: Option<String>,
}

/// The Meetings screen: schedules, the meetings of the next four weeks
/// (`upcoming`, soonest first) and of the last four (`recent`, newest
/// first, to mark what happened).
#[uniffi::remote(Record)]
pub struct MeetingsScreen {
    pub pairs: Vec<MeetingPair>,
    pub plans: Vec<PlanView>,
    pub upcoming: Vec<MeetingView>,
    pub recent: Vec<MeetingView>,
    pub kinds: Vec<MeetingKind>,
    pub default_zone: String,
    pub no_pair: bool,
}

/// One meeting's record: its marks, note and what can be done with it.
#[uniffi::remote(Record)]
pub struct MeetingScreen {
    pub meeting: MeetingView,
    pub can_mark: bool,
    pub can_ask_reschedule: bool,
    pub conflict: bool,
    pub my_side: Side,
}

/// The Pairs screen.
#[uniffi::remote(Record)]
pub struct PairsScreen {
    pub pairs: Vec<PairView>,
    pub can_pair: bool,
    pub empty: bool,
}

/// The mentor's overview.
#[uniffi::remote(Record)]
pub struct MentorOverviewScreen {
    pub mentees: Vec<MenteeOverview>,
    pub open_reach_outs: u32,
    pub empty: bool,
}

/// The Devices screen.
#[uniffi::remote(Record)]
pub struct DevicesScreen {
    pub devices: Vec<DeviceView>,
    pub can_link: bool,
}

/// The Settings screen.
#[uniffi::remote(Record)]
pub struct SettingsScreen {
    pub settings: Settings,
    pub lock_after_max_secs: u32,
}

/// The Sync status screen.
#[uniffi::remote(Record)]
pub struct SyncStatusScreen {
    pub connected: bool,
    pub status: SyncStatus,
}

/// The screens a change to `areas` makes stale: the core's one table, so
/// every shell redraws the same screens.
#[uniffi::export]
pub fn redraws(areas: Vec<Area>) -> Vec<ScreenKind> {
    screens::redraws(&areas)
}

fn cursor(c: Option<PageCursor>) -> Option<screens::PageCursor> {
    c.map(|c| screens::PageCursor {
        ms: c.at_ms,
        id: c.id,
    })
}

fn mirror_cursor(c: Option<screens::PageCursor>) -> Option<PageCursor> {
    c.map(|c| PageCursor {
        at_ms: c.ms,
        id: c.id,
    })
}

#[uniffi::export]
impl Tandem {
    /// Which screen the app opens on now.
    pub fn launch(&self) -> Result<Launch> {
        Ok(self.app().screens().launch()?)
    }

    /// The Today screen, whole, in one call.
    pub fn today_screen(&self) -> Result<TodayScreen> {
        Ok(self.app().screens().today()?)
    }

    /// A page of the journal: the first with `after` none.
    pub fn journal_screen(&self, after: Option<PageCursor>) -> Result<JournalScreen> {
        let s = self.app().screens().journal(cursor(after).as_ref())?;
        Ok(JournalScreen {
            rows: s
                .rows
                .into_iter()
                .map(|r| JournalRow {
                    entry: r.entry,
                    shared: r.shared,
                })
                .collect(),
            can_share: s.can_share,
            next: mirror_cursor(s.next),
            empty: s.empty,
        })
    }

    /// A page of the craving log: the first with `after` none.
    pub fn cravings_screen(&self, after: Option<PageCursor>) -> Result<CravingsScreen> {
        let s = self.app().screens().cravings(cursor(after).as_ref())?;
        Ok(CravingsScreen {
            rows: s.rows,
            can_share: s.can_share,
            next: mirror_cursor(s.next),
            empty: s.empty,
        })
    }

    /// The Insights screen.
    pub fn insights_screen(&self) -> Result<InsightsScreen> {
        let s = self.app().screens().insights()?;
        Ok(InsightsScreen {
            days: s.days,
            insights: s.insights.into(),
            empty: s.empty,
        })
    }

    /// The Goals screen.
    pub fn goals_screen(&self) -> Result<GoalsScreen> {
        Ok(self.app().screens().goals()?)
    }

    /// The Notes screen.
    pub fn notes_screen(&self) -> Result<NotesScreen> {
        Ok(self.app().screens().notes()?)
    }

    /// The Meetings screen of the pair `pair_id` (or, with none, of every
    /// pair that has not ended).
    pub fn meetings_screen(&self, pair_id: Option<String>) -> Result<MeetingsScreen> {
        Ok(self.app().screens().meetings(pair_id.as_deref())?)
    }

    /// One meeting's screen, by the meeting's id.
    pub fn meeting_screen(&self, id: String) -> Result<MeetingScreen> {
        Ok(self.app().screens().meeting(&id)?)
    }

    /// The Pairs screen.
    pub fn pairs_screen(&self) -> Result<PairsScreen> {
        Ok(self.app().screens().pairs()?)
    }

    /// The mentor's overview; with `mark_seen`, what counts as new starts
    /// over from now.
    pub fn mentor_overview_screen(&self, mark_seen: bool) -> Result<MentorOverviewScreen> {
        Ok(self.app().screens().mentor_overview(mark_seen)?)
    }

    /// The Devices screen.
    pub fn devices_screen(&self) -> Result<DevicesScreen> {
        Ok(self.app().screens().devices()?)
    }

    /// The Settings screen: the settings and the longest lock delay.
    pub fn settings_screen(&self) -> Result<SettingsScreen> {
        Ok(self.app().screens().settings()?)
    }

    /// The Sync status screen.
    pub fn sync_status_screen(&self) -> Result<SyncStatusScreen> {
        Ok(self.app().screens().sync_status()?)
    }
}
