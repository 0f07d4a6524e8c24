//! What each screen draws and the flows between them, computed by the core
//! so that every shell renders and navigates the same way.
//!
//! - Screen records ([`TodayScreen`], [`JournalScreen`], …) are plain,
//!   serialisable data: numbers, dates, enum kinds and ids, never sentences.
//!   Shells word, localise and pluralise them. Each list's page size and the
//!   insights window are constants here, defined once.
//! - [`ScreenKind`] names the screens; [`redraws`] maps what a change
//!   touched ([`Area`](crate::Area)s, as the app's listeners hear them) to
//!   the screens to draw again. It is the one such mapping.
//! - [`Launch`] says which screen a device opens on.
//! - Flows ([`FirstRun`], [`Connect`], [`LinkDevice`], [`LinkThisDevice`],
//!   [`Restore`], [`PairInvite`], [`PairJoin`], [`EndPair`], [`ReachOut`],
//!   [`ExportFlow`], [`Erase`]) are small state machines the shell owns: each
//!   shows its current step as a typed record, and each action validates its
//!   input and returns the next step or a typed [`Error`](crate::Error).
//!   A failed action leaves the flow where it was. Flows borrow nothing:
//!   every action is given the [`App`], so a shell may keep a flow beside its
//!   `App` for as long as the screen is open.
//!
//! Reached as [`App::screens`](crate::App::screens).

mod connect;
mod cravings;
mod devices;
mod end_pair;
mod erase;
mod export;
mod first_run;
mod goals;
mod insights;
mod journal;
mod kind;
mod launch;
mod link_device;
mod meetings;
mod mentor_overview;
mod notes;
mod page;
mod pair_invite;
mod pair_join;
mod pairs;
mod reach_out;
mod recovery_key;
mod restore;
mod settings;
mod shown_code;
mod sync_status;
mod today;

pub use connect::{Connect, ConnectStep};
pub use cravings::{CRAVINGS_PAGE, CravingRow, CravingsScreen};
pub use devices::DevicesScreen;
pub use end_pair::{EndPair, EndPairConsequence, EndPairStep};
pub use erase::{Erase, EraseConsequence, EraseStep};
pub use export::{ExportFlow, ExportFormat, ExportStep, ExportedFile};
pub use first_run::{FirstRun, FirstRunStep, FirstTrack};
pub use goals::{GoalRow, GoalsScreen};
pub use insights::{INSIGHTS_DAYS, InsightsScreen};
pub use journal::{JOURNAL_PAGE, JournalRow, JournalScreen};
pub use kind::{ScreenKind, redraws};
pub use launch::Launch;
pub use link_device::{LinkDevice, LinkDeviceStep, LinkThisDevice, LinkThisDeviceStep};
pub use meetings::{
    MEETINGS_AHEAD_DAYS, MEETINGS_BEHIND_DAYS, MeetingPair, MeetingScreen, MeetingsScreen,
};
pub use mentor_overview::MentorOverviewScreen;
pub use notes::NotesScreen;
pub use page::PageCursor;
pub use pair_invite::{PairInvite, PairInviteStep};
pub use pair_join::{PairJoin, PairJoinStep};
pub use pairs::PairsScreen;
pub use reach_out::{ReachOut, ReachOutStep};
pub use recovery_key::RecoveryKeyStep;
pub use restore::{Restore, RestoreStep};
pub use settings::SettingsScreen;
pub use shown_code::ShownCode;
pub use sync_status::{SyncStatusScreen, SyncSummary};
pub use today::TodayScreen;

use crate::App;
use crate::error::{Error, Result};

/// The screens of one [`App`]: each method computes one screen's record or
/// starts one flow.
#[derive(Debug, Clone, Copy)]
pub struct Screens<'a> {
    app: &'a App,
}

