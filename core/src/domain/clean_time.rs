//! Clean time: whole local calendar days since a start date, and the ladder of
//! milestones a person climbs.
//!
//! Days are counted on the calendar of the person's current time zone, never
//! as elapsed hours divided by 24: a DST change (a 23- or 25-hour day) moves
//! nothing, and after a flight the count follows the local calendar where the
//! person is now.

use chrono::{DateTime, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The local calendar date at `now` in `tz`.
pub fn local_date(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Whole calendar days from `start` to `today`; zero if `start` is later.
pub fn clean_days(start: NaiveDate, today: NaiveDate) -> i64 {
    (today - start).num_days().max(0)
}

/// One rung of the milestone ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "count", rename_all = "snake_case")]
pub enum Rung {
    /// A number of days (1, 7, 14, 30, 60, 90, 180, 270, 365).
    Days(u32),
    /// A number of calendar months (18).
    Months(u32),
    /// A number of calendar years (2, 3, …).
    Years(u32),
}

impl Rung {
    /// The date on which this rung is reached for a streak that started on `start`.
    /// `None` only past the end of the calendar.
    pub fn date_from(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Rung::Days(d) => start.checked_add_days(chrono::Days::new(u64::from(d))),
            Rung::Months(m) => start.checked_add_months(Months::new(m)),
            Rung::Years(y) => start.checked_add_months(Months::new(y.checked_mul(12)?)),
        }
    }
}

const DAY_RUNGS: [u32; 9] = [1, 7, 14, 30, 60, 90, 180, 270, 365];

/// The milestone ladder, in order: 1, 7, 14, 30, 60, 90, 180, 270 and 365
/// days, 18 months, then every year from the second on.
pub fn ladder() -> impl Iterator<Item = Rung> {
    DAY_RUNGS
        .into_iter()
        .map(Rung::Days)
        .chain(std::iter::once(Rung::Months(18)))
        .chain((2..=u32::MAX / 12).map(Rung::Years))
}

/// A rung together with the date it falls on for one streak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneDate {
    /// The rung.
    pub rung: Rung,
    /// The local date on which it is (or was) reached.
    pub date: NaiveDate,
}

