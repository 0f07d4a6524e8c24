//! How regular a pair's meetings have been: what the mentor overview shows
//! per mentee, so that meetings drifting away is seen before it matters.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{MeetingView, views_between};
use crate::domain::meeting::MeetingStatus;
use crate::error::Result;
use crate::store::Store;

/// Meetings held in this many days count as "kept lately" (8 weeks).
pub const KEPT_WINDOW_DAYS: i64 = 56;
/// A pair with a schedule that held no meeting in this many days is flagged.
pub const QUIET_DAYS: i64 = 14;
/// How far back the summary looks for the last meeting held.
const LOOK_BACK_DAYS: i64 = 366;

/// A pair's meetings in numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSummary {
    /// The pair has a live schedule.
    pub scheduled: bool,
    /// The next meeting.
    pub next: Option<MeetingView>,
    /// When the last meeting held started.
    pub last_held: Option<DateTime<Utc>>,
    /// The same, in the viewer's own zone.
    pub last_held_local: Option<NaiveDateTime>,
    /// Whole days (in the viewer's zone) since the last meeting held, or,
    /// with none held yet, since the first meeting was due.
    pub days_since_held: Option<i64>,
    /// Meetings held in the last [`KEPT_WINDOW_DAYS`] days.
    pub kept_recently: u32,
    /// The last two meetings that were due were both marked missed.
    pub missed_twice: bool,
    /// No meeting was held in [`QUIET_DAYS`] days (or since the first
    /// meeting was due, that long ago).
    pub quiet: bool,
    /// Meetings ahead that someone asked to move.
    pub open_asks: u32,
}

/// The summary of `pair`'s meetings as the person in `viewer` sees it.
pub fn summary(store: &Store, pair: &str, viewer: Tz) -> Result<MeetingSummary> {
    let now = store.now();
    let doc = store.meetings(pair)?;
    let views = views_between(
        pair,
        &doc,
        now - Duration::days(LOOK_BACK_DAYS),
        now + Duration::days(LOOK_BACK_DAYS),
        viewer,
        now,
    );
    let mut views = views;
    views.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
    let past: Vec<&MeetingView> = views.iter().filter(|v| v.starts_at <= now).collect();
    let held: Vec<&MeetingView> = past
        .iter()
        .copied()
        .filter(|v| v.status == MeetingStatus::Held)
        .collect();
    let last_held = held.last().map(|v| v.starts_at);
    let first_due = views.first().map(|v| v.starts_at).filter(|t| *t <= now);
    let today = now.with_timezone(&viewer).date_naive();
    let days_since_held = last_held
        .or(first_due)
        .map(|t| (today - t.with_timezone(&viewer).date_naive()).num_days());
    let kept_recently = held
        .iter()
        .filter(|v| v.starts_at > now - Duration::days(KEPT_WINDOW_DAYS))
        .count() as u32;
    let missed_twice = past.len() >= 2
        && past[past.len() - 2..]
            .iter()
            .all(|v| v.status == MeetingStatus::Missed);
    let scheduled = doc.plans.values().any(|p| !p.deleted);
    Ok(MeetingSummary {
        scheduled,
        next: views
            .iter()
            .find(|v| {
                v.starts_at > now - Duration::hours(1)
                    && matches!(
                        v.status,
                        MeetingStatus::Scheduled | MeetingStatus::Moved | MeetingStatus::Unmarked
                    )
            })
            .cloned(),
        last_held,
        last_held_local: last_held.map(|t| t.with_timezone(&viewer).naive_local()),
        quiet: days_since_held.is_some_and(|d| d >= QUIET_DAYS),
        days_since_held,
        kept_recently,
        missed_twice,
        open_asks: views
            .iter()
            .filter(|v| v.starts_at > now && v.reschedule_asked)
            .count() as u32,
    })
}
