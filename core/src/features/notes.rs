//! Notes: shared notes two people edit together, and private ones.

use crate::error::Result;
use crate::note::SharedNote;

super::handle!(
    /// Shared and private notes.
    Notes
);

impl Notes<'_> {
    /// Creates a note in the pair `pair_id` (or, with none, a private one).
    pub fn create(&self, pair_id: Option<&str>, title: &str, body: &str) -> Result<SharedNote> {
        self.app.write(|s| s.create_note_in(pair_id, title, body))
    }

    /// Replaces a note's text; applied as the character-level difference,
    /// so it merges with the other person's edits.
    pub fn edit(&self, id: &str, body: &str) -> Result<SharedNote> {
        self.app.write(|s| s.edit_note(id, body))
    }

    /// One note.
    pub fn get(&self, id: &str) -> Result<SharedNote> {
        self.app.read(|s| s.note(id))
    }

    /// Every note.
    pub fn list(&self) -> Result<Vec<SharedNote>> {
        self.app.read(|s| s.notes())
    }
}
