//! What a mentor–mentee pair shares: copies of entries, reach-outs, and what
//! each side shows the other about themselves.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::text::bounded;
use crate::error::Result;

/// Longest reach-out message, in characters.
pub const REACH_OUT_MAX: usize = 2_000;

/// Which side of a pair this device's person is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The person in recovery, who shares.
    Mentee,
    /// The peer mentor, who follows.
    Mentor,
}

impl Side {
    /// The side's name in JSON and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Mentee => "mentee",
            Side::Mentor => "mentor",
        }
    }

    /// The side from its name.
    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "mentee" => Some(Side::Mentee),
            "mentor" => Some(Side::Mentor),
            _ => None,
        }
    }

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Mentee => Side::Mentor,
            Side::Mentor => Side::Mentee,
        }
    }
}

/// A journal entry or craving copied into a pair space. The copy is what
/// the mentor sees; the original stays in the mentee's private space.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct SharedItem {
    /// The original item's id.
    pub id: String,
    /// `journal` or `craving`.
    pub kind: String,
    /// When the original was written (journal) or happened (craving), UTC ms.
    pub at_ms: i64,
    /// When it was shared, UTC ms.
    pub shared_ms: i64,
    /// The zone of the original.
    pub tz: String,
    /// Journal text, or the craving's trigger.
    pub text: String,
    /// Journal mood (1–5) or craving intensity (0–10).
    pub level: Option<u8>,
    /// Tags (journal) or what helped (craving).
    pub labels: Vec<String>,
    /// The craving's outcome (`resisted`/`used`), or its note.
    pub detail: String,
    /// Tombstone: unshared items keep no content and are hidden.
    pub deleted: bool,
}

/// "I'm struggling right now": tops the mentor's overview until acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct ReachOut {
    /// Its id.
    pub id: String,
    /// What the mentee wrote (may be empty).
    pub text: String,
    /// When, UTC ms.
    pub at_ms: i64,
    /// When the mentor acknowledged it.
    pub acknowledged_ms: Option<i64>,
}

impl ReachOut {
    /// Checks the message's length.
    pub fn text(text: &str) -> Result<String> {
        bounded("reach-out text", text, 0, REACH_OUT_MAX)
    }
}

/// What one side of a pair shows the other, kept as scalars in the pair's
/// `people` document under keys prefixed with the side (`mentee.name`, …),
/// so each side writes only its own keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairPerson {
    /// Display name.
    pub name: Option<String>,
    /// The account id at the server (so the owner can end the pair).
    pub account_id: Option<String>,
    /// Their time zone, for counting clean days.
    pub timezone: Option<String>,
    /// Clean time per track, when shared: `(track name, current start date)`.
    pub clean_time: Option<Vec<SharedTrack>>,
    /// The public key of their account's identity (hex).
    #[serde(default)]
    pub identity: Option<String>,
    /// The mentor's proof of holding the invite: a MAC of the pair and
    /// their identity under a key derived from the invite's key (hex).
    #[serde(default)]
    pub identity_mac: Option<String>,
    /// Their linked devices, by device id: the device's box public key and
    /// their identity's signature over it for this pair (`KEY.SIGNATURE`,
    /// hex), kept one key per device (`mentee.device.ID`) so that what two
    /// of their devices write at once adds up. Where the other side seals
    /// a new epoch's key for them.
    #[serde(default)]
    pub devices: std::collections::BTreeMap<String, String>,
}

/// One track's clean time as shared with the other side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedTrack {
    /// The track's name.
    pub name: String,
    /// The current attempt's first day.
    pub since: chrono::NaiveDate,
    /// How many attempts so far.
    pub attempts: u32,
    /// The longest streak, in days.
    pub longest_streak_days: i64,
}
