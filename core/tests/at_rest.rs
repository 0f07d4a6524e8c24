//! The store at rest: encrypted files, wrong keys, re-keying, migration from a
//! plain store, key-file rotation, export and import, erase.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use support::*;
use tandem_core::craving::CravingInput;
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, Error, ErrorKind, FixedClock, Options, Store, StoreKey, keyfile};

/// Strings written through the API that must never appear in the files.
const CANARIES: [&str; 6] = [
    "CANARY-journal-7f3a",
    "CANARY-trigger-payday",
    "CANARY-goal-run",
    "CANARY-note-plan",
    "CANARY-track-oxy",
    "CANARY-name-Robin",
];

fn options(clock: Arc<FixedClock>) -> Options {
    Options {
        clock,
        ..Options::default()
    }
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(at("2026-03-10T12:00:00Z")))
}

/// Writes every canary through the API.
fn write_canaries(s: &mut Store) {
    s.init(CANARIES[5], "Europe/Berlin").unwrap();
    s.add_track(
        CANARIES[4],
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .unwrap();
    s.add_journal(JournalInput {
        text: format!("{} felt the pull at lunch", CANARIES[0]),
        mood: Some(3),
        tags: vec!["work".into()],
    })
    .unwrap();
    s.add_craving(CravingInput {
        trigger: CANARIES[1].into(),
        intensity: 8,
        ..Default::default()
    })
    .unwrap();
    let g = s
        .add_goal(GoalInput {
            title: CANARIES[2].into(),
            ..Default::default()
        })
        .unwrap();
    s.add_milestone(&g.id, "first step").unwrap();
    s.create_note("Plan", CANARIES[3]).unwrap();
}

/// Every file in `dir`, with the canaries each one holds.
fn scan(dir: &Path) -> Vec<(PathBuf, Vec<&'static str>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let hits: Vec<&str> = CANARIES
            .iter()
            .copied()
            .filter(|c| bytes.windows(c.len()).any(|w| w == c.as_bytes()))
            .collect();
        found.push((path, hits));
    }
    found
}

#[test]
fn database_and_wal_hold_no_plaintext_before_and_after_a_checkpoint() {
    // The control: the same writes on a plain store are found by the scan.
    let plain_dir = tempfile::tempdir().unwrap();
    let mut plain =
        Store::open_with(plain_dir.path().join("p.db"), None, options(clock())).unwrap();
    write_canaries(&mut plain);
    let plain_hits: usize = scan(plain_dir.path()).iter().map(|(_, h)| h.len()).sum();
    assert!(plain_hits >= CANARIES.len(), "the scan finds plaintext");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.db");
    let mut s = Store::open_with(&path, Some(&test_key()), options(clock())).unwrap();
    write_canaries(&mut s);
    // Before a checkpoint: the pages sit in the WAL.
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    for (file, hits) in scan(dir.path()) {
        assert!(hits.is_empty(), "{} holds {hits:?}", file.display());
    }
    // After a checkpoint: the pages moved into the main file.
    raw(&path)
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(s);
    assert!(std::fs::metadata(&path).unwrap().len() > 8192);
    for (file, hits) in scan(dir.path()) {
        assert!(hits.is_empty(), "{} holds {hits:?}", file.display());
    }
    assert!(tandem_core::store::is_encrypted(&path).unwrap());
    // The pages were encrypted by RustCrypto, not by SQLCipher's OpenSSL
    // provider (the same format; see `tandem-sqlcipher-provider`).
    let provider: String = raw(&path)
        .query_row("PRAGMA cipher_provider", [], |r| r.get(0))
        .unwrap();
    assert_eq!(provider, "rustcrypto");
}

