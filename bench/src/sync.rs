//! Sync benchmarks against a real server on loopback (in a thread of this
//! process, over SQLite in a temporary folder).
//!
//! - `sync_month_offline`: a device that was offline for a month (about
//!   600 changes: journal entries, cravings and check-ins) syncs; time from
//!   the start of its push to the other device's read model holding
//!   everything (one push, one pull). The floor, measured alternately in the
//!   same run: the same changes handed straight from one store to the other
//!   (`apply_changes`, no network, no encryption).
//! - `sync_wire_bytes`: for that month, the sealed bytes (nonce, padded
//!   ciphertext, tag) and the push bodies on the wire (JSON, base64url)
//!   against the raw automerge change bytes.
//! - `pair_sync_note` / `pair_sync_idle`: a mentee's sync in a pair where
//!   each person has two devices (so both sides publish a device log),
//!   after writing one note in the pair, and with nothing new.
//! - `bootstrap_5_years`: a new device linked to a person with five years of
//!   heavy use: from the link until its read model holds everything (it
//!   loads the encrypted snapshots the first device uploaded, then pulls
//!   what came after).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use tandem_core::checkin::CheckInInput;
use tandem_core::craving::CravingInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, FixedClock, Options, Store, StoreKey};

use crate::stats::{self, Samples};

/// Starts a server on loopback; returns its URL.
pub fn start_server(dir: &Path) -> String {
    tandem_sync_server::spawn_local(&dir.join("server.db")).expect("the server started")
}

fn device(dir: &Path, name: &str, clock: Arc<FixedClock>, durability: Durability) -> Store {
    Store::open_with(
        dir.join(name),
        Some(&StoreKey::generate()),
        Options {
            durability,
            clock,
            ..Options::default()
        },
    )
    .expect("open")
}

/// A month of heavy use: per day 5 journal entries, 14 cravings, a check-in
/// (about 600 changes).
fn month(s: &mut Store, clock: &FixedClock, n: &mut usize) {
    for _ in 0..30 {
        clock.advance(Duration::days(1));
        for k in 0..14 {
            *n += 1;
            s.add_craving(CravingInput {
                trigger: format!("trigger {}", *n % 9),
                intensity: (*n % 11) as i64,
                helped: vec!["walk".into()],
                ..Default::default()
            })
            .expect("craving");
            if k % 3 == 0 {
                s.add_journal(JournalInput {
                    text: format!(
                        "Day {n}: went to the meeting, the pull came at lunch and passed."
                    ),
                    mood: Some(3),
                    tags: vec!["meeting".into()],
                })
                .expect("journal");
            }
        }
        s.check_in(CheckInInput {
            mood: 3,
            craving: 2,
            used: false,
            note: String::new(),
        })
        .expect("checkin");
    }
}

/// `sync_month_offline` and `sync_wire_bytes`.
pub fn month_offline(dir: &Path, months: usize) {
    std::fs::create_dir_all(dir).expect("folder");
    let url = start_server(dir);
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap(),
    ));
    let mut a = device(dir, "a.db", clock.clone(), Durability::Full);
    a.init("Sam", "UTC").expect("init");
    tandem_core::sync::engine::connect(&mut a, &url).expect("connect");
    let code = tandem_core::features::devices::link_code(&mut a).expect("code");
    let mut b = device(dir, "b.db", clock.clone(), Durability::Full);
    tandem_core::features::devices::link(&mut b, &code, &url).expect("link");
    // The floor's pair of stores, fed the same changes directly.
    let mut fa = device(dir, "fa.db", clock.clone(), Durability::Full);
    fa.init("Sam", "UTC").expect("init");
    let mut fb = device(dir, "fb.db", clock.clone(), Durability::Full);
    let (mut real, mut floor) = (Samples::default(), Samples::default());
    let (mut raw, mut sealed, mut sent, mut changes) = (0u64, 0u64, 0u64, 0usize);
    let mut n = 0;
    for _ in 0..months {
        let mut m = n;
        month(&mut a, &clock, &mut n);
        month(&mut fa, &clock, &mut m);
        let t = Instant::now();
        let pushed = tandem_core::sync::run::sync(&mut a).expect("push");
        let pulled = tandem_core::sync::run::sync(&mut b).expect("pull");
        real.push(t.elapsed());
        assert_eq!(pulled.applied, pushed.pushed);
        changes += pushed.pushed;
        raw += pushed.raw_bytes;
        sealed += pushed.sealed_bytes;
        sent += pushed.sent_bytes;

        let t = Instant::now();
        for doc in fa.doc_ids().expect("docs") {
            let have = fb.heads(&doc).expect("heads");
            let missing = fa.changes_since(&doc, &have).expect("changes");
            fb.apply_changes(&doc, &missing).expect("apply");
        }
        floor.push(t.elapsed());
    }
    assert_eq!(
        a.read_model_dump().expect("dump"),
        b.read_model_dump().expect("dump")
    );
    eprintln!(
        "{months} months, {} changes a month",
        changes / months.max(1)
    );
    stats::report("sync_month_offline", &real, Some(&floor));
    let sealed_ratio = sealed as f64 / raw as f64;
    let wire_ratio = sent as f64 / raw as f64;
    eprintln!(
        "sync_wire_bytes: raw {raw} B, sealed {sealed} B ({sealed_ratio:.3}x), push bodies {sent} B ({wire_ratio:.3}x)"
    );
    println!(
        "BENCH name=sync_wire_bytes raw_bytes={raw} sealed_bytes={sealed} ratio={sealed_ratio:.3} wire_bytes={sent} wire_ratio={wire_ratio:.3}"
    );
}

