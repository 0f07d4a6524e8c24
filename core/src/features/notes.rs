//! Notes: shared notes two people edit together, and private ones.

use crate::error::Result;
use crate::note::SharedNote;

super::handle!(
    /// Shared and private notes.
    Notes
);

impl Notes<'_> {
    /// Creates a note in the pair `pair_id` (or, with none, a private one).
    /// A pair that is not one of the person's live pairs is not found:
    /// a note written there would never reach anyone.
    pub fn create(&self, pair_id: Option<&str>, title: &str, body: &str) -> Result<SharedNote> {
        self.app.write(|s| {
            let pair = match pair_id {
                Some(given) => Some(super::pairs::resolve(s, Some(given))?.pair_id),
                None => None,
            };
            s.create_note_in(pair.as_deref(), title, body)
        })
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
