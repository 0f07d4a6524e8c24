//! End to end: a mentee and a mentor pair, share, write notes together,
//! reach out, and end the pair, through a real server process.

mod support;

use chrono::Duration;
use support::pair::{paired, person};
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::features::sharing::ShareKind;
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, ErrorKind};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

fn journal(text: &str) -> JournalInput {
    JournalInput {
        text: text.into(),
        ..Default::default()
    }
}

#[test]
fn the_mentor_sees_exactly_what_was_shared_and_progress_arrives_after_one_sync_each() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, pair) = paired(dir.path(), &srv.url);

    let shared_goal = mentee
        .add_goal(GoalInput {
            title: "Ninety meetings".into(),
            ..Default::default()
        })
        .unwrap();
    let (_, step) = mentee.add_milestone(&shared_goal.id, "first ten").unwrap();
    mentee
        .add_goal(GoalInput {
            title: "PRIVATE-goal".into(),
            ..Default::default()
        })
        .unwrap();
    let shared_entry = mentee.add_journal(journal("I told my sister.")).unwrap();
    mentee
        .add_journal(journal("PRIVATE-entry about the relapse"))
        .unwrap();
    tandem_core::features::sharing::share(&mut mentee, ShareKind::Goal, &shared_goal.id, None)
        .unwrap();
    tandem_core::features::sharing::share(
        &mut mentee,
        ShareKind::Journal,
        &shared_entry.id,
        Some(&pair[..6]),
    )
    .unwrap();
    // The mentee still has both goals; the shared one is marked as shared.
    assert_eq!(mentee.goals().unwrap().len(), 2);
    assert_eq!(
        mentee.shared_in(&shared_goal.id).unwrap(),
        vec![pair.clone()]
    );
    assert_eq!(
        mentee.shared_in(&shared_entry.id).unwrap(),
        vec![pair.clone()]
    );
    assert!(tandem_core::features::sharing::can_share(&mentee).unwrap());
    assert!(
        !tandem_core::features::sharing::can_share(&mentor).unwrap(),
        "a mentor has nothing to share"
    );
    // A list asks for all its items at once.
    let listed = [
        shared_goal.id.as_str(),
        shared_entry.id.as_str(),
        "not-an-item",
    ];
    assert_eq!(
        mentee.shared_among(listed).unwrap(),
        [shared_goal.id.clone(), shared_entry.id.clone()].into()
    );
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();

    let overview = tandem_core::features::mentor::overview(&mut mentor, true).unwrap();
    assert_eq!(overview.len(), 1);
    let robin = &overview[0];
    assert_eq!(robin.name.as_deref(), Some("Robin"));
    assert_eq!(robin.goals.len(), 1);
    assert_eq!(robin.goals[0].title, "Ninety meetings");
    assert_eq!(robin.shared.len(), 1);
    assert_eq!(robin.shared[0].text, "I told my sister.");
    assert_eq!(robin.clean_time[0].name, "alcohol");
    assert_eq!(robin.clean_time[0].clean_days, 68);
    assert_eq!(robin.changes.new_shared, 1);
    // The mentor's own lists hold nothing of the mentee's.
    assert!(mentor.goals().unwrap().is_empty());
    let dump = mentor.read_model_dump().unwrap();
    assert!(!dump.contains("PRIVATE"), "the mentor holds a private item");
    for doc in mentor.doc_ids().unwrap() {
        let d = doc.as_str();
        assert!(
            d.starts_with("pair/") || ["profile", "keyring", "devices"].contains(&d),
            "the mentor holds {d}"
        );
    }

    // Progress: one sync on each side.
    c.advance(Duration::minutes(10));
    mentee
        .set_milestone_done(&shared_goal.id, &step, true)
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let robin = &tandem_core::features::mentor::overview(&mut mentor, true).unwrap()[0];
    assert_eq!(robin.goals[0].milestones_done, 1);
    assert_eq!(robin.changes.milestones_done, 1);
    assert_eq!(robin.changes.new_shared, 0, "seen before");

    // Unsharing removes the entry from the pair space from then on.
    tandem_core::features::sharing::unshare(
        &mut mentee,
        ShareKind::Journal,
        &shared_entry.id,
        None,
    )
    .unwrap();
    tandem_core::features::sharing::unshare(&mut mentee, ShareKind::Goal, &shared_goal.id, None)
        .unwrap();
    assert!(mentee.shared_in(&shared_entry.id).unwrap().is_empty());
    assert!(mentee.shared_among(listed).unwrap().is_empty());
    assert_eq!(mentee.goals().unwrap().len(), 2, "the goal came home");
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let robin = &tandem_core::features::mentor::overview(&mut mentor, false).unwrap()[0];
    assert!(robin.shared.is_empty());
    assert!(robin.goals.is_empty());
    // And it never comes back, whatever order the devices sync in.
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert!(
        tandem_core::features::mentor::overview(&mut mentor, false).unwrap()[0]
            .shared
            .is_empty()
    );
}

