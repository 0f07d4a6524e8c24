//! The app lock and discreet notifications.

mod support;

use std::sync::Arc;

use chrono::Duration;
use support::*;
use tandem_core::checkin::CheckInInput;
use tandem_core::craving::CravingInput;
use tandem_core::journal::JournalInput;
use tandem_core::lock::Vault;
use tandem_core::notify::{self, Notice};
use tandem_core::settings::{AppName, Settings};
use tandem_core::{Durability, ErrorKind, FixedClock, Options, StoreKey};

fn vault(dir: &std::path::Path, clock: Arc<FixedClock>) -> Vault {
    Vault::open(
        dir.join("v.db"),
        test_key(),
        Options {
            clock,
            ..Options::default()
        },
    )
    .unwrap()
}

#[test]
fn the_vault_locks_after_the_chosen_time_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mut v = vault(dir.path(), clock.clone());
    v.store().unwrap().init("Sam", "UTC").unwrap();
    v.store()
        .unwrap()
        .set_settings(&Settings {
            lock_after_secs: 60,
            ..Settings::default()
        })
        .unwrap();

    // A short trip away keeps it open.
    v.entered_background();
    clock.advance(Duration::seconds(59));
    assert!(!v.entered_foreground());
    assert_eq!(v.store().unwrap().person().unwrap().name, "Sam");

    // A long one locks it: every call is refused.
    v.entered_background();
    clock.advance(Duration::seconds(60));
    assert!(v.entered_foreground());
    assert!(v.is_locked());
    let err = v.store().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked);
    assert_eq!(err.to_string(), "Tandem is locked: unlock it first");

    // A wrong key leaves it locked; the right one opens it.
    assert_eq!(
        v.unlock(StoreKey::generate()).unwrap_err().kind(),
        ErrorKind::WrongKey
    );
    assert!(v.is_locked());
    v.unlock(test_key()).unwrap();
    assert_eq!(v.store().unwrap().person().unwrap().name, "Sam");

    // Locking on request is immediate, and a write after unlocking lands.
    v.lock();
    assert_eq!(v.store().map(|_| ()).unwrap_err().kind(), ErrorKind::Locked);
    v.unlock(test_key()).unwrap();
    v.store()
        .unwrap()
        .add_journal(JournalInput {
            text: "after unlock".into(),
            ..Default::default()
        })
        .unwrap();
}

#[test]
fn a_zero_delay_locks_on_every_trip_to_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mut v = vault(dir.path(), clock);
    v.store().unwrap().init("Sam", "UTC").unwrap();
    v.store()
        .unwrap()
        .set_settings(&Settings {
            lock_after_secs: 0,
            ..Settings::default()
        })
        .unwrap();
    v.entered_background();
    assert!(v.entered_foreground());
}

/// Words that must never reach a lock screen.
const NEVER_SHOWN: [&str; 12] = [
    "alcohol", "drink", "drug", "opioid", "gambl", "relapse", "craving", "trigger", "sober",
    "clean", "recovery", "CANARY",
];

#[test]
fn notification_texts_never_hold_content_or_the_substance() {
    // Every notice, under every app name.
    for notice in [
        Notice::CheckInReminder,
        Notice::MilestoneReached,
        Notice::PairActivity,
        Notice::ReachOut,
        Notice::SyncTrouble,
    ] {
        for app in AppName::ALL {
            let t = notify::text(notice, app);
            assert_eq!(t.title, app.label());
            let all = format!("{} {}", t.title, t.body).to_lowercase();
            for word in NEVER_SHOWN {
                assert!(!all.contains(&word.to_lowercase()), "{notice:?}: {all}");
            }
        }
    }

    // The notices due for a store full of content carry none of it.
    let dir = tempfile::tempdir().unwrap();
    // 19:30 in Berlin: before the reminder hour.
    let clock = Arc::new(FixedClock::new(at("2026-03-10T18:30:00Z")));
    let mut s = store_in(dir.path(), "n.db", clock.clone(), Durability::Full);
    s.init("CANARY Robin", "Europe/Berlin").unwrap();
    s.add_track("alcohol CANARY", at("2026-03-03T12:00:00Z").date_naive())
        .unwrap();
    s.add_craving(CravingInput {
        trigger: "CANARY payday".into(),
        intensity: 9,
        ..Default::default()
    })
    .unwrap();
    s.add_journal(JournalInput {
        text: "CANARY I relapsed".into(),
        ..Default::default()
    })
    .unwrap();
    s.set_settings(&Settings {
        app_name: AppName::Daily,
        ..Settings::default()
    })
    .unwrap();
    // Day 7 of the track is a milestone today; the reminder is not due yet.
    assert_eq!(
        tandem_core::notify::due_notices(&s).unwrap(),
        vec![Notice::MilestoneReached]
    );
    // 20:30 in Berlin: the reminder is due, until the check-in is done.
    clock.set(at("2026-03-10T19:30:00Z"));
    let due = tandem_core::notify::due_notices(&s).unwrap();
    assert_eq!(due, vec![Notice::CheckInReminder, Notice::MilestoneReached]);
    for n in due {
        let t = notify::text(n, s.settings().unwrap().app_name);
        assert_eq!(t.title, "Daily");
        for word in NEVER_SHOWN {
            assert!(!t.body.to_lowercase().contains(&word.to_lowercase()));
        }
    }
    assert_eq!(
        notify::text(Notice::CheckInReminder, AppName::Daily).body,
        "Time for your check-in"
    );
    s.check_in(CheckInInput {
        mood: 3,
        craving: 2,
        used: false,
        note: String::new(),
    })
    .unwrap();
    assert_eq!(
        tandem_core::notify::due_notices(&s).unwrap(),
        vec![Notice::MilestoneReached]
    );
    // The reminder can be turned off.
    clock.advance(Duration::days(1));
    s.set_settings(&Settings {
        reminder_hour: None,
        ..Settings::default()
    })
    .unwrap();
    assert!(tandem_core::notify::due_notices(&s).unwrap().is_empty());
}

#[test]
fn settings_are_validated_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mut s = store_in(dir.path(), "s.db", clock, Durability::Full);
    assert_eq!(s.settings().unwrap(), Settings::default());
    let chosen = Settings {
        lock_after_secs: 300,
        app_name: AppName::Steps,
        reminder_hour: Some(9),
        meeting_lead_minutes: 15,
        pair_activity_notices: true,
    };
    s.set_settings(&chosen).unwrap();
    let bad = Settings {
        reminder_hour: Some(25),
        ..chosen
    };
    assert_eq!(
        s.set_settings(&bad).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let path = s.path().to_path_buf();
    drop(s);
    let s = tandem_core::Store::open(&path, &test_key()).unwrap();
    assert_eq!(s.settings().unwrap(), chosen);
}

#[test]
fn erasing_through_the_vault_removes_the_store_and_stays_locked() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("tandem.db");
    let key = StoreKey::generate();
    let mut vault = Vault::open(&path, key.clone(), Options::default()).expect("open");
    vault
        .store()
        .expect("open")
        .init("Sam", "UTC")
        .expect("init");
    let report = vault.erase(&[]).expect("erase");
    assert!(report.removed.contains(&path));
    assert!(!path.exists());
    assert!(vault.is_locked());
    assert_eq!(
        vault.erase(&[]).expect_err("gone").kind(),
        ErrorKind::Locked
    );
    // Unlocking cannot bring back an empty store in its place.
    assert_eq!(
        vault.unlock(key).expect_err("gone").kind(),
        ErrorKind::Locked
    );
    assert!(!path.exists());
}
