//! The threat model's attacks, one test each, against a real server
//! process: a hostile pair partner, a hostile or tampering server (through
//! the proxy), and a lost phone (a second store of the same account).
//! `docs/privacy.md` names the test behind each row of the threat table.

mod support;

use support::first_device::start_clock;
use support::forge::{certified_for, identity_of, plant_device_record, push_sealed, sealed_record};
use support::pair::{paired, person};
use support::proxy::Proxy;
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::document::DocId;
use tandem_core::sync::seal::{SpaceKey, open};
use tandem_core::{Durability, ErrorKind, Page, Store};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

/// A hostile mentor's client writes `account_id` into the pair's people
/// document as a path. Ending the pair puts that id into the URL of
/// `DELETE /v1/spaces/{space}/members/{account}`; URL parsing collapses
/// `..` and `%2e%2e`, so without a check the mentee's own device would call
/// `DELETE /v1/account` and erase the mentee's account and every record.
#[test]
fn a_partners_account_id_that_is_a_path_erases_nothing() {
    for path in ["../../../account", "%2e%2e/%2e%2e/%2e%2e/account"] {
        let dir = tempfile::tempdir().unwrap();
        let srv = ServerProcess::start(&dir.path().join("server.db"));
        let (mut mentee, mentor, clock, pair) = paired(dir.path(), &srv.url);

        // The hostile client: its own account record says the path, and
        // the next sync publishes it to the pair as the mentor's account.
        drop(mentor);
        let db = dir.path().join("mentor.db");
        raw(&db)
            .execute(
                "UPDATE meta SET value = json_set(value, '$.account_id', ?1) WHERE key = 'account'",
                [path],
            )
            .unwrap();
        let mut mentor = store_in(dir.path(), "mentor.db", clock.clone(), Durability::Normal);
        tandem_core::sync::run::sync(&mut mentor).unwrap();
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        let private_before = mentee.journal_page(&Page::first(10)).unwrap().len();
        let kept = mentee
            .add_journal(tandem_core::journal::JournalInput {
                text: "still mine".into(),
                ..Default::default()
            })
            .unwrap();
        tandem_core::sync::run::sync(&mut mentee).unwrap();

        let err = tandem_core::features::pairs::end(&mut mentee, &pair).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{path}: {err}");

        // Nothing was erased: the account still syncs, and a new device
        // linked to it gets the journal back from the server.
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        let code = tandem_core::features::devices::link_code(&mut mentee).unwrap();
        let mut other = store_in(dir.path(), "other.db", clock.clone(), Durability::Normal);
        tandem_core::features::devices::link(&mut other, &code, &srv.url).unwrap();
        assert_eq!(other.journal_entry(&kept.id).unwrap().text, "still mine");
        assert_eq!(
            other.journal_page(&Page::first(10)).unwrap().len(),
            private_before + 1
        );
    }
}

/// A hostile server answers "new pair space" with the mentee's private
/// space id. Without a check the mentee's device records a fresh key as
/// that space's key (the same key the invite code then hands the mentor)
/// and shows the private space as a pair.
#[test]
fn a_server_naming_the_private_space_as_a_new_pair_gets_no_key_written() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let mut mentee = person(dir.path(), "mentee.db", "Robin", start_clock(), &proxy.url);
    let private = mentee.private_space().unwrap().unwrap().space_id;
    let answer = serde_json::json!({
        "space_id": private, "owner": true, "epoch": 0, "members": 1, "head_seq": 0,
    })
    .to_string();
    proxy.rewrite(move |line, _| line.starts_with("POST /v1/spaces ").then(|| answer.clone()));

    let err = tandem_core::features::pairs::invite(&mut mentee).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert!(
        tandem_core::features::pairs::list(&mentee)
            .unwrap()
            .is_empty()
    );
    let space = mentee.private_space().unwrap().unwrap();
    assert_eq!(space.side, None);

    // The private space still syncs under its own key: a linked device reads it.
    proxy.rewrite(|_, _| None);
    let kept = mentee.add_journal(journal("still private")).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let code = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut other = store_in(dir.path(), "other.db", start_clock(), Durability::Normal);
    tandem_core::features::devices::link(&mut other, &code, &srv.url).unwrap();
    assert_eq!(other.journal_entry(&kept.id).unwrap().text, "still private");
}

/// Keyring entries a lost phone (or anyone with an old private key) could
/// write: the private space's current key replaced by one the attacker
/// holds, and the private space marked as a pair. The device must keep its
/// key, so nothing it writes next opens with the planted one.
#[test]
fn a_keyring_entry_cannot_replace_a_key_or_name_the_private_space() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let mut a = person(dir.path(), "a.db", "Sam", start_clock(), &srv.url);
    let private = a.private_space().unwrap().unwrap();
    let planted = SpaceKey::from_bytes([7; 32]);
    let change = keyring_change(
        &mut a,
        &[
            (
                format!("{}.{}", private.space_id, private.epoch),
                hex::encode(planted.as_bytes()),
            ),
            (format!("{}.side", private.space_id), "mentee".into()),
        ],
    );
    a.apply_changes(&DocId::keyring(), &[change]).unwrap();
    assert!(tandem_core::features::pairs::list(&a).unwrap().is_empty());

    a.add_journal(journal("sealed under the real key")).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    let records = pulled(&a, &private.space_id);
    assert!(!records.is_empty());
    for r in &records {
        assert!(
            open_with(&planted, &private.space_id, r).is_err(),
            "a record opened with the planted key"
        );
    }
}

fn journal(text: &str) -> tandem_core::journal::JournalInput {
    tandem_core::journal::JournalInput {
        text: text.into(),
        ..Default::default()
    }
}

/// A change to `store`'s keyring document that sets `entries`, made by
/// another writer (as it would arrive from a hostile device).
fn keyring_change(store: &mut Store, entries: &[(String, String)]) -> Vec<u8> {
    use automerge::transaction::Transactable as _;
    let mut doc = automerge::AutoCommit::new();
    for c in store.changes_since(&DocId::keyring(), &[]).unwrap() {
        doc.load_incremental(&c).unwrap();
    }
    for (k, v) in entries {
        doc.put(automerge::ROOT, k, v.as_str()).unwrap();
    }
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

/// Every record of `space` on the server, pulled with `store`'s token.
fn pulled(store: &Store, space: &str) -> Vec<tandem_protocol::StoredRecord> {
    let client = store.account().unwrap().unwrap().client().unwrap();
    let answer = client
        .pull(vec![tandem_protocol::Cursor {
            space_id: space.to_owned(),
            after: 0,
        }])
        .unwrap();
    answer.spaces.into_iter().flat_map(|s| s.records).collect()
}

/// Whether `report` refused a record of `space` for `reason`.
fn refused(
    report: &tandem_core::sync::SyncReport,
    space: &str,
    reason: tandem_core::sync::seal::Refusal,
) -> bool {
    report
        .refused
        .iter()
        .any(|r| r.space_id == space && r.reason == reason)
}

/// After `phone` unlinked a lost device: `device` is at epoch `next` of
/// the private space `space_id`, waiting for no key, and what it writes
/// reaches the phone while nothing of that epoch opens with `thiefs_key`.
/// Returns the journal entry it wrote.
fn writes_after_the_unlink_open_only_with_the_new_key(
    device: &mut Store,
    phone: &mut Store,
    space_id: &str,
    next: u32,
    thiefs_key: &SpaceKey,
) -> tandem_core::journal::JournalEntry {
    let report = tandem_core::sync::run::sync(device).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert_eq!(device.private_space().unwrap().unwrap().epoch, next);
    let entry = device.add_journal(journal("after the theft")).unwrap();
    tandem_core::sync::run::sync(device).unwrap();
    tandem_core::sync::run::sync(phone).unwrap();
    assert_eq!(
        phone.journal_entry(&entry.id).unwrap().text,
        "after the theft"
    );
    let newest: Vec<_> = pulled(phone, space_id)
        .into_iter()
        .filter(|r| r.key_epoch == next)
        .collect();
    assert!(!newest.is_empty());
    assert!(
        newest
            .iter()
            .all(|r| open_with(thiefs_key, space_id, r).is_err()),
        "nothing of the new epoch opens with the thief's key"
    );
    entry
}

/// Opens a pulled record with `key`.
fn open_with(
    key: &SpaceKey,
    space: &str,
    r: &tandem_protocol::StoredRecord,
) -> Result<tandem_core::sync::seal::Opened, tandem_core::sync::seal::Refusal> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let place = tandem_core::sync::seal::Place {
        space_id: space,
        wire_doc_id: &r.doc_id,
        wire_change_hash: &r.change_hash,
        epoch: r.key_epoch,
    };
    open(
        key,
        &place,
        &b64.decode(&r.nonce).unwrap(),
        &b64.decode(&r.ciphertext).unwrap(),
    )
}

/// A partner's client writes one field of the wrong type into the pair's
/// people document. That change cannot be projected; before, it failed the
/// whole batch, so every pull of every space failed from then on. Now it is
/// kept aside and counted, and the rest of the same batch lands.
#[test]
fn one_bad_item_from_a_partner_is_kept_aside_and_blocks_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, _mentor, clock, pair) = paired(dir.path(), &srv.url);
    let people = DocId::in_pair(&pair, "people");
    let bad = {
        use automerge::transaction::Transactable as _;
        let mut doc = automerge::AutoCommit::new();
        for c in mentee.changes_since(&people, &[]).unwrap() {
            doc.load_incremental(&c).unwrap();
        }
        doc.put(automerge::ROOT, "mentor.name", 42_i64).unwrap();
        doc.get_last_local_change().unwrap().raw_bytes().to_vec()
    };
    // A good change in the same batch: a journal entry from another writer.
    let mut elsewhere = store_in(dir.path(), "elsewhere.db", clock, Durability::Normal);
    elsewhere.init("Robin", "Europe/Berlin").unwrap();
    let entry = elsewhere.add_journal(journal("arrives anyway")).unwrap();
    let mut batch = vec![(people, vec![bad, b"not a change".to_vec()])];
    for doc in elsewhere.doc_ids().unwrap() {
        if doc.as_str().starts_with("journal") {
            batch.push((doc.clone(), elsewhere.changes_since(&doc, &[]).unwrap()));
        }
    }
    mentee.apply_batch(batch, |_| Ok(())).unwrap();

    assert_eq!(
        mentee.journal_entry(&entry.id).unwrap().text,
        "arrives anyway"
    );
    let pairs = tandem_core::features::pairs::list(&mentee).unwrap();
    assert_eq!(
        pairs[0].other_name.as_deref(),
        Some("Alex"),
        "the people document kept"
    );
    let status = tandem_core::sync::engine::status(&mentee).unwrap();
    assert_eq!(status.quarantined, 2);
    // Syncing goes on as before.
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(
        tandem_core::sync::engine::status(&mentee)
            .unwrap()
            .quarantined,
        2
    );
}

/// A server (or anyone between) drops one record from a pull answer: a
/// reach-out, a shared note, a journal entry written on another device.
/// The gap in the space's sequence numbers is a typed error in the sync
/// status, and nothing past it is applied; an honest answer then brings
/// everything.
#[test]
fn a_record_the_server_leaves_out_is_a_gap_and_nothing_past_it_applies() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let clock = start_clock();
    let mut a = person(dir.path(), "a.db", "Sam", clock.clone(), &srv.url);
    let mut b = store_in(dir.path(), "b.db", clock.clone(), Durability::Normal);
    let code = tandem_core::features::devices::link_code(&mut a).unwrap();
    tandem_core::features::devices::link(&mut b, &code, &proxy.url).unwrap();
    let private = a.private_space().unwrap().unwrap().space_id;
    // Three records: each entry synced on its own.
    let entries: Vec<_> = (0..3)
        .map(|i| {
            let e = a.add_journal(journal(&format!("entry {i}"))).unwrap();
            tandem_core::sync::run::sync(&mut a).unwrap();
            e
        })
        .collect();
    let cursor = b.private_space().unwrap().unwrap().cursor;
    let leave_out = |seq: i64| {
        move |line: &str, body: &str| {
            if !line.starts_with("POST /v1/sync/pull ") {
                return None;
            }
            let mut v: serde_json::Value = serde_json::from_str(body).ok()?;
            for space in v["spaces"].as_array_mut()? {
                space["records"]
                    .as_array_mut()?
                    .retain(|r| r["seq"].as_i64() != Some(seq));
            }
            Some(v.to_string())
        }
    };

    // The last record left out: the answer ends before the head it reports.
    proxy.rewrite(leave_out(cursor + 3));
    let err = tandem_core::sync::run::sync(&mut b).unwrap_err();
    assert!(
        matches!(&err, tandem_core::Error::Gap { space_id, after, next }
            if *space_id == private && *after == cursor + 2 && *next == cursor + 4),
        "{err}"
    );
    // The first left out: the next one served does not follow the cursor.
    proxy.rewrite(leave_out(cursor + 1));
    let err = tandem_core::sync::run::sync(&mut b).unwrap_err();
    assert!(
        matches!(&err, tandem_core::Error::Gap { space_id, after, next }
            if *space_id == private && *after == cursor && *next == cursor + 2),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Server);
    let status = tandem_core::sync::engine::status(&b).unwrap();
    assert!(status.last_error.unwrap().contains("skipped records"));
    for e in &entries {
        assert!(b.journal_entry(&e.id).is_err(), "applied past the gap");
    }
    assert_eq!(b.private_space().unwrap().unwrap().cursor, cursor);

    proxy.rewrite(|_, _| None);
    tandem_core::sync::run::sync(&mut b).unwrap();
    for e in &entries {
        assert!(b.journal_entry(&e.id).is_ok());
    }
}

