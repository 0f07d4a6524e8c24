//! The complete export of a device's data: JSON that machines read and
//! `import` restores exactly, and a Markdown rendering that people read.
//!
//! The JSON lists every live item, and also carries every automerge
//! document whole (base64), so that an import rebuilds the same documents —
//! history included — and with them the same read model.

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
use crate::error::{Error, Result};
use crate::id::is_well_formed;

mod markdown;

/// The export format's version.
pub const FORMAT: u32 = 2;

/// What an import restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Documents restored.
    pub documents: usize,
    /// Changes applied across them.
    pub changes: usize,
}

/// One automerge document, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedDocument {
    /// The document's id, e.g. `journal/2026-03`.
    pub doc_id: String,
    /// `Automerge::save` bytes, base64 (standard alphabet, padded).
    pub automerge: String,
}

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
    /// Every document whole, for `import`.
    pub documents: Vec<ExportedDocument>,
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
            documents: vec![],
        }
    }

    /// Adds one document: every live item in it, and the document whole.
    /// The keyring is left out: an export is for the person, and the keys
    /// of their pair spaces have no use outside a device.
    pub fn add_document(&mut self, doc_id: &DocId, kind: DocKind, doc: &Automerge) -> Result<()> {
        use base64::Engine as _;
        if kind == DocKind::Keyring {
            return Ok(());
        }
        self.documents.push(ExportedDocument {
            doc_id: doc_id.to_string(),
            automerge: base64::engine::general_purpose::STANDARD.encode(doc.save()),
        });
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
            DocKind::Keyring
            | DocKind::Devices
            | DocKind::Shared
            | DocKind::ReachOuts
            | DocKind::People
            | DocKind::Meetings => {}
            DocKind::Note => {
                let id = doc_id.inner().trim_start_matches("note/");
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
        self.documents.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    }

    /// The documents decoded, profile first, checked for well-formed ids
    /// and bytes: what `import` applies.
    pub fn decoded_documents(&self) -> Result<Vec<(DocId, Automerge)>> {
        use base64::Engine as _;
        if self.format != FORMAT {
            return Err(Error::invalid(
                "export",
                format!(
                    "format {} is not one this build reads ({FORMAT})",
                    self.format
                ),
            ));
        }
        let mut out = Vec::with_capacity(self.documents.len());
        for d in &self.documents {
            let doc_id = DocId::parse(&d.doc_id)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&d.automerge)
                .map_err(|_| {
                    Error::invalid("export", format!("document {} is not base64", d.doc_id))
                })?;
            let doc = std::panic::catch_unwind(|| Automerge::load(&bytes))
                .ok()
                .and_then(|r| r.ok())
                .ok_or_else(|| {
                    Error::invalid("export", format!("document {} is damaged", d.doc_id))
                })?;
            out.push((doc_id, doc));
        }
        out.sort_by_key(|(id, _)| (*id != DocId::profile(), id.to_string()));
        if out.first().is_none_or(|(id, _)| *id != DocId::profile()) {
            return Err(Error::invalid("export", "it holds no profile document"));
        }
        Ok(out)
    }

    /// A readable Markdown rendering of everything, in the person's time zone.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }

    /// The export as pretty-printed JSON: what `import` reads back.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Reads an export written by [`Export::to_json`]; anything else is a
    /// validation error that says what is wrong.
    pub fn from_json(text: &str) -> Result<Export> {
        serde_json::from_str(text)
            .map_err(|e| Error::invalid("export", format!("it is not a Tandem JSON export: {e}")))
    }
}