/// The bytes of every file in `dir`, by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_wrong_or_missing_key_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut s = Store::open_with(&path, Some(&test_key()), options(clock())).unwrap();
    write_canaries(&mut s);
    drop(s);
    let before = snapshot(dir.path());
    let wrong = StoreKey::generate();
    let err = Store::open(&path, &wrong).unwrap_err();
    assert!(matches!(err, Error::WrongKey(_)), "{err}");
    assert_eq!(err.kind(), ErrorKind::WrongKey);
    let err = Store::open_with(&path, None, Options::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongKey);
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a refused open changed the files"
    );
    // The right key still opens it.
    let s = Store::open(&path, &test_key()).unwrap();
    assert_eq!(s.person().unwrap().name, CANARIES[5]);
}

#[test]
fn rekey_keeps_every_item_and_retires_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut s = Store::open_with(&path, Some(&test_key()), options(clock())).unwrap();
    write_canaries(&mut s);
    let before = s.read_model_dump().unwrap();
    let export_before = s.export().unwrap().journal;
    let new_key = StoreKey::generate();
    let mut s = s.rekey(&new_key).unwrap();
    assert_eq!(s.read_model_dump().unwrap(), before);
    assert_eq!(s.export().unwrap().journal, export_before);
    s.add_journal(JournalInput {
        text: "after the re-key".into(),
        ..Default::default()
    })
    .unwrap();
    drop(s);
    assert_eq!(
        Store::open(&path, &test_key()).unwrap_err().kind(),
        ErrorKind::WrongKey
    );
    let mut s = Store::open(&path, &new_key).unwrap();
    assert_eq!(s.export().unwrap().journal.len(), 2);
    s.rebuild_read_model().unwrap();
    for (file, hits) in scan(dir.path()) {
        assert!(hits.is_empty(), "{} holds {hits:?}", file.display());
    }
}

#[test]
fn a_plain_store_from_before_is_encrypted_in_place_with_everything_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut plain = Store::open_with(&path, None, options(clock())).unwrap();
    write_canaries(&mut plain);
    let before = plain.read_model_dump().unwrap();
    let device = plain.device_id();
    drop(plain);
    assert!(!tandem_core::store::is_encrypted(&path).unwrap());

    let s = Store::open_with(&path, Some(&test_key()), options(clock())).unwrap();
    assert_eq!(s.read_model_dump().unwrap(), before);
    assert_eq!(s.device_id(), device, "the device keeps its identity");
    drop(s);
    assert!(tandem_core::store::is_encrypted(&path).unwrap());
    for (file, hits) in scan(dir.path()) {
        assert!(hits.is_empty(), "{} holds {hits:?}", file.display());
    }
    let names: Vec<String> = snapshot(dir.path()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        vec!["old.db".to_string()],
        "no leftovers beside the store"
    );
}

#[test]
fn an_interrupted_key_rotation_is_finished_or_undone_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("t.db");
    let key_path = dir.path().join("t.key");
    let key = keyfile::create(&key_path).unwrap();
    let mut s = Store::open(&store_path, &key).unwrap();
    write_canaries(&mut s);
    let before = s.read_model_dump().unwrap();

    // Killed after saving the new key, before re-keying: the old key opens
    // the store and the unused new key is dropped.
    let next = keyfile::next_path(&key_path);
    std::fs::write(&next, StoreKey::generate().to_hex().as_bytes()).unwrap();
    drop(s);
    let s = keyfile::open_store(&store_path, &key_path, Options::default()).unwrap();
    assert!(!next.exists());
    assert_eq!(s.read_model_dump().unwrap(), before);

    // Killed after re-keying, before the key file was replaced: the new key
    // opens the store and takes the old one's place.
    let new_key = StoreKey::generate();
    std::fs::write(&next, new_key.to_hex().as_bytes()).unwrap();
    let s = s.rekey(&new_key).unwrap();
    drop(s);
    let s = keyfile::open_store(&store_path, &key_path, Options::default()).unwrap();
    assert_eq!(s.read_model_dump().unwrap(), before);
    assert_eq!(keyfile::read(&key_path).unwrap(), new_key);
    assert!(!next.exists());

    // A whole rotation.
    let s = keyfile::rotate(s, &key_path).unwrap();
    assert_eq!(s.read_model_dump().unwrap(), before);
    assert_ne!(keyfile::read(&key_path).unwrap(), new_key);
}