impl<'a> Screens<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Screens { app }
    }

    /// Which screen this device opens on now.
    pub fn launch(&self) -> Result<Launch> {
        Launch::decide(self.app)
    }

    // --- Screens ---------------------------------------------------------------

    /// The Today screen.
    pub fn today(&self) -> Result<TodayScreen> {
        TodayScreen::load(self.app)
    }

    /// A page of the journal: the first with `after` none, else the page
    /// after the cursor a previous page returned.
    pub fn journal(&self, after: Option<&PageCursor>) -> Result<JournalScreen> {
        JournalScreen::load(self.app, after)
    }

    /// A page of the craving log, like [`journal`](Self::journal).
    pub fn cravings(&self, after: Option<&PageCursor>) -> Result<CravingsScreen> {
        CravingsScreen::load(self.app, after)
    }

    /// The insights over the last [`INSIGHTS_DAYS`] days.
    pub fn insights(&self) -> Result<InsightsScreen> {
        InsightsScreen::load(self.app)
    }

    /// Goals and their milestones.
    pub fn goals(&self) -> Result<GoalsScreen> {
        GoalsScreen::load(self.app)
    }

    /// Notes.
    pub fn notes(&self) -> Result<NotesScreen> {
        NotesScreen::load(self.app)
    }

    /// The meetings of `pair` (or of every live pair): schedules, what is
    /// ahead and what to mark.
    pub fn meetings(&self, pair: Option<&str>) -> Result<MeetingsScreen> {
        MeetingsScreen::load(self.app, pair)
    }

    /// One meeting's record.
    pub fn meeting(&self, id: &str) -> Result<MeetingScreen> {
        MeetingScreen::load(self.app, id)
    }

    /// This person's pairs.
    pub fn pairs(&self) -> Result<PairsScreen> {
        PairsScreen::load(self.app)
    }

    /// The mentor's overview of their mentees. With `mark_seen`, what counts
    /// as new starts over from now (the screen was looked at).
    pub fn mentor_overview(&self, mark_seen: bool) -> Result<MentorOverviewScreen> {
        MentorOverviewScreen::load(self.app, mark_seen)
    }

    /// This person's devices.
    pub fn devices(&self) -> Result<DevicesScreen> {
        DevicesScreen::load(self.app)
    }

    /// This device's settings.
    pub fn settings(&self) -> Result<SettingsScreen> {
        SettingsScreen::load(self.app)
    }

    /// The sync status.
    pub fn sync_status(&self) -> Result<SyncStatusScreen> {
        SyncStatusScreen::load(self.app)
    }

    // --- Flows -----------------------------------------------------------------

    /// The first run, at the step the store says it stands.
    pub fn first_run(&self) -> Result<FirstRun> {
        FirstRun::resume(self.app)
    }

    /// Connecting this set-up device to a sync server.
    pub fn connect(&self) -> Result<Connect> {
        Connect::start(self.app)
    }

    /// Showing a code that links another device to this person.
    pub fn link_device(&self) -> Result<LinkDevice> {
        LinkDevice::start(self.app)
    }

    /// Linking this fresh device with a code another device shows.
    pub fn link_this_device(&self) -> Result<LinkThisDevice> {
        LinkThisDevice::start(self.app)
    }

    /// Restoring this fresh device from a recovery key.
    pub fn restore(&self) -> Result<Restore> {
        Restore::start(self.app)
    }

    /// Inviting a mentor into a new pair.
    pub fn pair_invite(&self) -> Result<PairInvite> {
        PairInvite::start(self.app)
    }

    /// Joining a mentee's pair with their code.
    pub fn pair_join(&self) -> Result<PairJoin> {
        PairJoin::start(self.app)
    }

    /// Ending the pair `pair_id`: starts at its confirmation.
    pub fn end_pair(&self, pair_id: &str) -> Result<EndPair> {
        EndPair::start(self.app, pair_id)
    }

    /// Reaching out to a mentor.
    pub fn reach_out(&self) -> Result<ReachOut> {
        ReachOut::start(self.app)
    }

    /// Exporting everything on the device.
    pub fn export(&self) -> ExportFlow {
        ExportFlow::start()
    }

    /// Erasing everything: starts at its confirmation.
    pub fn erase(&self) -> Result<Erase> {
        Erase::start(self.app)
    }
}

/// The error an action gives when its flow is not at the step it belongs to
/// (a double tap, a stale screen): the flow is left as it was.
pub(crate) fn not_now(action: &str) -> Error {
    Error::invalid("step", format!("`{action}` does not apply at this step"))
}
