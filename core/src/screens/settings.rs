//! The Settings screen: this device's settings and their bounds.

use serde::{Deserialize, Serialize};

use crate::App;
use crate::error::Result;
use crate::settings::{LOCK_AFTER_MAX_SECS, Settings};

/// The Settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsScreen {
    /// The settings.
    pub settings: Settings,
    /// The longest lock delay a person can choose, in seconds.
    pub lock_after_max_secs: u32,
}

impl SettingsScreen {
    pub(crate) fn load(app: &App) -> Result<SettingsScreen> {
        Ok(SettingsScreen {
            settings: app.settings().get()?,
            lock_after_max_secs: LOCK_AFTER_MAX_SECS,
        })
    }
}
