//! The store's behaviour: every kind of item, persistence, the read model,
//! schema versions, tombstones and shard merging.

mod support;

use std::sync::Arc;

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ROOT, ReadDoc};
use chrono::NaiveDate;
use support::*;
use tandem_core::checkin::CheckInInput;
use tandem_core::craving::{CravingInput, Outcome};
use tandem_core::document::DocId;
use tandem_core::goal::{GoalInput, GoalStatus};
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, Error, ErrorKind, FixedClock, Page, Store};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn journal(text: &str) -> JournalInput {
    JournalInput {
        text: text.into(),
        mood: Some(3),
        tags: vec!["t".into()],
    }
}

fn craving(trigger: &str, intensity: i64) -> CravingInput {
    CravingInput {
        trigger: trigger.into(),
        intensity,
        helped: vec!["walk".into()],
        outcome: Some(Outcome::Resisted),
        ..Default::default()
    }
}

/// Fills a store with one of everything, and some edits.
fn populate(s: &mut Store, clock: &FixedClock) {
    let t = s.add_track("alcohol", d("2026-01-01")).unwrap();
    s.reset_track(&t.id, d("2026-02-01"), "rough week").unwrap();
    let j = s.add_journal(journal("first")).unwrap();
    s.edit_journal(&j.id, journal("first, edited")).unwrap();
    let gone = s.add_journal(journal("delete me")).unwrap();
    s.delete_journal(&gone.id).unwrap();
    s.add_craving(craving("payday", 7)).unwrap();
    let c = s.add_craving(craving("bar", 3)).unwrap();
    s.delete_craving(&c.id).unwrap();
    s.check_in(CheckInInput {
        mood: 4,
        craving: 2,
        used: false,
        note: "ok".into(),
    })
    .unwrap();
    let g = s
        .add_goal(GoalInput {
            title: "Run 5k".into(),
            why: "health".into(),
            target: Some(d("2026-06-01")),
        })
        .unwrap();
    let (_, m) = s.add_milestone(&g.id, "Run 1k").unwrap();
    s.add_milestone(&g.id, "Run 3k").unwrap();
    s.set_milestone_done(&g.id, &m, true).unwrap();
    let n = s.create_note("Plan", "Call Sam.").unwrap();
    s.edit_note(&n.id, "Call Sam first.").unwrap();
    clock.advance(chrono::Duration::days(40));
    s.add_journal(journal("next month")).unwrap();
    s.add_craving(craving("payday", 9)).unwrap();
    s.check_in(CheckInInput {
        mood: 5,
        craving: 0,
        used: false,
        note: String::new(),
    })
    .unwrap();
}

fn fresh(dir: &std::path::Path) -> (Store, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mut s = store_in(dir, "a.db", clock.clone(), Durability::Full);
    s.init("Sam", "Europe/Berlin").unwrap();
    (s, clock)
}

#[test]
fn every_item_kind_is_written_read_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = fresh(dir.path());
    populate(&mut s, &clock);
    let before = s.read_model_dump().unwrap();
    let export = s.export().unwrap();
    drop(s);

    let mut s = store_in(dir.path(), "a.db", clock.clone(), Durability::Full);
    assert_eq!(s.read_model_dump().unwrap(), before);
    assert_eq!(s.export().unwrap(), export);

    let today = tandem_core::view::today(&s).unwrap();
    assert_eq!(today.name, "Sam");
    assert_eq!(today.date, d("2026-04-19"));
    assert_eq!(today.tracks.len(), 1);
    assert_eq!(today.tracks[0].attempts, 2);
    assert_eq!(today.tracks[0].clean_days, 77);
    assert_eq!(today.checkin.as_ref().unwrap().mood, 5);
    assert_eq!(
        (
            today.journal_today,
            today.cravings_today,
            today.active_goals
        ),
        (1, 1, 1)
    );

    let entries = s.journal_page(&Page::first(10)).unwrap();
    let texts: Vec<_> = entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, vec!["next month", "first, edited"]);
    assert_eq!(s.cravings_page(&Page::first(10)).unwrap().len(), 2);
    let goals: Vec<tandem_core::view::GoalView> =
        s.goals().unwrap().iter().map(Into::into).collect();
    assert_eq!(goals[0].milestones.len(), 2);
    assert_eq!(goals[0].milestones_done, 1);
    assert_eq!(goals[0].milestones[0].title, "Run 1k");
    assert_eq!(s.notes().unwrap()[0].body, "Call Sam first.");
    assert_eq!(export.journal.len(), 2);
    assert_eq!(export.cravings.len(), 2);
    assert_eq!(export.checkins.len(), 2);
}

