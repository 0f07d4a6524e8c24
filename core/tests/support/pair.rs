//! The usual start of a pairing test: a mentee and a mentor, each on one
//! device connected to the same server, paired through an invite code.

use std::sync::Arc;

use tandem_core::pair::Side;
use tandem_core::{Durability, FixedClock, Store};

use super::{at, store_in};

/// A person's first device in `dir` (`file`), set up and connected to `url`.
pub fn person(
    dir: &std::path::Path,
    file: &str,
    name: &str,
    clock: Arc<FixedClock>,
    url: &str,
) -> Store {
    let mut s = store_in(dir, file, clock, Durability::Normal);
    s.init(name, "Europe/Berlin").unwrap();
    tandem_core::sync::engine::connect(&mut s, url).unwrap();
    s
}

/// Robin the mentee (`mentee.db`, one track) and Alex the mentor
/// (`mentor.db`), paired and synced both ways; with their clock and the
/// pair's id. Checks on the way that an invite code works once only.
pub fn paired(dir: &std::path::Path, url: &str) -> (Store, Store, Arc<FixedClock>, String) {
    let c = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mut mentee = person(dir, "mentee.db", "Robin", c.clone(), url);
    mentee
        .add_track("alcohol", at("2026-01-01T12:00:00Z").date_naive())
        .unwrap();
    let mut mentor = person(dir, "mentor.db", "Alex", c.clone(), url);
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    assert!(code.starts_with("TP3-"));
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code).unwrap();
    assert_eq!(pair.side, Side::Mentor);
    assert_eq!(pair.other_name.as_deref(), Some("Robin"));
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let mine = tandem_core::features::pairs::list(&mentee).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].other_name.as_deref(), Some("Alex"));
    // A code is single use.
    let mut third = person(dir, "third.db", "Sam", c.clone(), url);
    assert!(tandem_core::features::pairs::join(&mut third, &code).is_err());
    (mentee, mentor, c, pair.pair_id)
}
