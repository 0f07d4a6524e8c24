//! Meetings of a pair: the schedule the two agree on, the record of each
//! meeting, and the rules that turn them into dated occurrences.
//!
//! A [`Plan`] is kept in the pair's `meetings` document as plain strings
//! (so one malformed field written by the other side hides that plan, not
//! the pair); [`Schedule`] is its checked form, which computes occurrences.
//! A meeting's time is a local time *in the zone the two agreed on*: each
//! occurrence is the instant that local time names on that date in that
//! zone, so each person sees it at their own local time, right across both
//! regions' daylight-saving changes. Local times that a zone skips or
//! repeats are read as RFC 5545 reads them (a skipped time moves forward by
//! the gap, a repeated one is the first), so a calendar app that imports the
//! schedule shows the same instants.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::pair::Side;
use super::text::bounded;
use crate::error::{Error, Result};

/// Longest meeting place, in characters.
pub const PLACE_MAX: usize = 200;
/// Longest meeting note, in characters.
pub const NOTE_MAX: usize = 20_000;
/// Longest "ask to reschedule" message, in characters.
pub const ASK_MAX: usize = 500;
/// Longest interval of an "every N days" schedule.
pub const EVERY_DAYS_MAX: u32 = 365;

/// How the two meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// A phone call.
    Call,
    /// A video call.
    Video,
    /// Face to face.
    InPerson,
}

impl MeetingKind {
    /// Every kind, in the order shells offer them.
    pub const ALL: [MeetingKind; 3] =
        [MeetingKind::Call, MeetingKind::Video, MeetingKind::InPerson];

    /// The kind's name in documents and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::Call => "call",
            MeetingKind::Video => "video",
            MeetingKind::InPerson => "in_person",
        }
    }

    /// The kind from its name (`in-person` is taken too).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "call" => Ok(MeetingKind::Call),
            "video" => Ok(MeetingKind::Video),
            "in_person" => Ok(MeetingKind::InPerson),
            _ => Err(Error::invalid(
                "meeting kind",
                "one of call, video, in_person",
            )),
        }
    }
}

/// When a schedule repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "every")]
pub enum Recurrence {
    /// Once, on `date` (a local date in the meeting's zone).
    Once {
        /// The day.
        date: NaiveDate,
    },
    /// Every week on `days`, from `from` on.
    Weekly {
        /// The weekdays (at least one, Monday first).
        days: Vec<Weekday>,
        /// The first day the schedule applies.
        from: NaiveDate,
    },
    /// Every `n` days, the first on `from`.
    Days {
        /// The interval in days (1 to [`EVERY_DAYS_MAX`]).
        n: u32,
        /// The first meeting's day.
        from: NaiveDate,
    },
}

impl Recurrence {
    /// A weekly recurrence on days given as `sun,wed` (English names or
    /// their first three letters), from `from` on.
    pub fn weekly(days: &str, from: NaiveDate) -> Result<Self> {
        Ok(Recurrence::Weekly {
            days: parse_weekdays(days)?,
            from,
        })
    }

    /// Every `n` days from `from` on.
    pub fn every_days(n: u32, from: NaiveDate) -> Result<Self> {
        if !(1..=EVERY_DAYS_MAX).contains(&n) {
            return Err(Error::invalid(
                "every",
                format!("a number of days from 1 to {EVERY_DAYS_MAX}"),
            ));
        }
        Ok(Recurrence::Days { n, from })
    }

    /// The first day it can fall on.
    pub fn first_day(&self) -> NaiveDate {
        match self {
            Recurrence::Once { date } => *date,
            Recurrence::Weekly { from, .. } | Recurrence::Days { from, .. } => *from,
        }
    }

    /// Whether a meeting falls on `day`.
    pub fn falls_on(&self, day: NaiveDate) -> bool {
        match self {
            Recurrence::Once { date } => *date == day,
            Recurrence::Weekly { days, from } => day >= *from && days.contains(&day.weekday()),
            Recurrence::Days { n, from } => {
                day >= *from && (day - *from).num_days() % i64::from(*n) == 0
            }
        }
    }
}

