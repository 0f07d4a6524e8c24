//! What the busiest pages read from the core, and their HTML: shared by the
//! handlers and by the benchmark that holds them to the core's own calls.

use tandem_core::{Page, Result, Store};

use crate::render;

/// How many entries a journal page shows.
pub const JOURNAL_PAGE: u32 = 20;

/// The Today page.
pub fn today(s: &mut Store) -> Result<String> {
    Ok(render::today(
        &tandem_core::view::today(&s)?,
        &tandem_core::sync::engine::status(&s)?,
    ))
}

/// A page of the journal after `before` (the last entry shown).
pub fn journal(s: &mut Store, before: Option<(i64, String)>, csrf: &str) -> Result<String> {
    let entries = s.journal_page(&Page {
        limit: JOURNAL_PAGE,
        before,
    })?;
    let can_share = tandem_core::features::sharing::can_share(&s)?;
    let shared = s.shared_among(entries.iter().map(|e| e.id.as_str()))?;
    let rows: Vec<render::JournalRow<'_>> = entries
        .iter()
        .map(|entry| render::JournalRow {
            entry,
            shared: shared.contains(&entry.id),
        })
        .collect();
    let older = (entries.len() == JOURNAL_PAGE as usize)
        .then(|| entries.last().map(|e| format!("{}:{}", e.created_ms, e.id)))
        .flatten();
    Ok(render::journal(&rows, can_share, older, csrf))
}
