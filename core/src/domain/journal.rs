//! Journal entries: private prose with an optional mood and tags.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::text::{bounded, labels, scale};
use crate::error::Result;

/// Longest journal entry, in characters.
pub const TEXT_MAX: usize = 20_000;
/// Most tags on one entry.
pub const TAGS_MAX: usize = 20;
/// Longest tag, in characters.
pub const TAG_MAX: usize = 40;

/// A journal entry as stored in its month's document.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The entry's id.
    pub id: String,
    /// What the person wrote.
    pub text: String,
    /// Mood 1 (very low) to 5 (very good), if given.
    pub mood: Option<u8>,
    /// Lower-cased tags.
    pub tags: Vec<String>,
    /// When it was written (UTC ms).
    pub created_ms: i64,
    /// When it was last edited (UTC ms).
    pub edited_ms: i64,
    /// The IANA zone the person was in when writing: fixes the entry's local day for good.
    pub tz: String,
    /// Tombstone: deleted entries keep no text and are hidden everywhere.
    #[serde(default)]
    pub deleted: bool,
}

/// What a person types for a new entry or an edit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalInput {
    /// The text.
    pub text: String,
    /// Mood 1–5.
    pub mood: Option<i64>,
    /// Tags.
    pub tags: Vec<String>,
}

/// The validated fields of a [`JournalInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalFields {
    /// Trimmed text.
    pub text: String,
    /// Mood 1–5.
    pub mood: Option<u8>,
    /// Normalised tags.
    pub tags: Vec<String>,
}

impl JournalInput {
    /// Checks every bound.
    pub fn validate(&self) -> Result<JournalFields> {
        Ok(JournalFields {
            text: bounded("text", &self.text, 1, TEXT_MAX)?,
            mood: self.mood.map(|m| scale("mood", m, 1, 5)).transpose()?,
            tags: labels("tag", &self.tags, TAGS_MAX, TAG_MAX)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn bounds() {
        let ok = JournalInput {
            text: "A good day".into(),
            mood: Some(4),
            tags: vec!["Work".into()],
        };
        let v = ok.validate().unwrap();
        assert_eq!(v.tags, vec!["work"]);
        let empty = JournalInput {
            text: "  ".into(),
            ..Default::default()
        };
        assert!(matches!(
            empty.validate(),
            Err(Error::Validation { field: "text", .. })
        ));
        let long = JournalInput {
            text: "x".repeat(TEXT_MAX + 1),
            ..Default::default()
        };
        assert!(long.validate().is_err());
        let at_max = JournalInput {
            text: "x".repeat(TEXT_MAX),
            ..Default::default()
        };
        assert!(at_max.validate().is_ok());
        for mood in [0, 6, -3] {
            let bad = JournalInput {
                text: "t".into(),
                mood: Some(mood),
                tags: vec![],
            };
            assert!(matches!(
                bad.validate(),
                Err(Error::Validation { field: "mood", .. })
            ));
        }
        let many = JournalInput {
            text: "t".into(),
            mood: None,
            tags: (0..=TAGS_MAX).map(|i| format!("t{i}")).collect(),
        };
        assert!(many.validate().is_err());
    }
}
