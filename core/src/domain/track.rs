//! Recovery tracks (alcohol, gambling, …), their resets, and the numbers a
//! person sees about them.
//!
//! A reset never erases anything: it adds a new start date to the track's
//! history. A reset's date is the first day of the new attempt, and the day
//! before it is taken as the day of the relapse, so a streak that started on
//! the 1st and was reset on the 11th counts 9 clean days.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clean_time::{self, MilestoneDate};
use super::date_field;
use super::text::bounded;
use crate::error::{Error, Result};

/// Longest track name, in characters.
pub const TRACK_NAME_MAX: usize = 60;
/// Longest reset note, in characters.
pub const RESET_NOTE_MAX: usize = 2_000;

/// One recovery track of a person.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Track {
    /// The track's id.
    pub id: String,
    /// What the person is recovering from, in their own words.
    pub name: String,
    /// The first start date (may be in the past: backdating is allowed).
    #[autosurgeon(with = "date_field")]
    pub since: NaiveDate,
    /// When the track was created (UTC ms).
    pub created_ms: i64,
    /// Every reset so far, keyed by its own id so resets from two devices merge.
    pub resets: BTreeMap<String, Reset>,
    /// Tombstone: a removed track is hidden everywhere but kept in history.
    #[serde(default)]
    pub deleted: bool,
}

/// A relapse or reset: a new start date, with an optional note.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Reset {
    /// The first day of the new attempt.
    #[autosurgeon(with = "date_field")]
    pub date: NaiveDate,
    /// What the person wants to remember about it.
    pub note: String,
    /// When the reset was recorded (UTC ms).
    pub recorded_ms: i64,
}

/// The numbers shown for a track on a given local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackStats {
    /// The track's id.
    pub id: String,
    /// The track's name.
    pub name: String,
    /// The start of the current attempt.
    pub current_start: NaiveDate,
    /// Whole local calendar days clean in the current attempt.
    pub clean_days: i64,
    /// How many attempts there have been, the current one included.
    pub attempts: u32,
    /// The longest streak of any attempt, the current one included.
    pub longest_streak_days: i64,
    /// Clean days over all attempts.
    pub total_clean_days: i64,
    /// The latest milestone reached in the current attempt.
    pub last_milestone: Option<MilestoneDate>,
    /// The next milestone ahead.
    pub next_milestone: Option<MilestoneDate>,
    /// Days until the next milestone.
    pub days_to_next_milestone: Option<i64>,
}

impl Track {
    /// A new track starting on `since`, which must not be after `today`.
    pub fn new(
        id: String,
        name: &str,
        since: NaiveDate,
        today: NaiveDate,
        now_ms: i64,
    ) -> Result<Self> {
        if since > today {
            return Err(Error::invalid(
                "since",
                "the start date cannot be in the future",
            ));
        }
        Ok(Track {
            id,
            name: bounded("name", name, 1, TRACK_NAME_MAX)?,
            since,
            created_ms: now_ms,
            resets: BTreeMap::new(),
            deleted: false,
        })
    }

    /// Every attempt's start date, oldest first.
    pub fn attempt_starts(&self) -> Vec<NaiveDate> {
        let mut resets: Vec<&Reset> = self.resets.values().collect();
        resets.sort_by_key(|r| (r.date, r.recorded_ms));
        std::iter::once(self.since)
            .chain(resets.into_iter().map(|r| r.date))
            .collect()
    }

    /// The start of the current attempt.
    pub fn current_start(&self) -> NaiveDate {
        self.attempt_starts().last().copied().unwrap_or(self.since)
    }

    /// Validates a reset to `date`: not before the current start, not in the future.
    pub fn check_reset(&self, date: NaiveDate, note: &str, today: NaiveDate) -> Result<Reset> {
        if date > today {
            return Err(Error::invalid("date", "a reset cannot be in the future"));
        }
        if date < self.current_start() {
            return Err(Error::invalid(
                "date",
                format!(
                    "a reset cannot be before the current start ({})",
                    self.current_start()
                ),
            ));
        }
        Ok(Reset {
            date,
            note: bounded("note", note, 0, RESET_NOTE_MAX)?,
            recorded_ms: 0,
        })
    }