/// Parses `sun,wed` into weekdays, Monday first, each once.
pub fn parse_weekdays(text: &str) -> Result<Vec<Weekday>> {
    let mut days: Vec<Weekday> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let day: Weekday = part
            .parse()
            .map_err(|_| Error::invalid("days", format!("{part:?} is not a weekday")))?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    if days.is_empty() {
        return Err(Error::invalid(
            "days",
            "name at least one weekday, e.g. sun,wed",
        ));
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    Ok(days)
}

/// Weekdays as stored: `mon,wed`.
pub fn weekdays_text(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| d.to_string().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

/// A meeting schedule as kept in the pair's `meetings` document. Each field
/// is a scalar, so two people editing different fields offline both keep
/// their edit, and edits of one field settle on one value everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Plan {
    /// Its id.
    pub id: String,
    /// `once`, `weekly` or `days`.
    pub every: String,
    /// Weekly: the days (`sun,wed`).
    pub days: String,
    /// Every N days: N.
    pub interval: u32,
    /// The first day (once: the day), `YYYY-MM-DD` in the meeting's zone.
    pub start: String,
    /// The last day it applies (set when the schedule ends), `YYYY-MM-DD`.
    pub until: Option<String>,
    /// The local time, `HH:MM`, in `zone`.
    pub time: String,
    /// The IANA zone the two agreed on.
    pub zone: String,
    /// `call`, `video` or `in_person`.
    pub kind: String,
    /// Where (may be empty).
    pub place: String,
    /// Which side created it.
    pub by: String,
    /// When it was created, UTC ms.
    pub created_ms: i64,
    /// When it was last edited, UTC ms.
    pub edited_ms: i64,
    /// Removed (a removed schedule shows nothing, not even past meetings).
    pub deleted: bool,
}

/// A schedule, checked: what computes occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The plan's id.
    pub id: String,
    /// When it repeats.
    pub recurrence: Recurrence,
    /// The last day it applies.
    pub until: Option<NaiveDate>,
    /// The local time in `zone`.
    pub time: NaiveTime,
    /// The zone the two agreed on.
    pub zone: Tz,
    /// How they meet.
    pub kind: MeetingKind,
    /// Where (may be empty).
    pub place: String,
}

/// One dated meeting of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Its day in the meeting's zone (part of its id).
    pub date: NaiveDate,
    /// The instant it starts.
    pub starts: DateTime<Utc>,
}

impl Schedule {
    /// A checked schedule.
    pub fn new(
        recurrence: Recurrence,
        time: NaiveTime,
        zone: Tz,
        kind: MeetingKind,
        place: &str,
    ) -> Result<Self> {
        if let Recurrence::Weekly { days, .. } = &recurrence
            && days.is_empty()
        {
            return Err(Error::invalid("days", "name at least one weekday"));
        }
        if let Recurrence::Days { n, .. } = &recurrence
            && !(1..=EVERY_DAYS_MAX).contains(n)
        {
            return Err(Error::invalid("every", "a number of days from 1 to 365"));
        }
        Ok(Schedule {
            id: String::new(),
            recurrence,
            until: None,
            time,
            zone,
            kind,
            place: bounded("place", place, 0, PLACE_MAX)?,
        })
    }

    /// The schedule a stored plan describes; an error names the bad field.
    pub fn from_plan(plan: &Plan) -> Result<Self> {
        let start = parse_date("start", &plan.start)?;
        let recurrence = match plan.every.as_str() {
            "once" => Recurrence::Once { date: start },
            "weekly" => Recurrence::weekly(&plan.days, start)?,
            "days" => Recurrence::every_days(plan.interval, start)?,
            other => return Err(Error::invalid("every", format!("{other:?} is not known"))),
        };
        let mut s = Schedule::new(
            recurrence,
            parse_time(&plan.time)?,
            parse_zone(&plan.zone)?,
            MeetingKind::parse(&plan.kind)?,
            &plan.place,
        )?;
        s.id = plan.id.clone();
        s.until = plan
            .until
            .as_deref()
            .map(|u| parse_date("until", u))
            .transpose()?;
        Ok(s)
    }

