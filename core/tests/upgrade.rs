//! Upgrading: a paired mentee's and mentor's device stores and the relay's
//! SQLite database, as a release wrote them, are committed under
//! `tests/fixtures/upgrade/`. Today's code opens all three, migrates them,
//! and the pair syncs on: what was there stays, and what each writes now
//! reaches the other.
//!
//! The fixtures are made once per release whose formats they pin, by the
//! ignored test `make_upgrade_fixtures` (see the folder's README); they
//! are never remade by a later build, or the test would prove nothing.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use support::pair::paired;
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::features::sharing::ShareKind;
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Durability, FixedClock, Store};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade")
}

fn journal(text: &str) -> JournalInput {
    JournalInput {
        text: text.into(),
        ..Default::default()
    }
}

/// Folds a SQLite file's write-ahead log into it, so the one file is the
/// whole database.
fn checkpoint(conn: &rusqlite::Connection) {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
}

/// Makes the fixtures with the code of this build: run by hand, once, for
/// the release whose formats they pin
/// (`cargo test -p tandem-core --test upgrade -- --ignored make_upgrade_fixtures`).
#[test]
#[ignore = "writes the committed fixtures; run by hand for a release"]
fn make_upgrade_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let mut srv = ServerProcess::start(&dir.path().join("relay.db"));
    let (mut mentee, mut mentor, c, pair) = paired(dir.path(), &srv.url);
    mentee.add_journal(journal("PRIVATE-entry")).unwrap();
    let shared = mentee.add_journal(journal("I told my sister.")).unwrap();
    let goal = mentee
        .add_goal(GoalInput {
            title: "Ninety meetings".into(),
            ..Default::default()
        })
        .unwrap();
    mentee.add_milestone(&goal.id, "first ten").unwrap();
    tandem_core::features::sharing::share(&mut mentee, ShareKind::Goal, &goal.id, None).unwrap();
    tandem_core::features::sharing::share(&mut mentee, ShareKind::Journal, &shared.id, None)
        .unwrap();
    mentee
        .create_note_in(Some(&pair), "Plan", "Call Alex.")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let note = mentor.notes().unwrap()[0].id.clone();
    mentor
        .edit_note(&note, "Call Alex.\nLeave the party.")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    drop((mentee, mentor, c));
    srv.kill();
    let out = fixtures();
    std::fs::create_dir_all(&out).unwrap();
    for name in ["mentee.db", "mentor.db"] {
        checkpoint(&raw(dir.path().join(name)));
        std::fs::copy(dir.path().join(name), out.join(name)).unwrap();
    }
    checkpoint(&rusqlite::Connection::open(dir.path().join("relay.db")).unwrap());
    std::fs::copy(dir.path().join("relay.db"), out.join("relay.db")).unwrap();
}

/// Copies a fixture into `dir`, pointing a device store's account at
/// `url` (the relay now listens on another port).
fn device_from_fixture(dir: &Path, name: &str, url: &str, clock: Arc<FixedClock>) -> Store {
    std::fs::copy(fixtures().join(name), dir.join(name)).unwrap();
    {
        let conn = raw(dir.join(name));
        let text: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'account'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut account: serde_json::Value = serde_json::from_str(&text).unwrap();
        account["server"] = url.into();
        conn.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'account'",
            [account.to_string()],
        )
        .unwrap();
    }
    store_in(dir, name, clock, Durability::Normal)
}

