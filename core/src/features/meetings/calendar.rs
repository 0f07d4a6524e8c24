//! Calendar export: every live schedule as an iCalendar file (RFC 5545) for
//! the person's own calendar app.
//!
//! One `VEVENT` per schedule: `DTSTART` at the first meeting in the agreed
//! zone (`TZID` names the IANA zone, which calendar apps resolve), an
//! `RRULE` for repeating schedules (`UNTIL` in UTC once it ended), and one
//! more `VEVENT` with a `RECURRENCE-ID` for each meeting that moved. The
//! summary is the meeting's kind ("Call", "Video call", "Meeting") and the
//! location its place: no name, no note, nothing about recovery.

use chrono::{Duration, NaiveDateTime};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, Property};

use super::Index;
use crate::domain::meeting::{MeetingKind, Recurrence, Schedule, instant, split_meeting_id};
use crate::error::Result;
use crate::store::Store;

/// How long a meeting is put in the calendar for.
const MEETING_MINUTES: i64 = 60;

/// Every live schedule of every live pair, as an iCalendar file.
pub fn ics(store: &Store) -> Result<String> {
    let now = store.now();
    let mut cal = Calendar::new();
    cal.append_property(Property::new("PRODID", "-//meetings//EN"));
    for pair in super::pairs_of(store, None)? {
        let doc = store.meetings(&pair.pair_id)?;
        let index = Index::new(&doc);
        for plan in doc.plans.values().filter(|p| !p.deleted) {
            let Ok(s) = Schedule::from_plan(plan) else {
                continue;
            };
            let Some(first) = first_meeting(&s) else {
                continue;
            };
            let mut event = base_event(&s, &plan.id, now);
            event.starts(zoned(&s, first));
            event.ends(zoned(&s, first + Duration::minutes(MEETING_MINUTES)));
            if let Some(rule) = rrule(&s) {
                event.add_property("RRULE", rule);
            }
            cal.push(event.done());
            for (meeting, moved_to) in &index.moved {
                let Ok((plan_id, date)) = split_meeting_id(meeting) else {
                    continue;
                };
                if plan_id != plan.id || s.on(date).is_none() {
                    continue;
                }
                let local = moved_to.with_timezone(&s.zone).naive_local();
                let mut moved = base_event(&s, &plan.id, now);
                let original = date.and_time(s.time);
                moved.append_property(
                    Property::new(
                        "RECURRENCE-ID",
                        original.format("%Y%m%dT%H%M%S").to_string(),
                    )
                    .add_parameter("TZID", s.zone.name())
                    .done(),
                );
                moved.starts(zoned(&s, local));
                moved.ends(zoned(&s, local + Duration::minutes(MEETING_MINUTES)));
                cal.push(moved.done());
            }
        }
    }
    Ok(cal.done().to_string())
}

fn base_event(s: &Schedule, plan_id: &str, now: chrono::DateTime<chrono::Utc>) -> Event {
    let mut event = Event::new();
    event
        .uid(plan_id)
        .timestamp(now)
        .summary(match s.kind {
            MeetingKind::Call => "Call",
            MeetingKind::Video => "Video call",
            MeetingKind::InPerson => "Meeting",
        })
        .add_property("CATEGORIES", s.kind.as_str().to_ascii_uppercase());
    if !s.place.is_empty() {
        event.location(&s.place);
    }
    event
}

fn zoned(s: &Schedule, local: NaiveDateTime) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: local,
        tzid: s.zone.name().to_owned(),
    }
}

/// The first meeting's local date and time (a weekly schedule's first
/// chosen weekday on or after its start).
fn first_meeting(s: &Schedule) -> Option<NaiveDateTime> {
    let mut day = s.recurrence.first_day();
    for _ in 0..8 {
        if let Some(o) = s.on(day) {
            return Some(o.date.and_time(s.time));
        }
        day = day.succ_opt()?;
    }
    None
}

/// The `RRULE` value of a repeating schedule.
fn rrule(s: &Schedule) -> Option<String> {
    let mut rule = match &s.recurrence {
        Recurrence::Once { .. } => return None,
        Recurrence::Weekly { days, .. } => {
            let days: Vec<&str> = days
                .iter()
                .map(|d| match d {
                    chrono::Weekday::Mon => "MO",
                    chrono::Weekday::Tue => "TU",
                    chrono::Weekday::Wed => "WE",
                    chrono::Weekday::Thu => "TH",
                    chrono::Weekday::Fri => "FR",
                    chrono::Weekday::Sat => "SA",
                    chrono::Weekday::Sun => "SU",
                })
                .collect();
            format!("FREQ=WEEKLY;BYDAY={}", days.join(","))
        }
        Recurrence::Days { n, .. } => format!("FREQ=DAILY;INTERVAL={n}"),
    };
    if let Some(until) = s.until {
        let last = instant(s.zone, until.and_time(s.time));
        rule.push_str(&format!(";UNTIL={}", last.format("%Y%m%dT%H%M%SZ")));
    }
    Some(rule)
}