/// Compaction removes records a snapshot covers; a device whose cursor was
/// before them merges the snapshots (their bound is sealed with them) and
/// goes on. A server that raises a snapshot's bound to excuse a gap has a
/// snapshot that no longer opens.
#[test]
fn compacted_records_are_excused_only_by_a_sealed_bound() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let clock = start_clock();
    let mut a = person(dir.path(), "a.db", "Sam", clock.clone(), &srv.url);
    let mut b = store_in(dir.path(), "b.db", clock.clone(), Durability::Normal);
    let mut c = store_in(dir.path(), "c.db", clock.clone(), Durability::Normal);
    for (d, name) in [(&mut b, "b"), (&mut c, "c")] {
        let code = tandem_core::features::devices::link_code(&mut a).unwrap();
        tandem_core::features::devices::link(d, &code, &proxy.url)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for i in 0..300 {
        a.add_journal(journal(&format!("entry {i}"))).unwrap();
    }
    let report = tandem_core::sync::run::sync(&mut a).unwrap();
    assert!(report.snapshots_uploaded >= 2, "{report:?}");
    compact_all(&a);

    // c first, through a server that claims the snapshots reach further.
    proxy.rewrite(|line, body| {
        if !line.starts_with("GET /v1/spaces/") || !line.contains("/snapshots ") {
            return None;
        }
        let mut v: serde_json::Value = serde_json::from_str(body).ok()?;
        for s in v["snapshots"].as_array_mut()? {
            s["upto_seq"] = serde_json::json!(s["upto_seq"].as_i64()? + 1_000_000);
        }
        Some(v.to_string())
    });
    let err = tandem_core::sync::run::sync(&mut c).unwrap_err();
    assert!(matches!(err, tandem_core::Error::Gap { .. }), "{err}");

    proxy.rewrite(|_, _| None);
    for d in [&mut b, &mut c] {
        tandem_core::sync::run::sync(d).unwrap();
        assert_eq!(d.read_model_dump().unwrap(), a.read_model_dump().unwrap());
    }
}

/// Has the server drop every record its snapshots cover, as the space's
/// owner may (`POST /v1/spaces/{space}/compact`).
fn compact_all(owner: &Store) {
    let account = owner.account().unwrap().unwrap();
    let space = owner.private_space().unwrap().unwrap().space_id;
    let snapshots = account.client().unwrap().snapshots(&space).unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::new();
    let mut removed = 0;
    for s in snapshots.snapshots {
        let answer: serde_json::Value = http
            .post(format!("{}/v1/spaces/{space}/compact", account.server))
            .bearer_auth(account.token.as_str())
            .header(tandem_protocol::PROTOCOL_HEADER, tandem_protocol::PROTOCOL)
            .json(&serde_json::json!({ "doc_id": s.doc_id }))
            .send()
            .unwrap()
            .json()
            .unwrap();
        removed += answer["removed"].as_u64().unwrap();
    }
    assert!(removed > 0, "compaction removed nothing");
}

/// A server that answers with a head below what it served before (it lost
/// or rolled back records) is caught, and nothing local changes.
#[test]
fn a_server_that_went_back_in_time_is_caught_and_nothing_local_changes() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let mut a = person(dir.path(), "a.db", "Sam", start_clock(), &proxy.url);
    a.add_journal(journal("kept")).unwrap();
    tandem_core::sync::run::sync(&mut a).unwrap();
    let before = a.read_model_dump().unwrap();
    proxy.rewrite(|line, body| {
        if !line.starts_with("POST /v1/sync/pull ") {
            return None;
        }
        let mut v: serde_json::Value = serde_json::from_str(body).ok()?;
        for space in v["spaces"].as_array_mut()? {
            space["records"] = serde_json::json!([]);
            space["head_seq"] = serde_json::json!(0);
        }
        Some(v.to_string())
    });
    let err = tandem_core::sync::run::sync(&mut a).unwrap_err();
    assert!(
        matches!(err, tandem_core::Error::RolledBack { .. }),
        "{err}"
    );
    assert_eq!(a.read_model_dump().unwrap(), before);
}

/// Whoever holds a lost phone uses it, before the person unlinks it, to
/// register a device of their own with a fresh link code. The person's
/// device list shows that device as added by none of theirs, and unlinking
/// the lost phone revokes it too (before, it kept reading every space).
#[test]
fn a_device_a_lost_phone_linked_is_flagged_and_revoked_with_it() {
    use tandem_core::features::devices::{link, link_code, list_with_server, unlink};
    use tandem_core::sync::Client;
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock, Durability::Normal);
    link(&mut lost, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    let lost_id = lost.account().unwrap().unwrap().device_id;

    let account = lost.account().unwrap().unwrap();
    let raw_code = account.client().unwrap().link_code().unwrap();
    let squatter = Client::new(&srv.url)
        .unwrap()
        .register(Some(&raw_code.code))
        .unwrap();
    let as_squatter = Client::new(&srv.url).unwrap().with_token(&squatter.token);
    assert_eq!(as_squatter.list_spaces().unwrap().spaces.len(), 1);
    let second_code = account.client().unwrap().link_code().unwrap();
    let second = Client::new(&srv.url)
        .unwrap()
        .register(Some(&second_code.code))
        .unwrap();
    let as_second = Client::new(&srv.url).unwrap().with_token(&second.token);

    let listed = list_with_server(&mut phone).unwrap();
    assert_eq!(listed.len(), 4, "{listed:?}");
    let flagged: Vec<_> = listed.iter().filter(|d| d.uncertified).collect();
    assert_eq!(flagged.len(), 2, "{listed:?}");
    let squatter_row = flagged
        .iter()
        .find(|d| d.device_id == squatter.device_id)
        .unwrap();
    let seen = squatter_row.server.as_ref().unwrap();
    assert_eq!(seen.linked_by.as_deref(), Some(lost_id.as_str()));

    // A flagged device can be unlinked on its own, as the list suggests.
    let (gone, _recovery) = unlink(&mut phone, &second.device_id).unwrap();
    assert!(gone.unlinked && gone.uncertified);
    assert!(as_second.list_spaces().is_err());

    let (gone, _recovery) = unlink(&mut phone, &lost_id).unwrap();
    assert!(gone.unlinked);
    let refused = as_squatter.list_spaces().unwrap_err();
    assert!(
        matches!(refused, tandem_core::Error::Server { status: 401, .. }),
        "{refused}"
    );
    let listed = list_with_server(&mut phone).unwrap();
    assert!(listed.iter().all(|d| !d.uncertified), "{listed:?}");
    let on_server: Vec<_> = listed.iter().filter(|d| d.server.is_some()).collect();
    assert_eq!(on_server.len(), 1);
    assert!(on_server[0].this_device);
}

/// Someone holding one of the mentee's devices (or the mentee's token)
/// makes a second invite to the pair and lets a third account in. The app
/// never showed that invite: both people's pairs are flagged, with how many
/// members the pair has beyond the two of them.
#[test]
fn a_member_the_pair_never_admitted_is_flagged_on_both_sides() {
    use tandem_core::sync::Client;
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, _clock, pair_id) = paired(dir.path(), &srv.url);
    for store in [&mut mentee, &mut mentor] {
        tandem_core::sync::run::sync(store).unwrap();
        let pairs = tandem_core::features::pairs::list(store).unwrap();
        assert_eq!(pairs[0].unadmitted_members, 0, "{pairs:?}");
    }

    let secret = [0x42; 32];
    let account = mentee.account().unwrap().unwrap();
    let invite = account
        .client()
        .unwrap()
        .create_invite(&pair_id, &secret)
        .unwrap();
    let stranger = Client::new(&srv.url).unwrap().register(None).unwrap();
    Client::new(&srv.url)
        .unwrap()
        .with_token(&stranger.token)
        .redeem(&invite.invite_id, &secret)
        .unwrap();

    for store in [&mut mentee, &mut mentor] {
        tandem_core::sync::run::sync(store).unwrap();
        let pairs = tandem_core::features::pairs::list(store).unwrap();
        assert_eq!(pairs[0].unadmitted_members, 1, "{pairs:?}");
    }
}

/// A change to `doc` (as `store` holds it) that sets `entries`, made by
/// another writer: what a hostile partner, or anyone holding the pair's
/// key, could write.
fn forged_change(store: &mut Store, doc: &DocId, entries: &[(String, String)]) -> Vec<u8> {
    use automerge::transaction::Transactable as _;
    let mut d = automerge::AutoCommit::new();
    for c in store.changes_since(doc, &[]).unwrap() {
        d.load_incremental(&c).unwrap();
    }
    for (k, v) in entries {
        d.put(automerge::ROOT, k, v.as_str()).unwrap();
    }
    d.get_last_local_change().unwrap().raw_bytes().to_vec()
}

/// Both people of a pair see one safety code. Someone who holds the
/// pair's key (whoever else saw the invite code, or a lost phone) then
/// publishes another identity as the mentor, with a MAC that holds under
/// the invite's key, and as the mentee: each side keeps the identity it
/// pinned, flags the pair, and shows no safety code for it.
#[test]
fn a_swapped_identity_in_a_pair_is_flagged_on_the_side_that_pinned_the_real_one() {
    use tandem_core::features::codes::InviteCode;
    use tandem_core::features::identity::{Identity, join_mac};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &srv.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock, &srv.url);
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    assert!(code.starts_with("TP3-"));
    let invite = InviteCode::parse(&code).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code)
        .unwrap()
        .pair_id;
    assert_eq!(hex::encode(invite.space_id.unwrap()), pair);
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        tandem_core::sync::run::sync(&mut mentor).unwrap();
    }
    let shown = |s: &Store| tandem_core::features::pairs::list(s).unwrap()[0].clone();
    let (a, b) = (shown(&mentee), shown(&mentor));
    assert!(!a.identity_mismatch && !b.identity_mismatch, "{a:?} {b:?}");
    let code_a = a
        .safety_code
        .clone()
        .expect("the mentee shows a safety code");
    assert_eq!(Some(code_a), b.safety_code, "both show the same code");

    let people = DocId::in_pair(&pair, "people");
    let intruder = Identity::generate().public_key();
    let mac = join_mac(&invite.key, &pair, &intruder);
    let as_mentor = forged_change(
        &mut mentee,
        &people,
        &[
            ("mentor.identity".into(), hex::encode(intruder)),
            ("mentor.identity_mac".into(), hex::encode(mac)),
        ],
    );
    mentee
        .apply_batch(vec![(people.clone(), vec![as_mentor])], |_| Ok(()))
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let a = shown(&mentee);
    assert!(a.identity_mismatch, "{a:?}");
    assert_eq!(a.safety_code, None);

    let as_mentee = forged_change(
        &mut mentor,
        &people,
        &[("mentee.identity".into(), hex::encode(intruder))],
    );
    mentor
        .apply_batch(vec![(people, vec![as_mentee])], |_| Ok(()))
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let b = shown(&mentor);
    assert!(b.identity_mismatch, "{b:?}");
    assert_eq!(b.safety_code, None);
}

/// Ways to turn a pinned pair's warning into the quiet "not known yet"
/// state, or to keep the other side busy: an identity that is not a key, a
/// second pin in the keyring (a lost phone's write before its unlink), a
/// MAC written for the side that makes none.
#[test]
fn a_pinned_pair_stays_flagged_and_settles_whatever_else_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, _clock, pair) = paired(dir.path(), &srv.url);
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        tandem_core::sync::run::sync(&mut mentor).unwrap();
    }
    let shown = |s: &Store| tandem_core::features::pairs::list(s).unwrap()[0].clone();
    assert!(shown(&mentee).safety_code.is_some());
    let people = DocId::in_pair(&pair, "people");

    // A MAC written for the mentee, who makes none: the mentee's devices
    // remove it once and then write nothing more.
    let mac = forged_change(
        &mut mentee,
        &people,
        &[("mentee.identity_mac".into(), "00".repeat(32))],
    );
    mentee
        .apply_batch(vec![(people.clone(), vec![mac])], |_| Ok(()))
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let settled = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(settled.pushed, 0, "{settled:?}");
    assert!(!shown(&mentee).identity_mismatch);

    // A second pin in the mentee's keyring: the pair warns.
    let second = keyring_change(
        &mut mentee,
        &[(format!("{pair}.pin.{}", "ab".repeat(16)), "pinned".into())],
    );
    mentee
        .apply_batch(vec![(DocId::keyring(), vec![second])], |_| Ok(()))
        .unwrap();
    let a = shown(&mentee);
    assert!(a.identity_mismatch && a.safety_code.is_none(), "{a:?}");

    // The mentee's identity replaced by something that is not a key.
    let garbled = forged_change(
        &mut mentor,
        &people,
        &[("mentee.identity".into(), "zz".into())],
    );
    mentor
        .apply_batch(vec![(people, vec![garbled])], |_| Ok(()))
        .unwrap();
    let b = shown(&mentor);
    assert!(b.identity_mismatch && b.safety_code.is_none(), "{b:?}");
}

