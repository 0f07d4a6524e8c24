//! The Journal screen: a page of entries, newest first, each marked shared
//! or not.

use serde::{Deserialize, Serialize};

use super::page::{self, PageCursor};
use crate::App;
use crate::error::Result;
use crate::journal::JournalEntry;

/// How many entries a journal page holds, on every shell.
pub const JOURNAL_PAGE: u32 = 50;

/// One journal entry as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRow {
    /// The entry.
    pub entry: JournalEntry,
    /// Whether it is shared in a pair (the row shows the shared mark).
    pub shared: bool,
}

/// A page of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalScreen {
    /// At most [`JOURNAL_PAGE`] entries, newest first.
    pub rows: Vec<JournalRow>,
    /// Whether the person has a pair to share into (the share action shows).
    pub can_share: bool,
    /// Where the next page starts; none on the last page.
    pub next: Option<PageCursor>,
    /// The journal holds nothing yet: the first page is empty (the screen
    /// shows its empty state instead of a list).
    pub empty: bool,
}

impl JournalScreen {
    pub(crate) fn load(app: &App, after: Option<&PageCursor>) -> Result<JournalScreen> {
        let mut entries = app.journal().page(&page::query(JOURNAL_PAGE, after))?;
        let next = page::split(&mut entries, JOURNAL_PAGE, |e| (e.created_ms, &e.id));
        let shared = app.read(|s| s.shared_among(entries.iter().map(|e| e.id.as_str())))?;
        Ok(JournalScreen {
            empty: after.is_none() && entries.is_empty(),
            can_share: app.sharing().can_share()?,
            next,
            rows: entries
                .into_iter()
                .map(|entry| JournalRow {
                    shared: shared.contains(&entry.id),
                    entry,
                })
                .collect(),
        })
    }
}
