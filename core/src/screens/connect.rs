//! Connecting a set-up device to a sync server: the server's address, then
//! the recovery key shown once and confirmed.

use serde::{Deserialize, Serialize};

use super::not_now;
use super::recovery_key::{KeyCheck, RecoveryKeyStep};
use crate::App;
use crate::error::Result;
use crate::sync::Client;

/// Where connecting stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ConnectStep {
    /// Asks for the server's address.
    Server,
    /// Connected: the recovery key, shown once, to confirm.
    RecoveryKey(RecoveryKeyStep),
    /// Connected and the key confirmed (or the device already synced).
    Done,
}

#[derive(Debug)]
enum State {
    Server,
    Key(KeyCheck),
    Done,
}

/// The connect flow.
#[derive(Debug)]
pub struct Connect {
    state: State,
}

/// Checks a server address the person typed; returns it as the client
/// will use it.
pub(crate) fn server_url(text: &str) -> Result<String> {
    Ok(Client::new(text)?.base().to_owned())
}

/// Connects `app` to `server` (again, harmlessly, if a first try got that
/// far) and makes the recovery key to show.
pub(crate) fn connect_and_make_key(app: &App, server: &str) -> Result<KeyCheck> {
    let server = server_url(server)?;
    app.connect(&server)?;
    Ok(KeyCheck::new(app.devices().new_recovery_key()?))
}

impl Connect {
    pub(crate) fn start(app: &App) -> Result<Connect> {
        app.person()?;
        let state = if app.sync_status()?.server.is_some() {
            State::Done
        } else {
            State::Server
        };
        Ok(Connect { state })
    }

    /// Where the flow stands.
    pub fn step(&self) -> ConnectStep {
        match &self.state {
            State::Server => ConnectStep::Server,
            State::Key(check) => ConnectStep::RecoveryKey(check.step()),
            State::Done => ConnectStep::Done,
        }
    }

    /// Connects to `server` (an `http://` or `https://` address) and shows
    /// the recovery key. Reaches the server.
    pub fn connect(&mut self, app: &App, server: &str) -> Result<ConnectStep> {
        let State::Server = self.state else {
            return Err(not_now("connect"));
        };
        self.state = State::Key(connect_and_make_key(app, server)?);
        Ok(self.step())
    }

    /// The person wrote the key down: it is hidden and a group asked for.
    pub fn key_kept(&mut self) -> Result<ConnectStep> {
        let State::Key(check) = &mut self.state else {
            return Err(not_now("key_kept"));
        };
        check.kept()?;
        Ok(self.step())
    }

    /// Shows the key again.
    pub fn show_key_again(&mut self) -> Result<ConnectStep> {
        let State::Key(check) = &mut self.state else {
            return Err(not_now("show_key_again"));
        };
        check.show_again()?;
        Ok(self.step())
    }

    /// Confirms the key with the group asked for; the key is forgotten.
    pub fn confirm_key(&mut self, group: &str) -> Result<ConnectStep> {
        let State::Key(check) = &self.state else {
            return Err(not_now("confirm_key"));
        };
        check.confirm(group)?;
        self.state = State::Done;
        Ok(self.step())
    }
}