/// A server answers the mentor's redeem with a space of its choosing
/// instead of the mentee's. The code names the space, so the mentor's
/// device records no pair and writes nothing under the pair's key.
#[test]
fn a_server_that_answers_an_invite_with_another_space_is_refused() {
    use tandem_core::sync::Client;
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &srv.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock, &proxy.url);
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    // A space the server (or whoever it works for) controls.
    let stranger = Client::new(&srv.url).unwrap().register(None).unwrap();
    let elsewhere = Client::new(&srv.url)
        .unwrap()
        .with_token(&stranger.token)
        .create_space()
        .unwrap()
        .space_id;
    let answer = serde_json::json!({ "space_id": elsewhere, "epoch": 0 }).to_string();
    proxy.rewrite(move |line, _| {
        line.starts_with("POST /v1/invites/")
            .then(|| answer.clone())
    });

    let err = tandem_core::features::pairs::join(&mut mentor, &code).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert!(err.to_string().contains("another space"), "{err}");
    assert!(
        tandem_core::features::pairs::list(&mentor)
            .unwrap()
            .is_empty()
    );
}

/// Before the person notices, a thief with their phone plants key
/// envelopes for the next epoch of the private space, addressed to the
/// person's other phone and holding a key the thief chose: one under the
/// old, computable envelope name with a snapshot bound no real envelope
/// can replace, one sealed from the stolen phone itself. The person then
/// unlinks the stolen phone. The other phone must take the new epoch's key
/// only from the phone that started it (before, it took the planted key and
/// sealed what it wrote next under a key the thief holds).
#[test]
fn an_envelope_a_lost_phone_planted_hands_out_no_key() {
    use base64::Engine as _;
    use sha2::Digest as _;
    use tandem_core::features::devices::{link, link_code, list, seal_envelope_for, unlink};
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut tablet = store_in(dir.path(), "tablet.db", clock.clone(), Durability::Normal);
    link(&mut tablet, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock, Durability::Normal);
    link(&mut lost, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    for _ in 0..2 {
        for s in [&mut phone, &mut tablet, &mut lost] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let space = lost.private_space().unwrap().unwrap();
    let next = space.epoch + 1;
    let tablet_id = tablet.account().unwrap().unwrap().device_id;
    let thiefs_key = SpaceKey::from_bytes([0x66; 32]);
    let client = lost.account().unwrap().unwrap().client().unwrap();

    // The old name anyone could compute, with an anonymous sealed box to
    // the tablet's public key and a bound no real envelope replaces.
    let tablet_pk: [u8; 32] = hex::decode(
        &list(&lost)
            .unwrap()
            .into_iter()
            .find(|d| d.device_id == tablet_id)
            .unwrap()
            .public_key,
    )
    .unwrap()
    .try_into()
    .unwrap();
    let mut packed = next.to_be_bytes().to_vec();
    packed.extend_from_slice(thiefs_key.as_bytes());
    let sealed = crypto_box::PublicKey::from(tablet_pk)
        .seal(&mut crypto_box::aead::OsRng, &packed)
        .unwrap();
    let mut h = sha2::Sha256::new();
    h.update(b"tandem device key envelope v1\0");
    h.update(tablet_id.as_bytes());
    h.update(next.to_be_bytes());
    client
        .put_snapshot(
            &space.space_id,
            &tandem_protocol::SnapshotUpload {
                doc_id: hex::encode(&h.finalize()[..16]),
                upto_seq: space.high_water,
                key_epoch: space.epoch,
                nonce: String::new(),
                ciphertext: b64.encode(sealed),
            },
        )
        .unwrap();
    // And one sealed from the stolen phone itself, as a real one would be.
    let mut planted =
        seal_envelope_for(&lost, &tablet_id, next, &[(next, thiefs_key.clone())]).unwrap();
    planted.upto_seq = space.high_water;
    planted.key_epoch = space.epoch;
    client.put_snapshot(&space.space_id, &planted).unwrap();

    let lost_id = lost.account().unwrap().unwrap().device_id;
    unlink(&mut phone, &lost_id).unwrap();
    // What the tablet writes now opens on the phone and not with the
    // thief's key.
    writes_after_the_unlink_open_only_with_the_new_key(
        &mut tablet,
        &mut phone,
        &space.space_id,
        next,
        &thiefs_key,
    );
}

/// The mentee's phone is lost while it holds the pair's keys. Unlinking
/// it starts a new epoch of the pair too: the mentor's phone takes the new
/// key from an envelope the mentee's phone sealed to it, both go on
/// writing and reading, and nothing written after opens with the keys the
/// lost phone holds (before, the pair kept its key, so the lost phone and
/// whoever serves it could read on).
#[test]
fn unlinking_a_lost_phone_moves_the_pairs_on_and_the_mentor_follows() {
    use tandem_core::features::codes::InviteCode;
    use tandem_core::features::devices::{link, link_code, unlink};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &srv.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock.clone(), &srv.url);
    let mut lost = store_in(dir.path(), "lost.db", clock, Durability::Normal);
    link(&mut lost, &link_code(&mut mentee).unwrap(), &srv.url).unwrap();
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    let old_key = InviteCode::parse(&code).unwrap().key;
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code)
        .unwrap()
        .pair_id;
    for _ in 0..2 {
        for s in [&mut mentee, &mut lost, &mut mentor] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let before = mentee
        .create_note_in(Some(&pair), "Plan", "Call Alex.")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(mentor.note(&before.id).unwrap().body, "Call Alex.");

    let lost_id = lost.account().unwrap().unwrap().device_id;
    unlink(&mut mentee, &lost_id).unwrap();
    let after = mentee
        .create_note_in(Some(&pair), "Check-in", "Thursday, 7pm")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    // A second phone lost (and unlinked) while the mentor is offline: two
    // epochs pass before the mentor syncs again.
    let mut spare = store_in(dir.path(), "spare.db", start_clock(), Durability::Normal);
    link(&mut spare, &link_code(&mut mentee).unwrap(), &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let spare_id = spare.account().unwrap().unwrap().device_id;
    unlink(&mut mentee, &spare_id).unwrap();
    let later = mentee
        .create_note_in(Some(&pair), "Later", "Friday too")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let report = tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert_eq!(mentor.note(&after.id).unwrap().body, "Thursday, 7pm");
    assert_eq!(mentor.note(&later.id).unwrap().body, "Friday too");
    let reply = mentor
        .create_note_in(Some(&pair), "From Alex", "See you there")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(mentee.note(&reply.id).unwrap().body, "See you there");

    // Everything written after the unlink is under the new epoch, and none
    // of it opens with the key the lost phone holds.
    let records = pulled(&mentee, &pair);
    let newest = records.iter().map(|r| r.key_epoch).max().unwrap();
    assert!(newest > 0, "the pair moved to a new epoch");
    let after_unlink: Vec<_> = records.iter().filter(|r| r.key_epoch == newest).collect();
    assert!(after_unlink.len() >= 2);
    assert!(
        after_unlink
            .iter()
            .all(|r| open_with(&old_key, &pair, r).is_err())
    );
}

/// The mentor's phone is lost while it holds the pair's keys. The mentor
/// unlinks it from their other device: the pair moves to a new epoch that
/// the mentor starts (before, only the mentee could, so the lost phone and
/// whoever serves it read on), the mentee's phone takes the new key from an
/// envelope the mentor's device sealed to it, both go on writing and
/// reading, and nothing written after opens with the keys the lost phone
/// holds.
#[test]
fn a_mentor_who_loses_a_phone_moves_the_pair_on_and_the_mentee_follows() {
    use tandem_core::features::codes::InviteCode;
    use tandem_core::features::devices::{link, link_code, unlink};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &srv.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock.clone(), &srv.url);
    let mut lost = store_in(dir.path(), "lost.db", clock, Durability::Normal);
    link(&mut lost, &link_code(&mut mentor).unwrap(), &srv.url).unwrap();
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    let old_key = InviteCode::parse(&code).unwrap().key;
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code)
        .unwrap()
        .pair_id;
    for _ in 0..2 {
        for s in [&mut mentee, &mut mentor, &mut lost] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let before = mentee
        .create_note_in(Some(&pair), "Plan", "Call Alex.")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut lost).unwrap();
    assert_eq!(
        lost.note(&before.id).unwrap().body,
        "Call Alex.",
        "the lost phone read the pair"
    );

    let lost_id = lost.account().unwrap().unwrap().device_id;
    unlink(&mut mentor, &lost_id).unwrap();
    let from_mentor = mentor
        .create_note_in(Some(&pair), "From Alex", "Thursday, 7pm")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let report = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert_eq!(mentee.note(&from_mentor.id).unwrap().body, "Thursday, 7pm");
    // The mentee writes on under the new epoch, and the mentor reads it.
    let from_mentee = mentee
        .create_note_in(Some(&pair), "Check-in", "See you there")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(mentor.note(&from_mentee.id).unwrap().body, "See you there");

    // The lost phone can no longer pull, and nothing written after the
    // unlink opens with the key it holds.
    assert!(tandem_core::sync::run::sync(&mut lost).is_err());
    let records = pulled(&mentee, &pair);
    let newest = records.iter().map(|r| r.key_epoch).max().unwrap();
    assert!(newest > 0, "the pair moved to a new epoch");
    let after_unlink: Vec<_> = records.iter().filter(|r| r.key_epoch == newest).collect();
    assert!(after_unlink.len() >= 2, "{}", after_unlink.len());
    assert!(
        after_unlink
            .iter()
            .all(|r| open_with(&old_key, &pair, r).is_err())
    );
}

/// A pair warns (here: a second pin in the mentee's keyring, as two
/// upgraded devices or a lost phone's write would leave). The two compare
/// the code their phones show for the identity the other side shows now:
/// a wrong code is refused and the warning stays; the right one clears it
/// on every device of the person, and an identity swapped in later warns
/// again. Before, nothing could clear a warning but ending the pair.
#[test]
fn a_warning_clears_only_with_the_code_both_phones_show() {
    use tandem_core::features::identity::Identity;
    use tandem_core::features::pairs::{confirm_identity, list};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, _clock, pair) = paired(dir.path(), &srv.url);
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        tandem_core::sync::run::sync(&mut mentor).unwrap();
    }
    let shown = |s: &Store| list(s).unwrap()[0].clone();
    let real = shown(&mentor)
        .safety_code
        .expect("the mentor shows the code");
    assert_eq!(shown(&mentee).pending_safety_code, None);

    let second = keyring_change(
        &mut mentee,
        &[(format!("{pair}.pin.{}", "ab".repeat(16)), "pinned".into())],
    );
    mentee
        .apply_batch(vec![(DocId::keyring(), vec![second])], |_| Ok(()))
        .unwrap();
    let warned = shown(&mentee);
    assert!(
        warned.identity_mismatch && warned.safety_code.is_none(),
        "{warned:?}"
    );
    assert_eq!(
        warned.pending_safety_code.as_deref(),
        Some(real.as_str()),
        "the code to compare"
    );

    let wrong = real.replace(|c: char| c.is_ascii_digit(), "1");
    let err = confirm_identity(&mut mentee, &pair, &wrong).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert!(err.to_string().contains("not the safety code"), "{err}");
    assert!(
        shown(&mentee).identity_mismatch,
        "a wrong code changes nothing"
    );

    let cleared = confirm_identity(&mut mentee, &pair, &real.replace(' ', "-")).unwrap();
    assert!(!cleared.identity_mismatch, "{cleared:?}");
    assert_eq!(cleared.safety_code.as_deref(), Some(real.as_str()));
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(
        !shown(&mentee).identity_mismatch,
        "still clear after a sync"
    );

    // Someone swaps the mentor's identity afterwards: the warning is back.
    let people = DocId::in_pair(&pair, "people");
    let intruder = Identity::generate().public_key();
    let swap = forged_change(
        &mut mentee,
        &people,
        &[("mentor.identity".into(), hex::encode(intruder))],
    );
    mentee
        .apply_batch(vec![(people, vec![swap])], |_| Ok(()))
        .unwrap();
    assert!(shown(&mentee).identity_mismatch);
}

