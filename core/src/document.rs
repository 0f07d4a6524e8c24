//! Documents: which automerge document holds which item, and how items are
//! written into and read out of a document.
//!
//! A space holds these documents (see `docs/data-model.md`):
//!
//! | id                     | holds                                      |
//! |------------------------|--------------------------------------------|
//! | `profile`              | the person's name and zone, their tracks   |
//! | `journal/YYYY-MM`      | journal entries of that local month        |
//! | `cravings/YYYY-MM`     | cravings of that local month               |
//! | `checkins/YYYY-MM`     | check-ins of that local month              |
//! | `goals`                | every goal of the space with its milestones|
//! | `note/<id>`            | one shared note                            |
//! | `keyring`              | the keys of the person's pair spaces       |
//! | `devices`              | the person's devices and their public keys |
//!
//! A pair space holds the same kinds under `pair/<space id>/`: `goals`
//! (goals the mentee shared), `shared` (copies of shared journal entries and
//! cravings), `reachouts`, `people` (what each side shows the other: name,
//! clean time), `meetings` (the schedule the two agreed on and the record of
//! each meeting) and `note/<id>`.
//!
//! Every item sits at the document root under its own random id. No code ever
//! creates a container at a fixed key of a document that another device may
//! also create: two devices that start the same month's shard offline each
//! begin from the empty document (which has no changes), so their changes
//! always merge and nothing vanishes from view.

pub mod item;
pub mod meetings;
pub mod note;
pub mod shard;

use std::fmt;

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// What kind of items a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// The person and their tracks.
    Profile,
    /// A month of journal entries.
    Journal,
    /// A month of cravings.
    Cravings,
    /// A month of check-ins.
    CheckIns,
    /// All goals of a space.
    Goals,
    /// One shared note.
    Note,
    /// The keys of the person's pair spaces (private space only).
    Keyring,
    /// Copies of journal entries and cravings a mentee shared (pair space).
    Shared,
    /// Reach-outs (pair space).
    ReachOuts,
    /// What each side of a pair shows the other (pair space).
    People,
    /// The person's devices and their public keys (private space only).
    Devices,
    /// The pair's meeting schedules, marks and meeting notes (pair space).
    Meetings,
}

/// The id of a document inside its space.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(String);

impl DocId {
    /// The profile document.
    pub fn profile() -> Self {
        DocId("profile".into())
    }

    /// The goals document.
    pub fn goals() -> Self {
        DocId("goals".into())
    }

    /// The journal shard of the month `day` falls in.
    pub fn journal(day: NaiveDate) -> Self {
        DocId(format!("journal/{}", day.format("%Y-%m")))
    }

    /// The craving shard of the month `day` falls in.
    pub fn cravings(day: NaiveDate) -> Self {
        DocId(format!("cravings/{}", day.format("%Y-%m")))
    }

    /// The check-in shard of the month `day` falls in.
    pub fn checkins(day: NaiveDate) -> Self {
        DocId(format!("checkins/{}", day.format("%Y-%m")))
    }

    /// The document of the shared note `id`.
    pub fn note(id: &str) -> Self {
        DocId(format!("note/{id}"))
    }

    /// The devices document.
    pub fn devices() -> Self {
        DocId("devices".into())
    }

    /// The keyring document.
    pub fn keyring() -> Self {
        DocId("keyring".into())
    }

    /// A document `inner` (`goals`, `shared`, `reachouts`, `people`,
    /// `meetings`, `note/<id>`) of the pair space `space_id`.
    pub fn in_pair(space_id: &str, inner: &str) -> Self {
        DocId(format!("pair/{space_id}/{inner}"))
    }

    /// The pair space this document belongs to (`None`: the private space).
    pub fn pair_space(&self) -> Option<&str> {
        let rest = self.0.strip_prefix("pair/")?;
        rest.split_once('/').map(|(space, _)| space)
    }

    /// The id inside the space: `goals`, `note/<id>`, … (without `pair/<space>/`).
    pub fn inner(&self) -> &str {
        match self.0.strip_prefix("pair/").and_then(|r| r.split_once('/')) {
            Some((_, inner)) => inner,
            None => &self.0,
        }
    }

