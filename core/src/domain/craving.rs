//! The trigger and craving log: what set it off, how strong, what helped, how it ended.

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text::{bounded, labels, scale};
use crate::error::{Error, Result};

/// Longest trigger description, in characters.
pub const TRIGGER_MAX: usize = 200;
/// Longest note, in characters.
pub const NOTE_MAX: usize = 5_000;
/// Most situation tags or coping strategies on one entry.
pub const LABELS_MAX: usize = 20;
/// Longest situation tag or coping strategy, in characters.
pub const LABEL_MAX: usize = 80;
/// How far in the future (clock skew) a craving's time may lie, in minutes.
pub const FUTURE_SKEW_MINUTES: i64 = 5;

/// How a craving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The person did not use.
    Resisted,
    /// The person used.
    Used,
}

impl Outcome {
    /// The outcome's name as used in the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resisted => "resisted",
            Outcome::Used => "used",
        }
    }
}

impl std::str::FromStr for Outcome {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "resisted" => Ok(Outcome::Resisted),
            "used" => Ok(Outcome::Used),
            other => Err(Error::invalid(
                "outcome",
                format!("{other:?} is not resisted or used"),
            )),
        }
    }
}

/// A craving as stored in its month's document.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct CravingEntry {
    /// The entry's id.
    pub id: String,
    /// When the craving happened (UTC ms); may be before it was logged.
    pub at_ms: i64,
    /// The IANA zone the person was in: fixes its local hour and day for good.
    pub tz: String,
    /// What triggered it.
    pub trigger: String,
    /// Intensity 0–10.
    pub intensity: u8,
    /// Situation tags: place, people, feelings.
    pub situation: Vec<String>,
    /// Coping strategies that were tried.
    pub helped: Vec<String>,
    /// How it ended, if known.
    pub outcome: Option<Outcome>,
    /// A free note.
    pub note: String,
    /// When it was logged (UTC ms).
    pub created_ms: i64,
    /// Tombstone.
    #[serde(default)]
    pub deleted: bool,
}

/// What a person enters for a craving.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CravingInput {
    /// What triggered it.
    pub trigger: String,
    /// Intensity 0–10.
    pub intensity: i64,
    /// Situation tags.
    pub situation: Vec<String>,
    /// Coping strategies.
    pub helped: Vec<String>,
    /// How it ended.
    pub outcome: Option<Outcome>,
    /// A free note.
    pub note: String,
    /// When it happened; `None` means now.
    pub at: Option<DateTime<Utc>>,
}

impl CravingInput {
    /// Validates the input into a stored entry, given the current instant and zone.
    pub fn into_entry(self, id: String, now: DateTime<Utc>, tz: &str) -> Result<CravingEntry> {
        let at = self.at.unwrap_or(now);
        if at > now + chrono::Duration::minutes(FUTURE_SKEW_MINUTES) {
            return Err(Error::invalid(
                "at",
                "a craving cannot be logged in the future",
            ));
        }
        if at.timestamp() < 0 {
            return Err(Error::invalid("at", "must be after 1970"));
        }
        Ok(CravingEntry {
            id,
            at_ms: at.timestamp_millis(),
            tz: tz.to_owned(),
            trigger: bounded("trigger", &self.trigger, 1, TRIGGER_MAX)?,
            intensity: scale("intensity", self.intensity, 0, 10)?,
            situation: labels("situation", &self.situation, LABELS_MAX, LABEL_MAX)?,
            helped: labels("helped", &self.helped, LABELS_MAX, LABEL_MAX)?,
            outcome: self.outcome,
            note: bounded("note", &self.note, 0, NOTE_MAX)?,
            created_ms: now.timestamp_millis(),
            deleted: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn input() -> CravingInput {
        CravingInput {
            trigger: "payday".into(),
            intensity: 7,
            ..Default::default()
        }
    }

    #[test]
    fn bounds() {
        assert!(input().into_entry("i".into(), now(), "UTC").is_ok());
        for bad in [-1, 11, 100] {
            let e = CravingInput {
                intensity: bad,
                ..input()
            }
            .into_entry("i".into(), now(), "UTC");
            assert!(matches!(
                e,
                Err(Error::Validation {
                    field: "intensity",
                    ..
                })
            ));
        }
        let e = CravingInput {
            trigger: "".into(),
            ..input()
        }
        .into_entry("i".into(), now(), "UTC");
        assert!(matches!(
            e,
            Err(Error::Validation {
                field: "trigger",
                ..
            })
        ));
        let e = CravingInput {
            note: "n".repeat(NOTE_MAX + 1),
            ..input()
        }
        .into_entry("i".into(), now(), "UTC");
        assert!(matches!(e, Err(Error::Validation { field: "note", .. })));
    }

    #[test]
    fn may_be_logged_after_the_fact_but_not_ahead() {
        let yesterday = now() - chrono::Duration::days(1);
        let e = CravingInput {
            at: Some(yesterday),
            ..input()
        }
        .into_entry("i".into(), now(), "UTC")
        .unwrap();
        assert_eq!(e.at_ms, yesterday.timestamp_millis());
        assert_eq!(e.created_ms, now().timestamp_millis());
        let ahead = now() + chrono::Duration::hours(1);
        let e = CravingInput {
            at: Some(ahead),
            ..input()
        }
        .into_entry("i".into(), now(), "UTC");
        assert!(matches!(e, Err(Error::Validation { field: "at", .. })));
    }

    #[test]
    fn outcome_parses() {
        assert_eq!("Resisted".parse::<Outcome>().unwrap(), Outcome::Resisted);
        assert_eq!("used".parse::<Outcome>().unwrap(), Outcome::Used);
        assert!("maybe".parse::<Outcome>().is_err());
    }
}
