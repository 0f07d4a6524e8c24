//! The Cravings screen: a page of the craving log, newest first, each marked shared
//! or not.

use serde::{Deserialize, Serialize};

use super::page::{self, PageCursor};
use crate::App;
use crate::craving::CravingEntry;
use crate::error::Result;

/// How many cravings a page of the log holds, on every shell.
pub const CRAVINGS_PAGE: u32 = 50;

/// One craving as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingRow {
    /// The craving.
    pub craving: CravingEntry,
    /// Whether it is shared in a pair (the row shows the shared mark).
    pub shared: bool,
}

/// A page of the craving log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingsScreen {
    /// At most [`CRAVINGS_PAGE`] cravings, newest first (by when they happened).
    pub rows: Vec<CravingRow>,
    /// Whether the person has a pair to share into (the share action shows).
    pub can_share: bool,
    /// Where the next page starts; none on the last page.
    pub next: Option<PageCursor>,
    /// The log holds nothing yet: the first page is empty (the screen
    /// shows its empty state instead of a list).
    pub empty: bool,
}

impl CravingsScreen {
    pub(crate) fn load(app: &App, after: Option<&PageCursor>) -> Result<CravingsScreen> {
        let mut cravings = app.cravings().page(&page::query(CRAVINGS_PAGE, after))?;
        let next = page::split(&mut cravings, CRAVINGS_PAGE, |e| (e.at_ms, &e.id));
        let shared = app.read(|s| s.shared_among(cravings.iter().map(|e| e.id.as_str())))?;
        Ok(CravingsScreen {
            empty: after.is_none() && cravings.is_empty(),
            can_share: app.sharing().can_share()?,
            next,
            rows: cravings
                .into_iter()
                .map(|craving| CravingRow {
                    shared: shared.contains(&craving.id),
                    craving,
                })
                .collect(),
        })
    }
}
