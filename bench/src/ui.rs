//! The browser shell's pages against the core's screen calls they render.
//!
//! `ui_today`: the Today page (`tandem_web::screens::today`: the core's
//! Today screen record and its HTML) against `screens().today()` alone.
//! `ui_journal_first_page`: the journal's first page (the core's page of
//! `JOURNAL_PAGE` entries with their sharing marks, and its HTML) against
//! `screens().journal(None)` alone. Both on the five-year store, through the
//! same `App` the browser shell serves; the target is a ratio of at most 2
//! (what the shell adds to the core's record stays small).

use std::sync::Arc;
use std::time::Instant;

use tandem_core::screens::JOURNAL_PAGE;
use tandem_core::{App, FixedClock, Options};

use crate::history::Built;
use crate::stats::{self, Samples};

/// Measures both pages, alternating with their floors.
pub fn pages(big: &Built, n: usize) {
    let store = big.open();
    let options = Options {
        clock: Arc::new(FixedClock::new(store.now())),
        ..Options::default()
    };
    let app = App::adopt(store, options).expect("app");
    // Warm the caches both ways, as a running UI would be.
    for _ in 0..10 {
        tandem_web::screens::today(&app, "csrf").expect("today page");
        tandem_web::screens::journal(&app, None, "csrf").expect("journal page");
    }
    let (mut page, mut floor) = (Samples::default(), Samples::default());
    let (mut jpage, mut jfloor) = (Samples::default(), Samples::default());
    for _ in 0..n {
        let t = Instant::now();
        let html = tandem_web::screens::today(&app, "csrf").expect("today page");
        page.push(t.elapsed());
        assert!(html.contains("Clean time"));

        let t = Instant::now();
        let screen = app.screens().today().expect("today");
        floor.push(t.elapsed());
        assert!(!screen.today.tracks.is_empty());

        let t = Instant::now();
        let html = tandem_web::screens::journal(&app, None, "csrf").expect("journal page");
        jpage.push(t.elapsed());
        assert!(html.contains("Older entries"));

        let t = Instant::now();
        let screen = app.screens().journal(None).expect("journal");
        jfloor.push(t.elapsed());
        assert_eq!(screen.rows.len(), JOURNAL_PAGE as usize);
    }
    stats::report("ui_today", &page, Some(&floor));
    stats::report("ui_journal_first_page", &jpage, Some(&jfloor));
}