/// The mentee unlinks a lost phone while the mentor's device cannot get
/// the pair's new key yet (here the server hides the envelope). The
/// mentor's device learns of the new epoch at its next pull and from then
/// holds what the mentor writes in the pair, instead of sealing it under
/// the old key the lost phone holds (before, it went out at once). Once
/// the key arrives, it goes out under the new epoch.
#[test]
fn a_device_waiting_for_a_new_key_holds_its_pair_writes() {
    use tandem_core::features::codes::InviteCode;
    use tandem_core::features::devices::{link, link_code, unlink};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &srv.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock.clone(), &proxy.url);
    let mut lost = store_in(dir.path(), "lost.db", clock, Durability::Normal);
    link(&mut lost, &link_code(&mut mentee).unwrap(), &srv.url).unwrap();
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    let old_key = InviteCode::parse(&code).unwrap().key;
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code)
        .unwrap()
        .pair_id;
    for _ in 0..2 {
        for s in [&mut mentee, &mut lost, &mut mentor] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let lost_id = lost.account().unwrap().unwrap().device_id;
    unlink(&mut mentee, &lost_id).unwrap();
    let before = pulled(&mentee, &pair).len();

    // The envelope for the mentor's device does not arrive. The mentor
    // wrote offline, before learning of the new epoch: the very first sync
    // holds that too (the server's list of spaces, asked before pushing,
    // names the epoch).
    let snapshots = format!("GET /v1/spaces/{pair}/snapshots");
    proxy.rewrite(move |line, _| {
        line.starts_with(&snapshots)
            .then(|| serde_json::json!({ "snapshots": [] }).to_string())
    });
    let offline = mentor
        .create_note_in(Some(&pair), "Offline", "Written on the train")
        .unwrap();
    let report = tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(report.waiting_for_keys, vec![pair.clone()], "{report:?}");
    assert_eq!(
        pulled(&mentee, &pair).len(),
        before,
        "nothing went out under the old key"
    );
    let held = mentor
        .create_note_in(Some(&pair), "From Alex", "Call me tonight")
        .unwrap();
    let report = tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(report.waiting_for_keys, vec![pair.clone()], "{report:?}");
    let records = pulled(&mentee, &pair);
    assert_eq!(records.len(), before, "nothing went out under the old key");

    // The envelope reaches the mentor: the note goes out, under the new epoch.
    proxy.rewrite(|_, _| None);
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(mentee.note(&held.id).unwrap().body, "Call me tonight");
    assert_eq!(
        mentee.note(&offline.id).unwrap().body,
        "Written on the train"
    );
    let records = pulled(&mentee, &pair);
    let newest = records.iter().map(|r| r.key_epoch).max().unwrap();
    assert!(newest > 0);
    assert!(
        records[before..]
            .iter()
            .all(|r| r.key_epoch == newest && open_with(&old_key, &pair, r).is_err()),
        "what the mentor wrote opens only with the new key"
    );
}

/// Robin the mentee and Alex the mentor, paired through an invite code
/// (made on Robin's phone), and a second device of Robin's linked with a
/// code from her phone, all synced twice round.
struct Paired {
    dir: tempfile::TempDir,
    srv: ServerProcess,
    mentee: Store,
    mentor: Store,
    /// Robin's second device.
    second: Store,
    /// The pair's id.
    pair: String,
    /// The pair's first key, from the invite code.
    pair_key: SpaceKey,
    /// What the second device's link code carried (the private space's key).
    private: tandem_core::features::codes::LinkCode,
}

/// [`Paired`], the second device's store named `second`.
fn paired_with_a_second_device(second: &str) -> Paired {
    use tandem_core::features::codes::{InviteCode, LinkCode};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &srv.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock.clone(), &srv.url);
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    let pair_key = InviteCode::parse(&code).unwrap().key;
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code)
        .unwrap()
        .pair_id;
    let link = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let private = LinkCode::parse(&link).unwrap();
    let mut device = store_in(dir.path(), second, clock, Durability::Normal);
    tandem_core::features::devices::link(&mut device, &link, &srv.url).unwrap();
    for _ in 0..2 {
        for s in [&mut mentee, &mut mentor, &mut device] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    Paired {
        dir,
        srv,
        mentee,
        mentor,
        second: device,
        pair,
        pair_key,
        private,
    }
}

/// A hostile mentor holds the pair's key and writes in the mentee's name:
/// a change to the pair's people document whose automerge actor is the
/// mentee's phone, renaming the mentee and carrying that phone's next
/// change number (taken as real, it would also clash with the phone's own
/// next change). Sealed without a signature, signed by the mentor's own
/// device, and signed under a certificate the mentor's identity issued
/// for the mentee's phone: the mentee's phone and the mentee's second
/// device refuse all three, and the pair stays as it was. Before records
/// were signed, a record sealed with the pair's key was taken from whoever
/// sealed it, in whatever name it gave.
#[test]
fn a_partner_cannot_write_in_the_other_persons_name() {
    use tandem_core::sync::seal::{Refusal, Writer};
    use tandem_core::sync::signature::{Signer, generate_seed};
    let Paired {
        dir,
        srv,
        mut mentee,
        mut mentor,
        second: mut tablet,
        pair,
        pair_key: key,
        ..
    } = paired_with_a_second_device("tablet.db");
    let name_on = |s: &Store| {
        tandem_core::features::pairs::list(s)
            .unwrap()
            .into_iter()
            .find(|p| p.pair_id == pair)
            .map(|p| p.other_name)
    };
    assert_eq!(name_on(&mentor), Some(Some("Robin".into())));

    // The forged change: by the mentee's phone's actor, next in its line.
    let people = DocId::in_pair(&pair, "people");
    let phone = hex::decode(mentee.device_id()).unwrap();
    // One change per attempt (the server keeps one record per change).
    let forged = |mentee: &mut Store, n: usize| {
        use automerge::transaction::Transactable as _;
        let mut doc = automerge::AutoCommit::new();
        for c in mentee.changes_since(&people, &[]).unwrap() {
            doc.load_incremental(&c).unwrap();
        }
        doc.set_actor(automerge::ActorId::from(phone.clone()));
        doc.put(automerge::ROOT, "mentee.name", format!("Forged {n}"))
            .unwrap();
        doc.get_last_local_change().unwrap().raw_bytes().to_vec()
    };
    let mentor_identity = identity_of(&mut mentor);
    let mentor_device = hex::decode(mentor.device_id()).unwrap();
    let mentors_own = Signer::new(&mentor_identity, &mentor_device, &generate_seed());
    let certified_by_mentor = Signer::new(&mentor_identity, &phone, &generate_seed());
    let attempts: [(Writer<'_>, Refusal); 2] = [
        (Writer::Unsigned(&phone), Refusal::Unsigned),
        (Writer::Signed(&certified_by_mentor), Refusal::BadSignature),
    ];
    for (n, (writer, expected)) in attempts.into_iter().enumerate() {
        let change = forged(&mut mentee, n);
        push_sealed(&mentor, &pair, &key, 0, &people, &change, writer);
        for s in [&mut mentee, &mut tablet] {
            let report = tandem_core::sync::run::sync(s).unwrap();
            assert!(
                refused(&report, &pair, expected),
                "{expected:?}: {report:?}"
            );
        }
    }
    // The mentor's own device, signing, cannot name the phone as writer:
    // the record says another writer than the change inside.
    let change = forged(&mut mentee, 2);
    push_sealed(
        &mentor,
        &pair,
        &key,
        0,
        &people,
        &change,
        Writer::Signed(&mentors_own),
    );
    let report = tandem_core::sync::run::sync(&mut tablet).unwrap();
    assert!(refused(&report, &pair, Refusal::Mismatch), "{report:?}");
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    // Nothing of it landed: the phone writes on, its own next change
    // clashing with nothing, and the mentor sees the real name.
    let mine = |s: &Store| s.read_model_dump().unwrap().contains("Forged");
    assert!(!mine(&mentee) && !mine(&tablet));
    // A device the mentee links only now pulls the forged records too,
    // before it has ever seen the phone write: it knows the phone as the
    // person's from the devices document, and refuses them all the same.
    let link = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut later = store_in(dir.path(), "later.db", start_clock(), Durability::Normal);
    tandem_core::features::devices::link(&mut later, &link, &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut later).unwrap();
    assert!(!mine(&later));
    assert_eq!(
        tandem_core::features::pairs::list(&later).unwrap()[0].pair_id,
        pair
    );
    tandem_core::features::pairs::share_clean_time(&mut mentee, &pair, true).unwrap();
    mentee.add_journal(journal("still mine")).unwrap();
    for s in [&mut mentee, &mut tablet, &mut mentor] {
        tandem_core::sync::run::sync(s).unwrap();
    }
    assert_eq!(name_on(&mentor), Some(Some("Robin".into())));
    assert!(
        tandem_core::sync::engine::status(&mentee)
            .unwrap()
            .last_error
            .is_none()
    );
}

/// The connection drops in the middle of unlinking a lost phone: the
/// server has shut the phone out, but the pair has not moved to a new
/// epoch (its answer never arrived). The device stays marked as not fully
/// unlinked, in the list and so on the Devices screen, and unlinking it
/// again finishes: the pair moves on and the mentor takes the new key.
#[test]
fn an_unlink_that_fails_midway_is_shown_and_finishes_when_tried_again() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let proxy = Proxy::start(&srv.url);
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &proxy.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock.clone(), &srv.url);
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code)
        .unwrap()
        .pair_id;
    let link = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock, Durability::Normal);
    tandem_core::features::devices::link(&mut lost, &link, &srv.url).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        tandem_core::sync::run::sync(&mut mentor).unwrap();
    }
    let lost_id = lost.account().unwrap().unwrap().device_id;
    let epoch_path = format!("/v1/spaces/{pair}/epoch ");
    proxy.rewrite(move |line, _| {
        (line.starts_with("POST ") && line.contains(&epoch_path)).then(|| "cut off".to_owned())
    });
    assert!(tandem_core::features::devices::unlink(&mut mentee, &lost_id).is_err());
    let shown = |s: &Store| {
        tandem_core::features::devices::list(s)
            .unwrap()
            .into_iter()
            .find(|d| d.device_id == lost_id)
            .unwrap()
    };
    let d = shown(&mentee);
    assert!(d.unlinked && d.unlink_unfinished, "{d:?}");
    assert!(
        tandem_core::sync::run::sync(&mut lost).is_err(),
        "the server shut it out"
    );

    proxy.rewrite(|_, _| None);
    tandem_core::features::devices::unlink(&mut mentee, &lost_id).unwrap();
    let d = shown(&mentee);
    assert!(d.unlinked && !d.unlink_unfinished, "{d:?}");
    let note = mentee
        .create_note_in(Some(&pair), "After", "written under the new epoch")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let report = tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert_eq!(
        mentor.note(&note.id).unwrap().body,
        "written under the new epoch"
    );
}

/// A phone of the mentee's, lost and not yet unlinked, writes into the
/// key ring that the pair ended and that the person is its mentor. Before,
/// every device of the person then stopped syncing the pair for good (and
/// took the mentor's side). Now an ended pair counts only once the server
/// shows the other person gone, and the side a pair was made on is kept:
/// the pair goes on, and ending it for real still reaches every device.
#[test]
fn a_lost_phone_cannot_end_a_pair_or_swap_its_side_through_the_key_ring() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, clock, pair) = paired(dir.path(), &srv.url);
    let link = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock, Durability::Normal);
    tandem_core::features::devices::link(&mut lost, &link, &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut lost).unwrap();
    assert_eq!(tandem_core::features::pairs::list(&lost).unwrap().len(), 1);

    let change = keyring_change(
        &mut lost,
        &[
            (format!("{pair}.ended"), "yes".into()),
            (format!("{pair}.side"), "mentor".into()),
        ],
    );
    // Sealed with the private key and signed as a device the account's
    // identity (which the phone holds) certified.
    let private = mentee.private_space().unwrap().unwrap().space_id;
    let key = tandem_core::features::codes::LinkCode::parse(&link)
        .unwrap()
        .key;
    let signer = certified_for(&mut lost, &change);
    push_sealed(
        &lost,
        &private,
        &key,
        0,
        &DocId::keyring(),
        &change,
        tandem_core::sync::seal::Writer::Signed(&signer),
    );
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
    }
    let view = tandem_core::features::pairs::get(&mentee, &pair).unwrap();
    assert!(!view.ended, "{view:?}");
    assert_eq!(view.side, tandem_core::pair::Side::Mentee);
    let note = mentee
        .create_note_in(Some(&pair), "Plan", "still shared")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(mentor.note(&note.id).unwrap().body, "still shared");

    // The person ends it on one device: the other follows.
    tandem_core::features::pairs::end(&mut lost, &pair).unwrap();
    assert!(
        tandem_core::features::pairs::get(&lost, &pair)
            .unwrap()
            .ended
    );
    tandem_core::sync::run::sync(&mut lost).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
    }
    assert!(
        tandem_core::features::pairs::get(&mentee, &pair)
            .unwrap()
            .ended
    );
}

