//! The screens and flows, driven through `App` as a shell would: each flow
//! from an empty home to its end (with a real server process where it needs
//! one), the whole journey of a mentee and a mentor, page sizes and empty
//! states, and which screens a change redraws.

mod support;

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::app::ChangeListener;
use tandem_core::craving::CravingInput;
use tandem_core::features::sharing::ShareKind;
use tandem_core::journal::JournalInput;
use tandem_core::pair::Side;
use tandem_core::screens::*;
use tandem_core::{App, Area, ErrorKind, FixedClock};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")))
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The group a confirmation step asks for, read off the key that was shown.
fn group_of(key: &str, step: &RecoveryKeyStep) -> String {
    let RecoveryKeyStep::Confirm { group, groups } = step else {
        panic!("not asking for a group: {step:?}");
    };
    let parts: Vec<&str> = key.split('-').collect();
    assert_eq!(parts.len() as u32, groups + 1, "prefix plus groups");
    parts[*group as usize].to_owned()
}

/// The shown key, from a step that shows it.
fn shown_key(step: &RecoveryKeyStep) -> String {
    let RecoveryKeyStep::Show { key, groups } = step else {
        panic!("the key is not shown: {step:?}");
    };
    assert!(key.starts_with("TR1-"));
    assert!(*groups > 1);
    key.clone()
}

/// Runs a first run to its end: profile, a track, and a server (or none).
fn set_up(app: &App, name: &str, server: Option<&str>) -> Option<String> {
    let mut flow = app.screens().first_run().unwrap();
    flow.profile(app, name, "Europe/Berlin").unwrap();
    flow.first_track(
        app,
        Some(&FirstTrack {
            name: "alcohol".into(),
            since: day("2026-01-01"),
        }),
    )
    .unwrap();
    let Some(server) = server else {
        assert_eq!(flow.not_now().unwrap(), FirstRunStep::Done);
        return None;
    };
    let FirstRunStep::RecoveryKey(step) = flow.connect(app, server).unwrap() else {
        panic!("no recovery key after connecting");
    };
    let key = shown_key(&step);
    let FirstRunStep::RecoveryKey(ask) = flow.key_kept().unwrap() else {
        panic!("no confirmation step");
    };
    assert_eq!(
        flow.confirm_key(&group_of(&key, &ask)).unwrap(),
        FirstRunStep::Done
    );
    Some(key)
}

#[derive(Default)]
struct Heard(Mutex<Vec<Area>>);

impl ChangeListener for Heard {
    fn changed(&self, areas: &[Area]) {
        self.0.lock().unwrap().extend_from_slice(areas);
    }
}

impl Heard {
    fn take(&self) -> Vec<Area> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
fn the_first_run_checks_each_answer_and_resumes_where_the_store_says() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let app = app_in(dir.path(), "a.db", clock.clone());

    // A fresh store opens on the first run's first question.
    assert_eq!(
        app.screens().launch().unwrap(),
        Launch::FirstRun {
            step: FirstRunStep::Profile { name_max: 80 }
        }
    );
    let mut flow = app.screens().first_run().unwrap();

    // Out of order, bad answers: typed errors, and the flow stays put.
    assert_eq!(flow.not_now().unwrap_err().kind(), ErrorKind::Validation);
    let err = flow.profile(&app, "Robin", "Mars/Olympus").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(matches!(
        flow.profile(&app, "  ", "UTC").unwrap_err(),
        tandem_core::Error::Validation { field: "name", .. }
    ));
    assert!(matches!(flow.step(), FirstRunStep::Profile { .. }));

    // At 16:00 UTC it is already the 11th in Tokyo: the latest first day.
    clock.set(at("2026-03-10T16:00:00Z"));
    let step = flow.profile(&app, "Robin", "Asia/Tokyo").unwrap();
    assert_eq!(
        step,
        FirstRunStep::FirstTrack {
            name: "Robin".into(),
            timezone: "Asia/Tokyo".into(),
            latest_since: day("2026-03-11"),
            name_max: 60,
        }
    );
    // Nothing is written before the track is answered.
    assert!(!app.is_set_up().unwrap());