/// `bootstrap_5_years`: `days` of heavy use, then a new device links.
pub fn bootstrap(dir: &Path, days: i64, runs: usize) {
    let url = start_server(dir);
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap() - Duration::days(days),
    ));
    let mut a = device(dir, "a.db", clock.clone(), Durability::Normal);
    a.init("Sam", "UTC").expect("init");
    let mut n = 0;
    for _ in 0..(days / 30) {
        month(&mut a, &clock, &mut n);
    }
    let started = Instant::now();
    let report = tandem_core::sync::engine::connect(&mut a, &url).expect("connect");
    eprintln!(
        "uploaded {} changes in {:.1} s",
        report.pushed,
        started.elapsed().as_secs_f64()
    );
    let mut s = Samples::default();
    for run in 0..runs {
        let code = tandem_core::features::devices::link_code(&mut a).expect("code");
        let mut b = device(
            dir,
            &format!("new{run}.db"),
            clock.clone(),
            Durability::Full,
        );
        let t = Instant::now();
        let got = tandem_core::features::devices::link(&mut b, &code, &url).expect("link");
        s.push(t.elapsed());
        eprintln!(
            "linked: {} documents from snapshots, {} records pulled",
            got.from_snapshots, got.pulled
        );
        assert_eq!(
            b.read_model_dump().expect("dump"),
            a.read_model_dump().expect("dump")
        );
        drop(b);
    }
    stats::report("bootstrap_5_years", &s, None);
}

/// `device_log_build`: building the device log as each sync does, for a
/// person's handful of devices and for a log a lost phone filled, before
/// its unlink, with `noise` entries of its own and as many no device
/// signed.
pub fn device_log(runs: usize, noise: usize) {
    for (name, devices, extra) in [
        ("device_log_build_honest", 6, 0),
        ("device_log_build_flooded", 6, noise),
    ] {
        let mut s = Samples::default();
        for _ in 0..runs {
            let (took, live) = tandem_core::features::devices::synthetic_log_build(devices, extra);
            assert_eq!(live, devices, "every device stays certified");
            s.push(took);
        }
        crate::stats::report(name, &s, None);
    }
}

/// `pair_sync_note` and `pair_sync_idle`: what a sync of a person in a
/// pair costs, each side with two devices (their device logs published in
/// the pair, built by the other side).
pub fn pair_sync(dir: &Path, runs: usize) {
    use tandem_core::features::{devices, pairs};
    std::fs::create_dir_all(dir).expect("folder");
    let url = start_server(dir);
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap(),
    ));
    let person = |file: &str, name: &str| {
        let mut s = device(dir, file, clock.clone(), Durability::Full);
        s.init(name, "UTC").expect("init");
        tandem_core::sync::engine::connect(&mut s, &url).expect("connect");
        s
    };
    let mut mentee = person("mentee.db", "Robin");
    let mut mentor = person("mentor.db", "Alex");
    let code = pairs::invite(&mut mentee).expect("invite");
    tandem_core::sync::run::sync(&mut mentee).expect("sync");
    let pair = pairs::join(&mut mentor, &code).expect("join").pair_id;
    let mut tablet = device(dir, "tablet.db", clock.clone(), Durability::Full);
    devices::link(
        &mut tablet,
        &devices::link_code(&mut mentee).expect("code"),
        &url,
    )
    .expect("link");
    let mut laptop = device(dir, "laptop.db", clock.clone(), Durability::Full);
    devices::link(
        &mut laptop,
        &devices::link_code(&mut mentor).expect("code"),
        &url,
    )
    .expect("link");
    for _ in 0..3 {
        for s in [&mut mentee, &mut tablet, &mut mentor, &mut laptop] {
            tandem_core::sync::run::sync(s).expect("sync");
        }
    }
    let (mut note, mut idle) = (Samples::default(), Samples::default());
    for n in 0..runs {
        mentor
            .create_note_in(Some(&pair), "Check-in", &format!("Thursday {n}"))
            .expect("note");
        tandem_core::sync::run::sync(&mut mentor).expect("sync");
        let started = Instant::now();
        tandem_core::sync::run::sync(&mut mentee).expect("sync");
        note.push(started.elapsed());
        let started = Instant::now();
        tandem_core::sync::run::sync(&mut mentee).expect("sync");
        idle.push(started.elapsed());
    }
    stats::report("pair_sync_note", &note, None);
    stats::report("pair_sync_idle", &idle, None);
}
