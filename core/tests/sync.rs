//! End to end: device stores syncing through a real server process.

mod support;

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use support::first_device::{first_device, start_clock};
use support::proxy::Proxy;
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::craving::CravingInput;
use tandem_core::journal::JournalInput;
use tandem_core::sync::run;
use tandem_core::sync::seal::Refusal;
use tandem_core::sync::{Client, StoreAccess, SyncReport};
use tandem_core::{Durability, ErrorKind, FixedClock, Page, Store};
use tandem_protocol::{Cursor, PushRecord};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

fn clock() -> Arc<FixedClock> {
    start_clock()
}

fn device(dir: &std::path::Path, name: &str, clock: Arc<FixedClock>) -> Store {
    store_in(dir, name, clock, Durability::Normal)
}

fn journal(text: &str) -> JournalInput {
    JournalInput {
        text: text.into(),
        ..Default::default()
    }
}

/// The raw records a server holds for the account's private space.
fn server_records(store: &Store) -> Vec<tandem_protocol::StoredRecord> {
    let account = store.account().unwrap().unwrap();
    let space = store.private_space().unwrap().unwrap();
    let client = account.client().unwrap();
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = client
            .pull(vec![Cursor {
                space_id: space.space_id.clone(),
                after,
            }])
            .unwrap();
        let page = page.spaces.into_iter().next().unwrap();
        after = page.records.last().map_or(after, |r| r.seq);
        out.extend(page.records);
        if !page.more {
            return out;
        }
    }
}

/// Changes kept in the outbox, from the file.
fn outbox_rows(store: &Store) -> i64 {
    raw(store.path())
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_device_without_an_account_queues_nothing_and_sends_everything_once_connected() {
    let (dir, srv, c, mut a) = first_device("UTC");
    for i in 0..30 {
        a.add_journal(journal(&format!("offline {i}"))).unwrap();
    }
    drop(a);
    let mut a = device(dir.path(), "a.db", c.clone());
    a.add_journal(journal("after a reopen")).unwrap();
    // No second copy of every change for a server that may never come.
    assert_eq!(outbox_rows(&a), 0);
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );

    let report = tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    assert!(report.pushed >= 32, "{report:?}");
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );
    a.add_journal(journal("online")).unwrap();
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        1
    );
    assert_eq!(outbox_rows(&a), 1);
    tandem_core::sync::run::sync(&mut a).unwrap();

    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c.clone());
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    assert_eq!(b.journal_page(&Page::first(100)).unwrap().len(), 32);
}

#[test]
fn two_devices_of_one_person_link_edit_offline_and_converge() {
    let (dir, srv, c, mut a) = first_device("Europe/Berlin");
    a.add_track("alcohol", at("2026-01-01T12:00:00Z").date_naive())
        .unwrap();
    let first = a.add_journal(journal("CANARY-first words")).unwrap();
    let report = tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    assert!(report.pushed >= 3, "{report:?}");
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );

    // The second device links with a code from the first and gets everything.
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c.clone());
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    // A code is single use.
    let mut c3 = device(dir.path(), "c.db", c.clone());
    assert!(tandem_core::features::devices::link(&mut c3, &code, &srv.url).is_err());

    // Both edit offline: a new entry each, the same entry edited on one and
    // deleted on the other, cravings.
    a.add_journal(journal("from a")).unwrap();
    b.add_craving(CravingInput {
        trigger: "payday".into(),
        intensity: 6,
        ..Default::default()
    })
    .unwrap();
    b.edit_journal(&first.id, journal("edited on b")).unwrap();
    a.delete_journal(&first.id).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut b).unwrap();
        tandem_core::sync::run::sync(&mut a).unwrap();
    }
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    // The deleted entry stays deleted, whatever the order.
    assert!(a.journal_entry(&first.id).is_err());
    assert!(b.journal_entry(&first.id).is_err());
    assert_eq!(a.journal_page(&Page::first(10)).unwrap().len(), 1);
    assert_eq!(a.cravings_page(&Page::first(10)).unwrap().len(), 1);

    // The server's files hold none of the plaintext.
    drop(srv);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("server.db") {
            let bytes = std::fs::read(&path).unwrap();
            for needle in [
                &b"CANARY"[..],
                b"first words",
                b"payday",
                b"alcohol",
                b"Berlin",
            ] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{name} holds {}",
                    String::from_utf8_lossy(needle)
                );
            }
        }
    }
}