/// A hostile mentor (or a phone of the mentee's before its unlink) starts
/// a new epoch of the pair and never sends its key. Before, the mentee's
/// device waited for that key for ever, and everything it wrote to the
/// pair stayed in its outbox. Now, after ten minutes of waiting, it gives up
/// on that epoch and starts the next one itself: the key reaches the
/// mentor's devices and what it wrote meanwhile arrives.
#[test]
fn a_pair_epoch_whose_key_never_comes_is_moved_past() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let (mut mentee, mut mentor, clock, pair) = paired(dir.path(), &srv.url);
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        tandem_core::sync::run::sync(&mut mentor).unwrap();
    }
    let hostile = mentor.account().unwrap().unwrap().client().unwrap();
    let started = hostile.new_epoch(&pair).unwrap().epoch;
    // It even writes under that epoch, with a key of its own, so that a
    // device waiting on those records never gets past them.
    let people = DocId::in_pair(&pair, "people");
    let change = forged_change(&mut mentor, &people, &[("x".into(), "y".into())]);
    let actor = automerge::Change::from_bytes(change.clone())
        .unwrap()
        .actor_id()
        .to_bytes()
        .to_vec();
    push_sealed(
        &mentor,
        &pair,
        &SpaceKey::generate(),
        started,
        &people,
        &change,
        tandem_core::sync::seal::Writer::Unsigned(&actor),
    );
    let report = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(report.waiting_for_keys.contains(&pair), "{report:?}");
    let note = mentee
        .create_note_in(Some(&pair), "Plan", "written while waiting")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(
        tandem_core::sync::engine::status(&mentee)
            .unwrap()
            .pending_changes
            > 0,
        "held, not sealed under the old key"
    );

    clock.advance(chrono::Duration::minutes(9));
    let report = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(report.waiting_for_keys.contains(&pair), "still waiting");
    clock.advance(chrono::Duration::minutes(2));
    let report = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert_eq!(
        tandem_core::sync::engine::status(&mentee)
            .unwrap()
            .pending_changes,
        0
    );
    let moved = mentee
        .spaces()
        .unwrap()
        .into_iter()
        .find(|s| s.space_id == pair)
        .unwrap()
        .epoch;
    assert!(moved > started, "{moved} after {started}");
    let report = tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert_eq!(mentor.note(&note.id).unwrap().body, "written while waiting");

    // Another device of the mentee's, linked now, takes the new epoch from
    // the key ring and is not held back by the record of the skipped one:
    // it is refused as of an unknown epoch (pulled again if its key ever
    // comes), and what came after arrives.
    let link = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut tablet = store_in(dir.path(), "tablet.db", start_clock(), Durability::Normal);
    tandem_core::features::devices::link(&mut tablet, &link, &srv.url).unwrap();
    let report = tandem_core::sync::run::sync(&mut tablet).unwrap();
    assert!(report.waiting_for_keys.is_empty(), "{report:?}");
    assert!(
        refused(
            &report,
            &pair,
            tandem_core::sync::seal::Refusal::UnknownEpoch
        ),
        "{report:?}"
    );
    assert_eq!(tablet.note(&note.id).unwrap().body, "written while waiting");
}

/// Someone holding the mentee's lost tablet (the private space's key and
/// the account identity) writes an entry into the person's devices
/// document naming the mentor's phone as one of the mentee's devices, then
/// writes in the mentor's name a change certified by the mentee's identity.
/// Before writer ids were bound to signing keys, the mentee's phone took
/// the entry at its word: it refused every later record of the mentor (the
/// mentor's notes never arrived) and took the forged change as the
/// mentor's. Now the mentor's phone's id is bound to its key: its records
/// arrive, and the claim in its name is refused.
#[test]
fn a_devices_entry_a_lost_phone_plants_cannot_claim_the_partners_phone() {
    use automerge::transaction::Transactable as _;
    use tandem_core::sync::seal::{Refusal, Writer};
    use tandem_core::sync::signature::{Signer, generate_seed};
    let Paired {
        dir: _dir,
        srv: _srv,
        mut mentee,
        mut mentor,
        second: mut lost,
        pair,
        pair_key,
        private,
    } = paired_with_a_second_device("lost.db");
    let mentor_phone = mentor.device_id();

    // The plant: a devices entry with the mentor's phone as its actor.
    let fake = "f".repeat(32);
    let entry = serde_json::json!({
        "device_id": fake,
        "public_key": "0".repeat(64),
        "unlinked": false,
        "actor": mentor_phone,
    });
    plant_device_record(&mut lost, &private, &fake, &entry);
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(
        tandem_core::features::devices::list(&mentee)
            .unwrap()
            .iter()
            .any(|d| d.actor.as_deref() == Some(mentor_phone.as_str())),
        "the plant landed in the devices document"
    );

    // The mentor writes on: it reaches the mentee's phone.
    mentor
        .create_note_in(Some(&pair), "Plan", "Call me first.")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let report = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert!(
        mentee.notes().unwrap().iter().any(|n| n.title == "Plan"),
        "the mentor's note arrived"
    );

    // A change in the mentor's name, certified by the mentee's identity.
    let identity = identity_of(&mut lost);
    let people = DocId::in_pair(&pair, "people");
    let mut doc = automerge::AutoCommit::new();
    for c in mentee.changes_since(&people, &[]).unwrap() {
        doc.load_incremental(&c).unwrap();
    }
    doc.set_actor(automerge::ActorId::from(
        hex::decode(&mentor_phone).unwrap(),
    ));
    doc.put(automerge::ROOT, "mentor.name", "Forged").unwrap();
    let forged = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let as_mentor = Signer::new(
        &identity,
        &hex::decode(&mentor_phone).unwrap(),
        &generate_seed(),
    );
    push_sealed(
        &lost,
        &pair,
        &pair_key,
        0,
        &people,
        &forged,
        Writer::Signed(&as_mentor),
    );
    let report = tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert!(refused(&report, &pair, Refusal::BadSignature), "{report:?}");
    assert!(!mentee.read_model_dump().unwrap().contains("Forged"));
    let other = tandem_core::features::pairs::list(&mentee).unwrap()[0]
        .other_name
        .clone();
    assert_eq!(other.as_deref(), Some("Alex"));
}

/// Robin's phone, her laptop and a device she is about to lose, the last
/// two linked with codes from the phone, all synced twice round.
struct ThreeDevices {
    dir: tempfile::TempDir,
    srv: ServerProcess,
    clock: std::sync::Arc<tandem_core::FixedClock>,
    phone: Store,
    laptop: Store,
    lost: Store,
    /// What the lost device's link code carried (the private space's key).
    private: tandem_core::features::codes::LinkCode,
}

/// [`ThreeDevices`].
fn three_devices() -> ThreeDevices {
    use tandem_core::features::codes::LinkCode;
    use tandem_core::features::devices::{link, link_code};
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut laptop = store_in(dir.path(), "laptop.db", clock.clone(), Durability::Normal);
    link(&mut laptop, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let code = link_code(&mut phone).unwrap();
    let private = LinkCode::parse(&code).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock.clone(), Durability::Normal);
    link(&mut lost, &code, &srv.url).unwrap();
    for _ in 0..2 {
        for s in [&mut phone, &mut laptop, &mut lost] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    ThreeDevices {
        dir,
        srv,
        clock,
        phone,
        laptop,
        lost,
        private,
    }
}

/// Before the person notices, a thief with their tablet rewrites the
/// phone's record in the devices document to carry the tablet's own box
/// key, and plants an envelope for the next epoch "from the phone" to the
/// person's laptop, sealed with that key and holding a key the thief
/// chose. The phone then unlinks the tablet. Before, the laptop opened
/// envelopes from the phone with the key the document gave last, took the
/// thief's key, and sealed what it wrote next under it. Now a device's box
/// key is the one first seen for it (and the one it set on the server).
#[test]
fn a_box_key_a_lost_phone_writes_for_another_device_hands_out_no_key() {
    use tandem_core::features::devices::{link, link_code, list, seal_envelope_as, unlink};
    let ThreeDevices {
        dir,
        srv,
        mut phone,
        mut laptop,
        mut lost,
        private,
        ..
    } = three_devices();
    let space = lost.private_space().unwrap().unwrap();
    let next = space.epoch + 1;
    let phone_id = phone.account().unwrap().unwrap().device_id;
    let lost_id = lost.account().unwrap().unwrap().device_id;
    let laptop_id = laptop.account().unwrap().unwrap().device_id;
    let devices_now = list(&lost).unwrap();
    let lost_key = devices_now
        .iter()
        .find(|d| d.device_id == lost_id)
        .unwrap()
        .public_key
        .clone();
    let phone_actor = devices_now
        .iter()
        .find(|d| d.device_id == phone_id)
        .unwrap()
        .actor
        .clone();

    // The phone's record, rewritten with the tablet's box key.
    let entry = serde_json::json!({
        "device_id": phone_id,
        "public_key": lost_key,
        "unlinked": false,
        "actor": phone_actor,
    });
    plant_device_record(&mut lost, &private, &phone_id, &entry);
    // The envelope "from the phone", sealed with the tablet's key.
    let thiefs_key = SpaceKey::from_bytes([0x77; 32]);
    let mut planted = seal_envelope_as(
        &lost,
        &phone_id,
        &laptop_id,
        next,
        &[(next, thiefs_key.clone())],
    )
    .unwrap();
    planted.upto_seq = space.high_water;
    planted.key_epoch = space.epoch;
    let client = lost.account().unwrap().unwrap().client().unwrap();
    client.put_snapshot(&space.space_id, &planted).unwrap();
    tandem_core::sync::run::sync(&mut laptop).unwrap();
    let key_of = |s: &Store, id: &str| {
        list(s)
            .unwrap()
            .into_iter()
            .find(|d| d.device_id == id)
            .unwrap()
            .public_key
    };
    assert_ne!(key_of(&phone, &phone_id), lost_key);
    assert_eq!(
        key_of(&laptop, &phone_id),
        key_of(&phone, &phone_id),
        "the rewrite landed, and the phone is still known by its own key"
    );

    unlink(&mut phone, &lost_id).unwrap();
    let entry = writes_after_the_unlink_open_only_with_the_new_key(
        &mut laptop,
        &mut phone,
        &space.space_id,
        next,
        &thiefs_key,
    );

    // The phone wrote its record back at its next sync, so a device linked
    // now knows it by its own key, and reads what came after the theft.
    tandem_core::sync::run::sync(&mut phone).unwrap();
    let mut later = store_in(dir.path(), "later.db", start_clock(), Durability::Normal);
    link(&mut later, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut later).unwrap();
    }
    assert_eq!(key_of(&later, &phone_id), key_of(&phone, &phone_id));
    assert_eq!(
        later.journal_entry(&entry.id).unwrap().text,
        "after the theft"
    );
}