    // A first day in the future is refused and writes nothing.
    let tomorrow = FirstTrack {
        name: "alcohol".into(),
        since: day("2026-03-12"),
    };
    let err = flow.first_track(&app, Some(&tomorrow)).unwrap_err();
    assert!(matches!(
        err,
        tandem_core::Error::Validation { field: "since", .. }
    ));
    assert!(!app.is_set_up().unwrap());

    let track = FirstTrack {
        name: "alcohol".into(),
        since: day("2026-03-01"),
    };
    assert_eq!(
        flow.first_track(&app, Some(&track)).unwrap(),
        FirstRunStep::SyncChoice
    );
    let today = app.screens().today().unwrap();
    assert_eq!(today.today.name, "Robin");
    assert_eq!(today.today.tracks.len(), 1);
    assert_eq!(today.today.tracks[0].name, "alcohol");
    assert!(!today.sync.connected);
    assert!(!today.has_pair);

    // The app quits at the server question: it opens there again.
    drop(flow);
    drop(app);
    let app = app_in(dir.path(), "a.db", clock.clone());
    assert_eq!(
        app.screens().launch().unwrap(),
        Launch::FirstRun {
            step: FirstRunStep::SyncChoice
        }
    );
    let mut flow = app.screens().first_run().unwrap();
    assert_eq!(
        flow.connect(&app, "not a url").unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(flow.step(), FirstRunStep::SyncChoice);
    assert_eq!(flow.not_now().unwrap(), FirstRunStep::Done);

    // Once the person uses the app, it opens on Today.
    app.cravings()
        .add(CravingInput {
            trigger: "payday".into(),
            intensity: 6,
            ..Default::default()
        })
        .unwrap();
    drop(app);
    let app = app_in(dir.path(), "a.db", clock);
    assert_eq!(app.screens().launch().unwrap(), Launch::Today);
    assert_eq!(
        app.screens().first_run().unwrap().step(),
        FirstRunStep::Done
    );

    // A locked app opens on the lock.
    app.lock();
    assert_eq!(app.screens().launch().unwrap(), Launch::Locked);
}

#[test]
fn a_skipped_track_still_sets_the_person_up() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), "a.db", clock());
    let mut flow = app.screens().first_run().unwrap();
    flow.profile(&app, "Sam", "UTC").unwrap();
    assert_eq!(
        flow.first_track(&app, None).unwrap(),
        FirstRunStep::SyncChoice
    );
    assert!(app.is_set_up().unwrap());
    assert!(app.screens().today().unwrap().today.tracks.is_empty());
    // A second first run on the same device is refused.
    let mut again = app.screens().first_run().unwrap();
    assert_eq!(again.step(), FirstRunStep::SyncChoice);
    assert_eq!(
        again.profile(&app, "Sam", "UTC").unwrap_err().kind(),
        ErrorKind::Validation
    );
}