#[test]
fn tampered_moved_and_replayed_records_are_refused_and_reported() {
    let (dir, srv, c, mut a) = first_device("UTC");
    a.add_journal(journal("one")).unwrap();
    a.add_journal(journal("two")).unwrap();
    tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c.clone());
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();

    // Someone with the account's token (or the server itself) plants records.
    let records = server_records(&a);
    let space = a.private_space().unwrap().unwrap().space_id;
    // The space moves to epoch 1 (a third device is linked, then unlinked),
    // so an old record can be replayed as if sealed under the new epoch.
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut lost = device(dir.path(), "lost.db", c.clone());
    tandem_core::features::devices::link(&mut lost, &code, &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    tandem_core::sync::run::sync(&mut b).unwrap();
    let lost_id = lost.account().unwrap().unwrap().device_id;
    tandem_core::features::devices::unlink(&mut a, &lost_id).unwrap();
    assert_eq!(a.private_space().unwrap().unwrap().epoch, 1);
    a.add_journal(journal("three")).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    let good = {
        tandem_core::sync::run::sync(&mut b).unwrap();
        b.read_model_dump().unwrap()
    };
    let fake_hash = |i: u8| hex::encode([i; 32]);
    let mut planted = Vec::new();
    // Two real records of the new epoch (the unlink's own writes).
    let current: Vec<_> = server_records(&a)
        .into_iter()
        .filter(|r| r.key_epoch == 1)
        .collect();
    let one = current.last().unwrap();
    let other = current.iter().find(|r| r.doc_id != one.doc_id).unwrap();
    // A bit flipped in a real record's ciphertext.
    let mut flipped = URL_SAFE_NO_PAD.decode(&one.ciphertext).unwrap();
    flipped[10] ^= 1;
    planted.push(PushRecord {
        space_id: space.clone(),
        doc_id: one.doc_id.clone(),
        change_hash: fake_hash(1),
        key_epoch: 1,
        nonce: one.nonce.clone(),
        ciphertext: URL_SAFE_NO_PAD.encode(flipped),
    });
    // A real record moved to another document.
    planted.push(PushRecord {
        space_id: space.clone(),
        doc_id: other.doc_id.clone(),
        change_hash: fake_hash(2),
        key_epoch: 1,
        nonce: one.nonce.clone(),
        ciphertext: one.ciphertext.clone(),
    });
    // A real record replayed under another epoch.
    planted.push(PushRecord {
        space_id: space.clone(),
        doc_id: records[1].doc_id.clone(),
        // Another hash (its first byte inverted), so it is not de-duplicated.
        change_hash: {
            let h = &records[1].change_hash;
            format!(
                "{:02x}{}",
                u8::from_str_radix(&h[..2], 16).unwrap() ^ 0xff,
                &h[2..]
            )
        },
        key_epoch: 1,
        nonce: records[1].nonce.clone(),
        ciphertext: records[1].ciphertext.clone(),
    });
    // A real record of the old epoch, replayed after the new one began
    // (under another hash, so it is not de-duplicated).
    planted.push(PushRecord {
        space_id: space.clone(),
        doc_id: records[1].doc_id.clone(),
        change_hash: fake_hash(3),
        key_epoch: 0,
        nonce: records[1].nonce.clone(),
        ciphertext: records[1].ciphertext.clone(),
    });
    // An honest server takes nothing under the epoch the space moved past
    // (409, the whole push); a hostile one stores it all the same.
    let client = a.account().unwrap().unwrap().client().unwrap();
    let err = client.push(planted.clone()).unwrap_err();
    assert!(
        matches!(err, tandem_core::Error::Server { status: 409, .. }),
        "{err:?}"
    );
    assert_eq!(srv.plant(&planted).len(), 4);

    let report = tandem_core::sync::run::sync(&mut b).unwrap();
    let reasons: Vec<Refusal> = report.refused.iter().map(|r| r.reason).collect();
    assert_eq!(
        reasons,
        vec![
            Refusal::Forged,
            Refusal::Forged,
            Refusal::Forged,
            Refusal::Superseded
        ],
        "{report:?}"
    );
    assert_eq!(report.applied, 0);
    assert_eq!(b.read_model_dump().unwrap(), good, "nothing was applied");
    assert_eq!(
        tandem_core::sync::engine::status(&b)
            .unwrap()
            .refused_records,
        4
    );
    // Reported once, not again on the next sync.
    assert!(
        tandem_core::sync::run::sync(&mut b)
            .unwrap()
            .refused
            .is_empty()
    );
}

