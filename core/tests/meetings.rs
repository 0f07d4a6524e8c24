//! End to end: a pair agrees on when they meet, each sees the meetings at
//! their own local time, both keep a record of each meeting, and the
//! mentor's overview shows when meetings stop happening, through a real
//! server process.

mod support;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use support::pair::paired;
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::Store;
use tandem_core::domain::meeting::{MarkStatus, MeetingKind, MeetingStatus, Recurrence};
use tandem_core::features::meetings::{self, MarkAs, MeetingView, PlanChange};
use tandem_core::features::mentor::overview;
use tandem_core::notify::{Notice, due_notices};
use tandem_core::pair::Side;
use tandem_core::sync::run::sync;

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn weekly(days: &str, from: NaiveDate, time: &str, zone: &str) -> PlanChange {
    PlanChange {
        recurrence: Some(Recurrence::weekly(days, from).unwrap()),
        time: Some(chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap()),
        zone: Some(zone.parse().unwrap()),
        kind: Some(MeetingKind::Call),
        place: None,
    }
}

fn daily(from: NaiveDate, time: &str) -> PlanChange {
    PlanChange {
        recurrence: Some(Recurrence::every_days(1, from).unwrap()),
        ..weekly("mon", from, time, "Europe/Berlin")
    }
}

fn list(s: &Store, from: &str, to: &str) -> Vec<MeetingView> {
    meetings::list(s, None, at(from), at(to)).unwrap()
}

fn local_times(views: &[MeetingView]) -> Vec<String> {
    views
        .iter()
        .map(|v| v.local_time.format("%m-%d %H:%M").to_string())
        .collect()
}

fn sync_both(a: &mut Store, b: &mut Store) {
    sync(a).unwrap();
    sync(b).unwrap();
    sync(a).unwrap();
}

#[test]
fn each_person_sees_the_meetings_at_their_own_time_across_the_2027_changes() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    mentor.set_timezone("America/New_York").unwrap();
    c.set(at("2027-02-20T12:00:00Z"));

    // Sundays and Wednesdays at 19:00 in Berlin, agreed by the mentee.
    let plan = meetings::schedule(
        &mut mentee,
        None,
        weekly("sun,wed", ymd(2027, 3, 1), "19:00", "Europe/Berlin"),
    )
    .unwrap();
    assert_eq!(plan.by, Some(Side::Mentee));
    // And Mondays at noon in New York, agreed by the mentor.
    meetings::schedule(
        &mut mentor,
        None,
        weekly("mon", ymd(2027, 10, 1), "12:00", "America/New_York"),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);

    // Spring: New York changes on 14 March, Berlin on 28 March.
    let (from, to) = ("2027-03-06T00:00:00Z", "2027-04-02T00:00:00Z");
    let (a, b) = (list(&mentee, from, to), list(&mentor, from, to));
    assert_eq!(
        a.iter().map(|v| &v.id).collect::<Vec<_>>(),
        b.iter().map(|v| &v.id).collect::<Vec<_>>()
    );
    assert_eq!(
        local_times(&a),
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
        local_times(&b),
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
    assert!(
        b.iter().all(
            |v| v.zone == "Europe/Berlin" && v.zone_time.format("%H:%M").to_string() == "19:00"
        )
    );

    // Autumn: Berlin changes on 31 October, New York on 7 November.
    let (from, to) = ("2027-10-20T00:00:00Z", "2027-11-16T00:00:00Z");
    let mondays = |s: &Store| {
        list(s, from, to)
            .into_iter()
            .filter(|v| v.zone == "America/New_York")
            .collect::<Vec<_>>()
    };
    assert_eq!(
        local_times(&mondays(&mentor)),
        ["10-25 12:00", "11-01 12:00", "11-08 12:00", "11-15 12:00"]
    );
    assert_eq!(
        local_times(&mondays(&mentee)),
        ["10-25 18:00", "11-01 17:00", "11-08 18:00", "11-15 18:00"]
    );
}

