//! `tandem-bench`: measures the store against the floors it cannot beat and
//! prints one `BENCH name=… key=value …` line per benchmark.
//!
//! ```text
//! tandem-bench [--quick] [write|open|insights|sync|all]
//! tandem-bench ffi-seed --store DIR [--quick]
//! ```
//!
//! - `write_journal`, `write_craving`: one user action (automerge change,
//!   read-model row, durable commit) against its floor, measured alternately
//!   in the same run: a bare automerge change of the same shape on a bare
//!   document of the same size, plus a bare SQLite transaction writing the
//!   same bytes with the same durability (`synchronous=FULL`).
//! - `open_today`, `journal_first_page`: on five years of heavy use (5
//!   journal entries, 10 cravings and a check-in a day) against five days.
//! - `write_journal_sync_full_vs_normal`: the price of `synchronous=FULL`
//!   (survives power loss) over `NORMAL` (survives a killed process only);
//!   here the "floor" is the `NORMAL` write.
//! - `insights_year`: a year of insights on the five-year store.
//! - `write_journal_encrypted_vs_plain`, `open_today_encrypted_vs_plain`:
//!   what SQLCipher costs, against the same work on a plain store in the
//!   same run (the plain store is the "floor"), one of each in turn;
//!   `open_store_key`: opening the five-year store with its key
//!   (connection, key check, schema check) against opening the plain one.
//!
//! - `sync_month_offline`, `sync_wire_bytes`, `bootstrap_5_years`: see
//!   the `sync` module.
//! - `ui_today`, `ui_journal_first_page`: the browser shell's pages
//!   against the core's own calls for the same screens (see `ui`).
//! - `ffi-seed --store DIR`: the Rust half of the FFI round-trip benchmark
//!   (`ffi_today_view`, printed by the Kotlin half; see the `ffi` module).
//!
//! Every store measured is encrypted, as on a phone, except the plain
//! stores of the `…_vs_plain` comparisons.

mod ffi;
mod floor;
mod history;
mod stats;
mod sync;
mod ui;

use std::time::{Duration, Instant};

use stats::Samples;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    if args.first().map(String::as_str) == Some("ffi-seed") {
        let Some(store) = args
            .iter()
            .position(|a| a == "--store")
            .and_then(|i| args.get(i + 1))
        else {
            eprintln!("usage: tandem-bench ffi-seed --store DIR [--quick]");
            std::process::exit(2);
        };
        let (days, calls) = if quick { (90, 300) } else { (365, 2000) };
        ffi::seed(std::path::Path::new(store), days, calls);
        return;
    }
    let which = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(String::as_str)
        .unwrap_or("all");
    if !matches!(which, "write" | "open" | "insights" | "sync" | "all") {
        eprintln!("usage: tandem-bench [--quick] [write|open|insights|sync|all]");
        std::process::exit(2);
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    if matches!(which, "write" | "all") {
        let n = if quick { 150 } else { 600 };
        floor::write_journal(dir.path(), n);
        floor::write_craving(dir.path(), n);
        floor::durability_cost(dir.path(), n);
        floor::encryption_cost(dir.path(), n);
    }
    if matches!(which, "sync" | "all") {
        sync::month_offline(&dir.path().join("sync-month"), if quick { 2 } else { 6 });
        sync::device_log(if quick { 5 } else { 20 }, if quick { 500 } else { 2000 });
        sync::pair_sync(&dir.path().join("pair"), if quick { 10 } else { 40 });
        std::fs::create_dir_all(dir.path().join("bootstrap")).expect("folder");
        let years = if quick { 1 } else { 5 };
        sync::bootstrap(
            &dir.path().join("bootstrap"),
            years * 365,
            if quick { 1 } else { 3 },
        );
    }
    if matches!(which, "open" | "insights" | "all") {
        let years = if quick { 1 } else { 5 };
        let started = Instant::now();
        let big_plain = history::build(&dir.path().join("big-plain"), years * 365);
        let big = big_plain.encrypted_copy(&dir.path().join("big"));
        let small = history::build(&dir.path().join("small-plain"), 5)
            .encrypted_copy(&dir.path().join("small"));
        eprintln!(
            "built {years}-year and 5-day stores in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if matches!(which, "open" | "all") {
            open_today(&big, &small, if quick { 100 } else { 300 });
            journal_first_page(&big, &small, if quick { 300 } else { 2000 });
            open_encrypted_vs_plain(&big, &big_plain, if quick { 100 } else { 300 });
            ui::pages(&big, if quick { 200 } else { 1000 });
        }
        if matches!(which, "insights" | "all") {
            insights_year(&big, if quick { 20 } else { 60 });
        }
    }
}