    /// Parses a stored document id, refusing anything this build does not know.
    pub fn parse(s: &str) -> Result<Self> {
        let id = DocId(s.to_owned());
        id.kind()?;
        Ok(id)
    }

    /// What the document holds.
    pub fn kind(&self) -> Result<DocKind> {
        let bad = || {
            Error::invalid(
                "document id",
                format!("{:?} is not a known document", self.0),
            )
        };
        let month_ok = |m: &str| {
            NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_ok() && m.len() == 7
        };
        if let Some(rest) = self.0.strip_prefix("pair/") {
            let (space, inner) = rest.split_once('/').ok_or_else(bad)?;
            if !crate::id::is_well_formed(space) {
                return Err(bad());
            }
            return match inner.split_once('/') {
                None if inner == "goals" => Ok(DocKind::Goals),
                None if inner == "shared" => Ok(DocKind::Shared),
                None if inner == "reachouts" => Ok(DocKind::ReachOuts),
                None if inner == "people" => Ok(DocKind::People),
                None if inner == "meetings" => Ok(DocKind::Meetings),
                Some(("note", id)) if crate::id::is_well_formed(id) => Ok(DocKind::Note),
                _ => Err(bad()),
            };
        }
        match self.0.split_once('/') {
            None if self.0 == "profile" => Ok(DocKind::Profile),
            None if self.0 == "goals" => Ok(DocKind::Goals),
            None if self.0 == "keyring" => Ok(DocKind::Keyring),
            None if self.0 == "devices" => Ok(DocKind::Devices),
            Some(("journal", m)) if month_ok(m) => Ok(DocKind::Journal),
            Some(("cravings", m)) if month_ok(m) => Ok(DocKind::Cravings),
            Some(("checkins", m)) if month_ok(m) => Ok(DocKind::CheckIns),
            Some(("note", id)) if crate::id::is_well_formed(id) => Ok(DocKind::Note),
            _ => Err(bad()),
        }
    }

    /// The first and last day of the month a journal, craving or check-in
    /// shard holds (`None` for every other document).
    pub fn month(&self) -> Option<(NaiveDate, NaiveDate)> {
        let (_, m) = self.0.split_once('/')?;
        if !matches!(
            self.kind(),
            Ok(DocKind::Journal | DocKind::Cravings | DocKind::CheckIns)
        ) {
            return None;
        }
        let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok()?;
        let last = first
            .checked_add_months(chrono::Months::new(1))?
            .pred_opt()?;
        Some((first, last))
    }

    /// The id as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The root keys of the profile document that are not items.
pub mod profile_keys {
    /// The person's display name (a scalar).
    pub const NAME: &str = "name";
    /// The person's IANA time zone (a scalar).
    pub const TIMEZONE: &str = "timezone";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_refused() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        for id in [
            DocId::profile(),
            DocId::goals(),
            DocId::journal(day),
            DocId::cravings(day),
            DocId::checkins(day),
            DocId::note(&crate::id::new_id()),
            DocId::keyring(),
            DocId::in_pair(&crate::id::new_id(), "goals"),
            DocId::in_pair(&crate::id::new_id(), "shared"),
            DocId::in_pair(&crate::id::new_id(), "meetings"),
            DocId::in_pair(
                &crate::id::new_id(),
                &format!("note/{}", crate::id::new_id()),
            ),
        ] {
            assert_eq!(DocId::parse(id.as_str()).unwrap(), id);
        }
        assert_eq!(DocId::journal(day).as_str(), "journal/2026-03");
        for bad in [
            "",
            "journal",
            "journal/2026-13",
            "journal/26-01",
            "note/xyz",
            "other/2026-01",
            "profile/x",
            "pair/xyz/goals",
            "pair/0123456789abcdef0123456789abcdef/journal/2026-01",
            "pair/0123456789abcdef0123456789abcdef",
        ] {
            assert!(DocId::parse(bad).is_err(), "{bad}");
        }
    }
}
