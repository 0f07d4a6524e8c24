//! The Devices screen: this person's devices.

use serde::{Deserialize, Serialize};

use crate::App;
use crate::error::Result;
use crate::features::devices::DeviceView;

/// The Devices screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesScreen {
    /// Every device of this person, unlinked ones marked.
    pub devices: Vec<DeviceView>,
    /// Whether this device syncs, which linking another device needs.
    pub can_link: bool,
}

impl DevicesScreen {
    pub(crate) fn load(app: &App) -> Result<DevicesScreen> {
        Ok(DevicesScreen {
            devices: app.devices().list()?,
            can_link: app.sync_status()?.server.is_some(),
        })
    }
}
