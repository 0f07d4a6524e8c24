//! The Rust side of the FFI round-trip benchmark.
//!
//! `tandem-bench ffi-seed --store DIR` builds a store of heavy use in `DIR`
//! (`tandem.db`, its key as hex in `key`), then times the Today view through
//! `tandem_ffi::Tandem::today` called from Rust: the same function the
//! Kotlin benchmark calls through uniffi and JNA, minus the crossing. The
//! last line printed is `RUST today_median_us=… today_p99_us=… calls=…`,
//! which the Kotlin benchmark reads to print the `BENCH` line with the ratio.
//! It times the Today screen (`Tandem::today_screen`, the whole screen in
//! one call) the same way: `screen_median_us`.

use std::path::Path;
use std::time::Instant;

use crate::history;
use crate::stats::Samples;

/// Builds the store in `dir` and times the Today view from Rust.
pub fn seed(dir: &Path, days: i64, calls: usize) {
    let plain = history::build(&dir.join("plain"), days);
    let built = plain.encrypted_copy(dir);
    let key = built.key().expect("an encrypted copy has a key");
    std::fs::write(dir.join("key"), key.to_hex().as_bytes()).expect("key file");
    std::fs::remove_dir_all(dir.join("plain")).expect("remove the plain store");

    let tandem =
        tandem_ffi::Tandem::open(built.path().display().to_string(), key.as_bytes().to_vec())
            .expect("open through tandem-ffi");
    for _ in 0..calls / 10 {
        tandem.today().expect("today");
    }
    let mut s = Samples::default();
    for _ in 0..calls {
        let t = Instant::now();
        let view = tandem.today().expect("today");
        s.push(t.elapsed());
        assert!(!view.tracks.is_empty());
    }
    let mut screen = Samples::default();
    for _ in 0..calls / 10 {
        tandem.today_screen().expect("today screen");
    }
    for _ in 0..calls {
        let t = Instant::now();
        let view = tandem.today_screen().expect("today screen");
        screen.push(t.elapsed());
        assert!(!view.today.tracks.is_empty());
    }
    eprintln!(
        "today from Rust ({days} days of use): median {:.1} µs, p99 {:.1} µs over {calls} calls; \
         the Today screen: median {:.1} µs",
        s.median_us(),
        s.p99_us(),
        screen.median_us()
    );
    println!(
        "RUST today_median_us={:.2} today_p99_us={:.2} screen_median_us={:.2} calls={calls}",
        s.median_us(),
        s.p99_us(),
        screen.median_us()
    );
}