#[test]
fn pagination_walks_the_whole_journal_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = fresh(dir.path());
    for i in 0..25 {
        s.add_journal(journal(&format!("entry {i}"))).unwrap();
        if i % 3 == 0 {
            clock.advance(chrono::Duration::minutes(7));
        }
    }
    let mut seen = Vec::new();
    let mut page = Page::first(10);
    loop {
        let batch = s.journal_page(&page).unwrap();
        if batch.is_empty() {
            break;
        }
        let last = batch.last().unwrap();
        page.before = Some((last.created_ms, last.id.clone()));
        seen.extend(batch.into_iter().map(|e| (e.text, e.created_ms)));
    }
    assert_eq!(seen.len(), 25);
    assert!(seen.windows(2).all(|w| w[0].1 >= w[1].1), "newest first");
    let mut seen: Vec<String> = seen.into_iter().map(|(text, _)| text).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25);
}

#[test]
fn rebuilt_read_model_equals_the_incremental_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = fresh(dir.path());
    populate(&mut s, &clock);
    for i in 0..40 {
        s.add_craving(craving(&format!("t{}", i % 4), i % 11))
            .unwrap();
    }
    let incremental = s.read_model_dump().unwrap();
    s.rebuild_read_model().unwrap();
    assert_eq!(s.read_model_dump().unwrap(), incremental);
}

#[test]
fn deletion_is_a_tombstone_hidden_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = fresh(dir.path());
    let j = s.add_journal(journal("private thought")).unwrap();
    s.delete_journal(&j.id).unwrap();
    assert!(matches!(
        s.journal_entry(&j.id),
        Err(Error::NotFound { .. })
    ));
    assert!(s.journal_page(&Page::first(10)).unwrap().is_empty());
    assert!(s.export().unwrap().journal.is_empty());
    assert!(matches!(
        s.delete_journal(&j.id),
        Err(Error::NotFound { .. })
    ));
    // The tombstone keeps no text in the document's current state.
    let doc_id = DocId::journal(d("2026-03-10"));
    let doc = Automerge::load(&s.document_bytes(&doc_id).unwrap()).unwrap();
    let (_, entry) = doc.get(ROOT, j.id.as_str()).unwrap().unwrap();
    let (text, _) = doc.get(&entry, "text").unwrap().unwrap();
    assert_eq!(text.into_string().ok().as_deref(), Some(""));
    // A rebuild does not bring it back.
    s.rebuild_read_model().unwrap();
    assert!(s.journal_page(&Page::first(10)).unwrap().is_empty());
}

#[test]
fn check_in_is_one_per_day_and_editable_that_day() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = fresh(dir.path());
    let first = s
        .check_in(CheckInInput {
            mood: 2,
            craving: 8,
            used: false,
            note: String::new(),
        })
        .unwrap();
    clock.advance(chrono::Duration::hours(3));
    let edited = s
        .check_in(CheckInInput {
            mood: 4,
            craving: 3,
            used: false,
            note: "better".into(),
        })
        .unwrap();
    assert_eq!(first.id, edited.id);
    assert_eq!(
        tandem_core::view::today(&s).unwrap().checkin.unwrap().mood,
        4
    );
    assert_eq!(s.export().unwrap().checkins.len(), 1);
    clock.advance(chrono::Duration::days(1));
    assert!(tandem_core::view::today(&s).unwrap().checkin.is_none());
    let next = s
        .check_in(CheckInInput {
            mood: 3,
            craving: 1,
            used: false,
            note: String::new(),
        })
        .unwrap();
    assert_ne!(next.id, first.id);
    assert!(
        s.check_in(CheckInInput {
            mood: 6,
            craving: 1,
            used: false,
            note: String::new()
        })
        .is_err()
    );
}