#[test]
fn journal_and_cravings_pages_hold_fifty_and_point_to_the_next() {
    assert_eq!(JOURNAL_PAGE, 50);
    assert_eq!(CRAVINGS_PAGE, 50);
    assert_eq!(INSIGHTS_DAYS, 90);

    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), "a.db", clock());
    set_up(&app, "Robin", None);
    for i in 0..(JOURNAL_PAGE + 1) {
        app.journal()
            .add(JournalInput {
                text: format!("entry {i}"),
                ..Default::default()
            })
            .unwrap();
        app.cravings()
            .add(CravingInput {
                trigger: format!("trigger {i}"),
                intensity: 5,
                ..Default::default()
            })
            .unwrap();
    }

    let first = app.screens().journal(None).unwrap();
    assert_eq!(first.rows.len(), 50);
    assert!(!first.empty);
    assert!(!first.can_share);
    assert!(first.rows.iter().all(|r| !r.shared));
    let next = first.next.clone().expect("a 51st entry is left");
    let second = app.screens().journal(Some(&next)).unwrap();
    assert_eq!(second.rows.len(), 1);
    assert_eq!(second.next, None);
    assert!(!second.empty, "a last page is not the empty state");
    let mut seen: Vec<&str> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| r.entry.id.as_str())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 51, "every entry once across the pages");

    let first = app.screens().cravings(None).unwrap();
    assert_eq!(first.rows.len(), 50);
    let second = app.screens().cravings(first.next.as_ref()).unwrap();
    assert_eq!(second.rows.len(), 1);
    assert_eq!(second.next, None);

    // Exactly a page: no next page to offer.
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), "b.db", clock());
    set_up(&app, "Sam", None);
    for i in 0..JOURNAL_PAGE {
        app.journal()
            .add(JournalInput {
                text: format!("entry {i}"),
                ..Default::default()
            })
            .unwrap();
    }
    let only = app.screens().journal(None).unwrap();
    assert_eq!(only.rows.len(), 50);
    assert_eq!(only.next, None);
}