#[test]
fn lost_answers_and_a_killed_server_lose_and_duplicate_nothing() {
    let (dir, mut srv, c, mut a) = first_device("UTC");
    let proxy = Proxy::start(&srv.url);
    tandem_core::sync::engine::connect(&mut a, &proxy.url).unwrap();
    for i in 0..40 {
        a.add_journal(journal(&format!("entry {i}"))).unwrap();
    }
    // The push lands at the server, its answer is lost.
    proxy.drop_answers(1);
    let err = tandem_core::sync::run::sync(&mut a).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert_eq!(proxy.dropped.load(std::sync::atomic::Ordering::SeqCst), 1);
    let status = tandem_core::sync::engine::status(&a).unwrap();
    assert_eq!(
        status.pending_changes, 40,
        "nothing is dropped from the outbox"
    );
    assert_eq!(status.failures, 1);
    assert!(status.last_error.is_some());
    assert!(status.next_attempt_ms.unwrap() > status.last_attempt_ms.unwrap());
    // The retry is de-duplicated by the server.
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );
    assert_eq!(tandem_core::sync::engine::status(&a).unwrap().failures, 0);

    // A second device whose pull answer is lost, then a server killed and
    // restarted between syncs.
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c.clone());
    // Registration and setting its box key go through; the first pull's
    // answer is lost.
    proxy.drop_answers_after(2, 1);
    assert_eq!(
        tandem_core::features::devices::link(&mut b, &code, &proxy.url)
            .unwrap_err()
            .kind(),
        ErrorKind::Network
    );
    tandem_core::sync::run::sync(&mut b).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());

    for i in 0..30 {
        b.add_journal(journal(&format!("b {i}"))).unwrap();
    }
    srv.restart();
    tandem_core::sync::run::sync(&mut b).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    assert_eq!(a.journal_page(&Page::first(100)).unwrap().len(), 70);

    // Exactly one record per change at the server.
    let records = server_records(&a);
    let mut hashes: Vec<&str> = records.iter().map(|r| r.change_hash.as_str()).collect();
    let n = hashes.len();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), n, "duplicates at the server");
    let seqs: Vec<i64> = records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=n as i64).collect::<Vec<_>>());
}

#[test]
fn a_device_offline_for_months_still_merges_and_nothing_local_is_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let ca = clock();
    let cb = clock();
    let mut a = device(dir.path(), "a.db", ca.clone());
    a.init("Sam", "UTC").unwrap();
    tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", cb.clone());
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();

    // Four months: a syncs every day, b never.
    for day in 0..120 {
        ca.advance(Duration::days(1));
        cb.advance(Duration::days(1));
        a.add_journal(journal(&format!("a day {day}"))).unwrap();
        if day % 10 == 0 {
            b.add_craving(CravingInput {
                trigger: format!("b day {day}"),
                intensity: 3,
                ..Default::default()
            })
            .unwrap();
        }
        tandem_core::sync::run::sync(&mut a).unwrap();
    }
    // A server that answers garbage or is unreachable never empties b's outbox.
    let pending = tandem_core::sync::engine::status(&b)
        .unwrap()
        .pending_changes;
    assert!(pending >= 12);
    tandem_core::sync::run::sync(&mut b).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    assert_eq!(a.journal_page(&Page::first(500)).unwrap().len(), 120);
    assert_eq!(a.cravings_page(&Page::first(500)).unwrap().len(), 12);
}

#[test]
fn sync_without_a_server_is_a_typed_error_and_the_url_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = device(dir.path(), "a.db", clock());
    a.init("Sam", "UTC").unwrap();
    assert_eq!(
        tandem_core::sync::run::sync(&mut a).unwrap_err().kind(),
        ErrorKind::NoServer
    );
    assert_eq!(
        tandem_core::sync::engine::connect(&mut a, "not a url")
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        tandem_core::sync::engine::connect(&mut a, "http://127.0.0.1:9")
            .unwrap_err()
            .kind(),
        ErrorKind::Network
    );
    let _ = Client::new("http://127.0.0.1:9").unwrap();
}

#[test]
fn a_server_killed_in_the_middle_of_a_sync_loses_and_duplicates_nothing() {
    let (dir, mut srv, c, mut a) = first_device("UTC");
    tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    for i in 0..2500 {
        a.add_journal(journal(&format!("entry {i} {}", "x".repeat(400))))
            .unwrap();
    }
    // Kill the server once the first of the pushes (five requests) has been
    // acknowledged, while the rest are under way.
    let pid = srv.pid();
    let db = a.path().to_path_buf();
    let killer = std::thread::spawn(move || {
        let watch = raw(&db);
        for _ in 0..6000 {
            let left: i64 = watch
                .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
                .unwrap_or(2500);
            if left < 2500 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    });
    let first = tandem_core::sync::run::sync(&mut a);
    killer.join().unwrap();
    let pending = tandem_core::sync::engine::status(&a)
        .unwrap()
        .pending_changes;
    eprintln!(
        "first sync: {:?}; {pending} changes still pending after the kill",
        first.as_ref().map(|r| r.pushed).map_err(|e| e.kind())
    );
    srv.restart();
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c);
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    let records = server_records(&a);
    let mut hashes: Vec<&str> = records.iter().map(|r| r.change_hash.as_str()).collect();
    let n = hashes.len();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), n, "duplicate records at the server");
    // Records pack several changes: open them all and count the changes.
    let space = a.private_space().unwrap().unwrap().space_id;
    let mut changes = Vec::new();
    for r in &records {
        changes.extend(
            tandem_core::sync::engine::changes_in_record(&a, &space, r)
                .unwrap()
                .expect("opens"),
        );
    }
    let total = changes.len();
    changes.sort();
    changes.dedup();
    assert_eq!(changes.len(), total, "a change stored twice");
    assert_eq!(
        total, 2508,
        "every change once: init, 2,500 entries, the account's identity and first signed epoch, each device's entry in the devices document, and the device log's three entries (the first device founding it, the link code's invite, the second device added with it)"
    );
    assert!(
        n < total / 10,
        "{n} records for {total} changes: not packed"
    );
}