#[test]
fn goal_status_and_unknown_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = fresh(dir.path());
    let g = s
        .add_goal(GoalInput {
            title: "Call mum weekly".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        s.set_goal_status(&g.id, GoalStatus::Done).unwrap().status,
        GoalStatus::Done
    );
    assert_eq!(tandem_core::view::today(&s).unwrap().active_goals, 0);
    let missing = "0".repeat(32);
    assert_eq!(
        s.set_goal_status(&missing, GoalStatus::Done)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        s.set_goal_status("garbage", GoalStatus::Done)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        s.set_milestone_done(&g.id, &missing, true)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        s.edit_note(&missing, "x").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        s.reset_track(&missing, d("2026-03-01"), "")
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    // A failed action leaves nothing behind.
    assert_eq!(s.goals().unwrap().len(), 1);
}

#[test]
fn actions_before_init_and_double_init_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("x.db"), &test_key()).unwrap();
    assert!(matches!(
        tandem_core::view::today(&s),
        Err(Error::NotInitialized)
    ));
    assert!(matches!(
        s.add_journal(journal("x")),
        Err(Error::NotInitialized)
    ));
    s.init("Sam", "UTC").unwrap();
    assert!(matches!(
        s.init("Sam", "UTC"),
        Err(Error::AlreadyInitialized)
    ));
    assert!(matches!(
        s.set_timezone("Nowhere/Land"),
        Err(Error::Validation { .. })
    ));
}

#[test]
fn clean_time_follows_a_move_to_another_zone() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-06-11T23:30:00Z")));
    let mut s = store_in(dir.path(), "tz.db", clock.clone(), Durability::Full);
    s.init("Sam", "Europe/Berlin").unwrap();
    s.add_track("alcohol", d("2026-06-01")).unwrap();
    // 01:30 on the 12th in Berlin.
    assert_eq!(
        tandem_core::view::today(&s).unwrap().tracks[0].clean_days,
        11
    );
    // Landed in Los Angeles: still 16:30 on the 11th there.
    s.set_timezone("America/Los_Angeles").unwrap();
    assert_eq!(
        tandem_core::view::today(&s).unwrap().tracks[0].clean_days,
        10
    );
    clock.set(at("2026-06-12T07:30:00Z"));
    assert_eq!(
        tandem_core::view::today(&s).unwrap().tracks[0].clean_days,
        11
    );
}

