//! This person's devices: linking a second phone, unlinking a lost one,
//! the recovery key and restoring from it.

use zeroize::Zeroizing;

use crate::error::Result;
use crate::sync::SyncReport;

pub(crate) mod envelopes;
mod linking;
pub(crate) mod log;
mod on_server;
mod recovery;

pub(crate) use envelopes::{
    fetch_missing_keys, publish_box_key, receive_epoch_keys, send_keys_to_new_devices,
};
#[doc(hidden)]
pub use envelopes::{seal_envelope_as, seal_envelope_for, seal_envelope_with};
pub(crate) use linking::publish_device;
pub use linking::{DeviceView, link, link_code, list, unlink};
#[doc(hidden)]
pub use log::synthetic_build as synthetic_log_build;
pub use log::{confirm, device_code};
#[doc(hidden)]
pub use log::{write_noise, write_removal};
pub use on_server::{DeviceOnServer, list_with_server};
pub(crate) use recovery::upload_recovery;
pub use recovery::{new_recovery_key, restore};

super::handle!(
    /// This person's devices and recovery.
    Devices
);

impl Devices<'_> {
    /// Every device of this person.
    pub fn list(&self) -> Result<Vec<DeviceView>> {
        self.app.read(list)
    }

    /// Every device of this person with what the server says of each,
    /// devices only the server knows flagged (a network call).
    pub fn list_with_server(&self) -> Result<Vec<DeviceView>> {
        self.app.on_network(|steps| list_with_server(steps))
    }

    /// Confirms that device `device_id`, flagged as not in the device
    /// log, is this person's (a device from before the log that first
    /// synced with this version after the log had closed): it gets keys
    /// from then on. Only on a device the log certifies. With `code` (the
    /// one the device shows for itself), only if it is the code of the
    /// keys the device asked with.
    pub fn confirm(&self, device_id: &str, code: Option<&str>) -> Result<()> {
        self.app.write(|store| confirm(store, device_id, code))
    }

    /// A one-time code that links another device to this person.
    pub fn link_code(&self) -> Result<Zeroizing<String>> {
        self.app.on_network(|steps| link_code(steps))
    }

    /// Links this fresh device with a code shown on another of the
    /// person's devices, at `server`.
    pub fn link(&self, code: &str, server: &str) -> Result<SyncReport> {
        self.app.on_network(|steps| link(steps, code, server))
    }

    /// Unlinks a lost device; returns it and the person's new recovery key.
    pub fn unlink(&self, device_id: &str) -> Result<(DeviceView, Zeroizing<String>)> {
        self.app.on_network_held(|s| unlink(s, device_id))
    }

    /// Makes a new recovery key (the old one stops working); show it once.
    pub fn new_recovery_key(&self) -> Result<Zeroizing<String>> {
        self.app.on_network(|steps| new_recovery_key(steps))
    }

    /// Restores the person onto this fresh device from their recovery key;
    /// returns the sync and the person's new recovery key.
    pub fn restore(
        &self,
        recovery_key: &str,
        server: &str,
    ) -> Result<(SyncReport, Zeroizing<String>)> {
        self.app
            .on_network(|steps| restore(steps, recovery_key, server))
    }
}