    /// Writes this schedule's fields into `plan` (keeping its id, author
    /// and times).
    pub fn fill(&self, plan: &mut Plan) {
        let (every, days, interval) = match &self.recurrence {
            Recurrence::Once { .. } => ("once", String::new(), 0),
            Recurrence::Weekly { days, .. } => ("weekly", weekdays_text(days), 0),
            Recurrence::Days { n, .. } => ("days", String::new(), *n),
        };
        plan.every = every.to_owned();
        plan.days = days;
        plan.interval = interval;
        plan.start = self.recurrence.first_day().to_string();
        plan.until = self.until.map(|d| d.to_string());
        plan.time = self.time.format("%H:%M").to_string();
        plan.zone = self.zone.name().to_owned();
        plan.kind = self.kind.as_str().to_owned();
        plan.place = self.place.clone();
    }

    /// Whether it repeats.
    pub fn recurring(&self) -> bool {
        !matches!(self.recurrence, Recurrence::Once { .. })
    }

    /// The meeting on `day` (a local date in the meeting's zone), if the
    /// schedule has one that day.
    pub fn on(&self, day: NaiveDate) -> Option<Occurrence> {
        if !self.recurrence.falls_on(day) || self.until.is_some_and(|u| day > u) {
            return None;
        }
        Some(Occurrence {
            date: day,
            starts: instant(self.zone, day.and_time(self.time)),
        })
    }

    /// Every meeting starting in `[from, to)`, in time order.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let mut out = Vec::new();
        if to <= from {
            return out;
        }
        // A day's meeting may start up to a day away from its date's
        // midnight in UTC: look one day either side.
        let mut day = from.with_timezone(&self.zone).date_naive() - Duration::days(1);
        let last = to.with_timezone(&self.zone).date_naive() + Duration::days(1);
        day = day.max(self.recurrence.first_day());
        while day <= last {
            if let Some(o) = self.on(day)
                && o.starts >= from
                && o.starts < to
            {
                out.push(o);
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }
}

/// The instant a local date and time names in `zone`, read as RFC 5545
/// does: a time that occurs twice (autumn) is the first; a time the zone
/// skips (spring) moves forward by the gap, i.e. it is read with the offset
/// in force before the change.
pub fn instant(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // The offset before the gap is the one an hour (or three) earlier.
            for back in [1, 2, 3, 24] {
                if let LocalResult::Single(before) | LocalResult::Ambiguous(before, _) =
                    zone.from_local_datetime(&(local - Duration::hours(back)))
                {
                    let utc = local - before.offset().fix();
                    return Utc.from_utc_datetime(&utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

/// What happened to a meeting, as one person marked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkStatus {
    /// It took place.
    Held,
    /// It did not.
    Missed,
    /// It moved to another time.
    Moved,
}

impl MarkStatus {
    /// The status's name in documents and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkStatus::Held => "held",
            MarkStatus::Missed => "missed",
            MarkStatus::Moved => "moved",
        }
    }

    /// The status from its name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "held" => Some(MarkStatus::Held),
            "missed" => Some(MarkStatus::Missed),
            "moved" => Some(MarkStatus::Moved),
            _ => None,
        }
    }
}

/// One person's mark on one meeting, kept as an item of its own: marks by
/// the two people (or made on two phones at once) never overwrite each other.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Mark {
    /// Its id.
    pub id: String,
    /// The meeting's id (`PLAN.YYYYMMDD`).
    pub meeting: String,
    /// `held`, `missed` or `moved`.
    pub status: String,
    /// For `moved`: the new start, UTC ms.
    pub moved_to_ms: Option<i64>,
    /// Which side marked it.
    pub by: String,
    /// When, UTC ms.
    pub at_ms: i64,
}

/// "Can we meet another time?": a mentee's request about one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Ask {
    /// Its id.
    pub id: String,
    /// The meeting's id.
    pub meeting: String,
    /// Which side asked.
    pub by: String,
    /// What they wrote (may be empty).
    pub text: String,
    /// When, UTC ms.
    pub at_ms: i64,
}

/// The id of the meeting of plan `plan_id` on `date` (its day in the
/// meeting's zone): `PLAN.YYYYMMDD`.
pub fn meeting_id(plan_id: &str, date: NaiveDate) -> String {
    format!("{plan_id}.{}", date.format("%Y%m%d"))
}

