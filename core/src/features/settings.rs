//! This device's settings and the notices due now.

use crate::error::Result;
use crate::notify::Notice;
use crate::settings::Settings;

super::handle!(
    /// This device's settings (app name, lock delay, reminder).
    SettingsHandle
);

impl SettingsHandle<'_> {
    /// The settings.
    pub fn get(&self) -> Result<Settings> {
        self.app.read(|s| s.settings())
    }

    /// Changes the settings.
    pub fn set(&self, settings: &Settings) -> Result<Settings> {
        self.app.write(|s| s.set_settings(settings))
    }

    /// The notifications due now (kinds only, never content).
    pub fn due_notices(&self) -> Result<Vec<Notice>> {
        self.app.read(crate::notify::due_notices)
    }

    /// The notifications due now, remembered as shown: a reach-out or pair
    /// activity is told of once. What a shell calls after a wake-up's sync.
    pub fn announce(&self) -> Result<Vec<Notice>> {
        self.app.write(crate::notify::announce)
    }
}
