//! The bindings from Rust: the change listener, error kinds and the
//! conversions the shells rely on (meetings included). (The Kotlin tests drive the same through
//! the generated bindings; see `scripts/test-kotlin`.)

mod support;

use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDate, Utc};
use futures_lite::future::block_on;
use tandem_core::Area;
use tandem_core::domain::meeting::{MarkStatus, MeetingKind, MeetingStatus, Recurrence};
use tandem_core::features::meetings::MarkAs;
use tandem_core::journal::JournalInput;
use tandem_core::pair::Side;
use tandem_ffi::meetings::MeetingPlanEdit;
use tandem_ffi::mirror::CravingInput;
use tandem_ffi::{ChangeListener, Tandem, TandemError};

#[derive(Default)]
struct Heard(Mutex<Vec<Vec<Area>>>);

impl ChangeListener for Heard {
    fn changed(&self, areas: Vec<Area>) {
        self.0.lock().expect("lock").push(areas);
    }
}

fn open(dir: &tempfile::TempDir) -> (Arc<Tandem>, Vec<u8>) {
    open_file(dir, "tandem.db")
}

fn open_file(dir: &tempfile::TempDir, file: &str) -> (Arc<Tandem>, Vec<u8>) {
    let key = tandem_ffi::app::generate_store_key();
    let path = dir.path().join(file).display().to_string();
    (Tandem::open(path, key.clone()).expect("open"), key)
}

fn journal(text: &str) -> JournalInput {
    JournalInput {
        text: text.into(),
        mood: None,
        tags: vec![],
    }
}

#[test]
fn writes_tell_the_listener_what_changed_and_reads_do_not() {
    let dir = tempfile::tempdir().expect("dir");
    let (t, _) = open(&dir);
    let heard = Arc::new(Heard::default());
    t.set_listener(Some(heard.clone()));
    t.init("Sam".into(), "UTC".into()).expect("init");
    t.add_journal(journal("one")).expect("journal");
    t.today().expect("today");
    assert!(t.add_journal(journal("")).is_err());
    let calls = heard.0.lock().expect("lock").clone();
    assert_eq!(
        calls,
        vec![vec![Area::Today], vec![Area::Today, Area::Journal]]
    );
}

#[test]
fn core_errors_keep_their_kind_and_message() {
    let dir = tempfile::tempdir().expect("dir");
    let (t, key) = open(&dir);
    assert!(matches!(t.today(), Err(TandemError::NotInitialized(_))));
    t.init("Sam".into(), "UTC".into()).expect("init");
    let err = t
        .add_craving(CravingInput {
            trigger: "payday".into(),
            intensity: 11,
            situation: vec![],
            helped: vec![],
            outcome: None,
            note: String::new(),
            at_ms: None,
        })
        .expect_err("intensity 11 is out of range");
    assert!(
        matches!(&err, TandemError::Validation(m) if m.contains("intensity")),
        "{err:?}"
    );
    let err = t
        .add_craving(CravingInput {
            trigger: "payday".into(),
            intensity: 5,
            situation: vec![],
            helped: vec![],
            outcome: None,
            note: String::new(),
            at_ms: Some(i64::MAX),
        })
        .expect_err("a time out of range");
    assert!(matches!(err, TandemError::Validation(_)), "{err:?}");
    t.lock();
    assert!(matches!(t.today(), Err(TandemError::Locked(_))));
    assert!(matches!(
        t.unlock(vec![1, 2, 3]),
        Err(TandemError::Validation(_))
    ));
    assert!(matches!(
        t.unlock(tandem_ffi::app::generate_store_key()),
        Err(TandemError::WrongKey(_))
    ));
    t.unlock(key).expect("unlock");
    assert_eq!(t.person().expect("person").name, "Sam");
}

/// A mentee and a mentor in Berlin, each on a device of their own, paired
/// through a server on loopback.
fn paired(dir: &tempfile::TempDir) -> (Arc<Tandem>, Arc<Tandem>) {
    let url = support::server(dir.path());
    let (mentee, _) = open_file(dir, "mentee.db");
    let (mentor, _) = open_file(dir, "mentor.db");
    for (t, name) in [(&mentee, "Robin"), (&mentor, "Alex")] {
        t.init(name.into(), "Europe/Berlin".into()).expect("init");
        block_on(t.clone().connect(url.clone())).expect("connect");
    }
    let code = block_on(mentee.clone().pair_invite()).expect("invite");
    block_on(mentee.clone().sync_now()).expect("sync");
    let pair = block_on(mentor.clone().pair_join(code)).expect("join");
    assert_eq!(pair.side, Side::Mentor);
    block_on(mentee.clone().sync_now()).expect("sync");
    (mentee, mentor)
}

fn ymd_id(plan_id: &str, day: NaiveDate) -> String {
    format!("{plan_id}.{}", day.format("%Y%m%d"))
}