/// Splits a meeting id into its plan id and day.
pub fn split_meeting_id(id: &str) -> Result<(&str, NaiveDate)> {
    let bad = || Error::invalid("meeting", format!("{id:?} is not a meeting id"));
    let (plan, day) = id.split_once('.').ok_or_else(bad)?;
    if !crate::id::is_well_formed(plan) || day.len() != 8 {
        return Err(bad());
    }
    let date = NaiveDate::parse_from_str(day, "%Y%m%d").map_err(|_| bad())?;
    Ok((plan, date))
}

/// The meeting's state, from both people's marks and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Still ahead.
    Scheduled,
    /// Started, and nobody marked it yet.
    Unmarked,
    /// Held.
    Held,
    /// Missed.
    Missed,
    /// Moved to another time (and not marked since).
    Moved,
    /// The two marked it differently: both marks are shown.
    Conflict,
}

impl MeetingStatus {
    /// The status's name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Scheduled => "scheduled",
            MeetingStatus::Unmarked => "unmarked",
            MeetingStatus::Held => "held",
            MeetingStatus::Missed => "missed",
            MeetingStatus::Moved => "moved",
            MeetingStatus::Conflict => "conflict",
        }
    }
}

/// The latest mark of one person on a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkView {
    /// Who marked it.
    pub by: Side,
    /// What they marked.
    pub status: MarkStatus,
    /// For `moved`: the new start.
    pub moved_to: Option<DateTime<Utc>>,
    /// When they marked it, UTC ms.
    pub at_ms: i64,
}

/// What the marks on one meeting add up to: each side's latest mark (at most
/// two, mentee first), the status, and where a move put it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Each side's latest mark.
    pub marks: Vec<MarkView>,
    /// The status, before the clock is looked at (`None`: nobody marked it).
    pub status: Option<MeetingStatus>,
    /// The start a move gave it (the latest move of either side).
    pub moved_to: Option<DateTime<Utc>>,
}

/// Adds up the marks of one meeting. Marks that do not parse are skipped.
pub fn outcome<'a>(marks: impl IntoIterator<Item = &'a Mark>) -> Outcome {
    let mut latest: BTreeMap<&'static str, MarkView> = BTreeMap::new();
    let mut moved: Option<(i64, DateTime<Utc>)> = None;
    for m in marks {
        let (Some(by), Some(status)) = (Side::parse(&m.by), MarkStatus::parse(&m.status)) else {
            continue;
        };
        let moved_to = m
            .moved_to_ms
            .and_then(DateTime::<Utc>::from_timestamp_millis);
        if status == MarkStatus::Moved {
            let Some(to) = moved_to else { continue };
            if moved.is_none_or(|(at, t)| (m.at_ms, to) > (at, t)) {
                moved = Some((m.at_ms, to));
            }
        }
        let view = MarkView {
            by,
            status,
            moved_to,
            at_ms: m.at_ms,
        };
        // Ties (two phones of one person at the same millisecond) settle on
        // the same mark everywhere.
        let entry = latest.entry(by.as_str()).or_insert_with(|| view.clone());
        if (view.at_ms, view.status.as_str(), view.moved_to)
            > (entry.at_ms, entry.status.as_str(), entry.moved_to)
        {
            *entry = view;
        }
    }
    let marks: Vec<MarkView> = latest.into_values().collect();
    let status = match marks.as_slice() {
        [] => None,
        [one] => Some(status_of(one.status)),
        [a, b] if a.status == b.status && a.moved_to == b.moved_to => Some(status_of(a.status)),
        _ => Some(MeetingStatus::Conflict),
    };
    Outcome {
        marks,
        status,
        moved_to: moved.map(|(_, to)| to),
    }
}

fn status_of(m: MarkStatus) -> MeetingStatus {
    match m {
        MarkStatus::Held => MeetingStatus::Held,
        MarkStatus::Missed => MeetingStatus::Missed,
        MarkStatus::Moved => MeetingStatus::Moved,
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid(field, format!("{s:?} is not a date (YYYY-MM-DD)")))
}

/// Parses `HH:MM`.
pub fn parse_time(s: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| Error::invalid("time", format!("{s:?} is not a time (HH:MM)")))
}

