//! The daily check-in: one per local calendar day, editable during that day.
//!
//! Each check-in is keyed by its own id. If two devices both create one for
//! the same day while offline, both are kept in the document and the read
//! model shows the one edited last (ties broken by id), so every device shows
//! the same one and nothing is lost.

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::date_field;
use super::text::{bounded, scale};
use crate::error::Result;

/// Longest check-in note, in characters.
pub const NOTE_MAX: usize = 2_000;

/// A check-in as stored in its month's document.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct CheckIn {
    /// The check-in's id.
    pub id: String,
    /// The local calendar day it is for.
    #[autosurgeon(with = "date_field")]
    pub day: NaiveDate,
    /// Mood 1–5.
    pub mood: u8,
    /// Craving strength 0–10 over the day.
    pub craving: u8,
    /// Whether the person used that day.
    pub used: bool,
    /// A free note.
    pub note: String,
    /// When it was first saved (UTC ms).
    pub created_ms: i64,
    /// When it was last saved (UTC ms).
    pub edited_ms: i64,
}

/// What a person enters for today's check-in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInInput {
    /// Mood 1–5.
    pub mood: i64,
    /// Craving 0–10.
    pub craving: i64,
    /// Used today.
    pub used: bool,
    /// A note.
    pub note: String,
}

/// The validated fields of a [`CheckInInput`]: mood, craving, used, note.
pub type CheckInFields = (u8, u8, bool, String);

impl CheckInInput {
    /// Checks every bound.
    pub fn validate(&self) -> Result<CheckInFields> {
        Ok((
            scale("mood", self.mood, 1, 5)?,
            scale("craving", self.craving, 0, 10)?,
            self.used,
            bounded("note", &self.note, 0, NOTE_MAX)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let ok = CheckInInput {
            mood: 3,
            craving: 0,
            used: false,
            note: String::new(),
        };
        assert!(ok.validate().is_ok());
        assert!(
            CheckInInput {
                mood: 0,
                ..ok.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            CheckInInput {
                craving: 11,
                ..ok.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            CheckInInput {
                note: "n".repeat(NOTE_MAX + 1),
                ..ok
            }
            .validate()
            .is_err()
        );
    }
}