#[test]
fn a_new_person_sees_every_empty_state() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), "a.db", clock());
    set_up(&app, "Robin", None);
    let s = app.screens();
    assert!(s.journal(None).unwrap().empty);
    assert!(s.cravings(None).unwrap().empty);
    assert!(s.goals().unwrap().empty);
    assert!(s.notes().unwrap().empty);
    assert!(s.pairs().unwrap().empty);
    assert!(!s.pairs().unwrap().can_pair);
    assert!(s.mentor_overview(false).unwrap().empty);
    let insights = s.insights().unwrap();
    assert!(insights.empty);
    assert_eq!(insights.days, 90);
    assert_eq!(
        (insights.insights.to - insights.insights.from).num_days() + 1,
        90
    );
    assert!(!s.sync_status().unwrap().connected);
    assert!(!s.devices().unwrap().can_link);
    assert_eq!(s.settings().unwrap().lock_after_max_secs, 3_600);

    // One item each ends the empty states.
    app.journal()
        .add(JournalInput {
            text: "first meeting".into(),
            ..Default::default()
        })
        .unwrap();
    app.cravings()
        .add(CravingInput {
            trigger: "payday".into(),
            intensity: 7,
            ..Default::default()
        })
        .unwrap();
    app.notes().create(None, "plan", "call Alex").unwrap();
    app.goals()
        .add(tandem_core::goal::GoalInput {
            title: "walk daily".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(!s.journal(None).unwrap().empty);
    assert!(!s.cravings(None).unwrap().empty);
    assert!(!s.goals().unwrap().empty);
    assert!(!s.notes().unwrap().empty);
    assert!(!s.insights().unwrap().empty);
    assert_eq!(s.insights().unwrap().insights.cravings, 1);
    assert!(s.mentor_overview(false).unwrap().empty);

    // Flows that need what is missing say so instead of failing later.
    assert_eq!(s.pair_invite().unwrap().step(), PairInviteStep::NeedsServer);
    assert_eq!(s.pair_join().unwrap().step(), PairJoinStep::NeedsServer);
    assert_eq!(s.link_device().unwrap().step(), LinkDeviceStep::NeedsServer);
    assert_eq!(s.reach_out().unwrap().step(), ReachOutStep::NoMentor);
    assert_eq!(s.end_pair("").unwrap_err().kind(), ErrorKind::Validation);
    assert_eq!(
        s.end_pair("nosuchpair").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn connect_shows_the_key_once_and_restore_brings_the_person_to_a_new_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server.db"));
    let clock = clock();
    let phone = app_in(dir.path(), "phone.db", clock.clone());
    set_up(&phone, "Robin", None);

    // Connecting needs a person, and a well-formed address.
    let fresh = app_in(dir.path(), "fresh.db", clock.clone());
    assert_eq!(
        fresh.screens().connect().unwrap_err().kind(),
        ErrorKind::NotInitialized
    );
    let mut flow = phone.screens().connect().unwrap();
    assert_eq!(flow.step(), ConnectStep::Server);
    assert_eq!(
        flow.connect(&phone, "ftp://example").unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(flow.key_kept().unwrap_err().kind(), ErrorKind::Validation);

    let ConnectStep::RecoveryKey(step) = flow.connect(&phone, &server.url).unwrap() else {
        panic!("no key after connecting");
    };
    let key = shown_key(&step);
    // Shown while the step lasts (a redraw shows it again)...
    assert_eq!(flow.step(), ConnectStep::RecoveryKey(step.clone()));
    let ConnectStep::RecoveryKey(ask) = flow.key_kept().unwrap() else {
        panic!("no confirmation");
    };
    // ...hidden once kept; a wrong group is refused and asked again.
    let asked = group_of(&key, &ask);
    let wrong = if asked == "AAAA" { "BBBB" } else { "AAAA" };
    assert_eq!(
        flow.confirm_key(wrong).unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(flow.step(), ConnectStep::RecoveryKey(ask.clone()));
    // The person may look again before answering.
    assert!(matches!(
        flow.show_key_again().unwrap(),
        ConnectStep::RecoveryKey(RecoveryKeyStep::Show { .. })
    ));
    flow.key_kept().unwrap();
    assert_eq!(
        flow.confirm_key(&asked.to_lowercase()).unwrap(),
        ConnectStep::Done
    );
    assert_eq!(phone.screens().connect().unwrap().step(), ConnectStep::Done);
    let today = phone.screens().today().unwrap();
    assert!(today.sync.connected);
    assert!(!today.sync.failing);
    assert!(phone.screens().pairs().unwrap().can_pair);

    // The phone is lost: a new one restores from the key.
    phone
        .cravings()
        .add(CravingInput {
            trigger: "payday".into(),
            intensity: 7,
            ..Default::default()
        })
        .unwrap();
    phone.sync_now().unwrap();
    let mut restore = fresh.screens().restore().unwrap();
    assert_eq!(restore.step(), RestoreStep::EnterKey);
    assert_eq!(
        restore
            .restore(&fresh, "TR1-NOT-A-KEY", &server.url)
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(restore.step(), RestoreStep::EnterKey);
    let RestoreStep::RecoveryKey(step) = restore.restore(&fresh, &key, &server.url).unwrap() else {
        panic!("no new key after restoring");
    };
    let new_key = shown_key(&step);
    assert_ne!(new_key, key, "the old key is used up");
    let RestoreStep::RecoveryKey(ask) = restore.key_kept().unwrap() else {
        panic!("no confirmation");
    };
    assert_eq!(
        restore.confirm_key(&group_of(&new_key, &ask)).unwrap(),
        RestoreStep::Done
    );
    assert_eq!(fresh.screens().launch().unwrap(), Launch::Today);
    assert_eq!(fresh.screens().today().unwrap().today.name, "Robin");
    let cravings = fresh.screens().cravings(None).unwrap();
    assert_eq!(cravings.rows.len(), 1);
    assert_eq!(cravings.rows[0].craving.trigger, "payday");

    // A restored (set-up) device cannot restore again.
    assert_eq!(
        fresh.screens().restore().unwrap_err().kind(),
        ErrorKind::AlreadyInitialized
    );
}

#[test]
fn linking_a_second_phone_with_the_code_it_shows() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server.db"));
    let clock = clock();
    let phone = app_in(dir.path(), "phone.db", clock.clone());
    set_up(&phone, "Robin", Some(&server.url));
    let tablet = app_in(dir.path(), "tablet.db", clock.clone());

    let mut show = phone.screens().link_device().unwrap();
    assert_eq!(show.step(), LinkDeviceStep::Ready);
    assert_eq!(
        show.check(&phone).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let LinkDeviceStep::ShowingCode(code) = show.show_code(&phone).unwrap() else {
        panic!("no code");
    };
    assert!(code.text.starts_with("TL2-"));
    assert_eq!(code.qr_payload, code.text);
    // Before the tablet links, the code stays.
    assert!(matches!(
        show.check(&phone).unwrap(),
        LinkDeviceStep::ShowingCode(_)
    ));

    assert_eq!(
        tablet.screens().launch().unwrap(),
        Launch::FirstRun {
            step: FirstRunStep::Profile { name_max: 80 }
        }
    );
    let mut link = tablet.screens().link_this_device().unwrap();
    assert_eq!(link.step(), LinkThisDeviceStep::EnterCode);
    assert_eq!(
        link.link(&tablet, " ", &server.url).unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        link.link(&tablet, &code.text, "nowhere")
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        link.link(&tablet, &code.qr_payload, &server.url).unwrap(),
        LinkThisDeviceStep::Done
    );
    assert_eq!(tablet.screens().launch().unwrap(), Launch::Today);
    let today = tablet.screens().today().unwrap();
    assert_eq!(today.today.name, "Robin");
    assert_eq!(today.today.tracks.len(), 1);

    assert_eq!(
        show.check(&phone).unwrap(),
        LinkDeviceStep::Linked { devices: 2 }
    );
    let devices = phone.screens().devices().unwrap();
    assert!(devices.can_link);
    assert_eq!(devices.devices.iter().filter(|d| d.this_device).count(), 1);
    assert_eq!(devices.devices.len(), 2);
    assert_eq!(
        phone.screens().link_this_device().unwrap_err().kind(),
        ErrorKind::AlreadyInitialized
    );
}

#[test]
fn the_whole_journey_from_first_run_to_the_mentors_overview() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server.db"));
    let clock = clock();
    let mentee = app_in(dir.path(), "mentee.db", clock.clone());
    let mentor = app_in(dir.path(), "mentor.db", clock.clone());

    // First run → track, then a craving before connecting.
    let mut flow = mentee.screens().first_run().unwrap();
    flow.profile(&mentee, "Robin", "Europe/Berlin").unwrap();
    flow.first_track(
        &mentee,
        Some(&FirstTrack {
            name: "alcohol".into(),
            since: day("2026-01-01"),
        }),
    )
    .unwrap();
    let craving = mentee
        .cravings()
        .add(CravingInput {
            trigger: "payday".into(),
            intensity: 7,
            helped: vec!["call mentor".into()],
            ..Default::default()
        })
        .unwrap();
    let today = mentee.screens().today().unwrap();
    assert_eq!(today.today.cravings_today, 1);
    assert_eq!(today.today.tracks[0].clean_days, 68);

    // Connect from the first run: the key shown once, then confirmed.
    let FirstRunStep::RecoveryKey(step) = flow.connect(&mentee, &server.url).unwrap() else {
        panic!("no key");
    };
    let key = shown_key(&step);
    let FirstRunStep::RecoveryKey(ask) = flow.key_kept().unwrap() else {
        panic!("no confirmation");
    };
    assert!(
        !format!("{ask:?}").contains(&key),
        "the key shows once kept"
    );
    assert_eq!(
        flow.confirm_key(&group_of(&key, &ask)).unwrap(),
        FirstRunStep::Done
    );
    assert_eq!(flow.key_kept().unwrap_err().kind(), ErrorKind::Validation);
    assert_eq!(mentee.screens().launch().unwrap(), Launch::Today);
    assert!(mentee.screens().today().unwrap().sync.connected);

    set_up(&mentor, "Alex", Some(&server.url));

    // Pair: the mentee invites, the mentor joins, the mentee sees them join.
    let mut invite = mentee.screens().pair_invite().unwrap();
    assert_eq!(invite.step(), PairInviteStep::Ready);
    let PairInviteStep::ShowingCode(code) = invite.invite(&mentee).unwrap() else {
        panic!("no invite code");
    };
    assert!(code.text.starts_with("TP3-"));
    assert_eq!(code.qr_payload, code.text);
    assert_eq!(
        invite.invite(&mentee).unwrap_err().kind(),
        ErrorKind::Validation
    );

    let mut join = mentor.screens().pair_join().unwrap();
    assert_eq!(join.step(), PairJoinStep::EnterCode);
    assert_eq!(
        join.join(&mentor, "").unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        join.join(&mentor, "TP1-AAAA").unwrap_err().kind(),
        ErrorKind::Validation
    );
    let PairJoinStep::Joined { pair } = join.join(&mentor, &code.qr_payload).unwrap() else {
        panic!("not joined");
    };
    assert_eq!(pair.side, Side::Mentor);
    assert_eq!(pair.other_name.as_deref(), Some("Robin"));

    let PairInviteStep::Joined { pair: mine } = invite.check(&mentee).unwrap() else {
        panic!("the mentee did not see the mentor join");
    };
    assert_eq!(mine.pair_id, pair.pair_id);
    assert_eq!(mine.side, Side::Mentee);
    assert_eq!(mine.other_name.as_deref(), Some("Alex"));
    assert!(mentee.screens().today().unwrap().has_pair);
    assert!(mentor.screens().today().unwrap().has_pair);

    // Nothing shared yet: the mentor sees the mentee and nothing else.
    let overview = mentor.screens().mentor_overview(false).unwrap();
    assert!(!overview.empty);
    assert_eq!(overview.mentees.len(), 1);
    assert!(overview.mentees[0].shared.is_empty());

    // The mentee shares the craving; the log redraws with its mark.
    let cravings = mentee.screens().cravings(None).unwrap();
    assert!(cravings.can_share);
    assert_eq!(cravings.rows[0].craving.id, craving.id);
    assert!(!cravings.rows[0].shared);
    let heard = Arc::new(Heard::default());
    let _subscription = mentee.listen(heard.clone());
    mentee
        .sharing()
        .share(ShareKind::Craving, &craving.id, None)
        .unwrap();
    let stale = redraws(&heard.take());
    assert!(stale.contains(&ScreenKind::Cravings), "{stale:?}");
    assert!(!stale.contains(&ScreenKind::Settings), "{stale:?}");
    assert!(mentee.screens().cravings(None).unwrap().rows[0].shared);
    mentee.sync_now().unwrap();
    mentor.sync_now().unwrap();

    let overview = mentor.screens().mentor_overview(true).unwrap();
    let robin = &overview.mentees[0];
    assert_eq!(robin.name.as_deref(), Some("Robin"));
    assert_eq!(robin.shared.len(), 1);
    assert_eq!(robin.shared[0].id, craving.id);
    assert_eq!(robin.shared[0].text, "payday");
    assert_eq!(robin.clean_time.len(), 1);
    assert_eq!(overview.open_reach_outs, 0);

    // The mentee reaches out; the mentor's overview puts it on top.
    let mut reach = mentee.screens().reach_out().unwrap();
    let ReachOutStep::Compose { pairs, text_max } = reach.step() else {
        panic!("nobody to reach");
    };
    assert_eq!(pairs.len(), 1);
    assert_eq!(text_max, 2_000);
    let too_long = "x".repeat(2_001);
    assert_eq!(
        reach.send(&mentee, None, &too_long).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let ReachOutStep::Sent {
        reach_out_id,
        pair_id,
        delivered,
    } = reach.send(&mentee, None, "rough night").unwrap()
    else {
        panic!("not sent");
    };
    assert_eq!(pair_id, pair.pair_id);
    assert!(delivered);
    assert!(mentor.screens().reach_out().unwrap().step() == ReachOutStep::NoMentor);
    mentor.sync_now().unwrap();
    let overview = mentor.screens().mentor_overview(false).unwrap();
    assert_eq!(overview.open_reach_outs, 1);
    assert_eq!(overview.mentees[0].open_reach_outs[0].id, reach_out_id);

    // The mentor sets up a weekly meeting; Today shows it to both, and the
    // mentee (only) is offered "ask to reschedule", one tap.
    assert!(mentee.screens().today().unwrap().next_meeting.is_none());
    let empty = mentee.screens().meetings(None).unwrap();
    assert!(!empty.no_pair && empty.plans.is_empty() && empty.upcoming.is_empty());
    let heard_meetings = Arc::new(Heard::default());
    let _meetings_subscription = mentor.listen(heard_meetings.clone());
    let plan = mentor
        .meetings()
        .schedule(
            None,
            tandem_core::features::meetings::PlanChange {
                recurrence: Some(
                    tandem_core::domain::meeting::Recurrence::weekly("tue", day("2026-03-10"))
                        .unwrap(),
                ),
                time: Some(chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap()),
                zone: Some(chrono_tz::Europe::Berlin),
                ..Default::default()
            },
        )
        .unwrap();
    let stale = redraws(&heard_meetings.take());
    assert!(
        stale.contains(&ScreenKind::Meetings) && stale.contains(&ScreenKind::Today),
        "{stale:?}"
    );
    mentor.sync_now().unwrap();
    mentee.sync_now().unwrap();
    let today = mentee.screens().today().unwrap();
    let next = today.next_meeting.clone().expect("a next meeting");
    assert_eq!(next.plan_id, plan.id);
    assert_eq!(next.local_time.to_string(), "2026-03-10 18:00:00");
    assert!(today.can_ask_reschedule);
    let theirs = mentor.screens().today().unwrap();
    assert_eq!(theirs.next_meeting.map(|m| m.id), Some(next.id.clone()));
    assert!(!theirs.can_ask_reschedule);
    let screen = mentee.screens().meetings(None).unwrap();
    assert_eq!(screen.plans.len(), 1);
    assert_eq!(screen.upcoming.len(), 4);
    assert_eq!(screen.default_zone, "Europe/Berlin");
    mentee.meetings().ask_reschedule(&next.id, "").unwrap();
    assert!(!mentee.screens().today().unwrap().can_ask_reschedule);
    let record = mentee.screens().meeting(&next.id).unwrap();
    assert!(!record.can_mark && !record.can_ask_reschedule && !record.conflict);
    mentee.sync_now().unwrap();
    mentor.sync_now().unwrap();
    let overview = mentor.screens().mentor_overview(false).unwrap();
    assert_eq!(overview.mentees[0].meetings.open_asks, 1);

    // The mentee ends the pair: the confirmation says the mentor keeps the
    // one shared craving.
    let mut end = mentee.screens().end_pair(&pair.pair_id).unwrap();
    let EndPairStep::Confirm { consequences, .. } = end.step() else {
        panic!("no confirmation");
    };
    assert_eq!(
        consequences[0],
        EndPairConsequence::OtherPhoneKeepsSharedCopies { items: 1 }
    );
    assert!(consequences.contains(&EndPairConsequence::ReachOutsStop));
    let EndPairStep::Ended { pair: ended } = end.confirm(&mentee).unwrap() else {
        panic!("not ended");
    };
    assert!(ended.ended);
    assert_eq!(
        end.confirm(&mentee).unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert!(!mentee.screens().today().unwrap().has_pair);
    assert!(!mentee.screens().cravings(None).unwrap().can_share);
    assert_eq!(
        mentee.screens().end_pair(&pair.pair_id).unwrap_err().kind(),
        ErrorKind::NotFound
    );

    mentor.sync_now().unwrap();
    let pairs = mentor.screens().pairs().unwrap();
    assert!(pairs.pairs[0].ended);
    // What was shared stays on the mentor's phone.
    let overview = mentor.screens().mentor_overview(false).unwrap();
    assert!(overview.mentees[0].ended);
    assert_eq!(overview.mentees[0].shared.len(), 1);
}

#[test]
fn export_then_erase_leaves_a_locked_empty_app() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), "a.db", clock());
    set_up(&app, "Robin", None);
    app.journal()
        .add(JournalInput {
            text: "first meeting".into(),
            ..Default::default()
        })
        .unwrap();

    let mut export = app.screens().export();
    assert_eq!(export.step(), ExportStep::Choose);
    let ExportStep::Ready(file) = export.export(&app, ExportFormat::Json).unwrap() else {
        panic!("no file");
    };
    assert_eq!(file.extension, "json");
    assert_eq!(file.date, day("2026-03-10"));
    let back = tandem_core::export::Export::from_json(&file.content).unwrap();
    assert_eq!(back.person.name, "Robin");
    assert_eq!(
        export.export(&app, ExportFormat::Json).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let ExportStep::Ready(md) = app
        .screens()
        .export()
        .export(&app, ExportFormat::Markdown)
        .unwrap()
    else {
        panic!("no file");
    };
    assert_eq!(md.extension, "md");
    assert!(md.content.contains("first meeting"));

    let mut erase = app.screens().erase().unwrap();
    assert_eq!(
        erase.step(),
        EraseStep::Confirm {
            consequences: vec![
                EraseConsequence::DeletesThisDevice,
                EraseConsequence::ExportFirst
            ]
        }
    );
    let store = dir.path().join("a.db");
    assert!(store.exists());
    let EraseStep::Erased { report } = erase.confirm(&app, &[]).unwrap() else {
        panic!("not erased");
    };
    assert!(report.server.is_none());
    assert!(report.not_removed.is_empty());
    assert!(!store.exists());
    assert_eq!(app.screens().launch().unwrap(), Launch::Locked);
    assert_eq!(
        erase.confirm(&app, &[]).unwrap_err().kind(),
        ErrorKind::Validation
    );
}

#[test]
fn erasing_a_synced_device_says_the_account_and_the_mentor_are_affected() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("server.db"));
    let clock = clock();
    let mentee = app_in(dir.path(), "mentee.db", clock.clone());
    let mentor = app_in(dir.path(), "mentor.db", clock);
    set_up(&mentee, "Robin", Some(&server.url));
    set_up(&mentor, "Alex", Some(&server.url));
    let mut invite = mentee.screens().pair_invite().unwrap();
    let PairInviteStep::ShowingCode(code) = invite.invite(&mentee).unwrap() else {
        panic!("no code");
    };
    let mut join = mentor.screens().pair_join().unwrap();
    join.join(&mentor, &code.text).unwrap();

    let mut erase = mentee.screens().erase().unwrap();
    let EraseStep::Confirm { consequences } = erase.step() else {
        panic!("no confirmation");
    };
    assert_eq!(
        consequences,
        vec![
            EraseConsequence::DeletesThisDevice,
            EraseConsequence::DeletesServerAccount,
            EraseConsequence::MentorsKeepSharedCopies { pairs: 1 },
            EraseConsequence::ExportFirst,
        ]
    );
    let EraseStep::Erased { report } = erase.confirm(&mentee, &[]).unwrap() else {
        panic!("not erased");
    };
    assert!(report.server.is_some());
}

#[test]
fn secrets_and_exports_stay_out_of_debug_output() {
    use tandem_core::screens::{ExportFormat, ExportedFile, RecoveryKeyStep, ShownCode};
    let key = "TR1-ABCD-EFGH-JKLM".to_owned();
    let shown = format!("{:?}", RecoveryKeyStep::Show { key, groups: 3 });
    assert!(!shown.contains("ABCD"), "{shown}");
    let code = format!(
        "{:?}",
        ShownCode {
            text: "TP1-SECRET".into(),
            qr_payload: "TP1-SECRET".into()
        }
    );
    assert!(!code.contains("SECRET"), "{code}");
    let file = ExportedFile {
        format: ExportFormat::Json,
        extension: "json".into(),
        date: at("2026-03-10T12:00:00Z").date_naive(),
        content: "payday craving, called my mentor".into(),
    };
    let printed = format!("{file:?}");
    assert!(!printed.contains("payday"), "{printed}");
}
