//! Builds stores holding days of heavy use through the real API.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use tandem_core::checkin::CheckInInput;
use tandem_core::craving::{CravingInput, Outcome};
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, FixedClock, Options, Store, StoreKey};

/// A built store and the clock it was built with (standing at its last day).
pub struct Built {
    path: PathBuf,
    clock: Arc<FixedClock>,
    key: Option<StoreKey>,
}

impl Built {
    /// Opens the store as a phone would: fully durable.
    pub fn open(&self) -> Store {
        Store::open_with(
            &self.path,
            self.key.as_ref(),
            Options {
                clock: self.clock.clone(),
                ..Options::default()
            },
        )
        .expect("open")
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's key (none for a plain store).
    pub fn key(&self) -> Option<&StoreKey> {
        self.key.as_ref()
    }

    /// A copy of this (plain) store in `dir`, encrypted the way an older
    /// plain store is migrated: the same data, under a fresh key.
    pub fn encrypted_copy(&self, dir: &Path) -> Built {
        std::fs::create_dir_all(dir).expect("folder");
        let path = dir.join("tandem.db");
        std::fs::copy(&self.path, &path).expect("copy");
        let key = StoreKey::generate();
        drop(Store::open(&path, &key).expect("encrypt"));
        Built {
            path,
            clock: self.clock.clone(),
            key: Some(key),
        }
    }
}

const TRIGGERS: [&str; 8] = [
    "payday",
    "argument",
    "bar",
    "alone at night",
    "work stress",
    "party",
    "old friends",
    "boredom",
];
const HELPED: [&str; 6] = [
    "call mentor",
    "walk",
    "meeting",
    "breathing",
    "tea",
    "journal",
];

/// Writes `days` days of heavy use, ending today, into a plain store in `dir`.
pub fn build(dir: &Path, days: i64) -> Built {
    std::fs::create_dir_all(dir).expect("folder");
    let start = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date") - Duration::days(days - 1);
    let at = |day: NaiveDate, hour: u32, minute: u32| {
        Utc.from_utc_datetime(&day.and_hms_opt(hour, minute, 0).expect("time"))
    };
    let clock = Arc::new(FixedClock::new(at(start, 6, 0)));
    let path = dir.join("tandem.db");
    let mut s = Store::open_with(
        &path,
        None,
        Options {
            durability: Durability::Normal,
            clock: clock.clone(),
            ..Options::default()
        },
    )
    .expect("open");
    s.init("Sam", "UTC").expect("init");
    s.add_track("alcohol", start).expect("track");
    s.add_track("gambling", start).expect("track");
    let g = s
        .add_goal(GoalInput {
            title: "Run 5k".into(),
            ..Default::default()
        })
        .expect("goal");
    s.add_milestone(&g.id, "Run 1k").expect("milestone");
    let mut n: usize = 0;
    for d in 0..days {
        let day = start + Duration::days(d);
        for k in 0..10u32 {
            n += 1;
            clock.set(at(day, 7 + k, (k * 7) % 60));
            s.add_craving(CravingInput {
                trigger: TRIGGERS[n % TRIGGERS.len()].into(),
                intensity: (n % 11) as i64,
                situation: vec!["home".into()],
                helped: vec![
                    HELPED[n % HELPED.len()].into(),
                    HELPED[(n / 3) % HELPED.len()].into(),
                ],
                outcome: Some(if n.is_multiple_of(4) {
                    Outcome::Used
                } else {
                    Outcome::Resisted
                }),
                note: String::new(),
                at: None,
            })
            .expect("craving");
            if k % 2 == 0 {
                s.add_journal(JournalInput {
                    text: format!("Day {d}, entry {k}: went to the meeting, talked to Sam, felt the pull at lunch but took a walk instead."),
                    mood: Some(1 + (n % 5) as i64),
                    tags: vec!["meeting".into()],
                })
                .expect("journal");
            }
        }
        clock.set(at(day, 21, 0));
        s.check_in(CheckInInput {
            mood: 1 + (d % 5),
            craving: d % 11,
            used: false,
            note: String::new(),
        })
        .expect("checkin");
    }
    drop(s);
    Built {
        path,
        clock,
        key: None,
    }
}
