//! The craving log: what triggered a craving, how strong, what helped.

use crate::craving::{CravingEntry, CravingInput};
use crate::error::Result;
use crate::store::Page;

super::handle!(
    /// The craving log of the person on this device.
    Cravings
);

impl Cravings<'_> {
    /// Logs a craving.
    pub fn add(&self, input: CravingInput) -> Result<CravingEntry> {
        self.app.write(|s| s.add_craving(input))
    }

    /// A page of the log, newest first.
    pub fn page(&self, page: &Page) -> Result<Vec<CravingEntry>> {
        self.app.read(|s| s.cravings_page(page))
    }

    /// One craving.
    pub fn get(&self, id: &str) -> Result<CravingEntry> {
        self.app.read(|s| s.craving(id))
    }

    /// Deletes a craving (a tombstone every view hides).
    pub fn delete(&self, id: &str) -> Result<()> {
        self.app.write(|s| s.delete_craving(id))
    }
}
