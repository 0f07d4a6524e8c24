//! The journal: entries a person writes, private unless shared.

use crate::error::Result;
use crate::journal::{JournalEntry, JournalInput};
use crate::store::Page;

super::handle!(
    /// The journal of the person on this device.
    Journal
);

impl Journal<'_> {
    /// Writes an entry.
    pub fn add(&self, input: JournalInput) -> Result<JournalEntry> {
        self.app.write(|s| s.add_journal(input))
    }

    /// A page of entries, newest first.
    pub fn page(&self, page: &Page) -> Result<Vec<JournalEntry>> {
        self.app.read(|s| s.journal_page(page))
    }

    /// One entry.
    pub fn get(&self, id: &str) -> Result<JournalEntry> {
        self.app.read(|s| s.journal_entry(id))
    }

    /// Rewrites an entry.
    pub fn edit(&self, id: &str, input: JournalInput) -> Result<JournalEntry> {
        self.app.write(|s| s.edit_journal(id, input))
    }

    /// Deletes an entry (a tombstone every view hides).
    pub fn delete(&self, id: &str) -> Result<()> {
        self.app.write(|s| s.delete_journal(id))
    }
}