#[test]
fn a_device_restored_from_the_recovery_key_holds_everything() {
    let (dir, srv, c, mut a) = first_device("UTC");
    // Shown at set-up, before the device ever synced.
    let recovery = tandem_core::features::devices::new_recovery_key(&mut a).unwrap();
    assert!(recovery.starts_with("TR1-"));
    for i in 0..20 {
        a.add_journal(journal(&format!("entry {i}"))).unwrap();
    }
    tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    // A pair, so the keyring has something to restore.
    let mut mentor = device(dir.path(), "mentor.db", c.clone());
    mentor.init("Alex", "UTC").unwrap();
    tandem_core::sync::engine::connect(&mut mentor, &srv.url).unwrap();
    let code = tandem_core::features::pairs::invite(&mut a).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    tandem_core::features::pairs::join(&mut mentor, &code).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();

    // Every old device is lost. A new one, with the recovery key only.
    let mut fresh = device(dir.path(), "new.db", c.clone());
    let (report, new_key) =
        tandem_core::features::devices::restore(&mut fresh, &recovery, &srv.url).unwrap();
    assert!(report.applied > 20);
    // The new device listed itself in the pair; the old one takes that in.
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(
        fresh.read_model_dump().unwrap(),
        a.read_model_dump().unwrap()
    );
    assert_eq!(tandem_core::features::pairs::list(&fresh).unwrap().len(), 1);
    assert_eq!(
        tandem_core::features::pairs::list(&fresh).unwrap()[0]
            .other_name
            .as_deref(),
        Some("Alex")
    );
    // The old key is used up; the new one works.
    assert_ne!(new_key.as_str(), recovery.as_str());
    let mut again = device(dir.path(), "again.db", c.clone());
    assert_eq!(
        tandem_core::features::devices::restore(&mut again, &recovery, &srv.url)
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    let mut third = device(dir.path(), "third.db", c);
    tandem_core::features::devices::restore(&mut third, &new_key, &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(
        third.read_model_dump().unwrap(),
        a.read_model_dump().unwrap()
    );
    // A mistyped key is caught before anything is sent.
    let mut typo = device(dir.path(), "typo.db", clock());
    let mut bad: Vec<char> = new_key.chars().collect();
    let i = bad.len() - 3;
    bad[i] = if bad[i] == 'A' { 'B' } else { 'A' };
    let bad: String = bad.into_iter().collect();
    assert_eq!(
        tandem_core::features::devices::restore(&mut typo, &bad, &srv.url)
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
}

#[test]
fn an_unlinked_device_can_neither_pull_nor_read_the_new_epoch() {
    let (dir, srv, c, mut a) = first_device("UTC");
    let recovery = tandem_core::features::devices::new_recovery_key(&mut a).unwrap();
    a.add_journal(journal("before")).unwrap();
    tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    let mut b = device(dir.path(), "b.db", c.clone());
    tandem_core::features::devices::link(
        &mut b,
        &tandem_core::features::devices::link_code(&mut a).unwrap(),
        &srv.url,
    )
    .unwrap();
    let mut lost = device(dir.path(), "lost.db", c.clone());
    tandem_core::features::devices::link(
        &mut lost,
        &tandem_core::features::devices::link_code(&mut a).unwrap(),
        &srv.url,
    )
    .unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(tandem_core::features::devices::list(&a).unwrap().len(), 3);

    let lost_id = lost.account().unwrap().unwrap().device_id;
    let (gone, _) = tandem_core::features::devices::unlink(&mut a, &lost_id).unwrap();
    assert!(gone.unlinked);
    // The remaining devices carry on under the new epoch.
    a.add_journal(journal("CANARY after the phone was lost"))
        .unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    let report = tandem_core::sync::run::sync(&mut b).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    b.add_journal(journal("from b")).unwrap();
    tandem_core::sync::run::sync(&mut b).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(
        a.journal_page(&tandem_core::Page::first(10)).unwrap().len(),
        3
    );

    // The lost device is refused by the server ...
    let err = tandem_core::sync::run::sync(&mut lost).unwrap_err();
    assert!(
        matches!(err, tandem_core::Error::Server { status: 401, .. }),
        "{err}"
    );
    // ... and holds no key that opens what was written since.
    let space = lost.private_space().unwrap().unwrap();
    assert_eq!(space.epoch, 0);
    assert!(
        lost.journal_page(&tandem_core::Page::first(10))
            .unwrap()
            .len()
            == 1
    );
    // The space keeps only live envelopes (snapshots covering no record):
    // the one remaining device's for the new epoch and the new recovery
    // key's. The lost phone's, the old epoch's and the old recovery key's
    // are deleted.
    assert_eq!(envelopes(&a), 2);
    // A second unlink supersedes the first one's envelopes: again only
    // the remaining devices' for the newest epoch (none) and the recovery
    // key's are left.
    let b_id = b.account().unwrap().unwrap().device_id;
    let (_, new_recovery) = tandem_core::features::devices::unlink(&mut a, &b_id).unwrap();
    assert_eq!(envelopes(&a), 1);
    // A device that cannot unlink itself, or an unknown one.
    let this_device = a.account().unwrap().unwrap().device_id;
    assert_eq!(
        tandem_core::features::devices::unlink(&mut a, &this_device)
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    // The old recovery key is retired with the lost device; the new one
    // restores everything, new epoch included.
    let mut stale = device(dir.path(), "stale.db", c.clone());
    assert!(tandem_core::features::devices::restore(&mut stale, &recovery, &srv.url).is_err());
    let mut restored = device(dir.path(), "restored.db", c);
    tandem_core::features::devices::restore(&mut restored, &new_recovery, &srv.url).unwrap();
    assert_eq!(
        restored.read_model_dump().unwrap(),
        a.read_model_dump().unwrap()
    );
}

/// How many key envelopes (snapshots covering no record) the server holds
/// in `store`'s private space.
fn envelopes(store: &tandem_core::Store) -> usize {
    let client = store.account().unwrap().unwrap().client().unwrap();
    client
        .snapshots(&store.private_space().unwrap().unwrap().space_id)
        .unwrap()
        .snapshots
        .into_iter()
        .filter(|s| s.upto_seq == 0)
        .count()
}

#[test]
fn a_new_device_bootstraps_from_snapshots_then_pulls_only_what_came_after() {
    let (dir, srv, c, mut a) = first_device("UTC");
    for i in 0..400 {
        if i % 100 == 0 {
            c.advance(Duration::days(31));
        }
        a.add_journal(journal(&format!("entry {i}"))).unwrap();
    }
    let first = tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    assert!(first.snapshots_uploaded >= 5, "{first:?}");
    // Written after the snapshots.
    a.add_journal(journal("after the snapshots")).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();

    let mut b = device(dir.path(), "b.db", c);
    let report = tandem_core::features::devices::link(
        &mut b,
        &tandem_core::features::devices::link_code(&mut a).unwrap(),
        &srv.url,
    )
    .unwrap();
    assert!(report.from_snapshots >= 5, "{report:?}");
    assert!(
        report.pulled < 20,
        "pulled {} records instead of the snapshots",
        report.pulled
    );
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    // Both carry on as usual.
    b.add_journal(journal("from b")).unwrap();
    tandem_core::sync::run::sync(&mut b).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
}

/// A device's store shared between threads, as an app holds it: each step
/// of a sync takes the lock only for itself.
struct Shared(Arc<std::sync::Mutex<Store>>);

impl StoreAccess for Shared {
    fn with<T>(
        &mut self,
        f: impl FnOnce(&mut Store) -> tandem_core::Result<T>,
    ) -> tandem_core::Result<T> {
        f(&mut self.0.lock().unwrap())
    }
}

/// Starts a sync of `store` through [`Shared`] on its own thread.
fn sync_in_background(
    store: &Arc<std::sync::Mutex<Store>>,
) -> std::thread::JoinHandle<tandem_core::Result<SyncReport>> {
    let store = store.clone();
    std::thread::spawn(move || run::sync(&mut Shared(store)))
}

/// Writes a journal entry while a sync in the background waits on the
/// network: the store must be free.
fn write_meanwhile(store: &std::sync::Mutex<Store>, text: &str) {
    store
        .try_lock()
        .unwrap_or_else(|_| panic!("the store is held while the sync waits ({text})"))
        .add_journal(journal(text))
        .unwrap();
}

#[test]
fn writes_go_on_while_a_sync_waits_on_the_network_and_are_kept() {
    let (dir, srv, c, mut a) = first_device("UTC");
    let proxy = Proxy::start(&srv.url);
    tandem_core::sync::engine::connect(&mut a, &proxy.url).unwrap();
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c.clone());
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();
    a.add_journal(journal("before the sync")).unwrap();
    b.add_journal(journal("from b")).unwrap();
    tandem_core::sync::run::sync(&mut b).unwrap();
    let a = Arc::new(std::sync::Mutex::new(a));

    // A slow network: every answer is held until let through. While the
    // sync waits for one, the store is free and writes land.
    proxy.hold_answers();
    let syncing = sync_in_background(&a);
    assert!(proxy.wait_until_held(1), "the push never went out");
    write_meanwhile(&a, "during the first push");
    proxy.let_one_through();
    // The write just made goes out in a push of the same sync.
    assert!(proxy.wait_until_held(2), "no second push");
    write_meanwhile(&a, "during the second push");
    proxy.release_answers();
    let report = syncing.join().unwrap().unwrap();
    // b's entry arrived (a also pulls back what it pushed: not applied twice).
    assert!(report.applied >= 1, "{report:?}");
    let a = Arc::into_inner(a).unwrap().into_inner().unwrap();
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );
    assert_eq!(a.journal_page(&Page::first(10)).unwrap().len(), 4);

    // Nothing to push: the first answer held is the pull's. A write made
    // while it waits lands beside the pulled entry and goes out at the
    // end of the same sync.
    b.add_journal(journal("from b, later")).unwrap();
    tandem_core::sync::run::sync(&mut b).unwrap();
    let a = Arc::new(std::sync::Mutex::new(a));
    proxy.hold_answers();
    let syncing = sync_in_background(&a);
    assert!(proxy.wait_until_held(3), "the pull never went out");
    write_meanwhile(&a, "during the pull");
    proxy.release_answers();
    let report = syncing.join().unwrap().unwrap();
    assert!(report.pushed == 1 && report.applied >= 1, "{report:?}");
    let mut a = Arc::into_inner(a).unwrap().into_inner().unwrap();
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );
    assert_eq!(a.journal_page(&Page::first(10)).unwrap().len(), 6);
    assert!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .last_error
            .is_none()
    );

    tandem_core::sync::run::sync(&mut a).unwrap();
    tandem_core::sync::run::sync(&mut b).unwrap();
    assert_eq!(b.read_model_dump().unwrap(), a.read_model_dump().unwrap());
}

