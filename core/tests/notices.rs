//! The notices a wake-up leads to: a mentee's reach-out told to the mentor
//! once, and (when asked for) something new from the other side of a pair,
//! never what the person's own devices wrote. Through a real server.

mod support;

use chrono::Duration;
use support::pair::paired;
use support::server::{self, ServerProcess};
use tandem_core::Store;
use tandem_core::features::pairs::{acknowledge, reach_out};
use tandem_core::notify::{Notice, announce, due_notices};
use tandem_core::sync::run::sync;

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

fn quiet(store: &mut Store, activity: bool) {
    let mut settings = store.settings().unwrap();
    settings.reminder_hour = None;
    settings.pair_activity_notices = activity;
    store.set_settings(&settings).unwrap();
}

#[test]
fn a_reach_out_is_told_to_the_mentor_once_and_again_for_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    quiet(&mut mentee, false);
    quiet(&mut mentor, false);
    assert!(announce(&mut mentor).unwrap().is_empty());

    reach_out(&mut mentee, None, "rough night").unwrap();
    sync(&mut mentee).unwrap();
    // Nothing before the mentor's phone has it.
    assert!(due_notices(&mentor).unwrap().is_empty());
    sync(&mut mentor).unwrap();
    assert_eq!(due_notices(&mentor).unwrap(), [Notice::ReachOut]);
    assert_eq!(announce(&mut mentor).unwrap(), [Notice::ReachOut]);
    // Told once: a second wake-up with nothing new says nothing.
    assert!(announce(&mut mentor).unwrap().is_empty());
    // The mentee is never told of their own reach-out.
    assert!(announce(&mut mentee).unwrap().is_empty());

    c.advance(Duration::minutes(5));
    let second = reach_out(&mut mentee, None, "still rough").unwrap();
    sync(&mut mentee).unwrap();
    sync(&mut mentor).unwrap();
    assert_eq!(announce(&mut mentor).unwrap(), [Notice::ReachOut]);
    acknowledge(&mut mentor, &second).unwrap();
    assert!(due_notices(&mentor).unwrap().is_empty());
}

#[test]
fn pair_activity_is_told_when_asked_for_and_only_for_the_other_side() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, pair) = paired(dir.path(), &srv.url);
    quiet(&mut mentee, true);
    quiet(&mut mentor, false);
    // What pairing itself brought is announced away first.
    announce(&mut mentee).unwrap();

    // The mentor edits a shared note: the mentee, who asked, is told once.
    c.advance(Duration::minutes(1));
    mentor
        .create_note_in(Some(&pair), "Plan", "Call me first.")
        .unwrap();
    sync(&mut mentor).unwrap();
    sync(&mut mentee).unwrap();
    assert_eq!(announce(&mut mentee).unwrap(), [Notice::PairActivity]);
    assert!(announce(&mut mentee).unwrap().is_empty());

    // The mentee's own write, synced back, is no news to the mentee.
    c.advance(Duration::minutes(1));
    mentee
        .create_note_in(Some(&pair), "Mine", "my words")
        .unwrap();
    sync(&mut mentee).unwrap();
    sync(&mut mentee).unwrap();
    assert!(announce(&mut mentee).unwrap().is_empty());
    // Nor is what the mentee writes on a second device of theirs (its
    // automerge actor, not its server id, is what a change names).
    let code = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut tablet = support::store_in(
        dir.path(),
        "tablet.db",
        c.clone(),
        tandem_core::Durability::Normal,
    );
    tandem_core::features::devices::link(&mut tablet, &code, &srv.url).unwrap();
    sync(&mut tablet).unwrap();
    sync(&mut mentee).unwrap();
    announce(&mut mentee).unwrap();
    c.advance(Duration::minutes(1));
    tablet
        .create_note_in(Some(&pair), "From the tablet", "my words too")
        .unwrap();
    sync(&mut tablet).unwrap();
    sync(&mut mentee).unwrap();
    assert!(
        mentee
            .notes()
            .unwrap()
            .iter()
            .any(|n| n.title == "From the tablet")
    );
    assert!(announce(&mut mentee).unwrap().is_empty());
    // The mentor did not ask for pair activity: nothing, though it is new.
    sync(&mut mentor).unwrap();
    assert!(announce(&mut mentor).unwrap().is_empty());
    let text = tandem_core::notify::text(Notice::PairActivity, Default::default());
    assert!(!text.body.to_lowercase().contains("recovery"));
}