/// The next rung still ahead of `today` for a streak started on `start`, and
/// the latest one already reached (if any). A rung falling on `today` counts
/// as reached.
pub fn milestones(
    start: NaiveDate,
    today: NaiveDate,
) -> (Option<MilestoneDate>, Option<MilestoneDate>) {
    let mut reached = None;
    for rung in ladder() {
        let Some(date) = rung.date_from(start) else {
            return (reached, None);
        };
        let mark = MilestoneDate { rung, date };
        if date > today {
            return (reached, Some(mark));
        }
        reached = Some(mark);
    }
    (reached, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::{America, Europe};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn counts_calendar_days_not_hours() {
        assert_eq!(clean_days(d("2026-01-01"), d("2026-01-01")), 0);
        assert_eq!(clean_days(d("2026-01-01"), d("2026-01-02")), 1);
        assert_eq!(clean_days(d("2026-01-02"), d("2026-01-01")), 0);
        assert_eq!(clean_days(d("2024-01-01"), d("2025-01-01")), 366);
    }

    #[test]
    fn new_york_spring_forward_day_still_counts_one() {
        // 2026-03-08 has 23 hours in New York.
        let tz = America::New_York;
        let start = d("2026-03-07");
        let before = tz
            .with_ymd_and_hms(2026, 3, 7, 23, 30, 0)
            .unwrap()
            .with_timezone(&Utc);
        let after = tz
            .with_ymd_and_hms(2026, 3, 9, 0, 30, 0)
            .unwrap()
            .with_timezone(&Utc);
        // Only 24 elapsed hours (one of them skipped), but two calendar days.
        assert_eq!((after - before).num_hours(), 24);
        assert_eq!(clean_days(start, local_date(before, tz)), 0);
        assert_eq!(clean_days(start, local_date(after, tz)), 2);
        // Just after midnight on the short day itself.
        let short_day = tz
            .with_ymd_and_hms(2026, 3, 8, 0, 5, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(clean_days(start, local_date(short_day, tz)), 1);
    }

    #[test]
    fn new_york_fall_back_day_still_counts_one() {
        // 2026-11-01 has 25 hours in New York; 23:30 local is 04:30 UTC next day.
        let tz = America::New_York;
        let start = d("2026-10-31");
        let late = utc("2026-11-02T04:30:00Z");
        assert_eq!(local_date(late, tz), d("2026-11-01"));
        assert_eq!(clean_days(start, local_date(late, tz)), 1);
    }

    #[test]
    fn berlin_dst_changes() {
        let tz = Europe::Berlin;
        let start = d("2026-03-28");
        // 2026-03-29 02:00 -> 03:00 in Berlin. 00:30 on the 30th is 22:30 UTC on the 29th.
        assert_eq!(
            clean_days(start, local_date(utc("2026-03-29T22:30:00Z"), tz)),
            2
        );
        assert_eq!(
            clean_days(start, local_date(utc("2026-03-29T21:30:00Z"), tz)),
            1
        );
        // 2026-10-25 03:00 -> 02:00: 23:30 local on the 25th is 22:30 UTC.
        let start = d("2026-10-24");
        assert_eq!(
            clean_days(start, local_date(utc("2026-10-25T22:30:00Z"), tz)),
            1
        );
        assert_eq!(
            clean_days(start, local_date(utc("2026-10-25T23:30:00Z"), tz)),
            2
        );
    }

    #[test]
    fn trip_from_berlin_to_los_angeles_follows_the_local_calendar() {
        let start = d("2026-06-01");
        // 2026-06-11 08:00 UTC: 10:00 in Berlin, 01:00 in Los Angeles, both on the 11th.
        let at = utc("2026-06-11T08:00:00Z");
        assert_eq!(clean_days(start, local_date(at, Europe::Berlin)), 10);
        assert_eq!(clean_days(start, local_date(at, America::Los_Angeles)), 10);
        // 2026-06-11 23:30 UTC: already the 12th in Berlin, still the 11th in LA.
        let at = utc("2026-06-11T23:30:00Z");
        assert_eq!(clean_days(start, local_date(at, Europe::Berlin)), 11);
        assert_eq!(clean_days(start, local_date(at, America::Los_Angeles)), 10);
        // After landing, the next LA midnight adds the day: nothing is lost or counted twice.
        let at = utc("2026-06-12T07:30:00Z");
        assert_eq!(clean_days(start, local_date(at, America::Los_Angeles)), 11);
    }

    #[test]
    fn ladder_order() {
        let first: Vec<Rung> = ladder().take(12).collect();
        assert_eq!(
            first,
            vec![
                Rung::Days(1),
                Rung::Days(7),
                Rung::Days(14),
                Rung::Days(30),
                Rung::Days(60),
                Rung::Days(90),
                Rung::Days(180),
                Rung::Days(270),
                Rung::Days(365),
                Rung::Months(18),
                Rung::Years(2),
                Rung::Years(3),
            ]
        );
    }

    #[test]
    fn next_and_reached_milestones() {
        let start = d("2026-01-01");
        let (reached, next) = milestones(start, start);
        assert_eq!(reached, None);
        assert_eq!(next.unwrap().rung, Rung::Days(1));
        assert_eq!(next.unwrap().date, d("2026-01-02"));

        let (reached, next) = milestones(start, d("2026-01-08"));
        assert_eq!(reached.unwrap().rung, Rung::Days(7));
        assert_eq!(next.unwrap().rung, Rung::Days(14));

        // Day 365 reached, 18 months next, then year 2.
        let (reached, next) = milestones(start, d("2027-01-01"));
        assert_eq!(reached.unwrap().rung, Rung::Days(365));
        assert_eq!(
            next.unwrap(),
            MilestoneDate {
                rung: Rung::Months(18),
                date: d("2027-07-01")
            }
        );
        let (_, next) = milestones(start, d("2027-07-01"));
        assert_eq!(
            next.unwrap(),
            MilestoneDate {
                rung: Rung::Years(2),
                date: d("2028-01-01")
            }
        );
        let (reached, next) = milestones(start, d("2036-02-01"));
        assert_eq!(reached.unwrap().rung, Rung::Years(10));
        assert_eq!(next.unwrap().rung, Rung::Years(11));
    }

    #[test]
    fn leap_day_start_clamps_to_month_end() {
        let start = d("2024-02-29");
        assert_eq!(Rung::Years(2).date_from(start), Some(d("2026-02-28")));
        assert_eq!(Rung::Months(18).date_from(start), Some(d("2025-08-29")));
    }
}