    /// The numbers for this track on the local day `today`.
    pub fn stats(&self, today: NaiveDate) -> TrackStats {
        let starts = self.attempt_starts();
        let current = *starts.last().unwrap_or(&self.since);
        let mut longest = 0;
        let mut total = 0;
        for pair in starts.windows(2) {
            // The day before the next start is the day of the relapse.
            let streak = ((pair[1] - pair[0]).num_days() - 1).max(0);
            longest = longest.max(streak);
            total += streak;
        }
        let clean = clean_time::clean_days(current, today);
        longest = longest.max(clean);
        total += clean;
        let (last, next) = clean_time::milestones(current, today);
        TrackStats {
            id: self.id.clone(),
            name: self.name.clone(),
            current_start: current,
            clean_days: clean,
            attempts: starts.len() as u32,
            longest_streak_days: longest,
            total_clean_days: total,
            last_milestone: last,
            days_to_next_milestone: next.map(|n| (n.date - today).num_days()),
            next_milestone: next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clean_time::Rung;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn reset(t: &mut Track, id: &str, date: &str, today: &str) {
        let mut r = t.check_reset(d(date), "", d(today)).unwrap();
        r.recorded_ms = t.resets.len() as i64;
        t.resets.insert(id.into(), r);
    }

    #[test]
    fn backdated_start_counts_and_future_is_refused() {
        let t = Track::new("t".into(), "alcohol", d("2025-01-01"), d("2026-01-01"), 0).unwrap();
        assert_eq!(t.stats(d("2026-01-01")).clean_days, 365);
        assert!(Track::new("t".into(), "alcohol", d("2026-01-02"), d("2026-01-01"), 0).is_err());
        assert!(Track::new("t".into(), " ", d("2026-01-01"), d("2026-01-01"), 0).is_err());
    }

    #[test]
    fn resets_keep_history() {
        let mut t = Track::new("t".into(), "alcohol", d("2026-01-01"), d("2026-01-01"), 0).unwrap();
        // Sober Jan 1..=9, relapse Jan 10, new start Jan 11.
        reset(&mut t, "r1", "2026-01-11", "2026-01-11");
        // Sober Jan 11..=30 (20 days), relapse Jan 31, new start Feb 1.
        reset(&mut t, "r2", "2026-02-01", "2026-02-01");
        let s = t.stats(d("2026-02-06"));
        assert_eq!(s.current_start, d("2026-02-01"));
        assert_eq!(s.clean_days, 5);
        assert_eq!(s.attempts, 3);
        assert_eq!(s.longest_streak_days, 20);
        assert_eq!(s.total_clean_days, 9 + 20 + 5);
        assert_eq!(s.last_milestone.unwrap().rung, Rung::Days(1));
        assert_eq!(s.next_milestone.unwrap().rung, Rung::Days(7));
        assert_eq!(s.days_to_next_milestone, Some(2));
        // Nothing was erased.
        assert_eq!(t.since, d("2026-01-01"));
        assert_eq!(t.resets.len(), 2);
    }

    #[test]
    fn current_streak_can_be_the_longest() {
        let mut t =
            Track::new("t".into(), "gambling", d("2026-01-01"), d("2026-01-01"), 0).unwrap();
        reset(&mut t, "r1", "2026-01-04", "2026-01-04");
        let s = t.stats(d("2026-03-01"));
        assert_eq!(s.longest_streak_days, s.clean_days);
        assert_eq!(s.clean_days, 56);
    }

    #[test]
    fn reset_bounds() {
        let t = Track::new("t".into(), "x", d("2026-01-10"), d("2026-01-20"), 0).unwrap();
        assert!(t.check_reset(d("2026-01-09"), "", d("2026-01-20")).is_err());
        assert!(t.check_reset(d("2026-01-21"), "", d("2026-01-20")).is_err());
        assert!(t.check_reset(d("2026-01-10"), "", d("2026-01-20")).is_ok());
        assert!(
            t.check_reset(
                d("2026-01-15"),
                &"n".repeat(RESET_NOTE_MAX + 1),
                d("2026-01-20")
            )
            .is_err()
        );
    }
}
