//! Shared notes: a title and a body that two people edit together.
//!
//! Each note is its own document. The body is automerge Text, so concurrent
//! edits merge character by character; see [`crate::document::note`].

use serde::{Deserialize, Serialize};

use super::text::bounded;
use crate::error::Result;

/// Longest note title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest note body, in characters.
pub const BODY_MAX: usize = 100_000;

/// A shared note as read out of its document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedNote {
    /// The note's id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The body text, merged from everyone's edits.
    pub body: String,
    /// Created (UTC ms).
    pub created_ms: i64,
    /// Last edited (UTC ms).
    pub edited_ms: i64,
    /// Tombstone.
    #[serde(default)]
    pub deleted: bool,
}

/// Validates a note title.
pub fn title(s: &str) -> Result<String> {
    bounded("title", s, 1, TITLE_MAX)
}

/// Validates a note body (may be empty; surrounding whitespace is kept).
pub fn body(s: &str) -> Result<String> {
    // A body keeps its own whitespace: only the length is bounded.
    bounded("body", s, 0, BODY_MAX)?;
    Ok(s.to_owned())
}