/// A hostile server lists a box key of its own for the person's phone,
/// plants an envelope "from the phone" to the laptop sealed with it, and
/// starts a new epoch of the private space. If the laptop took a device's
/// box key from the server's list, it would take the server's key for the
/// epoch and seal what it writes next under a key the server holds. It
/// takes keys only where the server's list agrees with the key the
/// devices document first gave: it waits for a key instead, and holds
/// what it writes.
#[test]
fn a_box_key_the_server_lists_for_a_device_hands_out_no_key() {
    use tandem_core::features::devices::{link, link_code, list, seal_envelope_with};
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let proxy = Proxy::start(&srv.url);
    let mut laptop = store_in(dir.path(), "laptop.db", clock, Durability::Normal);
    link(&mut laptop, &link_code(&mut phone).unwrap(), &proxy.url).unwrap();
    for _ in 0..2 {
        for s in [&mut phone, &mut laptop] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let phone_id = phone.account().unwrap().unwrap().device_id;
    let laptop_id = laptop.account().unwrap().unwrap().device_id;
    let laptop_key: [u8; 32] = hex::decode(
        list(&phone)
            .unwrap()
            .into_iter()
            .find(|d| d.device_id == laptop_id)
            .unwrap()
            .public_key,
    )
    .unwrap()
    .try_into()
    .unwrap();
    let space = phone.private_space().unwrap().unwrap();
    let next = space.epoch + 1;

    // The server's own box key, listed as the phone's to the laptop.
    let servers_secret = [0x5a; 32];
    let servers_public = crypto_box::SecretKey::from(servers_secret).public_key();
    let listed = hex::encode(servers_public.as_bytes());
    let phone_in_list = phone_id.clone();
    proxy.rewrite(move |request, body| {
        if !request.starts_with("GET /v1/devices ") {
            return None;
        }
        let mut list: serde_json::Value = serde_json::from_str(body).ok()?;
        for d in list["devices"].as_array_mut()? {
            if d["device_id"] == phone_in_list.as_str() {
                d["box_key"] = serde_json::Value::String(listed.clone());
            }
        }
        Some(list.to_string())
    });
    let servers_key = SpaceKey::from_bytes([0x5b; 32]);
    let mut planted = seal_envelope_with(
        &servers_secret,
        &phone_id,
        (&laptop_id, &laptop_key),
        &space.space_id,
        next,
        &[(next, servers_key.clone())],
    )
    .unwrap();
    planted.upto_seq = space.high_water;
    planted.key_epoch = space.epoch;
    // What the server stores and does on its own, through any token.
    let server = phone.account().unwrap().unwrap().client().unwrap();
    server.put_snapshot(&space.space_id, &planted).unwrap();
    assert_eq!(server.new_epoch(&space.space_id).unwrap().epoch, next);

    let report = tandem_core::sync::run::sync(&mut laptop).unwrap();
    assert!(!report.waiting_for_keys.is_empty(), "{report:?}");
    let entry = laptop
        .add_journal(journal("written while waiting"))
        .unwrap();
    tandem_core::sync::run::sync(&mut laptop).unwrap();
    let records = pulled(&phone, &space.space_id);
    assert!(
        records
            .iter()
            .all(|r| open_with(&servers_key, &space.space_id, r).is_err()),
        "nothing opens with the server's key"
    );
    assert!(
        records.iter().all(|r| r.key_epoch < next),
        "the laptop holds what it writes until a key it trusts comes"
    );
    assert_eq!(
        laptop.journal_entry(&entry.id).unwrap().text,
        "written while waiting"
    );
}

/// Robin's second device is lost and she unlinks it: her private space
/// and the pair move to new epochs whose keys it never gets. It still
/// holds the old keys and the account identity, so it mints a device of
/// its own, certified by that identity and bound to its key, and seals
/// two records under the old keys: her profile renamed, and her name in
/// the pair renamed. Alex, the mentor, carries the pair's record to the
/// server with his token: refused (409), nothing stored. A server working
/// with the thief stores both anyway: Robin's phone, a tablet she links
/// afterwards and Alex's phone each refuse both as sealed under an epoch
/// that had ended. Before fences, all three took them: the minted device
/// signs as hers. Fences it planted in the keyring beforehand, to let
/// everything through, are written over.
#[test]
fn what_a_lost_phone_seals_under_its_old_keys_counts_nowhere_after_its_unlink() {
    use tandem_core::sync::seal::{Refusal, Writer};
    use tandem_core::sync::signature::{Signer, bound_writer_of_seed, generate_seed};
    let Paired {
        dir,
        srv,
        mut mentee,
        mut mentor,
        second: mut lost,
        pair,
        pair_key,
        private,
    } = paired_with_a_second_device("lost.db");
    let private_space = hex::encode(private.space_id);
    // Before its unlink, it plants fences for the pair's epochs to come
    // that would let everything through: the device that starts the epoch
    // writes over them.
    let open_fences: Vec<(String, String)> = (1..4)
        .map(|e| (format!("{pair}.fence.{e}"), i64::MAX.to_string()))
        .collect();
    plant_in_keyring(&mut lost, &private, &open_fences);
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let lost_id = lost.account().unwrap().unwrap().device_id;
    tandem_core::features::devices::unlink(&mut mentee, &lost_id).unwrap();
    for _ in 0..2 {
        for s in [&mut mentor, &mut mentee] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let link = tandem_core::features::devices::link_code(&mut mentee).unwrap();
    let mut tablet = store_in(dir.path(), "tablet.db", start_clock(), Durability::Normal);
    tandem_core::features::devices::link(&mut tablet, &link, &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut tablet).unwrap();
    tandem_core::sync::run::sync(&mut tablet).unwrap();

    // The lost phone's minted device and its two changes.
    let seed = generate_seed();
    let minted = bound_writer_of_seed(&seed);
    let thief = Signer::new(&identity_of(&mut lost), &minted, &seed);
    let forged = |lost: &mut Store, doc: &DocId, field: &str| {
        use automerge::transaction::Transactable as _;
        let mut d = automerge::AutoCommit::new();
        for c in lost.changes_since(doc, &[]).unwrap() {
            d.load_incremental(&c).unwrap();
        }
        d.set_actor(automerge::ActorId::from(minted.to_vec()));
        d.put(automerge::ROOT, field, "Forged").unwrap();
        d.get_last_local_change().unwrap().raw_bytes().to_vec()
    };
    let people = DocId::in_pair(&pair, "people");
    let in_pair = forged(&mut lost, &people, "mentee.name");
    let in_profile = forged(&mut lost, &DocId::profile(), "name");
    let records = [
        sealed_record(
            &private_space,
            &private.key,
            private.epoch,
            &DocId::profile(),
            &in_profile,
            Writer::Signed(&thief),
        ),
        sealed_record(
            &pair,
            &pair_key,
            0,
            &people,
            &in_pair,
            Writer::Signed(&thief),
        ),
    ];

    // Through a partner's token, an honest server takes none of it.
    let err = mentor
        .account()
        .unwrap()
        .unwrap()
        .client()
        .unwrap()
        .push(vec![records[1].clone()])
        .unwrap_err();
    assert!(
        matches!(err, tandem_core::Error::Server { status: 409, .. }),
        "{err:?}"
    );
    // A server working with the thief stores both.
    srv.plant(&records);
    for (s, spaces) in [
        (&mut mentee, vec![&private_space, &pair]),
        (&mut tablet, vec![&private_space, &pair]),
        (&mut mentor, vec![&pair]),
    ] {
        let report = tandem_core::sync::run::sync(s).unwrap();
        for space in spaces {
            assert!(
                refused(&report, space, Refusal::Superseded),
                "{space}: {report:?}"
            );
        }
        assert!(!s.read_model_dump().unwrap().contains("Forged"));
    }
    let name_on_mentor = tandem_core::features::pairs::list(&mentor).unwrap()[0]
        .other_name
        .clone();
    assert_eq!(name_on_mentor.as_deref(), Some("Robin"));
}

/// A lost phone, before its unlink, rewrites Robin's laptop's record in
/// the devices document with its own box key, starts a new epoch of her
/// private space and plants an envelope "from the laptop" holding a key
/// of its own for it. A tablet Robin links now sees the rewrite before the
/// laptop writes its record back, and its server (hostile, or one from
/// before) lists no box key for the laptop. Before, the tablet went by the
/// key first seen, took the thief's key and sealed what it wrote under
/// it; now a device the server lists no key for is no sender, so the
/// tablet takes nothing, holds its writes, and nothing opens with the
/// thief's key.
#[test]
fn a_key_first_seen_in_a_rewrite_is_no_key_without_the_servers_word() {
    use tandem_core::features::devices::{link, link_code, list, seal_envelope_as};
    let ThreeDevices {
        dir,
        srv,
        clock,
        mut phone,
        laptop,
        mut lost,
        private,
    } = three_devices();
    let laptop_id = laptop.account().unwrap().unwrap().device_id;
    let lost_id = lost.account().unwrap().unwrap().device_id;
    let devices_now = list(&lost).unwrap();
    let of = |id: &str| devices_now.iter().find(|d| d.device_id == id).unwrap();
    let lost_key = of(&lost_id).public_key.clone();
    let entry = serde_json::json!({
        "device_id": laptop_id,
        "public_key": lost_key,
        "unlinked": false,
        "actor": of(&laptop_id).actor,
    });
    plant_device_record(&mut lost, &private, &laptop_id, &entry);

    // The tablet, through a server that lists no box key for the laptop.
    let proxy = Proxy::start(&srv.url);
    let hidden = laptop_id.clone();
    proxy.rewrite(move |request, body| {
        if !request.starts_with("GET /v1/devices ") {
            return None;
        }
        let mut list: serde_json::Value = serde_json::from_str(body).ok()?;
        for d in list["devices"].as_array_mut()? {
            if d["device_id"] == hidden.as_str() {
                d["box_key"] = serde_json::Value::Null;
            }
        }
        Some(list.to_string())
    });
    let mut tablet = store_in(dir.path(), "tablet.db", clock, Durability::Normal);
    link(&mut tablet, &link_code(&mut phone).unwrap(), &proxy.url).unwrap();
    tandem_core::sync::run::sync(&mut tablet).unwrap();
    let tablet_id = tablet.account().unwrap().unwrap().device_id;
    assert_eq!(
        list(&tablet)
            .unwrap()
            .into_iter()
            .find(|d| d.device_id == laptop_id)
            .unwrap()
            .public_key,
        lost_key,
        "the tablet first saw the rewrite"
    );

    // The lost phone moves the private space on and leaves its envelope.
    tandem_core::sync::run::sync(&mut lost).unwrap();
    let space = lost.private_space().unwrap().unwrap();
    let client = lost.account().unwrap().unwrap().client().unwrap();
    let next = client.new_epoch(&space.space_id).unwrap().epoch;
    let thiefs_key = SpaceKey::from_bytes([0x55; 32]);
    let mut planted = seal_envelope_as(
        &lost,
        &laptop_id,
        &tablet_id,
        next,
        &[(next, thiefs_key.clone())],
    )
    .unwrap();
    planted.key_epoch = next;
    client.put_snapshot(&space.space_id, &planted).unwrap();

    tablet
        .add_journal(journal("written on the tablet"))
        .unwrap();
    let report = tandem_core::sync::run::sync(&mut tablet).unwrap();
    assert!(
        report.waiting_for_keys.contains(&space.space_id),
        "{report:?}"
    );
    assert!(tablet.private_space().unwrap().unwrap().epoch < next);
    let records = pulled(&phone, &space.space_id);
    assert!(
        records
            .iter()
            .all(|r| open_with(&thiefs_key, &space.space_id, r).is_err()),
        "nothing opens with the thief's key"
    );
}

/// `change` to the keyring, sealed with the private space's key from link
/// code `private` and signed as a device the identity `lost` holds
/// certifies: what a phone of the person's writes before its unlink.
fn plant_in_keyring(
    lost: &mut Store,
    private: &tandem_core::features::codes::LinkCode,
    entries: &[(String, String)],
) {
    let change = keyring_change(lost, entries);
    let signer = certified_for(lost, &change);
    push_sealed(
        lost,
        &hex::encode(private.space_id),
        &private.key,
        private.epoch,
        &DocId::keyring(),
        &change,
        tandem_core::sync::seal::Writer::Signed(&signer),
    );
}

/// Before its unlink, Robin's lost device plants in her keyring a key of
/// its own for an epoch of the pair still to come. Before, every device of
/// hers moved to that epoch at once: the server refused what they sealed
/// under it (their sync failed from then on, the unlink's new epoch
/// included), and a server working with the thief would have stored it,
/// readable by the thief. Now no device seals under a key for an epoch the
/// server has not reported: Robin's notes reach Alex, the unlink moves the
/// pair on, and what the thief seals under its planted epoch is refused
/// even where a server stores it.
#[test]
fn a_key_planted_for_an_epoch_to_come_is_never_used() {
    use tandem_core::sync::seal::{Refusal, Writer};
    let Paired {
        dir: _dir,
        srv,
        mut mentee,
        mut mentor,
        second: mut lost,
        pair,
        private,
        ..
    } = paired_with_a_second_device("lost.db");
    let ahead = 5;
    let planted = SpaceKey::from_bytes([0x66; 32]);
    plant_in_keyring(
        &mut lost,
        &private,
        &[(format!("{pair}.{ahead}"), hex::encode(planted.as_bytes()))],
    );
    let epoch_of = |s: &Store| {
        s.spaces()
            .unwrap()
            .into_iter()
            .find(|x| x.space_id == pair)
            .unwrap()
            .epoch
    };
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(epoch_of(&mentee), 0);
    let note = mentee
        .create_note_in(Some(&pair), "Plan", "sealed under the real key")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(
        mentor.note(&note.id).unwrap().body,
        "sealed under the real key"
    );

    let lost_id = lost.account().unwrap().unwrap().device_id;
    tandem_core::features::devices::unlink(&mut mentee, &lost_id).unwrap();
    for _ in 0..2 {
        for s in [&mut mentor, &mut mentee] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    assert_eq!((epoch_of(&mentee), epoch_of(&mentor)), (1, 1));
    assert!(
        pulled(&mentee, &pair)
            .iter()
            .all(|r| open_with(&planted, &pair, r).is_err()),
        "nothing was sealed under the planted key"
    );

    // The thief seals under its planted epoch; a server stores it.
    let people = DocId::in_pair(&pair, "people");
    let change = forged_change(
        &mut lost,
        &people,
        &[("mentee.name".into(), "Forged".into())],
    );
    let signer = certified_for(&mut lost, &change);
    srv.plant(&[sealed_record(
        &pair,
        &planted,
        ahead,
        &people,
        &change,
        Writer::Signed(&signer),
    )]);
    for s in [&mut mentee, &mut mentor] {
        let report = tandem_core::sync::run::sync(s).unwrap();
        assert!(refused(&report, &pair, Refusal::Forged), "{report:?}");
        assert!(!s.read_model_dump().unwrap().contains("Forged"));
    }
}

/// While still the person's, a lost phone links a device of its own
/// through the app's own flow. A server working with the thief forgets who
/// linked it, so the unlink revokes the lost phone alone there and the
/// server goes on listing the hidden device as one of the person's. The
/// device log knows who added it: the unlink removes it with the lost
/// phone, the person's list flags it, and it never gets the new epoch's
/// key, so nothing written after the unlink reaches it. On the code before
/// the log, the remaining phone sealed the new key to it.
#[test]
fn a_device_a_lost_phone_linked_gets_no_key_even_where_the_server_keeps_it() {
    use base64::Engine as _;
    use tandem_core::features::codes::LinkCode;
    use tandem_core::features::devices::{link, link_code, unlink};
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock.clone(), Durability::Normal);
    link(&mut lost, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    // One device through the app's own flow, one with a code the thief
    // puts together from the server's link code and the private key (no
    // invite: it can only try to found itself in the log).
    let mut hidden = store_in(dir.path(), "hidden.db", clock.clone(), Durability::Normal);
    let app_code = link_code(&mut lost).unwrap();
    link(&mut hidden, &app_code, &srv.url).unwrap();
    let raw = lost
        .account()
        .unwrap()
        .unwrap()
        .client()
        .unwrap()
        .link_code()
        .unwrap();
    let bare = LinkCode {
        server_code: base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&raw.code)
            .unwrap()
            .try_into()
            .unwrap(),
        invite: None,
        ..LinkCode::parse(&app_code).unwrap()
    };
    let mut sleeper = store_in(dir.path(), "sleeper.db", clock, Durability::Normal);
    link(&mut sleeper, &bare.to_text(), &srv.url).unwrap();
    for s in [&mut phone, &mut lost, &mut hidden, &mut sleeper] {
        tandem_core::sync::run::sync(s).unwrap();
    }
    tandem_core::sync::run::sync(&mut phone).unwrap();
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    let (lost_id, hidden_id, sleeper_id) = (id(&lost), id(&hidden), id(&sleeper));
    let flagged = uncertified;
    // The phone linked the lost one with an invite: from then on no
    // device founds itself, so the one the thief put together is not the
    // person's even before the unlink.
    assert_eq!(flagged(&phone), vec![sleeper_id.clone()]);

    // The server works with the thief: it forgets who linked both.
    for device in [&hidden_id, &sleeper_id] {
        srv.forget_who_linked(device);
    }
    unlink(&mut phone, &lost_id).unwrap();
    phone
        .add_journal(journal("CANARY written after the unlink"))
        .unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();

    let mut now_flagged = flagged(&phone);
    now_flagged.sort();
    let mut expected = vec![hidden_id.clone(), sleeper_id.clone()];
    expected.sort();
    assert_eq!(now_flagged, expected);
    // The server still lets both in; they read nothing new.
    let newest = phone.private_space().unwrap().unwrap().epoch;
    assert!(newest > 0);
    for s in [&mut hidden, &mut sleeper] {
        for _ in 0..2 {
            let _ = tandem_core::sync::run::sync(s);
        }
        assert!(
            s.private_space().unwrap().unwrap().epoch < newest,
            "a device the lost phone linked got the new epoch's key"
        );
        assert!(
            !s.read_model_dump().unwrap().contains("CANARY"),
            "a device the lost phone linked read what was written after the unlink"
        );
    }
}

/// The devices `store`'s list flags as not in the device log, sorted.
fn uncertified(store: &Store) -> Vec<String> {
    let mut out: Vec<String> = tandem_core::features::devices::list(store)
        .unwrap()
        .into_iter()
        .filter(|d| d.uncertified)
        .map(|d| d.device_id)
        .collect();
    out.sort();
    out
}

/// Once a device was unlinked, no device can found itself in the device
/// log: a device comes in only with an invite, the one a link code of the
/// app carries or the recovery key's. Both work; a device linked with a
/// code that carries none (as a lost phone's own build could make, or a
/// build from before the log) is flagged in the person's list and gets no
/// key of the next epoch. On the code before the log, it got the key.
#[test]
fn once_a_device_was_unlinked_only_an_invite_brings_a_device_in() {
    use tandem_core::features::codes::LinkCode;
    use tandem_core::features::devices::{confirm, link, link_code, restore, unlink};
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut tablet = store_in(dir.path(), "tablet.db", clock.clone(), Durability::Normal);
    link(&mut tablet, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    let tablet_id = tablet.account().unwrap().unwrap().device_id;
    let (_, recovery) = unlink(&mut phone, &tablet_id).unwrap();

    let mut laptop = store_in(dir.path(), "laptop.db", clock.clone(), Durability::Normal);
    link(&mut laptop, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let mut restored = store_in(dir.path(), "restored.db", clock.clone(), Durability::Normal);
    restore(&mut restored, &recovery, &srv.url).unwrap();
    let mut bare = || LinkCode {
        invite: None,
        ..LinkCode::parse(&link_code(&mut phone).unwrap()).unwrap()
    };
    let (stray_code, known_code) = (bare(), bare());
    let mut stray = store_in(dir.path(), "stray.db", clock.clone(), Durability::Normal);
    link(&mut stray, &stray_code.to_text(), &srv.url).unwrap();
    // A device the person knows, linked the same way (as a device from
    // before the log that first syncs with this version only now).
    let mut known = store_in(dir.path(), "known.db", clock, Durability::Normal);
    link(&mut known, &known_code.to_text(), &srv.url).unwrap();
    for s in [
        &mut restored,
        &mut laptop,
        &mut stray,
        &mut known,
        &mut phone,
    ] {
        tandem_core::sync::run::sync(s).unwrap();
    }
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    let flagged = uncertified;
    let mut both = vec![id(&stray), id(&known)];
    both.sort();
    assert_eq!(flagged(&phone), both);
    // The person confirms the one they know, on a device in the log,
    // with the code it shows for itself (the phone shows the same one for
    // it; another device's code is refused); a device the log does not
    // certify cannot confirm anyone.
    let code_of = |s: &Store, device: &str| {
        tandem_core::features::devices::list(s)
            .unwrap()
            .into_iter()
            .find(|d| d.device_id == device)
            .and_then(|d| d.code)
            .unwrap()
    };
    let shown_there = code_of(&known, &id(&known));
    assert_eq!(code_of(&phone, &id(&known)), shown_there);
    let stray_shows = code_of(&stray, &id(&stray));
    assert_ne!(stray_shows, shown_there);
    assert_eq!(
        confirm(&mut phone, &id(&known), Some(&stray_shows))
            .unwrap_err()
            .kind(),
        ErrorKind::Validation
    );
    assert!(confirm(&mut stray, &id(&known), None).is_err());
    confirm(
        &mut phone,
        &id(&known),
        Some(&shown_there.replace(' ', "-")),
    )
    .unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    assert_eq!(flagged(&phone), vec![id(&stray)]);

    // The next epoch's key reaches the devices the invites brought and
    // the one confirmed, not the other.
    unlink(&mut phone, &id(&laptop)).unwrap();
    phone
        .add_journal(journal("CANARY written after the second unlink"))
        .unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    for s in [&mut restored, &mut known, &mut stray] {
        for _ in 0..2 {
            let _ = tandem_core::sync::run::sync(s);
        }
    }
    assert!(restored.read_model_dump().unwrap().contains("CANARY"));
    assert!(known.read_model_dump().unwrap().contains("CANARY"));
    assert!(
        !stray.read_model_dump().unwrap().contains("CANARY"),
        "a device no invite brought got the new key"
    );
}

/// Before its unlink, a lost phone takes the person's phone out of the
/// device log and links a device of its own; a server working with it
/// forgets who linked that device. The phone, seeing itself taken out,
/// unlinks the lost one all the same: its removal of the lost phone
/// counts, the lost phone's removal of it no longer does, and the device
/// the lost phone linked gets no key of the new epoch. Until the phone
/// unlinks it, a phone the log does not certify seals keys to no one.
#[test]
fn a_phone_a_lost_one_took_out_of_the_log_takes_it_out_and_keeps_its_keys() {
    use tandem_core::features::devices::{link, link_code, list, unlink, write_removal};
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock.clone(), Durability::Normal);
    link(&mut lost, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let mut tablet = store_in(dir.path(), "tablet.db", clock.clone(), Durability::Normal);
    link(&mut tablet, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let mut hidden = store_in(dir.path(), "hidden.db", clock, Durability::Normal);
    link(&mut hidden, &link_code(&mut lost).unwrap(), &srv.url).unwrap();
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    let phone_id = id(&phone);
    write_removal(&mut lost, &phone_id).unwrap();
    // Everyone, the tablet too, sees the phone taken out.
    for s in [&mut lost, &mut hidden, &mut phone, &mut tablet] {
        tandem_core::sync::run::sync(s).unwrap();
    }
    assert!(
        uncertified(&tablet).contains(&phone_id),
        "the tablet sees the phone taken out"
    );
    let this = |s: &Store| {
        list(s)
            .unwrap()
            .into_iter()
            .find(|d| d.this_device)
            .unwrap()
    };
    assert!(this(&phone).uncertified, "the phone sees itself taken out");

    srv.forget_who_linked(&id(&hidden));
    unlink(&mut phone, &id(&lost)).unwrap();
    assert!(!this(&phone).uncertified, "the phone is back in the log");
    phone
        .add_journal(journal("CANARY written after the unlink"))
        .unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    for _ in 0..2 {
        let _ = tandem_core::sync::run::sync(&mut hidden);
        tandem_core::sync::run::sync(&mut tablet).unwrap();
    }
    assert!(
        !hidden.read_model_dump().unwrap().contains("CANARY"),
        "the lost phone's device read what was written after the unlink"
    );
    // The tablet takes the new key from the phone, whose envelope carries
    // its answer to the removal, and reads on.
    assert!(
        tablet.read_model_dump().unwrap().contains("CANARY"),
        "the tablet did not follow the phone"
    );
    assert!(!uncertified(&tablet).contains(&phone_id));
}

/// Before its unlink, Robin's lost phone plants keys in her keyring for
/// the pair's next epochs. The unlink moves the pair on with a key of her
/// own (the lost phone's for that epoch is set aside, as the device log
/// has removed its writer), and when Alex later moves the pair on too (he
/// unlinks a tablet of his), Robin's phone takes his key from his
/// envelope, not the lost phone's: what she writes then opens with no key
/// the lost phone holds, and Alex reads it. On the code before, she sealed
/// under the planted key, which the thief (and a server working with it)
/// could open and Alex could not.
#[test]
fn keys_a_lost_phone_planted_for_the_pairs_next_epochs_are_set_aside() {
    use tandem_core::features::devices::{link, link_code, unlink};
    let Paired {
        dir,
        srv: _srv,
        mut mentee,
        mut mentor,
        second: mut lost,
        pair,
        private,
        ..
    } = paired_with_a_second_device("lost.db");
    // Keys for the next three epochs and the fifth (the one Alex would
    // start if Robin's unlink skipped the planted ones).
    let planted: Vec<(u32, SpaceKey)> = [1u32, 2, 3, 5]
        .into_iter()
        .map(|e| (e, SpaceKey::from_bytes([0x60 + e as u8; 32])))
        .collect();
    let entries: Vec<(String, String)> = planted
        .iter()
        .map(|(e, k)| (format!("{pair}.{e}"), hex::encode(k.as_bytes())))
        .collect();
    plant_in_keyring(&mut lost, &private, &entries);
    tandem_core::sync::run::sync(&mut mentee).unwrap();

    let lost_id = lost.account().unwrap().unwrap().device_id;
    unlink(&mut mentee, &lost_id).unwrap();
    let mut tablet = store_in(
        dir.path(),
        "alex-tablet.db",
        start_clock(),
        Durability::Normal,
    );
    link(
        &mut tablet,
        &link_code(&mut mentor).unwrap(),
        &mentor_server(&mentor),
    )
    .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let tablet_id = tablet.account().unwrap().unwrap().device_id;
    unlink(&mut mentor, &tablet_id).unwrap();
    for _ in 0..2 {
        for s in [&mut mentee, &mut mentor] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let epoch_of = |s: &Store| {
        s.spaces()
            .unwrap()
            .into_iter()
            .find(|x| x.space_id == pair)
            .unwrap()
            .epoch
    };
    assert_eq!(epoch_of(&mentee), epoch_of(&mentor));
    let note = mentee
        .create_note_in(Some(&pair), "Plan", "after both moved on")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert_eq!(mentor.note(&note.id).unwrap().body, "after both moved on");
    for r in pulled(&mentee, &pair) {
        for (_, key) in &planted {
            assert!(
                open_with(key, &pair, &r).is_err(),
                "a record opens with a key the lost phone planted"
            );
        }
    }
}

/// The server URL a store syncs with.
fn mentor_server(store: &Store) -> String {
    store.account().unwrap().unwrap().server
}

/// Before its unlink, a lost phone floods the device log with more
/// entries than a store keeps, and links a device of its own. The
/// unlink's removals are signed by a device the log certifies, so they are
/// kept all the same (on the phone and on the tablet): the lost phone's
/// device is flagged and gets no key of the new epoch. Without that, the
/// removals found the log full and were dropped.
#[test]
fn a_log_flooded_before_the_unlink_still_takes_the_unlink() {
    use tandem_core::features::devices::{link, link_code, unlink, write_noise};
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock.clone(), Durability::Normal);
    link(&mut lost, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let mut hidden = store_in(dir.path(), "hidden.db", clock, Durability::Normal);
    link(&mut hidden, &link_code(&mut lost).unwrap(), &srv.url).unwrap();
    write_noise(&mut lost, 5_100).unwrap();
    for s in [&mut lost, &mut hidden, &mut phone] {
        tandem_core::sync::run::sync(s).unwrap();
    }
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    let hidden_id = id(&hidden);
    srv.forget_who_linked(&hidden_id);
    unlink(&mut phone, &id(&lost)).unwrap();
    assert!(uncertified(&phone).contains(&hidden_id));
    phone
        .add_journal(journal("CANARY written after the unlink"))
        .unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    for _ in 0..2 {
        let _ = tandem_core::sync::run::sync(&mut hidden);
    }
    assert!(
        !hidden.read_model_dump().unwrap().contains("CANARY"),
        "the lost phone's device read what was written after the unlink"
    );
}

/// Who linked the third device of [`lost_in_pair`].
enum Linker {
    /// The phone that is lost later: the thief's own device.
    Lost,
    /// The person, from their phone: a tablet of theirs.
    Person,
}

/// A mentee paired with a mentor; the mentee's second device (the phone
/// lost later) and a third one, linked by `linker`; all synced twice.
struct LostInPair {
    dir: tempfile::TempDir,
    srv: ServerProcess,
    clock: std::sync::Arc<tandem_core::FixedClock>,
    mentee: Store,
    mentor: Store,
    /// The pair's id.
    pair: String,
    /// The mentee's phone that is lost later.
    lost: Store,
    /// The third device.
    other: Store,
}

fn lost_in_pair(linker: Linker) -> LostInPair {
    use tandem_core::features::devices::{link, link_code};
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let clock = start_clock();
    let mut mentee = person(dir.path(), "mentee.db", "Robin", clock.clone(), &srv.url);
    let mut mentor = person(dir.path(), "mentor.db", "Alex", clock.clone(), &srv.url);
    let code = tandem_core::features::pairs::invite(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let pair = tandem_core::features::pairs::join(&mut mentor, &code)
        .unwrap()
        .pair_id;
    let mut lost = store_in(dir.path(), "lost.db", clock.clone(), Durability::Normal);
    link(&mut lost, &link_code(&mut mentee).unwrap(), &srv.url).unwrap();
    let mut other = store_in(dir.path(), "other.db", clock.clone(), Durability::Normal);
    let code = match linker {
        Linker::Lost => link_code(&mut lost),
        Linker::Person => link_code(&mut mentee),
    };
    link(&mut other, &code.unwrap(), &srv.url).unwrap();
    for _ in 0..2 {
        for s in [&mut mentee, &mut lost, &mut other, &mut mentor] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    LostInPair {
        dir,
        srv,
        clock,
        mentee,
        mentor,
        pair,
        lost,
        other,
    }
}

/// Before its unlink, a lost phone links a device of its own, which the
/// person's devices then vouch for in the pair like any other (the
/// identity signs for every device the account lists). The server works
/// with the thief and forgets who linked it, so the unlink leaves it
/// able to pull. Later the mentor moves the pair on (they unlink a device
/// of theirs): the mentor's phone seals the new key only to the devices
/// the mentee's device log, published in the pair, certifies, so the
/// thief's device reads nothing the mentor writes after. Before the log
/// reached the pair, the mentor sealed the key to every device the
/// mentee's identity vouched for, the thief's included.
#[test]
fn a_device_a_lost_phone_linked_gets_no_key_of_the_partners_next_epoch() {
    use tandem_core::features::devices::{link, link_code, unlink};
    let LostInPair {
        dir,
        srv,
        clock,
        mut mentee,
        mut mentor,
        pair,
        lost,
        other: mut hidden,
    } = lost_in_pair(Linker::Lost);
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    let hidden_id = id(&hidden);
    srv.forget_who_linked(&hidden_id);
    unlink(&mut mentee, &id(&lost)).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();

    let mut spare = store_in(dir.path(), "spare.db", clock, Durability::Normal);
    link(&mut spare, &link_code(&mut mentor).unwrap(), &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    unlink(&mut mentor, &id(&spare)).unwrap();
    let canary = mentor
        .create_note_in(Some(&pair), "From Alex", "CANARY after the new epoch")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    assert_eq!(
        mentee.note(&canary.id).unwrap().body,
        "CANARY after the new epoch",
        "the mentee's own phone follows the mentor's new epoch"
    );
    for _ in 0..2 {
        let _ = tandem_core::sync::run::sync(&mut hidden);
    }
    assert!(
        !hidden.read_model_dump().unwrap().contains("CANARY"),
        "the lost phone's device read what the mentor wrote after the new epoch"
    );
}

/// Before its unlink, a lost phone writes a removal of the person's phone
/// into the pair only (where the person's own devices never looked for
/// log entries), and deletes every entry of the person's log published
/// there. A device the mentor links just then builds the person's log
/// from what the pair holds. The person's phone takes the removal into
/// its own log at its next sync, puts the deleted entries back, and its
/// unlink of the lost phone answers the removal. When the mentor's new
/// device moves the pair on, the phone gets the key and the device the
/// lost phone linked does not. Before, the deleted entries stayed deleted,
/// the new device's view of the person's log certified no one, and it
/// fell back on the identity's vouching, the lost phone's device included;
/// and without the answer, both removals counted and the phone got
/// nothing either.
#[test]
fn a_removal_a_lost_phone_writes_only_into_a_pair_is_answered_by_the_unlink() {
    use tandem_core::features::devices::{link, link_code, unlink};
    let LostInPair {
        dir,
        srv,
        clock,
        mut mentee,
        mut mentor,
        pair,
        mut lost,
        other: mut hidden,
    } = lost_in_pair(Linker::Lost);
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    tandem_core::features::pairs::plant_in_pair(&mut lost, &pair, &id(&mentee)).unwrap();
    tandem_core::sync::run::sync(&mut lost).unwrap();
    let mut later = store_in(dir.path(), "later.db", clock.clone(), Durability::Normal);
    link(&mut later, &link_code(&mut mentor).unwrap(), &srv.url).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentor).unwrap();
        tandem_core::sync::run::sync(&mut later).unwrap();
    }
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    let hidden_id = id(&hidden);
    srv.forget_who_linked(&hidden_id);
    unlink(&mut mentee, &id(&lost)).unwrap();
    tandem_core::sync::run::sync(&mut later).unwrap();

    let mut spare = store_in(dir.path(), "spare.db", clock, Durability::Normal);
    link(&mut spare, &link_code(&mut later).unwrap(), &srv.url).unwrap();
    tandem_core::sync::run::sync(&mut later).unwrap();
    unlink(&mut later, &id(&spare)).unwrap();
    let canary = later
        .create_note_in(Some(&pair), "From Alex", "CANARY after the new epoch")
        .unwrap();
    tandem_core::sync::run::sync(&mut later).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
    }
    assert_eq!(
        mentee.note(&canary.id).unwrap().body,
        "CANARY after the new epoch",
        "the person's phone follows the epoch the mentor's new device started"
    );
    for _ in 0..2 {
        let _ = tandem_core::sync::run::sync(&mut hidden);
    }
    assert!(
        !hidden.read_model_dump().unwrap().contains("CANARY"),
        "the lost phone's device read what the mentor wrote after the new epoch"
    );
}

/// The person unlinks a lost phone; the server works with the thief and
/// keeps the pair's new key from the mentor, whose phone, after waiting,
/// starts an epoch of its own. The unlink's removals went out to the pair
/// under the epoch the mentor could still read, before the pair moved on,
/// so the mentor's phone seals its epoch's key to the person's phone and
/// not to the device the lost phone linked, which the server still
/// serves. Before, the removals went out only under the new epoch, and
/// the mentor moved on with a view of the person's log that still
/// certified the lost phone's device.
#[test]
fn an_unlink_reaches_the_partner_even_where_the_new_key_is_kept_from_them() {
    use tandem_core::features::devices::unlink;
    let LostInPair {
        dir: _dir,
        srv,
        clock,
        mut mentee,
        mut mentor,
        pair,
        lost,
        other: mut hidden,
    } = lost_in_pair(Linker::Lost);
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    srv.forget_who_linked(&id(&hidden));
    unlink(&mut mentee, &id(&lost)).unwrap();
    let kept_from_mentor = mentee
        .spaces()
        .unwrap()
        .into_iter()
        .find(|s| s.space_id == pair)
        .unwrap()
        .epoch;
    assert!(srv.hide_envelopes(&pair, kept_from_mentor) > 0);
    let report = tandem_core::sync::run::sync(&mut mentor).unwrap();
    assert!(report.waiting_for_keys.contains(&pair), "{report:?}");
    clock.advance(chrono::Duration::minutes(11));
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    let canary = mentor
        .create_note_in(Some(&pair), "From Alex", "CANARY after the new epoch")
        .unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
    }
    assert_eq!(
        mentee.note(&canary.id).unwrap().body,
        "CANARY after the new epoch",
        "the person's phone follows the epoch the mentor started"
    );
    for _ in 0..2 {
        let _ = tandem_core::sync::run::sync(&mut hidden);
    }
    assert!(
        !hidden.read_model_dump().unwrap().contains("CANARY"),
        "the lost phone's device read what the mentor wrote in its own epoch"
    );
}

/// A lost phone takes the person's phone out of the device log and the
/// server holds that back until the phone has unlinked it: the two
/// removals were made at the same moment, neither seeing the other, and
/// both would count, leaving the log certifying neither. The phone, seeing
/// at the unlink's sync that it was taken out by the device it removed,
/// answers once, by removing it again having seen its removal: it is back,
/// the tablet takes the new key from it, and the device the lost phone
/// linked gets nothing. Before, the phone sealed keys to no one.
#[test]
fn a_removal_held_back_until_the_unlink_is_answered_and_the_phone_stays() {
    use tandem_core::features::devices::{link, link_code, unlink, write_removal};
    let (dir, srv, clock, mut phone) = support::first_device::first_device("UTC");
    tandem_core::sync::engine::connect(&mut phone, &srv.url).unwrap();
    let mut lost = store_in(dir.path(), "lost.db", clock.clone(), Durability::Normal);
    link(&mut lost, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let mut tablet = store_in(dir.path(), "tablet.db", clock.clone(), Durability::Normal);
    link(&mut tablet, &link_code(&mut phone).unwrap(), &srv.url).unwrap();
    let mut hidden = store_in(dir.path(), "hidden.db", clock, Durability::Normal);
    link(&mut hidden, &link_code(&mut lost).unwrap(), &srv.url).unwrap();
    for _ in 0..2 {
        for s in [&mut phone, &mut lost, &mut tablet, &mut hidden] {
            tandem_core::sync::run::sync(s).unwrap();
        }
    }
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    // The lost phone's removal reaches the server; the phone has not
    // pulled it when it unlinks the lost phone.
    write_removal(&mut lost, &id(&phone)).unwrap();
    tandem_core::sync::run::sync(&mut lost).unwrap();
    srv.forget_who_linked(&id(&hidden));
    unlink(&mut phone, &id(&lost)).unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    assert!(
        !uncertified(&phone).contains(&id(&phone)),
        "{:?}",
        uncertified(&phone)
    );
    phone
        .add_journal(journal("CANARY written after the unlink"))
        .unwrap();
    tandem_core::sync::run::sync(&mut phone).unwrap();
    for s in [&mut tablet, &mut hidden] {
        for _ in 0..2 {
            let _ = tandem_core::sync::run::sync(s);
        }
    }
    assert!(
        tablet.read_model_dump().unwrap().contains("CANARY"),
        "the tablet follows the phone"
    );
    assert!(
        !hidden.read_model_dump().unwrap().contains("CANARY"),
        "the lost phone's device read what was written after the unlink"
    );
}

/// After its unlink, the lost phone signs removals of the person's phone
/// and a hostile mentor (or anyone who holds the pair's key) writes them
/// into the mentee's side of the pair, where the mentee's devices take
/// their own side's entries into their device log. Only what a device the
/// log certifies now signed is taken, so the phone stays certified and
/// the tablet still follows it. Taking what any device ever in the log
/// signed would have let the lost phone write into the private log around
/// the epoch fence that shuts it out there, and take the phone out.
#[test]
fn removals_a_lost_phone_signs_after_its_unlink_do_not_come_in_through_a_pair() {
    use tandem_core::features::devices::unlink;
    let LostInPair {
        dir: _dir,
        srv: _srv,
        mut mentee,
        mut mentor,
        pair,
        mut lost,
        other: mut tablet,
        ..
    } = lost_in_pair(Linker::Person);
    let id = |s: &Store| s.account().unwrap().unwrap().device_id;
    unlink(&mut mentee, &id(&lost)).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    // Two removals signed after the unlink (each answer is answered once
    // at most), carried into the pair by the mentor.
    let mut planted = Vec::new();
    for target in [&mentee, &tablet] {
        planted.push(
            tandem_core::features::pairs::plant_in_pair(&mut lost, &pair, &id(target)).unwrap(),
        );
    }
    tandem_core::features::pairs::write_in_pair(&mut mentor, &pair, &planted).unwrap();
    tandem_core::sync::run::sync(&mut mentor).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut mentee).unwrap();
    }
    assert!(
        uncertified(&mentee).is_empty(),
        "{:?}",
        uncertified(&mentee)
    );
    mentee
        .add_journal(journal("CANARY written after the planted removals"))
        .unwrap();
    tandem_core::sync::run::sync(&mut mentee).unwrap();
    for _ in 0..2 {
        tandem_core::sync::run::sync(&mut tablet).unwrap();
    }
    assert!(tablet.read_model_dump().unwrap().contains("CANARY"));
}