#[test]
fn both_edit_a_shared_note_offline_and_keep_both_edits() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, _c, pair) = paired(dir.path(), &srv.url);
    let note = mentee
        .create_note_in(
            Some(&pair),
            "Relapse-prevention plan",
            "Call Alex.\nLeave the party.",
        )
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(
        mentor.note(&note.id).unwrap().body,
        "Call Alex.\nLeave the party."
    );
    // Offline, both edit the whole text.
    mentee
        .edit_note(&note.id, "Call Alex first.\nLeave the party.")
        .unwrap();
    mentor
        .edit_note(&note.id, "Call Alex.\nLeave the party.\nGo to a meeting.")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let a = mentee.note(&note.id).unwrap().body;
    let b = mentor.note(&note.id).unwrap().body;
    assert_eq!(a, b);
    assert_eq!(a, "Call Alex first.\nLeave the party.\nGo to a meeting.");
    assert!(
        tandem_core::features::mentor::overview(&mut mentor, false).unwrap()[0]
            .changes
            .notes_edited
            >= 1
    );
}

#[test]
fn a_reach_out_tops_the_overview_until_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, _pair) = paired(dir.path(), &srv.url);
    // A second mentee, with nothing to say.
    let mut other = person(dir.path(), "other.db", "Kim", c.clone(), &srv.url);
    let code = tandem_core::features::pairs::invite(&mut other).unwrap();
    tandem_core::sync::run::sync(&mut other).unwrap();
    tandem_core::features::pairs::join(&mut mentor, &code).unwrap();
    c.advance(Duration::minutes(5));
    let id = tandem_core::features::pairs::reach_out(
        &mut mentee,
        None,
        "I'm at the bar and want to drink",
    )
    .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let overview = tandem_core::features::mentor::overview(&mut mentor, true).unwrap();
    assert_eq!(overview.len(), 2);
    assert_eq!(
        overview[0].name.as_deref(),
        Some("Robin"),
        "reach-out first"
    );
    assert_eq!(overview[0].open_reach_outs.len(), 1);
    assert_eq!(overview[0].open_reach_outs[0].id, id);
    // A mentor with several mentees must say which pair.
    assert_eq!(
        tandem_core::features::pairs::reach_out(&mut mentor, None, "x")
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    tandem_core::features::pairs::acknowledge(&mut mentor, &id).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let overview = tandem_core::features::mentor::overview(&mut mentor, true).unwrap();
    assert!(overview.iter().all(|m| m.open_reach_outs.is_empty()));
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(
        mentee
            .reach_outs(&overview[0].pair_id)
            .unwrap_or_default()
            .iter()
            .all(|r| r.acknowledged_ms.is_some())
    );
}

#[test]
fn after_the_pair_ends_the_former_mentor_gets_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, _c, pair) = paired(dir.path(), &srv.url);
    let before = mentee.add_journal(journal("shared before")).unwrap();
    tandem_core::features::sharing::share(&mut mentee, ShareKind::Journal, &before.id, None)
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert!(tandem_core::features::sharing::can_share(&mentee).unwrap());
    let ended = tandem_core::features::pairs::end(&mut mentee, &pair).unwrap();
    assert!(ended.ended);
    assert!(
        !tandem_core::features::sharing::can_share(&mentee).unwrap(),
        "no live pair to share with"
    );
    // The mentee's data stays on the mentee's device.
    assert!(mentee.journal_entry(&before.id).is_ok());
    // The mentor's next sync learns the pair ended and pulls nothing new.
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let view = tandem_core::features::pairs::list(&mentor).unwrap();
    assert!(view[0].ended);
    // What was synced before stays on the mentor's phone (the privacy page says so).
    assert_eq!(
        tandem_core::features::mentor::overview(&mut mentor, false).unwrap()[0]
            .shared
            .len(),
        1
    );
    // The server refuses the former mentor outright.
    let account = mentor.account().unwrap().unwrap();
    let err = account
        .client()
        .unwrap()
        .pull(vec![tandem_protocol::Cursor {
            space_id: pair.clone(),
            after: 0,
        }])
        .unwrap_err();
    assert!(
        matches!(err, tandem_core::Error::Server { status: 404, .. }),
        "{err}"
    );
}

