//! The first run: name and time zone, a first clean-time track (or none),
//! whether to use a sync server, and if so the recovery key shown once.
//!
//! What survives a restart is what the store can tell:
//! - the name, time zone and first track are written together once the
//!   track is answered (given or skipped), so a set-up person means both
//!   questions were answered; a restart before that asks the name again;
//! - an account means the server question was answered;
//! - "not now" is not recorded: a person set up without a server resumes at
//!   the server question until they use the app (write, log, pair), and
//!   opens on Today from then on, where the sync summary offers to connect;
//! - the recovery key lives only in memory: after a restart before it was
//!   confirmed, the flow counts as done and a new key can be made from the
//!   Devices screen.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::connect::connect_and_make_key;
use super::not_now;
use super::recovery_key::{KeyCheck, RecoveryKeyStep};
use crate::App;
use crate::error::{Error, Result};
use crate::person::{NAME_MAX, Person};
use crate::store::Page;
use crate::track::{TRACK_NAME_MAX, Track};

/// A first track, as the person enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstTrack {
    /// What they stay away from (e.g. `alcohol`).
    pub name: String,
    /// The first clean day; not after today in their time zone.
    pub since: NaiveDate,
}

/// Where the first run stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum FirstRunStep {
    /// Asks for a display name and an IANA time zone.
    Profile {
        /// The longest name, in characters.
        name_max: u32,
    },
    /// Asks for a first track, which may be skipped.
    FirstTrack {
        /// The name given.
        name: String,
        /// The time zone given (canonical IANA name).
        timezone: String,
        /// Today in that zone: the latest first clean day allowed.
        latest_since: NaiveDate,
        /// The longest track name, in characters.
        name_max: u32,
    },
    /// Asks whether to use a sync server (an address) or not now.
    SyncChoice,
    /// Connected: the recovery key shown once, to confirm.
    RecoveryKey(RecoveryKeyStep),
    /// Set up: open Today.
    Done,
}

#[derive(Debug)]
enum State {
    Profile,
    FirstTrack { person: Person, today: NaiveDate },
    SyncChoice,
    Key(KeyCheck),
    Done,
}

/// The first-run flow.
#[derive(Debug)]
pub struct FirstRun {
    state: State,
}

/// Today in `person`'s zone, by the app's clock.
fn today_for(app: &App, person: &Person) -> Result<NaiveDate> {
    let now = app.read(|s| Ok(s.now()))?;
    Ok(now.with_timezone(&person.tz()).date_naive())
}

/// Whether the person has done anything beyond what the first run writes.
fn used(app: &App) -> Result<bool> {
    Ok(!app.journal().page(&Page::first(1))?.is_empty()
        || !app.cravings().page(&Page::first(1))?.is_empty()
        || !app.goals().list()?.is_empty()
        || !app.notes().list()?.is_empty()
        || !app.pairs().list()?.is_empty()
        || app.today()?.checkin.is_some())
}

impl FirstRun {
    /// The first run at the step the store says it stands.
    pub(crate) fn resume(app: &App) -> Result<FirstRun> {
        let state = if !app.is_set_up()? {
            State::Profile
        } else if app.sync_status()?.server.is_some() || used(app)? {
            State::Done
        } else {
            State::SyncChoice
        };
        Ok(FirstRun { state })
    }

    /// Where the flow stands.
    pub fn step(&self) -> FirstRunStep {
        match &self.state {
            State::Profile => FirstRunStep::Profile {
                name_max: NAME_MAX as u32,
            },
            State::FirstTrack { person, today } => FirstRunStep::FirstTrack {
                name: person.name.clone(),
                timezone: person.timezone.clone(),
                latest_since: *today,
                name_max: TRACK_NAME_MAX as u32,
            },
            State::SyncChoice => FirstRunStep::SyncChoice,
            State::Key(check) => FirstRunStep::RecoveryKey(check.step()),
            State::Done => FirstRunStep::Done,
        }
    }

    /// The person's name and time zone (an IANA name such as
    /// `Europe/Berlin`). Checked now, written with the first track.
    pub fn profile(&mut self, app: &App, name: &str, timezone: &str) -> Result<FirstRunStep> {
        let State::Profile = self.state else {
            return Err(not_now("profile"));
        };
        if app.is_set_up()? {
            return Err(Error::AlreadyInitialized);
        }
        let person = Person::new(name, timezone)?;
        let today = today_for(app, &person)?;
        self.state = State::FirstTrack { person, today };
        Ok(self.step())
    }

    /// The first track, or none (skipped). Sets the device up for the person.
    pub fn first_track(&mut self, app: &App, track: Option<&FirstTrack>) -> Result<FirstRunStep> {
        let State::FirstTrack { person, today } = &self.state else {
            return Err(not_now("first_track"));
        };
        if let Some(track) = track {
            // Checked before anything is written, so a bad date writes nothing.
            Track::new(String::new(), &track.name, track.since, *today, 0)?;
        }
        // A retry after a failure below finds the person already there.
        if !app.is_set_up()? {
            app.init(&person.name, &person.timezone)?;
        }
        if let Some(track) = track {
            app.tracks().add(&track.name, track.since)?;
        }
        self.state = State::SyncChoice;
        Ok(self.step())
    }

    /// Uses the sync server at `server`: connects, then shows the recovery
    /// key. Reaches the server; on failure the question stays.
    pub fn connect(&mut self, app: &App, server: &str) -> Result<FirstRunStep> {
        let State::SyncChoice = self.state else {
            return Err(not_now("connect"));
        };
        self.state = State::Key(connect_and_make_key(app, server)?);
        Ok(self.step())
    }

    /// No server for now: the first run is done.
    pub fn not_now(&mut self) -> Result<FirstRunStep> {
        let State::SyncChoice = self.state else {
            return Err(not_now("not_now"));
        };
        self.state = State::Done;
        Ok(self.step())
    }

    /// The person wrote the key down: it is hidden and a group asked for.
    pub fn key_kept(&mut self) -> Result<FirstRunStep> {
        let State::Key(check) = &mut self.state else {
            return Err(not_now("key_kept"));
        };
        check.kept()?;
        Ok(self.step())
    }

    /// Shows the key again.
    pub fn show_key_again(&mut self) -> Result<FirstRunStep> {
        let State::Key(check) = &mut self.state else {
            return Err(not_now("show_key_again"));
        };
        check.show_again()?;
        Ok(self.step())
    }

    /// Confirms the key with the group asked for; the key is forgotten and
    /// the first run is done.
    pub fn confirm_key(&mut self, group: &str) -> Result<FirstRunStep> {
        let State::Key(check) = &self.state else {
            return Err(not_now("confirm_key"));
        };
        check.confirm(group)?;
        self.state = State::Done;
        Ok(self.step())
    }
}