/// Another of the person's devices upgrades first and writes a record in
/// a newer format. This device refuses it as newer (the cursor moves on,
/// nothing else waits) and keeps refusing it while it runs the same build.
/// Once it runs a build that reads the format (here: the refusal is one an
/// older reader made, of a record this build reads), the record is pulled
/// again on its own and applied.
#[test]
fn a_record_in_a_newer_format_waits_and_is_applied_after_the_upgrade() {
    use tandem_core::features::codes::LinkCode;
    use tandem_core::sync::seal::{self, Place, VERSION};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let clock = start_clock();
    let mut a = support::pair::person(dir.path(), "a.db", "Sam", clock.clone(), &srv.url);
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let key = LinkCode::parse(&code).unwrap().key;
    let mut b = store_in(dir.path(), "b.db", clock, Durability::Normal);
    tandem_core::features::devices::link(&mut b, &code, &proxy.url).unwrap();
    let private = a.private_space().unwrap().unwrap().space_id;
    run::sync(&mut a).unwrap();
    let client = a.account().unwrap().unwrap().client().unwrap();
    let head = |client: &Client| {
        client
            .pull(vec![Cursor {
                space_id: private.clone(),
                after: 0,
            }])
            .unwrap()
            .spaces[0]
            .head_seq
    };
    let before = head(&client);
    let entry = a
        .add_journal(journal("written by the upgraded phone"))
        .unwrap();
    run::sync(&mut a).unwrap();
    let seq = head(&client);
    assert_eq!(seq, before + 1, "the entry is one record");
    // The server hands b that record as the upgraded phone wrote it.
    let newer = move |line: &str, body: &str| {
        if !line.starts_with("POST /v1/sync/pull ") {
            return None;
        }
        let mut v: serde_json::Value = serde_json::from_str(body).ok()?;
        for space in v["spaces"].as_array_mut()? {
            let space_id = space["space_id"].as_str()?.to_owned();
            for r in space["records"].as_array_mut()? {
                if r["seq"].as_i64() != Some(seq) {
                    continue;
                }
                let (doc, hash, epoch) = (
                    r["doc_id"].as_str()?.to_owned(),
                    r["change_hash"].as_str()?.to_owned(),
                    r["key_epoch"].as_u64()? as u32,
                );
                let place = Place {
                    space_id: &space_id,
                    wire_doc_id: &doc,
                    wire_change_hash: &hash,
                    epoch,
                };
                let nonce = URL_SAFE_NO_PAD.decode(r["nonce"].as_str()?).ok()?;
                let sealed = URL_SAFE_NO_PAD.decode(r["ciphertext"].as_str()?).ok()?;
                let inside = seal::open(&key, &place, &nonce, &sealed).ok()?;
                let (nonce, sealed) = seal::seal_as(
                    VERSION + 1,
                    &key,
                    &place,
                    &inside.doc_id,
                    seal::Writer::Unsigned(&inside.writer),
                    &inside.payload,
                )
                .ok()?;
                r["nonce"] = URL_SAFE_NO_PAD.encode(nonce).into();
                r["ciphertext"] = URL_SAFE_NO_PAD.encode(sealed).into();
            }
        }
        Some(v.to_string())
    };
    proxy.rewrite(newer);
    let report = run::sync(&mut b).unwrap();
    assert!(
        report
            .refused
            .iter()
            .any(|r| r.seq == seq && r.reason == Refusal::Newer),
        "{report:?}"
    );
    assert!(b.journal_entry(&entry.id).is_err());
    let reason = |b: &Store| -> Option<String> {
        raw(dir.path().join("b.db"))
            .query_row(
                "SELECT reason FROM sync_refused WHERE space_id = ?1 AND seq = ?2",
                rusqlite::params![private, seq],
                |r| r.get(0),
            )
            .ok()
            .filter(|_| b.account().is_ok())
    };
    assert_eq!(reason(&b), Some(format!("Newer:{VERSION}")));
    // The same build does not ask again.
    run::sync(&mut b).unwrap();
    assert!(b.journal_entry(&entry.id).is_err());
    assert_eq!(reason(&b), Some(format!("Newer:{VERSION}")));

    // After the upgrade: the refusal was made by a build reading an older
    // format than this one, so the record is pulled again and applied.
    proxy.rewrite(|_, _| None);
    raw(dir.path().join("b.db"))
        .execute(
            "UPDATE sync_refused SET reason = ?1",
            [format!("Newer:{}", VERSION - 1)],
        )
        .unwrap();
    let report = run::sync(&mut b).unwrap();
    assert!(report.applied >= 1, "{report:?}");
    assert_eq!(
        b.journal_entry(&entry.id).unwrap().text,
        "written by the upgraded phone"
    );
    assert_eq!(reason(&b), None, "the refusal is forgotten");
}