fn open_today(big: &history::Built, small: &history::Built, n: usize) {
    let measure = |b: &history::Built| {
        let mut s = Samples::default();
        for _ in 0..n {
            let t = Instant::now();
            let store = b.open();
            let view = tandem_core::view::today(&store).expect("today");
            s.push(t.elapsed());
            assert!(!view.tracks.is_empty());
        }
        s
    };
    // Alternate to share the machine's state fairly.
    let (mut big_s, mut small_s) = (Samples::default(), Samples::default());
    for _ in 0..3 {
        big_s.extend(measure(big));
        small_s.extend(measure(small));
    }
    stats::report("open_today", &big_s, Some(&small_s));
}

fn open_encrypted_vs_plain(encrypted: &history::Built, plain: &history::Built, n: usize) {
    let today = |b: &history::Built| {
        let t = Instant::now();
        let store = b.open();
        let view = tandem_core::view::today(&store).expect("today");
        let took = t.elapsed();
        assert!(!view.tracks.is_empty());
        took
    };
    let open_only = |b: &history::Built| {
        let t = Instant::now();
        let store = b.open();
        let took = t.elapsed();
        drop(store);
        took
    };
    let (e_today, p_today) = in_turn(3 * n, || today(encrypted), || today(plain));
    let (e_open, p_open) = in_turn(3 * n, || open_only(encrypted), || open_only(plain));
    stats::report("open_today_encrypted_vs_plain", &e_today, Some(&p_today));
    stats::report("open_store_key", &e_open, Some(&p_open));
}

/// Runs `a` and `b` in turn `n` times each, swapping which goes first
/// every round, so both meet the machine in the same state: its speed
/// drifts over seconds by more than some differences measured here.
fn in_turn(
    n: usize,
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> (Samples, Samples) {
    let (mut sa, mut sb) = (Samples::default(), Samples::default());
    for i in 0..n {
        if i % 2 == 0 {
            sa.push(a());
            sb.push(b());
        } else {
            sb.push(b());
            sa.push(a());
        }
    }
    (sa, sb)
}

fn journal_first_page(big: &history::Built, small: &history::Built, n: usize) {
    let measure = |b: &history::Built| {
        let store = b.open();
        let mut s = Samples::default();
        for _ in 0..n {
            let t = Instant::now();
            let page = store
                .journal_page(&tandem_core::Page::first(20))
                .expect("page");
            s.push(t.elapsed());
            assert_eq!(page.len(), 20);
        }
        s
    };
    let (mut big_s, mut small_s) = (Samples::default(), Samples::default());
    for _ in 0..3 {
        big_s.extend(measure(big));
        small_s.extend(measure(small));
    }
    stats::report("journal_first_page", &big_s, Some(&small_s));
}

fn insights_year(big: &history::Built, n: usize) {
    let store = big.open();
    let mut s = Samples::default();
    for _ in 0..n {
        let t = Instant::now();
        let i = store.insights(365).expect("insights");
        s.push(t.elapsed());
        assert!(i.cravings > 0);
    }
    stats::report("insights_year", &s, None);
}
