//! A mentor joining a mentee's pair with the code the mentee shows.

use serde::Serialize;

use super::not_now;
use crate::App;
use crate::error::{Error, Result};
use crate::features::pairs::PairView;

/// Where joining stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PairJoinStep {
    /// This device does not sync: connect it first.
    NeedsServer,
    /// Asks for the code (typed or scanned).
    EnterCode,
    /// Joined.
    Joined {
        /// The new pair, with the mentee's name once synced.
        pair: PairView,
    },
}

/// The join flow (the mentor's side of pairing).
#[derive(Debug)]
pub struct PairJoin {
    step: PairJoinStep,
}

impl PairJoin {
    pub(crate) fn start(app: &App) -> Result<PairJoin> {
        app.person()?;
        let step = if app.sync_status()?.server.is_some() {
            PairJoinStep::EnterCode
        } else {
            PairJoinStep::NeedsServer
        };
        Ok(PairJoin { step })
    }

    /// Where the flow stands.
    pub fn step(&self) -> PairJoinStep {
        self.step.clone()
    }

    /// Joins with `code`, then syncs. Reaches the server.
    pub fn join(&mut self, app: &App, code: &str) -> Result<PairJoinStep> {
        let PairJoinStep::EnterCode = self.step else {
            return Err(not_now("join"));
        };
        if code.trim().is_empty() {
            return Err(Error::invalid("invite code", "it is empty"));
        }
        let pair = app.pairs().join(code)?;
        self.step = PairJoinStep::Joined { pair };
        Ok(self.step())
    }
}