/// Two devices of a person each hold another identity (two devices from
/// before identities that each made one after what looked like a full
/// pull). Each still takes the other's signed records in the private
/// space (before, each refused the other's for good), so their key rings
/// merge and they settle on one identity.
#[test]
fn two_devices_that_made_an_identity_each_still_read_each_other() {
    let (dir, srv, c, mut a) = first_device("UTC");
    tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c);
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();
    run::sync(&mut a).unwrap();

    // b's key ring now names another identity, as if b had made its own.
    let change = {
        use automerge::transaction::Transactable as _;
        let mut doc = automerge::AutoCommit::new();
        for ch in b
            .changes_since(&tandem_core::document::DocId::keyring(), &[])
            .unwrap()
        {
            doc.load_incremental(&ch).unwrap();
        }
        doc.put(automerge::ROOT, "identity", hex::encode([9u8; 32]))
            .unwrap();
        doc.get_last_local_change().unwrap().raw_bytes().to_vec()
    };
    b.apply_changes(&tandem_core::document::DocId::keyring(), &[change])
        .unwrap();
    let entry = b.add_journal(journal("signed under b's identity")).unwrap();
    run::sync(&mut b).unwrap();
    let report = run::sync(&mut a).unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(
        a.journal_entry(&entry.id).unwrap().text,
        "signed under b's identity"
    );
    // And a's writing still reaches b: one identity on both.
    let back = a.add_journal(journal("and back")).unwrap();
    run::sync(&mut a).unwrap();
    let report = run::sync(&mut b).unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(b.journal_entry(&back.id).unwrap().text, "and back");
}