/// Parses a local date and time, `YYYY-MM-DDTHH:MM`.
pub fn parse_local(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").map_err(|_| {
        Error::invalid(
            "date and time",
            format!("{s:?} is not a local date and time (YYYY-MM-DDTHH:MM)"),
        )
    })
}

/// Parses an IANA zone name.
pub fn parse_zone(s: &str) -> Result<Tz> {
    s.trim().parse().map_err(|_| {
        Error::invalid(
            "zone",
            format!("{s:?} is not a time zone (e.g. Europe/Berlin)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn weekly(days: &str, at: &str, zone: &str) -> Schedule {
        Schedule::new(
            Recurrence::weekly(days, ymd(2027, 1, 1)).unwrap(),
            parse_time(at).unwrap(),
            parse_zone(zone).unwrap(),
            MeetingKind::Call,
            "",
        )
        .unwrap()
    }

    /// Local times of each start, as the person in `zone` sees them.
    fn seen(s: &Schedule, from: &str, to: &str, zone: &str) -> Vec<String> {
        let zone: Tz = zone.parse().unwrap();
        s.between(utc(from), utc(to))
            .iter()
            .map(|o| {
                o.starts
                    .with_timezone(&zone)
                    .format("%m-%d %H:%M")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_berlin_meeting_across_the_2027_spring_changes_as_each_side_sees_it() {
        // Sundays and Wednesdays 19:00 Berlin. New York moves to summer time
        // on 14 March 2027, Berlin on 28 March: for two weeks the gap is 5 h.
        let s = weekly("sun,wed", "19:00", "Europe/Berlin");
        let (from, to) = ("2027-03-06T00:00:00Z", "2027-04-02T00:00:00Z");
        assert_eq!(
            seen(&s, from, to, "Europe/Berlin"),
            [
                "03-07 19:00",
                "03-10 19:00",
                "03-14 19:00",
                "03-17 19:00",
                "03-21 19:00",
                "03-24 19:00",
                "03-28 19:00",
                "03-31 19:00"
            ]
        );
        assert_eq!(
            seen(&s, from, to, "America/New_York"),
            [
                "03-07 13:00",
                "03-10 13:00",
                "03-14 14:00",
                "03-17 14:00",
                "03-21 14:00",
                "03-24 14:00",
                "03-28 13:00",
                "03-31 13:00"
            ]
        );
    }

    #[test]
    fn a_new_york_meeting_across_the_2027_autumn_changes_as_each_side_sees_it() {
        // Berlin returns to winter time on 31 October 2027, New York on
        // 7 November: the week between, the gap is 5 h instead of 6.
        let s = weekly("mon", "12:00", "America/New_York");
        let (from, to) = ("2027-10-20T00:00:00Z", "2027-11-16T00:00:00Z");
        assert_eq!(
            seen(&s, from, to, "America/New_York"),
            ["10-25 12:00", "11-01 12:00", "11-08 12:00", "11-15 12:00"]
        );
        assert_eq!(
            seen(&s, from, to, "Europe/Berlin"),
            ["10-25 18:00", "11-01 17:00", "11-08 18:00", "11-15 18:00"]
        );
    }

    #[test]
    fn skipped_and_repeated_local_times_read_as_rfc_5545_does() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 02:30 does not exist on 28 March 2027 in Berlin: 03:30 CEST.
        let t = instant(berlin, ymd(2027, 3, 28).and_hms_opt(2, 30, 0).unwrap());
        assert_eq!(t, utc("2027-03-28T01:30:00Z"));
        // 02:30 happens twice on 31 October 2027: the first (CEST).
        let t = instant(berlin, ymd(2027, 10, 31).and_hms_opt(2, 30, 0).unwrap());
        assert_eq!(t, utc("2027-10-31T00:30:00Z"));
    }

    #[test]
    fn every_n_days_once_and_until() {
        let mut s = Schedule::new(
            Recurrence::every_days(10, ymd(2027, 1, 5)).unwrap(),
            parse_time("08:00").unwrap(),
            Tz::UTC,
            MeetingKind::Video,
            "",
        )
        .unwrap();
        let days = |s: &Schedule| {
            s.between(utc("2027-01-01T00:00:00Z"), utc("2027-02-20T00:00:00Z"))
                .iter()
                .map(|o| o.date.day())
                .collect::<Vec<_>>()
        };
        assert_eq!(days(&s), [5, 15, 25, 4, 14]);
        s.until = Some(ymd(2027, 1, 25));
        assert_eq!(days(&s), [5, 15, 25]);
        let once = Schedule::new(
            Recurrence::Once {
                date: ymd(2027, 1, 9),
            },
            parse_time("18:00").unwrap(),
            Tz::UTC,
            MeetingKind::InPerson,
            "Café",
        )
        .unwrap();
        assert_eq!(days(&once), [9]);
        assert!(Recurrence::every_days(0, ymd(2027, 1, 1)).is_err());
        assert!(parse_weekdays("sun,funday").is_err());
        assert!(parse_weekdays(" , ").is_err());
        assert_eq!(
            weekdays_text(&parse_weekdays("wed,Sunday,mon,wed").unwrap()),
            "mon,wed,sun"
        );
    }

    #[test]
    fn a_plan_round_trips_and_a_bad_field_is_named() {
        let s = weekly("sun,wed", "19:00", "Europe/Berlin");
        let mut plan = Plan {
            id: crate::id::new_id(),
            every: String::new(),
            days: String::new(),
            interval: 0,
            start: String::new(),
            until: None,
            time: String::new(),
            zone: String::new(),
            kind: String::new(),
            place: String::new(),
            by: "mentee".into(),
            created_ms: 0,
            edited_ms: 0,
            deleted: false,
        };
        s.fill(&mut plan);
        let back = Schedule::from_plan(&plan).unwrap();
        assert_eq!(back.recurrence, s.recurrence);
        assert_eq!((back.time, back.zone), (s.time, s.zone));
        plan.zone = "Mars/Olympus".into();
        let err = Schedule::from_plan(&plan).unwrap_err();
        assert!(err.to_string().contains("zone"), "{err}");
    }

    #[test]
    fn marks_add_up_and_a_disagreement_keeps_both() {
        let m = |by: &str, status: &str, at: i64, to: Option<i64>| Mark {
            id: crate::id::new_id(),
            meeting: "m".into(),
            status: status.into(),
            moved_to_ms: to,
            by: by.into(),
            at_ms: at,
        };
        assert_eq!(outcome(&[]).status, None);
        let held = [m("mentee", "held", 1, None), m("mentor", "held", 2, None)];
        assert_eq!(outcome(&held).status, Some(MeetingStatus::Held));
        let both = [m("mentee", "held", 1, None), m("mentor", "missed", 2, None)];
        let o = outcome(&both);
        assert_eq!(o.status, Some(MeetingStatus::Conflict));
        assert_eq!(o.marks.len(), 2);
        // A later mark by the same side replaces that side's earlier one.
        let fixed = [
            m("mentee", "held", 1, None),
            m("mentor", "missed", 2, None),
            m("mentor", "held", 3, None),
        ];
        assert_eq!(outcome(&fixed).status, Some(MeetingStatus::Held));
        // A move gives the meeting its new start, and stays after it is held.
        let moved = [
            m("mentor", "moved", 1, Some(5_000)),
            m("mentor", "held", 9, None),
        ];
        let o = outcome(&moved);
        assert_eq!(o.status, Some(MeetingStatus::Held));
        assert_eq!(o.moved_to, DateTime::from_timestamp_millis(5_000));
        // Garbage from the other side is skipped, not fatal.
        assert_eq!(outcome(&[m("boss", "held", 1, None)]).status, None);
    }

    #[test]
    fn meeting_ids_round_trip() {
        let plan = crate::id::new_id();
        let id = meeting_id(&plan, ymd(2027, 3, 28));
        assert_eq!(
            split_meeting_id(&id).unwrap(),
            (plan.as_str(), ymd(2027, 3, 28))
        );
        for bad in [
            "",
            "x.20270328",
            &format!("{plan}.2027-03-28"),
            &format!("{plan}.20271340"),
        ] {
            assert!(split_meeting_id(bad).is_err(), "{bad}");
        }
    }
}