#[test]
fn a_schedule_edited_offline_on_both_phones_converges_with_both_edits() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    c.set(at("2027-01-04T09:00:00Z"));
    let plan = meetings::schedule(
        &mut mentee,
        None,
        weekly("tue", ymd(2027, 1, 5), "18:00", "Europe/Berlin"),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);

    // Offline, the mentee moves it to 19:30 and the mentor names a place.
    meetings::edit(
        &mut mentee,
        &plan.id,
        PlanChange {
            time: Some(chrono::NaiveTime::from_hms_opt(19, 30, 0).unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    meetings::edit(
        &mut mentor,
        &plan.id,
        PlanChange {
            kind: Some(MeetingKind::InPerson),
            place: Some("Café on the corner".into()),
            ..Default::default()
        },
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    sync(&mut mentor).unwrap();

    let a = meetings::plans(&mentee, None).unwrap();
    let b = meetings::plans(&mentor, None).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].time, "19:30");
    assert_eq!(a[0].kind, MeetingKind::InPerson);
    assert_eq!(a[0].place, "Café on the corner");

    // Both edit the same field: one value wins, the same on both phones.
    meetings::edit(
        &mut mentee,
        &plan.id,
        PlanChange {
            place: Some("Park".into()),
            ..Default::default()
        },
    )
    .unwrap();
    meetings::edit(
        &mut mentor,
        &plan.id,
        PlanChange {
            place: Some("Library".into()),
            ..Default::default()
        },
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    sync(&mut mentor).unwrap();
    let (a, b) = (
        meetings::plans(&mentee, None).unwrap(),
        meetings::plans(&mentor, None).unwrap(),
    );
    assert_eq!(a, b);
    assert!(["Park", "Library"].contains(&a[0].place.as_str()));

    // Ending it stops the meetings after today on both phones.
    meetings::end(&mut mentor, &plan.id).unwrap();
    sync_both(&mut mentee, &mut mentor);
    assert!(list(&mentee, "2027-01-05T00:00:00Z", "2027-03-01T00:00:00Z").is_empty());

    // The server learns nothing new: its files hold no place, zone or kind.
    drop(srv);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("server.db") {
            let bytes = std::fs::read(&path).unwrap();
            for needle in [
                "Café on the corner",
                "Library",
                "Park",
                "Europe/Berlin",
                "in_person",
                "meetings",
            ] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{name} holds {needle}"
                );
            }
        }
    }
}