/// A tablet that was away while the phone unlinked a lost device writes a
/// journal entry, then syncs. It had not heard of the private space's new
/// epoch, so its first push is sealed under the old key: the server
/// refuses it (409) and takes nothing of it. The tablet then waits for the
/// new key, which the pull brings, seals the entry again under it and
/// pushes it in the same sync; the phone reads it. Nothing under the old
/// epoch is stored after the new one began.
#[test]
fn a_device_that_missed_a_new_epoch_seals_again_under_it() {
    let (dir, srv, c, mut phone) = first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut linked = Vec::new();
    for name in ["tablet.db", "lost.db"] {
        let code = tandem_core::features::devices::link_code(&mut phone).unwrap();
        let mut d = device(dir.path(), name, c.clone());
        tandem_core::features::devices::link(&mut d, &code, &srv.url).unwrap();
        run::sync(&mut d).unwrap();
        linked.push(d);
    }
    let (mut tablet, lost) = (linked.remove(0), linked.remove(0));
    run::sync(&mut phone).unwrap();
    run::sync(&mut tablet).unwrap();
    let before = server_records(&phone).last().unwrap().seq;

    let lost_id = lost.account().unwrap().unwrap().device_id;
    tandem_core::features::devices::unlink(&mut phone, &lost_id).unwrap();
    tablet
        .add_journal(journal("written in the basement"))
        .unwrap();
    assert_eq!(tablet.private_space().unwrap().unwrap().epoch, 0);

    let report = run::sync(&mut tablet).unwrap();
    assert!(report.pushed >= 1, "{report:?}");
    assert_eq!(tablet.private_space().unwrap().unwrap().epoch, 1);
    assert_eq!(
        tandem_core::sync::engine::status(&tablet)
            .unwrap()
            .pending_changes,
        0
    );
    run::sync(&mut phone).unwrap();
    assert!(
        phone
            .journal_page(&Page::first(10))
            .unwrap()
            .iter()
            .any(|e| e.text == "written in the basement")
    );
    // The unlink's own records came after `before`; from the epoch's start
    // on, everything on the server is sealed under epoch 1.
    let after: Vec<_> = server_records(&phone)
        .into_iter()
        .filter(|r| r.seq > before)
        .collect();
    let first_new = after.iter().position(|r| r.key_epoch == 1).unwrap();
    assert!(after[first_new..].iter().all(|r| r.key_epoch == 1));
}