#[test]
fn export_then_import_gives_an_identical_read_model() {
    let dir = tempfile::tempdir().unwrap();
    let c = clock();
    let mut s = store_in(dir.path(), "a.db", c.clone(), Durability::Full);
    write_canaries(&mut s);
    // History with edits and deletions, over two months.
    let j = s
        .add_journal(JournalInput {
            text: "to be edited".into(),
            ..Default::default()
        })
        .unwrap();
    s.edit_journal(
        &j.id,
        JournalInput {
            text: "edited".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let gone = s
        .add_craving(CravingInput {
            trigger: "gone".into(),
            intensity: 2,
            ..Default::default()
        })
        .unwrap();
    s.delete_craving(&gone.id).unwrap();
    c.advance(chrono::Duration::days(35));
    s.add_journal(JournalInput {
        text: "next month".into(),
        ..Default::default()
    })
    .unwrap();
    let export = s.export().unwrap();
    let json = serde_json::to_string(&export).unwrap();

    let mut fresh = store_in(dir.path(), "b.db", c.clone(), Durability::Full);
    let parsed: tandem_core::export::Export = serde_json::from_str(&json).unwrap();
    let summary = fresh.import(&parsed).unwrap();
    assert_eq!(summary.documents, export.documents.len());
    assert_eq!(
        fresh.read_model_dump().unwrap(),
        s.read_model_dump().unwrap()
    );
    let mut again = fresh.export().unwrap();
    again.exported_ms = export.exported_ms;
    assert_eq!(again.journal, export.journal);
    assert_eq!(again.cravings, export.cravings);

    // Into a store that already holds a person: refused, unchanged.
    let before = fresh.read_model_dump().unwrap();
    assert_eq!(
        fresh.import(&parsed).unwrap_err().kind(),
        ErrorKind::AlreadyInitialized
    );
    assert_eq!(fresh.read_model_dump().unwrap(), before);

    // Damaged exports are typed errors and leave a fresh store empty.
    let mut empty = store_in(dir.path(), "c.db", c, Durability::Full);
    let mut damaged = parsed.clone();
    damaged.documents[0].automerge = "not base64!".into();
    assert_eq!(
        empty.import(&damaged).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let mut future = parsed.clone();
    future.format = 99;
    assert_eq!(
        empty.import(&future).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let mut no_profile = parsed;
    no_profile.documents.retain(|d| d.doc_id != "profile");
    assert_eq!(
        empty.import(&no_profile).unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert!(matches!(empty.person(), Err(Error::NotInitialized)));
}

#[test]
fn the_markdown_export_reads_like_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_in(dir.path(), "a.db", clock(), Durability::Full);
    write_canaries(&mut s);
    let md = s.export().unwrap().to_markdown();
    assert!(md.starts_with(&format!("# Tandem export: {}", CANARIES[5])));
    for section in [
        "## Clean time",
        "## Journal",
        "## Cravings",
        "## Goals",
        "## Shared notes",
    ] {
        assert!(md.contains(section), "{section} missing");
    }
    for canary in CANARIES {
        assert!(md.contains(canary), "{canary} missing from the Markdown");
    }
    assert!(md.contains("| 8/10 |"), "craving strength in the table");
    assert!(md.contains("- [ ] first step"));
}

#[test]
fn erase_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("t.db");
    let key_path = dir.path().join("t.key");
    let key = keyfile::create(&key_path).unwrap();
    let mut s = Store::open(&store_path, &key).unwrap();
    write_canaries(&mut s);
    let report = tandem_core::erase::erase(s, std::slice::from_ref(&key_path)).unwrap();
    assert!(report.server.is_none(), "no account, no server call");
    assert!(report.not_removed.is_empty());
    assert!(report.removed.contains(&store_path));
    assert!(report.removed.contains(&key_path));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