#[test]
fn a_store_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let (mut s, clock) = fresh(dir.path());
        populate(&mut s, &clock);
        std::fs::copy(s.path(), &path).ok();
    }
    std::fs::copy(dir.path().join("a.db"), &path).unwrap();
    {
        let conn = raw(&path);
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, &test_key()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooNew {
                found: 99,
                supported: tandem_core::store::schema::VERSION,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::TooNew);
    assert!(err.to_string().contains("newer"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn bundled_sqlite_has_the_wal_fix() {
    // WAL corruption with concurrent writers and checkpointers was fixed in 3.51.3.
    assert!(
        rusqlite::version_number() >= 3_051_003,
        "{}",
        rusqlite::version()
    );
}

#[test]
fn changes_are_compacted_into_a_snapshot_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = fresh(dir.path());
    for i in 0..50 {
        s.add_journal(journal(&format!("e{i}"))).unwrap();
    }
    let path = s.path().to_path_buf();
    drop(s);
    let stored = |path: &std::path::Path| -> (bool, i64) {
        let conn = raw(path);
        conn.query_row(
            "SELECT snapshot IS NOT NULL,
                    (SELECT COUNT(*) FROM changes WHERE doc_id = 'journal/2026-03')
             FROM documents WHERE doc_id = 'journal/2026-03'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    assert_eq!(stored(&path), (true, 50 % 16));
    let clock = Arc::new(FixedClock::new(at("2026-03-11T12:00:00Z")));
    let mut s = store_in(dir.path(), "a.db", clock, Durability::Full);
    assert_eq!(s.export().unwrap().journal.len(), 50);
    // The count since the snapshot is taken up again from the stored
    // changes: the sixteenth change after the last snapshot compacts.
    for i in 50..63 {
        s.add_journal(journal(&format!("e{i}"))).unwrap();
    }
    assert_eq!(stored(&path), (true, 15));
    s.add_journal(journal("e63")).unwrap();
    assert_eq!(stored(&path), (true, 0));
    s.add_journal(journal("e64")).unwrap();
    assert_eq!(stored(&path), (true, 1));
    drop(s);
    let mut s = Store::open(&path, &test_key()).unwrap();
    assert_eq!(s.export().unwrap().journal.len(), 65);
    s.rebuild_read_model().unwrap();
    assert_eq!(s.journal_page(&Page::first(100)).unwrap().len(), 65);
}

#[test]
fn a_damaged_document_is_a_typed_error_for_that_document_only() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = fresh(dir.path());
    populate(&mut s, &clock);
    let path = s.path().to_path_buf();
    drop(s);
    let conn = raw(&path);
    conn.execute(
        "UPDATE changes SET bytes = x'00112233' WHERE doc_id = 'goals'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE documents SET snapshot = x'856f4a830001' WHERE doc_id = 'goals'",
        [],
    )
    .unwrap();
    drop(conn);
    let mut s = Store::open(&path, &test_key()).unwrap();
    let err = s
        .add_milestone(&s.goals().unwrap()[0].id.clone(), "x")
        .unwrap_err();
    assert!(
        matches!(&err, Error::CorruptDocument { doc_id, .. } if doc_id == "goals"),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Corrupt);
    // Everything else still works, and the damaged bytes are still there.
    s.add_journal(journal("still writing")).unwrap();
    assert_eq!(tandem_core::view::today(&s).unwrap().name, "Sam");
    assert!(matches!(s.export(), Err(Error::CorruptDocument { .. })));
    drop(s);
    let conn = raw(&path);
    let kept: Vec<u8> = conn
        .query_row(
            "SELECT snapshot FROM documents WHERE doc_id = 'goals'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, vec![0x85, 0x6f, 0x4a, 0x83, 0x00, 0x01]);
}

#[test]
fn a_damaged_read_model_row_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = fresh(dir.path());
    s.add_journal(journal("x")).unwrap();
    let path = s.path().to_path_buf();
    drop(s);
    let conn = raw(&path);
    conn.execute("UPDATE journal SET tags = 'not json'", [])
        .unwrap();
    drop(conn);
    let mut s = Store::open(&path, &test_key()).unwrap();
    let err = s.journal_page(&Page::first(10)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corrupt, "{err}");
    // The row is derived data: a rebuild from the documents repairs it.
    s.rebuild_read_model().unwrap();
    assert_eq!(s.journal_page(&Page::first(10)).unwrap()[0].tags, vec!["t"]);
}

/// Two devices of one person both start the same month's journal and craving
/// shards while offline. Whatever order their changes meet in, every entry is seen.
#[test]
fn same_month_shard_created_on_two_devices_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mut a = store_in(dir.path(), "a.db", clock.clone(), Durability::Normal);
    a.init("Sam", "Europe/Berlin").unwrap();
    let mut b = second_device(&mut a, dir.path(), "b.db", clock.clone());
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(a.add_journal(journal(&format!("a{i}"))).unwrap().id);
        ids.push(b.add_journal(journal(&format!("b{i}"))).unwrap().id);
        ids.push(a.add_craving(craving("a", i)).unwrap().id);
        ids.push(b.add_craving(craving("b", i)).unwrap().id);
    }
    // Third and fourth devices receive the two histories in opposite orders.
    let mut ab = second_device(&mut a, dir.path(), "ab.db", clock.clone());
    send_all(&mut b, &mut ab);
    let mut ba = store_in(dir.path(), "ba.db", clock.clone(), Durability::Normal);
    send_all(&mut b, &mut ba);
    send_all(&mut a, &mut ba);
    send_all(&mut b, &mut a);
    send_all(&mut a, &mut b);
    let expected = a.read_model_dump().unwrap();
    for s in [&mut a, &mut b, &mut ab, &mut ba] {
        assert_eq!(s.journal_page(&Page::first(100)).unwrap().len(), 6);
        assert_eq!(s.cravings_page(&Page::first(100)).unwrap().len(), 6);
        for id in &ids {
            assert!(s.journal_entry(id).is_ok() || s.craving(id).is_ok());
        }
        assert_eq!(s.read_model_dump().unwrap(), expected);
    }
}

/// Why items are keyed by their own id: two maps created concurrently at one
/// fixed key conflict, and one map's contents vanish from view.
#[test]
fn the_pitfall_items_avoid_fixed_container_keys() {
    let mut a = Automerge::new().with_actor(ActorId::from(vec![1; 16]));
    let mut b = Automerge::new().with_actor(ActorId::from(vec![2; 16]));
    for (doc, key) in [(&mut a, "from_a"), (&mut b, "from_b")] {
        let mut tx = doc.transaction();
        let entries = tx.put_object(ROOT, "entries", ObjType::Map).unwrap();
        tx.put(&entries, key, 1).unwrap();
        tx.commit();
    }
    a.merge(&mut b).unwrap();
    let (_, entries) = a.get(ROOT, "entries").unwrap().unwrap();
    assert_eq!(a.keys(&entries).count(), 1, "one device's entry is hidden");
}

/// Rewrites the store at `from` as a store at schema `version` (2 or 3)
/// at `to`: the tables of the steps up to that version, with every row
/// carried over.
fn write_as_version(from: &std::path::Path, to: &std::path::Path, version: usize) {
    use rusqlite::types::Value;
    use tandem_core::store::schema;
    let src = raw(from);
    let dst = raw(to);
    for step in &[schema::CREATE, schema::SYNC, schema::LEAN_WRITES][..version] {
        dst.execute_batch(step).unwrap();
    }
    let tables: Vec<String> = src
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        // A table a later step made (the device log's, say) has no place
        // in the older store: such a store never had what it holds.
        let exists: bool = dst
            .query_row(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [&table],
                |r| r.get(0),
            )
            .unwrap();
        if !exists {
            continue;
        }
        let select = match (version, table.as_str()) {
            // Version 2 numbered changes across documents and counted the
            // changes since each snapshot in a column.
            (2, "changes") => {
                "SELECT row_number() OVER (ORDER BY doc_id, seq), doc_id, bytes FROM changes"
                    .to_owned()
            }
            (2, "documents") => "SELECT doc_id, snapshot,
                    (SELECT COUNT(*) FROM changes c WHERE c.doc_id = d.doc_id) FROM documents d"
                .to_owned(),
            // Version 6 added the pinned identity to the spaces.
            (v, "spaces") if v < 6 => {
                "SELECT space_id, role, epoch, cursor, high_water, side, ended, looked_ms FROM spaces"
                    .to_owned()
            }
            (_, t) => format!("SELECT * FROM {t}"),
        };
        let mut stmt = src.prepare(&select).unwrap();
        let width = stmt.column_count();
        let rows: Vec<Vec<Value>> = stmt
            .query_map([], |r| (0..width).map(|i| r.get(i)).collect())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let insert = format!(
            "INSERT INTO {table} VALUES ({})",
            vec!["?"; width].join(", ")
        );
        for row in rows {
            dst.execute(&insert, rusqlite::params_from_iter(row))
                .unwrap();
        }
    }
    dst.pragma_update(None, "user_version", version as i64)
        .unwrap();
}

