//! The Notes screen: shared and private notes.

use serde::{Deserialize, Serialize};

use crate::App;
use crate::error::Result;
use crate::note::SharedNote;

/// The Notes screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotesScreen {
    /// Every note.
    pub notes: Vec<SharedNote>,
    /// No note yet: the screen shows its empty state.
    pub empty: bool,
}

impl NotesScreen {
    pub(crate) fn load(app: &App) -> Result<NotesScreen> {
        let notes = app.notes().list()?;
        Ok(NotesScreen {
            empty: notes.is_empty(),
            notes,
        })
    }
}
