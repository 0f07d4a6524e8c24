//! Damaged files: byte flips and truncations of the database, its WAL and
//! single document blobs give typed errors, never a panic, and the damaged
//! file is never deleted or replaced.

mod support;

use std::path::Path;
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::*;
use tandem_core::craving::CravingInput;
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, ErrorKind, FixedClock, Options, Page, Store};

/// Builds a store with snapshots, pending changes and read-model rows, and
/// returns copies of its database and WAL taken while it was open (so the
/// WAL holds committed frames not yet checkpointed).
fn pristine(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let clock = Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")));
    let mut s = store_in(dir, "p.db", clock.clone(), Durability::Full);
    s.init("Sam", "Europe/Berlin").unwrap();
    s.add_track(
        "alcohol",
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .unwrap();
    let g = s
        .add_goal(GoalInput {
            title: "Walk daily".into(),
            ..Default::default()
        })
        .unwrap();
    s.add_milestone(&g.id, "a week").unwrap();
    for i in 0..40 {
        s.add_journal(JournalInput {
            text: format!("entry {i}"),
            mood: Some(3),
            tags: vec!["x".into()],
        })
        .unwrap();
        s.add_craving(CravingInput {
            trigger: format!("t{}", i % 3),
            intensity: i % 11,
            ..Default::default()
        })
        .unwrap();
        if i % 10 == 0 {
            clock.advance(chrono::Duration::days(12));
        }
    }
    s.create_note("Plan", "Call Sam").unwrap();
    // Checkpoint what exists so far into the main file, then write more into the WAL.
    {
        let conn = raw(dir.join("p.db"));
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    for i in 0..10 {
        s.add_journal(JournalInput {
            text: format!("late {i}"),
            ..Default::default()
        })
        .unwrap();
    }
    let db = std::fs::read(dir.join("p.db")).unwrap();
    let wal = std::fs::read(dir.join("p.db-wal")).unwrap();
    assert!(!wal.is_empty());
    (db, wal)
}

/// Opens the store and uses every read and a write; each must be Ok or a typed Err.
fn exercise(path: &Path) -> Vec<ErrorKind> {
    let mut kinds = Vec::new();
    let options = Options {
        clock: Arc::new(FixedClock::new(at("2026-05-01T12:00:00Z"))),
        ..Options::default()
    };
    let mut s = match Store::open_with(path, Some(&test_key()), options) {
        Ok(s) => s,
        Err(e) => return vec![e.kind()],
    };
    let mut note = |r: Result<(), tandem_core::Error>| {
        if let Err(e) = r {
            kinds.push(e.kind());
        }
    };
    note(tandem_core::view::today(&s).map(|_| ()));
    note(s.journal_page(&Page::first(20)).map(|_| ()));
    note(s.cravings_page(&Page::first(20)).map(|_| ()));
    note(s.goals().map(|_| ()));
    note(s.notes().map(|_| ()));
    note(s.insights(365).map(|_| ()));
    note(s.export().map(|_| ()));
    note(
        s.add_journal(JournalInput {
            text: "after damage".into(),
            ..Default::default()
        })
        .map(|_| ()),
    );
    note(s.rebuild_read_model());
    kinds
}

fn flip(bytes: &mut [u8], rng: &mut StdRng, count: usize) {
    for _ in 0..count {
        let i = rng.random_range(0..bytes.len());
        bytes[i] ^= 1 << rng.random_range(0..8);
    }
}

#[test]
fn byte_flips_and_truncations_of_database_and_wal_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wal) = pristine(dir.path());
    let mut rng = StdRng::seed_from_u64(0x7a4de3);
    let mut errors = 0;
    let rounds = 300;
    for round in 0..rounds {
        let case = dir.path().join(format!("case{round}"));
        std::fs::create_dir(&case).unwrap();
        let (mut d, mut w) = (db.clone(), wal.clone());
        match round % 5 {
            0 => flip(&mut d, &mut rng, 1 + round % 7),
            1 => flip(&mut w, &mut rng, 1 + round % 7),
            2 => {
                let keep = rng.random_range(0..d.len());
                d.truncate(keep);
            }
            3 => {
                let keep = rng.random_range(0..w.len());
                w.truncate(keep);
            }
            _ => {
                flip(&mut d, &mut rng, 3);
                flip(&mut w, &mut rng, 3);
            }
        }
        let path = case.join("p.db");
        std::fs::write(&path, &d).unwrap();
        std::fs::write(case.join("p.db-wal"), &w).unwrap();
        let kinds = exercise(&path);
        if !kinds.is_empty() {
            errors += 1;
        }
        assert!(
            path.exists(),
            "round {round}: the damaged store was deleted"
        );
        std::fs::remove_dir_all(&case).unwrap();
    }
    // Most damage is noticed; all of it is survived.
    assert!(
        errors > rounds / 10,
        "only {errors} of {rounds} damaged stores reported anything"
    );
}

#[test]
fn damaged_document_blobs_are_typed_errors_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (db, wal) = pristine(dir.path());
    let mut rng = StdRng::seed_from_u64(42);
    let mut corrupt_seen = 0;
    for round in 0..150 {
        let case = dir.path().join(format!("blob{round}"));
        std::fs::create_dir(&case).unwrap();
        let path = case.join("p.db");
        std::fs::write(&path, &db).unwrap();
        std::fs::write(case.join("p.db-wal"), &wal).unwrap();
        let conn = raw(&path);
        // Damage either one snapshot or one change blob.
        let (table, key, col): (&str, &str, &str) = if round % 2 == 0 {
            ("documents", "doc_id", "snapshot")
        } else {
            ("changes", "seq", "bytes")
        };
        let rows: Vec<(String, Vec<u8>)> = conn
            .prepare(&format!(
                "SELECT CAST({key} AS TEXT), {col} FROM {table} WHERE {col} IS NOT NULL"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let (id, mut blob) = rows[rng.random_range(0..rows.len())].clone();
        if round % 3 == 0 {
            let keep = rng.random_range(0..blob.len());
            blob.truncate(keep);
        } else {
            flip(&mut blob, &mut rng, 1 + round % 4);
        }
        conn.execute(
            &format!("UPDATE {table} SET {col} = ?1 WHERE CAST({key} AS TEXT) = ?2"),
            rusqlite::params![blob, id],
        )
        .unwrap();
        drop(conn);
        let kinds = exercise(&path);
        if kinds.contains(&ErrorKind::Corrupt) {
            corrupt_seen += 1;
        }
        assert!(
            kinds.iter().all(|k| *k == ErrorKind::Corrupt),
            "round {round}: {kinds:?}"
        );
        // The damaged bytes were not removed or rewritten.
        let conn = raw(&path);
        let still: Option<Vec<u8>> = conn
            .query_row(
                &format!("SELECT {col} FROM {table} WHERE CAST({key} AS TEXT) = ?1"),
                [&id],
                |r| r.get(0),
            )
            .ok();
        if kinds.contains(&ErrorKind::Corrupt) {
            assert_eq!(
                still.as_deref(),
                Some(&blob[..]),
                "round {round}: damaged bytes were changed"
            );
        }
        drop(conn);
        std::fs::remove_dir_all(&case).unwrap();
    }
    assert!(
        corrupt_seen > 100,
        "only {corrupt_seen} damaged blobs were reported"
    );
}