/// A store from before writer ids were bound holds a change it has not
/// pushed yet, written under its old id. Opened by this build, the store
/// moves to the id bound to its signing key and keeps the old one as a
/// former writer id; the pending change then goes out signed under the
/// old id, and the person's other device takes it as theirs.
#[test]
fn a_change_pending_under_the_old_id_goes_out_after_the_id_moves() {
    use automerge::transaction::Transactable as _;
    let (dir, srv, c, mut a) = first_device("UTC");
    tandem_core::sync::engine::connect(&mut a, &srv.url).unwrap();
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    let mut b = device(dir.path(), "b.db", c.clone());
    tandem_core::features::devices::link(&mut b, &code, &srv.url).unwrap();
    for _ in 0..2 {
        run::sync(&mut a).unwrap();
        run::sync(&mut b).unwrap();
    }

    // What the store looked like before: an unbound id, and a change to
    // the profile under it, waiting in the outbox.
    let legacy = [0xab_u8; 16];
    let profile = tandem_core::document::DocId::profile();
    let mut doc = automerge::AutoCommit::new();
    for change in a.changes_since(&profile, &[]).unwrap() {
        doc.load_incremental(&change).unwrap();
    }
    doc.set_actor(automerge::ActorId::from(legacy.to_vec()));
    doc.put(automerge::ROOT, "name", "Sam, before the move")
        .unwrap();
    let change = doc.get_last_local_change().unwrap();
    let (bytes, hash) = (change.raw_bytes().to_vec(), change.hash().0.to_vec());
    let bound = a.device_id();
    let path = a.path().to_path_buf();
    drop(a);
    {
        let db = raw(&path);
        db.execute(
            "INSERT INTO changes (doc_id, seq, bytes) VALUES (?1,
                 (SELECT coalesce(max(seq), 0) + 1 FROM changes WHERE doc_id = ?1), ?2)",
            rusqlite::params![profile.as_str(), bytes],
        )
        .unwrap();
        db.execute(
            "INSERT INTO outbox (seq, doc_id, hash, bytes) VALUES (
                 (SELECT coalesce(max(seq), 0) + 1 FROM outbox), ?1, ?2, ?3)",
            rusqlite::params![profile.as_str(), hash, bytes],
        )
        .unwrap();
        db.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'device_id'",
            [hex::encode(legacy)],
        )
        .unwrap();
    }

    let mut a = device(dir.path(), "a.db", c);
    assert_eq!(a.device_id(), bound, "the id moved back to the bound one");
    assert!(a.former_writers().unwrap().contains(&hex::encode(legacy)));
    run::sync(&mut a).unwrap();
    assert_eq!(
        tandem_core::sync::engine::status(&a)
            .unwrap()
            .pending_changes,
        0
    );
    let report = run::sync(&mut b).unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert!(
        b.read_model_dump()
            .unwrap()
            .contains("Sam, before the move")
    );
}