#[test]
fn meetings_are_scheduled_marked_and_exported_through_the_bindings() {
    let dir = tempfile::tempdir().expect("dir");
    let (mentee, _mentor) = paired(&dir);
    // Both people are in Berlin: Today's date is Berlin's.
    let berlin_today = mentee.today().expect("today").date;
    let from = berlin_today - Duration::days(14);
    let weekly = Recurrence::Weekly {
        days: vec![from.weekday()],
        from,
    };

    // Bad text is refused with the typed error, before the core writes.
    for (time, zone) in [("7pm", "Europe/Berlin"), ("19:00", "Mars/Olympus")] {
        let err = mentee
            .schedule_meeting(
                None,
                weekly.clone(),
                time.into(),
                zone.into(),
                MeetingKind::Call,
                String::new(),
            )
            .expect_err("bad time or zone");
        assert!(matches!(err, TandemError::Validation(_)), "{err:?}");
    }
    let err = mentee
        .schedule_meeting(
            None,
            Recurrence::Days { n: 0, from },
            "19:00".into(),
            "Europe/Berlin".into(),
            MeetingKind::Call,
            String::new(),
        )
        .expect_err("every 0 days");
    assert!(matches!(err, TandemError::Validation(_)), "{err:?}");

    let plan = mentee
        .schedule_meeting(
            None,
            weekly.clone(),
            "19:00".into(),
            "Europe/Berlin".into(),
            MeetingKind::Video,
            String::new(),
        )
        .expect("schedule");
    assert_eq!(
        (plan.time.as_str(), plan.zone.as_str(), plan.by),
        ("19:00", "Europe/Berlin", Some(Side::Mentee))
    );
    assert_eq!(plan.recurrence, weekly);
    assert!(plan.next.is_some_and(|n| n > Utc::now()), "{plan:?}");

    // An edit changes only what it names.
    let edited = mentee
        .edit_meeting_plan(
            plan.id.clone(),
            MeetingPlanEdit {
                place: Some("Café".into()),
                ..MeetingPlanEdit::default()
            },
        )
        .expect("edit");
    assert_eq!(edited.place, "Café");
    assert_eq!(
        (edited.time.as_str(), edited.kind),
        ("19:00", MeetingKind::Video)
    );
    let err = mentee
        .edit_meeting_plan(
            plan.id.clone(),
            MeetingPlanEdit {
                time: Some("25:00".into()),
                ..MeetingPlanEdit::default()
            },
        )
        .expect_err("25:00");
    assert!(matches!(err, TandemError::Validation(_)), "{err:?}");

    // The first meeting, two weeks ago: marked held with a note.
    let first = ymd_id(&plan.id, from);
    let screen = mentee.meeting_screen(first.clone()).expect("meeting");
    assert!(screen.can_mark && !screen.can_ask_reschedule);
    assert_eq!(
        screen.meeting.zone_time,
        from.and_hms_opt(19, 0, 0).expect("19:00")
    );
    assert_eq!(screen.meeting.local_time, screen.meeting.zone_time);
    let held = mentee
        .mark_meeting(first.clone(), MarkAs::Held, Some("Went well".into()))
        .expect("mark");
    assert_eq!(held.status, MeetingStatus::Held);
    assert_eq!(held.note, "Went well");
    let marks: Vec<_> = held.marks.iter().map(|m| (m.by, m.status)).collect();
    assert_eq!(marks, [(Side::Mentee, MarkStatus::Held)]);

    // A meeting ahead cannot be held yet; it can move, or be asked about.
    let ahead = ymd_id(&plan.id, from + Duration::days(21));
    let err = mentee
        .mark_meeting(ahead.clone(), MarkAs::Held, None)
        .expect_err("not started");
    assert!(matches!(err, TandemError::Validation(_)), "{err:?}");
    let to = (from + Duration::days(22))
        .and_hms_opt(18, 30, 0)
        .expect("18:30");
    let moved = mentee
        .mark_meeting(ahead.clone(), MarkAs::MovedTo(to), None)
        .expect("move");
    assert_eq!((moved.status, moved.zone_time), (MeetingStatus::Moved, to));
    let later = ymd_id(&plan.id, from + Duration::days(28));
    let asked = mentee
        .ask_to_reschedule(later.clone(), "Can we do Friday?".into())
        .expect("ask");
    assert!(asked.reschedule_asked);
    let noted = mentee
        .set_meeting_note(later, "Bring the workbook".into())
        .expect("note");
    assert_eq!(noted.note, "Bring the workbook");

    let list = mentee.meetings_screen(None).expect("meetings");
    assert_eq!(list.plans.len(), 1);
    assert!(!list.no_pair);
    assert!(list.recent.iter().any(|m| m.id == first));
    assert!(list.upcoming.iter().any(|m| m.id == ahead));

    let ics = mentee.meetings_ics().expect("ics");
    assert!(ics.contains("BEGIN:VCALENDAR"), "{ics}");
    assert!(ics.contains("RRULE:FREQ=WEEKLY"), "{ics}");
    assert!(ics.contains("TZID=Europe/Berlin"), "{ics}");
    assert!(ics.contains("RECURRENCE-ID"), "{ics}");

    let ended = mentee.end_meeting_plan(plan.id.clone()).expect("end");
    assert_eq!(ended.until, Some(berlin_today));

    // Ids that name nothing are typed errors too.
    assert!(matches!(
        mentee.meeting_screen("nonsense".into()),
        Err(TandemError::Validation(_))
    ));
    assert!(matches!(
        mentee.end_meeting_plan("no-such-plan".into()),
        Err(TandemError::NotFound(_))
    ));
}
