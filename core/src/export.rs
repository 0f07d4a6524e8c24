//! The complete, machine-readable export of a device's data.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use crate::document::{self, DocId, DocKind, shard};
use crate::domain::checkin::CheckIn;
use crate::domain::craving::CravingEntry;
use crate::domain::goal::Goal;
use crate::domain::journal::JournalEntry;
use crate::domain::note::SharedNote;
use crate::domain::person::Person;
use crate::domain::track::Track;
use crate::error::Result;
use crate::id::is_well_formed;

/// The export format's version.
pub const FORMAT: u32 = 1;

/// Every live item on the device. Deleted items are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// [`FORMAT`].
    pub format: u32,
    /// When the export was made (UTC ms).
    pub exported_ms: i64,
    /// The person.
    pub person: Person,
    /// Tracks with their full reset history.
    pub tracks: Vec<Track>,
    /// Journal entries, oldest first.
    pub journal: Vec<JournalEntry>,
    /// Cravings, oldest first.
    pub cravings: Vec<CravingEntry>,
    /// Check-ins, oldest first.
    pub checkins: Vec<CheckIn>,
    /// Goals with milestones.
    pub goals: Vec<Goal>,
    /// Shared notes.
    pub notes: Vec<SharedNote>,
}

impl Export {
    /// An empty export for `person`.
    pub fn new(person: Person, exported_ms: i64) -> Self {
        Export {
            format: FORMAT,
            exported_ms,
            person,
            tracks: vec![],
            journal: vec![],
            cravings: vec![],
            checkins: vec![],
            goals: vec![],
            notes: vec![],
        }
    }

    /// Adds every live item of one document.
    pub fn add_document(&mut self, doc_id: &DocId, kind: DocKind, doc: &Automerge) -> Result<()> {
        match kind {
            DocKind::Profile => self.tracks.extend(
                shard::all::<_, Track>(doc, is_well_formed)?
                    .into_iter()
                    .filter(|t| !t.deleted),
            ),
            DocKind::Journal => self.journal.extend(
                shard::all::<_, JournalEntry>(doc, is_well_formed)?
                    .into_iter()
                    .filter(|e| !e.deleted),
            ),
            DocKind::Cravings => self.cravings.extend(
                shard::all::<_, CravingEntry>(doc, is_well_formed)?
                    .into_iter()
                    .filter(|e| !e.deleted),
            ),
            DocKind::CheckIns => self
                .checkins
                .extend(shard::all::<_, CheckIn>(doc, is_well_formed)?),
            DocKind::Goals => self.goals.extend(
                shard::all::<_, Goal>(doc, is_well_formed)?
                    .into_iter()
                    .filter(|g| !g.deleted),
            ),
            DocKind::Note => {
                let id = doc_id.as_str().trim_start_matches("note/");
                if let Some(n) = document::note::read(doc, id)?.filter(|n| !n.deleted) {
                    self.notes.push(n);
                }
            }
        }
        Ok(())
    }

    /// Puts every list in a stable order.
    pub fn sort(&mut self) {
        self.tracks
            .sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        self.journal
            .sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        self.cravings
            .sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
        self.checkins
            .sort_by(|a, b| (a.day, a.edited_ms, &a.id).cmp(&(b.day, b.edited_ms, &b.id)));
        self.goals
            .sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        self.notes
            .sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
    }
}