#[test]
fn a_mentees_second_device_gets_the_pair_through_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, c, pair) = paired(dir.path(), &srv.url);
    let code = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut tablet = store_in(dir.path(), "tablet.db", c, Durability::Normal);
    tandem_core::features::devices::link(&mut tablet, &code, &srv.url).unwrap();
    assert_eq!(
        tandem_core::features::pairs::list(&tablet).unwrap().len(),
        1
    );
    // The second sync picks up the pair space the keyring named.
    tandem_core::sync::run::sync(&mut tablet).unwrap();
    let note = tablet
        .create_note_in(Some(&pair), "From the tablet", "hello")
        .unwrap();
    tandem_core::sync::run::sync(&mut tablet).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(mentor.note(&note.id).unwrap().body, "hello");
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(mentee.note(&note.id).unwrap().title, "From the tablet");
}

#[test]
fn identical_changes_in_two_documents_both_arrive() {
    // Two notes made in the same millisecond with the same words start with
    // byte-identical automerge changes; the server must not fold them into one.
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, _c, pair) = paired(dir.path(), &srv.url);
    let a = mentee.create_note_in(Some(&pair), "Plan", "Call.").unwrap();
    let b = mentee.create_note_in(Some(&pair), "Plan", "Call.").unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(mentor.note(&a.id).unwrap().body, "Call.");
    assert_eq!(mentor.note(&b.id).unwrap().body, "Call.");
}

/// Writing an entry and sharing it is one step: when the pair cannot take
/// it (no pair yet, or this person is its mentor), nothing is written, so
/// no entry is left private that the person meant to share; when it can,
/// the mentor gets it at the next sync. Before, the phones made two calls
/// and the first could succeed alone.
#[test]
fn writing_and_sharing_is_one_step_that_leaves_nothing_half_done() {
    use tandem_core::Page;
    use tandem_core::craving::CravingInput;
    use tandem_core::features::sharing::{add_craving_shared, add_journal_shared};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let entry = |text: &str| JournalInput {
        text: text.into(),
        mood: Some(3),
        tags: vec![],
    };
    let mut alone = support::store_in(
        dir.path(),
        "alone.db",
        support::first_device::start_clock(),
        tandem_core::Durability::Normal,
    );
    alone.init("Kim", "Europe/Berlin").unwrap();
    let err = add_journal_shared(&mut alone, entry("no pair yet"), None).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NotFound | ErrorKind::Validation),
        "{err}"
    );
    assert!(
        alone.journal_page(&Page::first(10)).unwrap().is_empty(),
        "nothing written"
    );

    let (mut mentee, mut mentor, _clock, pair) = paired(dir.path(), &srv.url);
    let err = add_journal_shared(&mut mentor, entry("a mentor's own"), Some(&pair)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert!(mentor.journal_page(&Page::first(10)).unwrap().is_empty());

    let shared =
        add_journal_shared(&mut mentee, entry("Hard day, went anyway"), Some(&pair)).unwrap();
    assert_eq!(mentee.shared_in(&shared.id).unwrap(), vec![pair.clone()]);
    let craving = add_craving_shared(
        &mut mentee,
        CravingInput {
            trigger: "payday".into(),
            intensity: 6,
            helped: vec!["called Alex".into()],
            ..CravingInput::default()
        },
        None,
    )
    .unwrap();
    assert_eq!(mentee.shared_in(&craving.id).unwrap(), vec![pair.clone()]);
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let seen = tandem_core::features::mentor::overview(&mut mentor, false).unwrap();
    let texts: Vec<&str> = seen[0].shared.iter().map(|s| s.text.as_str()).collect();
    assert!(
        texts.contains(&"Hard day, went anyway") && texts.contains(&"payday"),
        "{texts:?}"
    );
}

