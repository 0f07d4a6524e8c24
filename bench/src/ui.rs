//! The browser shell's pages against the core's own view-state calls.
//!
//! `ui_today`: the Today page (what the handler reads — `today` and
//! `sync_status` — and its HTML) against `Store::today` alone.
//! `ui_journal_first_page`: the journal's first page (20 entries, pairs,
//! sharing marks, HTML) against `Store::journal_page` alone. Both on the
//! five-year store; the target is a ratio of at most 2.

use std::time::Instant;

use tandem_core::Page;

use crate::history::Built;
use crate::stats::{self, Samples};

/// Measures both pages, alternating with their floors.
pub fn pages(big: &Built, n: usize) {
    let mut store = big.open();
    // Warm the caches both ways, as a running UI would be.
    for _ in 0..10 {
        tandem_web::screens::today(&mut store).expect("today page");
        tandem_web::screens::journal(&mut store, None, "csrf").expect("journal page");
    }
    let (mut page, mut floor) = (Samples::default(), Samples::default());
    let (mut jpage, mut jfloor) = (Samples::default(), Samples::default());
    for _ in 0..n {
        let t = Instant::now();
        let html = tandem_web::screens::today(&mut store).expect("today page");
        page.push(t.elapsed());
        assert!(html.contains("Clean time"));

        let t = Instant::now();
        let view = tandem_core::view::today(&store).expect("today");
        floor.push(t.elapsed());
        assert!(!view.tracks.is_empty());

        let t = Instant::now();
        let html = tandem_web::screens::journal(&mut store, None, "csrf").expect("journal page");
        jpage.push(t.elapsed());
        assert!(html.contains("Older entries"));

        let t = Instant::now();
        let entries = store
            .journal_page(&Page::first(tandem_web::screens::JOURNAL_PAGE))
            .expect("journal");
        jfloor.push(t.elapsed());
        assert_eq!(entries.len(), 20);
    }
    stats::report("ui_today", &page, Some(&floor));
    stats::report("ui_journal_first_page", &jpage, Some(&jfloor));
}