fn schema_of(path: &std::path::Path) -> Vec<(String, String)> {
    raw(path)
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_version_2_store_is_upgraded_with_every_item_and_every_queued_change() {
    upgrade_keeps_everything(2);
}

#[test]
fn a_version_3_store_is_upgraded_with_every_item_and_every_queued_change() {
    upgrade_keeps_everything(3);
}

/// Writes a store, rewrites it at schema `version` and opens that: the
/// schema becomes a fresh store's, and nothing is lost on the way.
fn upgrade_keeps_everything(version: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = fresh(dir.path());
    populate(&mut s, &clock);
    // Registered, so that changes are queued for the server; the 40 after
    // the first sync wait in the outbox.
    let server = tandem_sync_server::spawn_local(&dir.path().join("server.db")).unwrap();
    tandem_core::sync::engine::connect(&mut s, &server).unwrap();
    for i in 0..40 {
        s.add_journal(journal(&format!("entry {i}"))).unwrap();
    }
    let dump = s.read_model_dump().unwrap();
    let today = format!("{:?}", tandem_core::view::today(&s).unwrap());
    let exported = s.export().unwrap();
    let queued = tandem_core::sync::engine::status(&s)
        .unwrap()
        .pending_changes;
    assert_eq!(queued, 40);
    let current = s.path().to_path_buf();
    drop(s);
    let old = dir.path().join("old.db");
    write_as_version(&current, &old, version);
    assert_ne!(schema_of(&old), schema_of(&current));

    let mut s = store_in(dir.path(), "old.db", clock.clone(), Durability::Full);
    assert_eq!(schema_of(&old), schema_of(&current));
    assert_eq!(s.read_model_dump().unwrap(), dump);
    assert_eq!(
        format!("{:?}", tandem_core::view::today(&s).unwrap()),
        today
    );
    assert_eq!(
        tandem_core::sync::engine::status(&s)
            .unwrap()
            .pending_changes,
        queued
    );
    let items = |e: &tandem_core::export::Export| {
        let mut v = serde_json::to_value(e).unwrap();
        v.as_object_mut().unwrap().remove("exported_ms");
        v
    };
    assert_eq!(items(&s.export().unwrap()), items(&exported));
    // Writing, compacting and rebuilding go on as before.
    for i in 40..80 {
        s.add_journal(journal(&format!("entry {i}"))).unwrap();
    }
    assert_eq!(
        tandem_core::sync::engine::status(&s)
            .unwrap()
            .pending_changes,
        queued + 40
    );
    drop(s);
    let mut s = Store::open(&old, &test_key()).unwrap();
    let after = s.read_model_dump().unwrap();
    s.rebuild_read_model().unwrap();
    assert_eq!(s.read_model_dump().unwrap(), after);
    assert_eq!(
        s.export().unwrap().journal.len(),
        exported.journal.len() + 40
    );
}

#[test]
fn a_days_count_holds_the_whole_local_day_in_zones_far_from_utc() {
    // (zone, the first and last minute of 2026-03-01 there, in UTC): the
    // day starts a month's document, and its edges lie in other UTC days.
    for (zone, first, last) in [
        (
            "Pacific/Kiritimati",
            "2026-02-28T10:00:00Z",
            "2026-03-01T09:59:00Z",
        ),
        (
            "Pacific/Pago_Pago",
            "2026-03-01T11:00:00Z",
            "2026-03-02T10:59:00Z",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(at(first)));
        let mut s = store_in(dir.path(), "a.db", clock.clone(), Durability::Normal);
        s.init("Sam", zone).unwrap();
        clock.set(at(first) - chrono::Duration::minutes(1));
        s.add_journal(journal("the day before")).unwrap();
        clock.set(at(first));
        let edge = s.add_journal(journal("first minute")).unwrap();
        clock.set(at(last));
        s.add_journal(journal("last minute")).unwrap();
        assert_eq!(
            tandem_core::view::today(&s).unwrap().journal_today,
            2,
            "{zone}"
        );
        clock.set(at(last) + chrono::Duration::minutes(1));
        s.add_journal(journal("the day after")).unwrap();
        assert_eq!(
            tandem_core::view::today(&s).unwrap().journal_today,
            1,
            "{zone}"
        );
        // Another device projects whole month documents and agrees, also
        // after an edit and a deletion at the month's edge.
        let mut other = second_device(&mut s, dir.path(), "b.db", clock.clone());
        assert_eq!(
            other.read_model_dump().unwrap(),
            s.read_model_dump().unwrap()
        );
        s.edit_journal(&edge.id, journal("first minute, edited"))
            .unwrap();
        s.delete_journal(&edge.id).unwrap();
        send_all(&mut s, &mut other);
        assert_eq!(
            other.read_model_dump().unwrap(),
            s.read_model_dump().unwrap()
        );
        assert_eq!(other.journal_page(&Page::first(10)).unwrap().len(), 3);
    }
}

#[test]
fn opening_a_current_store_and_reading_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, clock) = fresh(dir.path());
    populate(&mut s, &clock);
    let path = s.path().to_path_buf();
    drop(s);
    let before = std::fs::read(&path).unwrap();
    for _ in 0..3 {
        let s = store_in(dir.path(), "a.db", clock.clone(), Durability::Full);
        tandem_core::view::today(&s).unwrap();
        s.journal_page(&Page::first(20)).unwrap();
        drop(s);
    }
    // Every page is encrypted under a fresh IV when written, so any write
    // at all would change the file.
    assert!(std::fs::read(&path).unwrap() == before);
}