#[test]
fn turning_sharing_off_without_naming_a_pair_takes_the_item_from_every_mentor() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut alex, clock, first) = paired(dir.path(), &srv.url);
    let mut sam = person(dir.path(), "sam.db", "Sam", clock.clone(), &srv.url);
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let second = tandem_core::features::pairs::join(&mut sam, &code)
        .unwrap()
        .pair_id;
    tandem_core::sync::run::sync(&mut mentee).unwrap();

    let entry = mentee.add_journal(journal("Told both of them")).unwrap();
    let kept = mentee.add_journal(journal("Only for Alex")).unwrap();
    for pair in [&first, &second] {
        tandem_core::features::sharing::share(
            &mut mentee,
            ShareKind::Journal,
            &entry.id,
            Some(pair),
        )
        .unwrap();
    }
    tandem_core::features::sharing::share(&mut mentee, ShareKind::Journal, &kept.id, Some(&first))
        .unwrap();
    let mut both = mentee.shared_in(&entry.id).unwrap();
    both.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(both, expected);

    // Two pairs, none named: every pair the item is in, not an error.
    tandem_core::features::sharing::unshare(&mut mentee, ShareKind::Journal, &entry.id, None)
        .unwrap();
    assert!(mentee.shared_in(&entry.id).unwrap().is_empty());
    assert_eq!(mentee.shared_in(&kept.id).unwrap(), vec![first.clone()]);
    // Shared nowhere now: a second call names what is missing.
    let err =
        tandem_core::features::sharing::unshare(&mut mentee, ShareKind::Journal, &entry.id, None)
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");

    tandem_core::sync::run::sync(&mut mentee).unwrap();
    for (mentor, pair) in [(&mut alex, &first), (&mut sam, &second)] {
        tandem_core::sync::run::sync(mentor).unwrap();
        let texts: Vec<String> = mentor
            .shared_items(pair)
            .unwrap()
            .into_iter()
            .map(|i| i.text)
            .collect();
        assert!(!texts.iter().any(|t| t == "Told both of them"), "{texts:?}");
    }
    let alex_sees: Vec<String> = alex
        .shared_items(&first)
        .unwrap()
        .into_iter()
        .map(|i| i.text)
        .collect();
    assert_eq!(alex_sees, vec!["Only for Alex".to_string()]);
}

/// Both people lose a phone and unlink it without syncing in between: the
/// mentor moves the pair to a new epoch and writes under it, then the
/// mentee, not having pulled that, moves it on once more. Before, the
/// mentee's device never looked for the key of the epoch it skipped (and,
/// as the space's owner, deleted the mentor's envelope holding it while
/// clearing up), so what the mentor wrote in between was refused on the
/// mentee's side for good. Now it reads the other side's envelopes for the
/// keys it lacks before moving on, and passes them along.
#[test]
fn when_both_sides_move_the_pair_on_at_once_nothing_written_between_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, clock, pair) = paired(dir.path(), &srv.url);
    let mut lost = Vec::new();
    for (owner, name) in [
        (&mut mentee, "mentee-lost.db"),
        (&mut mentor, "mentor-lost.db"),
    ] {
        let code = tandem_core::features::devices::link_code(owner).unwrap();
        let mut d = store_in(dir.path(), name, clock.clone(), Durability::Normal);
        tandem_core::features::devices::link(&mut d, &code, &srv.url).unwrap();
        lost.push(d.account().unwrap().unwrap().device_id);
    }
    for _ in 0..2 {
        for s in [&mut mentee, &mut mentor] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }

    tandem_core::features::devices::unlink(&mut mentor, &lost[1]).unwrap();
    let between = mentor
        .create_note_in(Some(&pair), "Check-in", "written between the two")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::features::devices::unlink(&mut mentee, &lost[0]).unwrap();
    let after = mentee
        .create_note_in(Some(&pair), "Plan", "written after both")
        .unwrap();
    for _ in 0..2 {
        for s in [&mut mentee, &mut mentor] {
            let report = tandem_core::sync::run::sync(s).unwrap();
            assert!(report.waiting_for_keys.is_empty(), "{report:?}");
        }
    }
    assert_eq!(
        mentee.note(&between.id).unwrap().body,
        "written between the two"
    );
    assert_eq!(mentor.note(&after.id).unwrap().body, "written after both");
}
