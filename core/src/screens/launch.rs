//! Which screen a device opens on.

use serde::{Deserialize, Serialize};

use super::first_run::{FirstRun, FirstRunStep};
use crate::App;
use crate::error::Result;

/// Where the app opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum Launch {
    /// The app is locked: the unlock screen, then ask again.
    Locked,
    /// The first run, at this step (a fresh store starts at the profile).
    FirstRun {
        /// The step to open.
        step: FirstRunStep,
    },
    /// Set up: Today.
    Today,
}

impl Launch {
    pub(crate) fn decide(app: &App) -> Result<Launch> {
        if app.is_locked() {
            return Ok(Launch::Locked);
        }
        Ok(match FirstRun::resume(app)?.step() {
            FirstRunStep::Done => Launch::Today,
            step => Launch::FirstRun { step },
        })
    }
}
