//! Restoring the person onto a fresh device from their recovery key; the
//! old key is used up and a new one shown once.

use serde::{Deserialize, Serialize};

use super::connect::server_url;
use super::not_now;
use super::recovery_key::{KeyCheck, RecoveryKeyStep};
use crate::App;
use crate::error::{Error, Result};

/// Where restoring stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum RestoreStep {
    /// Asks for the recovery key and the server's address.
    EnterKey,
    /// Restored: the person's new recovery key, shown once, to confirm.
    RecoveryKey(RecoveryKeyStep),
    /// Restored and the new key confirmed: open Today.
    Done,
}

#[derive(Debug)]
enum State {
    EnterKey,
    Key(KeyCheck),
    Done,
}

/// The restore flow (on a fresh device).
#[derive(Debug)]
pub struct Restore {
    state: State,
}

impl Restore {
    pub(crate) fn start(app: &App) -> Result<Restore> {
        if app.is_set_up()? {
            return Err(Error::AlreadyInitialized);
        }
        Ok(Restore {
            state: State::EnterKey,
        })
    }

    /// Where the flow stands.
    pub fn step(&self) -> RestoreStep {
        match &self.state {
            State::EnterKey => RestoreStep::EnterKey,
            State::Key(check) => RestoreStep::RecoveryKey(check.step()),
            State::Done => RestoreStep::Done,
        }
    }

    /// Restores with `recovery_key` from `server`. Reaches the server.
    pub fn restore(&mut self, app: &App, recovery_key: &str, server: &str) -> Result<RestoreStep> {
        let State::EnterKey = self.state else {
            return Err(not_now("restore"));
        };
        if recovery_key.trim().is_empty() {
            return Err(Error::invalid("recovery key", "it is empty"));
        }
        let server = server_url(server)?;
        let (_, new_key) = app.devices().restore(recovery_key, &server)?;
        self.state = State::Key(KeyCheck::new(new_key));
        Ok(self.step())
    }

    /// The person wrote the new key down: it is hidden and a group asked for.
    pub fn key_kept(&mut self) -> Result<RestoreStep> {
        let State::Key(check) = &mut self.state else {
            return Err(not_now("key_kept"));
        };
        check.kept()?;
        Ok(self.step())
    }

    /// Shows the new key again.
    pub fn show_key_again(&mut self) -> Result<RestoreStep> {
        let State::Key(check) = &mut self.state else {
            return Err(not_now("show_key_again"));
        };
        check.show_again()?;
        Ok(self.step())
    }

    /// Confirms the new key with the group asked for; the key is forgotten.
    pub fn confirm_key(&mut self, group: &str) -> Result<RestoreStep> {
        let State::Key(check) = &self.state else {
            return Err(not_now("confirm_key"));
        };
        check.confirm(group)?;
        self.state = State::Done;
        Ok(self.step())
    }
}