#[test]
fn marks_made_on_both_phones_are_both_kept_and_notes_merge() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    c.set(at("2027-01-04T09:00:00Z"));
    meetings::schedule(
        &mut mentee,
        None,
        weekly("tue", ymd(2027, 1, 5), "18:00", "Europe/Berlin"),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    let first = list(&mentee, "2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z").remove(0);
    assert_eq!(first.status, MeetingStatus::Scheduled);
    // Held and missed are for meetings that started.
    let early = meetings::mark(&mut mentee, &first.id, MarkAs::Held, None).unwrap_err();
    assert_eq!(early.kind(), tandem_core::ErrorKind::Validation);

    c.set(at("2027-01-05T19:00:00Z"));
    meetings::mark(
        &mut mentee,
        &first.id,
        MarkAs::Held,
        Some("We talked about the weekend."),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    // Offline: the mentor marks it missed and both edit the note.
    meetings::mark(&mut mentor, &first.id, MarkAs::Missed, None).unwrap();
    meetings::set_note(&mut mentor, &first.id, "We talked about the long weekend.").unwrap();
    meetings::set_note(
        &mut mentee,
        &first.id,
        "We talked about the weekend.\nNext: call Sam.",
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    sync(&mut mentor).unwrap();

    let a = meetings::get(&mentee, &first.id).unwrap();
    let b = meetings::get(&mentor, &first.id).unwrap();
    assert_eq!(a.status, MeetingStatus::Conflict);
    assert_eq!(b.status, MeetingStatus::Conflict);
    let marks: Vec<(Side, MarkStatus)> = a.marks.iter().map(|m| (m.by, m.status)).collect();
    assert_eq!(
        marks,
        [
            (Side::Mentee, MarkStatus::Held),
            (Side::Mentor, MarkStatus::Missed)
        ]
    );
    assert_eq!(a.marks, b.marks);
    assert_eq!(a.note, "We talked about the long weekend.\nNext: call Sam.");
    assert_eq!(a.note, b.note);

    // The mentor corrects their mark: the conflict settles on both phones.
    meetings::mark(&mut mentor, &first.id, MarkAs::Held, None).unwrap();
    sync_both(&mut mentee, &mut mentor);
    assert_eq!(
        meetings::get(&mentee, &first.id).unwrap().status,
        MeetingStatus::Held
    );

    // A bad id is a typed error, not a panic.
    for bad in ["", "nonsense", "0123456789abcdef0123456789abcdef.20270105"] {
        assert!(meetings::get(&mentee, bad).is_err(), "{bad}");
    }
}

/// The mentor's overview of the only mentee.
fn summary(mentor: &mut Store) -> meetings::MeetingSummary {
    overview(mentor, false).unwrap().remove(0).meetings
}

#[test]
fn the_overview_flags_no_meeting_in_14_days_and_two_missed_in_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    c.set(at("2027-01-01T08:00:00Z"));
    assert!(!summary(&mut mentor).scheduled);
    // Every day at 10:00 Berlin; held on 4 January.
    meetings::schedule(&mut mentee, None, daily(ymd(2027, 1, 2), "10:00")).unwrap();
    c.set(at("2027-01-04T12:00:00Z"));
    let held = list(&mentee, "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z").remove(0);
    meetings::mark(&mut mentee, &held.id, MarkAs::Held, None).unwrap();
    sync_both(&mut mentee, &mut mentor);

    for (day, quiet) in [(17, false), (18, true), (19, true)] {
        c.set(at(&format!("2027-01-{day}T12:00:00Z")));
        let s = summary(&mut mentor);
        assert!(s.scheduled);
        assert_eq!(s.days_since_held, Some(i64::from(day) - 4), "day {day}");
        assert_eq!(s.quiet, quiet, "{} days after the last meeting", day - 4);
        assert_eq!(s.kept_recently, 1);
        assert_eq!(s.last_held, Some(held.starts_at));
        assert!(!s.missed_twice);
    }

    // The two meetings before now both marked missed: flagged.
    c.set(at("2027-01-19T12:00:00Z"));
    for day in ["18", "19"] {
        let m = list(
            &mentee,
            &format!("2027-01-{day}T00:00:00Z"),
            &format!("2027-01-{day}T23:00:00Z"),
        )
        .remove(0);
        meetings::mark(&mut mentee, &m.id, MarkAs::Missed, None).unwrap();
    }
    sync_both(&mut mentee, &mut mentor);
    assert!(summary(&mut mentor).missed_twice);
    // Only one of them missed: not flagged.
    let last = list(&mentee, "2027-01-19T00:00:00Z", "2027-01-19T23:00:00Z").remove(0);
    meetings::mark(&mut mentee, &last.id, MarkAs::Held, None).unwrap();
    sync_both(&mut mentee, &mut mentor);
    let s = summary(&mut mentor);
    assert!(!s.missed_twice && !s.quiet);
    assert_eq!(s.kept_recently, 2);
    // Eight weeks later the first one no longer counts as kept lately.
    c.set(at("2027-03-02T12:00:00Z"));
    assert_eq!(summary(&mut mentor).kept_recently, 1);
}

#[test]
fn a_never_held_schedule_is_flagged_14_days_after_its_first_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    c.set(at("2027-01-01T08:00:00Z"));
    meetings::schedule(
        &mut mentee,
        None,
        weekly("mon", ymd(2027, 1, 4), "10:00", "Europe/Berlin"),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    c.set(at("2027-01-17T12:00:00Z"));
    assert!(!summary(&mut mentor).quiet);
    c.set(at("2027-01-18T12:00:00Z"));
    let s = summary(&mut mentor);
    assert!(s.quiet);
    assert_eq!(s.last_held, None);
}

#[test]
fn asking_to_reschedule_reaches_the_mentor_and_a_move_answers_it() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    c.set(at("2027-01-04T09:00:00Z"));
    meetings::schedule(
        &mut mentor,
        None,
        weekly("tue", ymd(2027, 1, 5), "18:00", "Europe/Berlin"),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    let next = meetings::next(&mentee).unwrap().unwrap();
    assert_eq!(next.starts_at, at("2027-01-05T17:00:00Z"));
    meetings::ask_reschedule(&mut mentee, &next.id, "Work ran late, Thursday?").unwrap();
    sync_both(&mut mentee, &mut mentor);
    let s = summary(&mut mentor);
    assert_eq!(s.open_asks, 1);
    assert!(s.next.unwrap().reschedule_asked);

    // The mentor moves it to Thursday 19:00 Berlin: asked no more, and both
    // phones show it at the new time (and not on Tuesday).
    let moved_to = chrono::NaiveDate::from_ymd_opt(2027, 1, 7)
        .unwrap()
        .and_hms_opt(19, 0, 0)
        .unwrap();
    meetings::mark(&mut mentor, &next.id, MarkAs::MovedTo(moved_to), None).unwrap();
    sync_both(&mut mentee, &mut mentor);
    assert_eq!(summary(&mut mentor).open_asks, 0);
    let week = list(&mentee, "2027-01-04T00:00:00Z", "2027-01-11T00:00:00Z");
    assert_eq!(week.len(), 1);
    assert_eq!(week[0].id, next.id);
    assert_eq!(week[0].status, MeetingStatus::Moved);
    assert_eq!(week[0].starts_at, at("2027-01-07T18:00:00Z"));
    assert_eq!(week[0].scheduled_at, at("2027-01-05T17:00:00Z"));
}

#[test]
fn a_meeting_reminder_is_due_within_the_lead_time_only() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    c.set(at("2027-01-04T09:00:00Z"));
    let mut settings = mentee.settings().unwrap();
    settings.reminder_hour = None;
    mentee.set_settings(&settings).unwrap();
    meetings::schedule(
        &mut mentee,
        None,
        weekly("tue", ymd(2027, 1, 5), "18:00", "Europe/Berlin"),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    let starts: DateTime<Utc> = at("2027-01-05T17:00:00Z");
    let due = |s: &Store| due_notices(s).unwrap().contains(&Notice::MeetingSoon);
    c.set(starts - Duration::minutes(31));
    assert!(!due(&mentee));
    c.set(starts - Duration::minutes(29));
    assert!(due(&mentee) && due(&mentor));
    settings.meeting_lead_minutes = 0;
    mentee.set_settings(&settings).unwrap();
    assert!(!due(&mentee));
    settings.meeting_lead_minutes = 24 * 60 + 1;
    assert!(mentee.set_settings(&settings).is_err());
    let text = tandem_core::notify::text(Notice::MeetingSoon, settings.app_name);
    assert!(!text.body.to_lowercase().contains("recovery") && !text.body.contains("Tandem"));
}

#[test]
fn the_calendar_file_carries_the_rule_the_zone_and_no_note() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    c.set(at("2027-01-04T09:00:00Z"));
    let plan = meetings::schedule(
        &mut mentee,
        None,
        weekly("sun,wed", ymd(2027, 1, 4), "19:00", "Europe/Berlin"),
    )
    .unwrap();
    sync_both(&mut mentee, &mut mentor);
    let first = meetings::next(&mentor).unwrap().unwrap();
    c.set(at("2027-01-07T09:00:00Z"));
    meetings::set_note(&mut mentor, &first.id, "private words").unwrap();
    let ics = meetings::ics(&mentor).unwrap();
    assert!(
        ics.contains("BEGIN:VCALENDAR") && ics.contains("BEGIN:VEVENT"),
        "{ics}"
    );
    assert!(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=WE,SU"), "{ics}");
    assert!(
        ics.contains("DTSTART;TZID=Europe/Berlin:20270106T190000"),
        "{ics}"
    );
    assert!(ics.contains(&format!("UID:{}", plan.id)), "{ics}");
    assert!(!ics.contains("private words"));
}
