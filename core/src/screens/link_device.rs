//! Linking a second device to the person: the set-up device shows a code
//! ([`LinkDevice`]), the fresh one takes it ([`LinkThisDevice`]).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::connect::server_url;
use super::not_now;
use super::shown_code::ShownCode;
use crate::App;
use crate::error::{Error, Result};

/// Where showing a link code stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum LinkDeviceStep {
    /// This device does not sync: connect it first.
    NeedsServer,
    /// Ready to make a code.
    Ready,
    /// The code, to type or scan on the new device; good once.
    ShowingCode(ShownCode),
    /// A new device appeared: the person now has `devices` linked devices.
    Linked {
        /// Devices not unlinked, this one included.
        devices: u32,
    },
}

#[derive(Debug)]
enum State {
    NeedsServer,
    Ready,
    Showing {
        code: Zeroizing<String>,
        devices_before: u32,
    },
    Linked(u32),
}

/// Showing a code that links another device (on the set-up device).
#[derive(Debug)]
pub struct LinkDevice {
    state: State,
}

fn live_devices(app: &App) -> Result<u32> {
    Ok(app.devices().list()?.iter().filter(|d| !d.unlinked).count() as u32)
}

impl LinkDevice {
    pub(crate) fn start(app: &App) -> Result<LinkDevice> {
        let state = if app.sync_status()?.server.is_some() {
            State::Ready
        } else {
            State::NeedsServer
        };
        Ok(LinkDevice { state })
    }

    /// Where the flow stands.
    pub fn step(&self) -> LinkDeviceStep {
        match &self.state {
            State::NeedsServer => LinkDeviceStep::NeedsServer,
            State::Ready => LinkDeviceStep::Ready,
            State::Showing { code, .. } => LinkDeviceStep::ShowingCode(ShownCode::new(code)),
            State::Linked(devices) => LinkDeviceStep::Linked { devices: *devices },
        }
    }

    /// Makes a code (a new one replaces one shown before). Reaches the server.
    pub fn show_code(&mut self, app: &App) -> Result<LinkDeviceStep> {
        if !matches!(self.state, State::Ready | State::Showing { .. }) {
            return Err(not_now("show_code"));
        }
        let devices_before = live_devices(app)?;
        let code = app.devices().link_code()?;
        self.state = State::Showing {
            code,
            devices_before,
        };
        Ok(self.step())
    }

    /// Syncs and looks whether the new device arrived; the code stays on
    /// screen until it has.
    pub fn check(&mut self, app: &App) -> Result<LinkDeviceStep> {
        let State::Showing { devices_before, .. } = self.state else {
            return Err(not_now("check"));
        };
        app.sync_now()?;
        let now = live_devices(app)?;
        if now > devices_before {
            self.state = State::Linked(now);
        }
        Ok(self.step())
    }
}

/// Where linking this fresh device stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum LinkThisDeviceStep {
    /// Asks for the code the other device shows and the server's address.
    EnterCode,
    /// Linked and synced: open Today.
    Done,
}

/// Linking this fresh device with a code from another of the person's.
#[derive(Debug)]
pub struct LinkThisDevice {
    done: bool,
}

impl LinkThisDevice {
    pub(crate) fn start(app: &App) -> Result<LinkThisDevice> {
        if app.is_set_up()? {
            return Err(Error::AlreadyInitialized);
        }
        Ok(LinkThisDevice { done: false })
    }

    /// Where the flow stands.
    pub fn step(&self) -> LinkThisDeviceStep {
        if self.done {
            LinkThisDeviceStep::Done
        } else {
            LinkThisDeviceStep::EnterCode
        }
    }

    /// Links with `code` (typed or scanned) at `server`, and syncs
    /// everything down. Reaches the server.
    pub fn link(&mut self, app: &App, code: &str, server: &str) -> Result<LinkThisDeviceStep> {
        if self.done {
            return Err(not_now("link"));
        }
        if code.trim().is_empty() {
            return Err(Error::invalid("link code", "it is empty"));
        }
        let server = server_url(server)?;
        app.devices().link(code, &server)?;
        self.done = true;
        Ok(self.step())
    }
}