#[test]
fn stores_and_the_relay_of_the_last_release_open_migrate_and_sync_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("relay.db"), dir.path().join("relay.db")).unwrap();
    let srv = ServerProcess::start(&dir.path().join("relay.db"));
    let c = Arc::new(FixedClock::new(at("2026-03-11T12:00:00Z")));
    let old_id = |name: &str| -> String {
        raw(fixtures().join(name))
            .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let (mentee_was, mentor_was) = (old_id("mentee.db"), old_id("mentor.db"));
    let mut mentee = device_from_fixture(dir.path(), "mentee.db", &srv.url, c.clone());
    let mut mentor = device_from_fixture(dir.path(), "mentor.db", &srv.url, c.clone());
    let version: i64 = raw(dir.path().join("mentee.db"))
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, tandem_core::store::schema::VERSION);
    // Each device now writes under the id bound to its signing key, and
    // keeps the one it wrote under before as its own.
    for (store, was) in [(&mentee, &mentee_was), (&mentor, &mentor_was)] {
        assert_ne!(&store.device_id(), was);
        assert!(tandem_core::sync::signature::writes_bound(store).unwrap());
        assert_eq!(store.former_writers().unwrap(), vec![was.clone()]);
    }

    // What was there stays.
    let entries = mentee.journal_page(&tandem_core::Page::first(10)).unwrap();
    assert_eq!(entries.len(), 2);
    let pairs = tandem_core::features::pairs::list(&mentee).unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].other_name.as_deref(), Some("Alex"));
    let pair = pairs[0].pair_id.clone();
    let overview = tandem_core::features::mentor::overview(&mut mentor, false).unwrap();
    assert_eq!(overview[0].name.as_deref(), Some("Robin"));
    let dump = mentor.read_model_dump().unwrap();
    assert!(dump.contains("Ninety meetings") && dump.contains("I told my sister."));
    assert!(!dump.contains("PRIVATE-entry"));
    assert_eq!(
        mentee.notes().unwrap()[0].body,
        "Call Alex.\nLeave the party."
    );

    // Both sync on with the upgraded relay, and new writes cross. The
    // pair, made before identities, pins them as they arrive (the mentor's
    // proves it held the invite) and both show one safety code: the first
    // sync makes each identity, the next publishes it, the third pins.
    for _ in 0..3 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        tandem_core::sync::run::sync(&mut mentor).unwrap();
    }
    let (a, b) = (
        tandem_core::features::pairs::list(&mentee)
            .unwrap()
            .remove(0),
        tandem_core::features::pairs::list(&mentor)
            .unwrap()
            .remove(0),
    );
    assert!(!a.identity_mismatch && !b.identity_mismatch, "{a:?} {b:?}");
    assert!(a.safety_code.is_some());
    assert_eq!(a.safety_code, b.safety_code);
    let note = mentee.notes().unwrap()[0].id.clone();
    mentee
        .edit_note(&note, "Call Alex.\nLeave the party.\nGo to a meeting.")
        .unwrap();
    let goal = mentee
        .add_goal(GoalInput {
            title: "Back at work".into(),
            ..Default::default()
        })
        .unwrap();
    tandem_core::features::sharing::share(&mut mentee, ShareKind::Goal, &goal.id, Some(&pair))
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let report = tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(
        mentor.note(&note).unwrap().body,
        "Call Alex.\nLeave the party.\nGo to a meeting."
    );
    assert!(mentor.read_model_dump().unwrap().contains("Back at work"));
    mentor
        .create_note_in(Some(&pair), "Check-in", "Thursday, 7pm")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(
        mentee
            .notes()
            .unwrap()
            .iter()
            .any(|n| n.body == "Thursday, 7pm")
    );
    // Once pulled after the upgrade, each space takes no more unsigned
    // records: what was written before is unsigned and still read,
    // everything written since is signed.
    let client = mentee.account().unwrap().unwrap().client().unwrap();
    for space in [
        mentee.private_space().unwrap().unwrap().space_id,
        pair.clone(),
    ] {
        let records = client
            .pull(vec![tandem_protocol::Cursor {
                space_id: space.clone(),
                after: 0,
            }])
            .unwrap()
            .spaces
            .remove(0)
            .records;
        let signed: Vec<bool> = records
            .iter()
            .map(|r| {
                tandem_core::sync::engine::record_signer(&mentee, &space, r)
                    .unwrap()
                    .expect("every record opens")
                    .is_some()
            })
            .collect();
        let first = signed
            .iter()
            .position(|s| *s)
            .expect("signed records since");
        assert!(first > 0, "{space}: records from the release before");
        assert!(signed[first..].iter().all(|s| *s), "{space}: {signed:?}");
    }
    // The mentor still holds the pair's key from before, and seals a record
    // under it, unsigned as the old release wrote them, in the mentee's
    // name: the mentee's device refuses it.
    let key_hex =
        support::forge::keyring_value(&mut mentor, &format!("{pair}.0")).expect("the pair's key");
    let mut key = [0u8; 32];
    hex::decode_to_slice(key_hex, &mut key).unwrap();
    let key = tandem_core::sync::seal::SpaceKey::from_bytes(key);
    let people = tandem_core::document::DocId::in_pair(&pair, "people");
    let phone = hex::decode(mentee.device_id()).unwrap();
    let forged = {
        use automerge::transaction::Transactable as _;
        let mut doc = automerge::AutoCommit::new();
        for c in mentor.changes_since(&people, &[]).unwrap() {
            doc.load_incremental(&c).unwrap();
        }
        doc.set_actor(automerge::ActorId::from(phone.clone()));
        doc.put(automerge::ROOT, "mentee.name", "Forged").unwrap();
        doc.get_last_local_change().unwrap().raw_bytes().to_vec()
    };
    support::forge::push_sealed(
        &mentor,
        &pair,
        &key,
        0,
        &people,
        &forged,
        tandem_core::sync::seal::Writer::Unsigned(&phone),
    );
    let report = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(
        report
            .refused
            .iter()
            .any(|r| r.reason == tandem_core::sync::seal::Refusal::Unsigned),
        "{report:?}"
    );
    assert!(!mentee.read_model_dump().unwrap().contains("Forged"));

    // A device linked now, to the upgraded account, gets everything.
    let mut phone = store_in(dir.path(), "phone.db", c, Durability::Normal);
    tandem_core::features::devices::link(
        &mut phone,
        &tandem_core::features::devices::link_code(&mut mentee).unwrap(),
        &srv.url,
    )
    .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    // The phone listed itself in the pair; the mentee's device takes it in.
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(
        phone.read_model_dump().unwrap(),
        mentee.read_model_dump().unwrap()
    );
}
