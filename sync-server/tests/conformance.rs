//! The storage conformance suite: the same checks against SQLite and
//! PostgreSQL. PostgreSQL runs when `TANDEM_TEST_POSTGRES` names a server
//! (the test script starts one); with `TANDEM_REQUIRE_POSTGRES=1` its absence fails.

mod support;

use std::sync::Arc;

use tandem_sync_server::secret::{hash, new_id};
use tandem_sync_server::storage::postgres::PostgresStorage;
use tandem_sync_server::storage::sqlite::SqliteStorage;
use tandem_sync_server::storage::{
    Device, NewRecord, PushSubscription, Redeemed, Registration, SnapshotPut, Storage,
    StoredSnapshot,
};

/// A fresh, empty database on the test PostgreSQL server.
pub async fn fresh_postgres() -> Option<(Arc<dyn Storage>, String)> {
    let Ok(admin) = std::env::var("TANDEM_TEST_POSTGRES") else {
        assert!(
            std::env::var("TANDEM_REQUIRE_POSTGRES").is_err(),
            "TANDEM_TEST_POSTGRES is not set"
        );
        eprintln!("skipping PostgreSQL: TANDEM_TEST_POSTGRES is not set");
        return None;
    };
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let name = format!("tandem_{}", new_id());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    Some((
        Arc::new(PostgresStorage::connect(&url, 16).await.unwrap()),
        url,
    ))
}

fn sqlite() -> (Arc<dyn Storage>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (
        Arc::new(SqliteStorage::open(&dir.path().join("s.db")).unwrap()),
        dir,
    )
}

fn rec(space: &str, doc: &str, i: usize) -> NewRecord {
    let mut h = [0u8; 32];
    h[..8].copy_from_slice(&(i as u64).to_be_bytes());
    h[8..24].copy_from_slice(&hex::decode(&space[..32]).unwrap());
    NewRecord {
        space_id: space.into(),
        doc_id: doc.into(),
        change_hash: h,
        key_epoch: 0,
        nonce: vec![1; 24],
        ciphertext: vec![i as u8; 100],
    }
}

async fn account(s: &Arc<dyn Storage>) -> String {
    match s.register(hash(&new_id()), None, 1, 50).await.unwrap() {
        Registration::Done(d) => d.account_id,
        other => unreachable!("{other:?}"),
    }
}

async fn device(s: &Arc<dyn Storage>, link: Option<&Device>) -> Device {
    let code = match link {
        Some(by) => {
            let code = hash(&new_id());
            s.create_link_code(by, code, 10_000).await.unwrap();
            Some(code)
        }
        None => None,
    };
    match s.register(hash(&new_id()), code, 5_000, 50).await.unwrap() {
        Registration::Done(d) => d,
        other => unreachable!("{other:?}"),
    }
}

fn subscription(n: u8) -> PushSubscription {
    PushSubscription {
        endpoint: format!("https://push.example/{n}"),
        p256dh: vec![4; 65],
        auth: vec![n; 16],
    }
}

/// Wake-up subscriptions: one per device, listed for a space's member
/// devices but the writer, gone with the device, the membership or the
/// account; and one VAPID key however many processes offer one.
async fn wakeups(s: &Arc<dyn Storage>) {
    let owner = device(s, None).await;
    let owner2 = device(s, Some(&owner)).await;
    let member = device(s, None).await;
    let outsider = device(s, None).await;
    let space = new_id();
    s.create_space(&owner.account_id, &space, 1).await.unwrap();
    let invite = new_id();
    s.create_invite(&space, &invite, hash("w"), 1_000)
        .await
        .unwrap();
    assert!(matches!(
        s.redeem_invite(&invite, hash("w"), &member.account_id, 10, 3)
            .await
            .unwrap(),
        Redeemed::Joined { .. }
    ));
    for (n, d) in [&owner, &owner2, &member, &outsider]
        .into_iter()
        .enumerate()
    {
        s.put_wakeup(&d.device_id, subscription(n as u8))
            .await
            .unwrap();
    }
    let ids = |t: Vec<tandem_sync_server::storage::WakeupTarget>| {
        t.into_iter().map(|t| t.device_id).collect::<Vec<_>>()
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        ids(s.wakeup_targets(&space, &owner.device_id).await.unwrap()),
        sorted(vec![owner2.device_id.clone(), member.device_id.clone()]),
        "the writer's other devices and the other members', not the writer's nor an outsider's"
    );
    assert_eq!(
        ids(s.wakeup_targets(&space, "").await.unwrap()),
        sorted(vec![
            owner.device_id.clone(),
            owner2.device_id.clone(),
            member.device_id.clone()
        ])
    );
    assert!(s.wakeup_targets(&new_id(), "").await.unwrap().is_empty());

    // One subscription per device: a new one replaces it.
    s.put_wakeup(&member.device_id, subscription(9))
        .await
        .unwrap();
    let targets = s.wakeup_targets(&space, &owner.device_id).await.unwrap();
    let of_member = targets
        .iter()
        .find(|t| t.device_id == member.device_id)
        .unwrap();
    assert_eq!(of_member.subscription, subscription(9));
    assert_eq!(targets.len(), 2);

    // Removed only while it still goes to the endpoint named.
    assert!(
        !s.delete_wakeup(&member.device_id, Some("https://push.example/0"))
            .await
            .unwrap()
    );
    assert!(
        s.delete_wakeup(&member.device_id, Some("https://push.example/9"))
            .await
            .unwrap()
    );
    assert!(!s.delete_wakeup(&member.device_id, None).await.unwrap());
    assert_eq!(
        ids(s.wakeup_targets(&space, &owner.device_id).await.unwrap()),
        vec![owner2.device_id.clone()]
    );

    // Nothing is kept for a device that does not exist.
    s.put_wakeup("no-such-device", subscription(1))
        .await
        .unwrap();
    assert!(!s.delete_wakeup("no-such-device", None).await.unwrap());

    // A member who leaves is woken no more; an unlinked device's and an
    // erased account's subscriptions are gone.
    s.put_wakeup(&member.device_id, subscription(2))
        .await
        .unwrap();
    s.remove_member(&space, &member.account_id).await.unwrap();
    assert_eq!(
        ids(s.wakeup_targets(&space, &owner.device_id).await.unwrap()),
        vec![owner2.device_id.clone()]
    );
    assert_eq!(
        s.delete_device(&owner, &owner2.device_id).await.unwrap(),
        vec![owner2.device_id.clone()]
    );
    assert!(!s.delete_wakeup(&owner2.device_id, None).await.unwrap());
    assert!(
        s.wakeup_targets(&space, &owner.device_id)
            .await
            .unwrap()
            .is_empty()
    );
    s.delete_account(&outsider.account_id).await.unwrap();
    assert!(!s.delete_wakeup(&outsider.device_id, None).await.unwrap());
    s.delete_account(&member.account_id).await.unwrap();
    assert!(!s.delete_wakeup(&member.device_id, None).await.unwrap());
    assert!(s.delete_wakeup(&owner.device_id, None).await.unwrap());

    // The VAPID key: processes starting at once each offer one; all get
    // the one stored first, and it stays.
    let offers: Vec<_> = (0..8u8)
        .map(|n| {
            let s = s.clone();
            tokio::spawn(async move { s.vapid_key([n + 1; 32]).await.unwrap() })
        })
        .collect();
    let mut keys = Vec::new();
    for o in offers {
        keys.push(o.await.unwrap());
    }
    assert!(keys.iter().all(|k| *k == keys[0]), "one key for all");
    assert_eq!(keys[0].len(), 32);
    assert!((1..=8).any(|n| keys[0] == vec![n; 32]), "one of the offers");
    assert_eq!(s.vapid_key([99; 32]).await.unwrap(), keys[0]);
}

async fn suite(s: Arc<dyn Storage>) {
    s.ready().await.unwrap();
    wakeups(&s).await;

    // Accounts, tokens and link codes.
    let token = hash("token-a");
    let Registration::Done(dev) = s.register(token, None, 1_000, 50).await.unwrap() else {
        panic!()
    };
    assert_eq!(s.authenticate(token).await.unwrap(), Some(dev.clone()));
    assert_eq!(s.authenticate(hash("other")).await.unwrap(), None);
    s.create_link_code(&dev, hash("code"), 10_000)
        .await
        .unwrap();
    assert_eq!(
        s.register(hash("token-x"), Some(hash("code")), 20_000, 50)
            .await
            .unwrap(),
        Registration::CodeGone,
        "expired"
    );
    s.create_link_code(&dev, hash("code2"), 10_000)
        .await
        .unwrap();
    let Registration::Done(dev2) = s
        .register(hash("token-b"), Some(hash("code2")), 5_000, 50)
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(dev2.account_id, dev.account_id);

    // A cap on devices: a link code adds none past it (and is used up);
    // the recovery code always adds one.
    let Registration::Done(capped) = s.register(hash("token-c"), None, 1_000, 1).await.unwrap()
    else {
        panic!()
    };
    s.create_link_code(&capped, hash("code-c"), 10_000)
        .await
        .unwrap();
    assert_eq!(
        s.register(hash("token-c2"), Some(hash("code-c")), 5_000, 1)
            .await
            .unwrap(),
        Registration::TooManyDevices
    );
    assert_eq!(
        s.register(hash("token-c3"), Some(hash("code-c")), 5_000, 2)
            .await
            .unwrap(),
        Registration::CodeGone,
        "the refused code is used up"
    );
    s.set_recovery_code(&capped, hash("cap-recovery"))
        .await
        .unwrap();
    assert!(matches!(
        s.register(hash("token-c4"), Some(hash("cap-recovery")), 5_000, 1)
            .await
            .unwrap(),
        Registration::Done(_)
    ));

    // Unlinking a device: its token stops working; only the account's own
    // devices; what it linked goes with it, its pending codes too.
    s.create_link_code(&dev, hash("code-u"), 10_000)
        .await
        .unwrap();
    let Registration::Done(lost) = s
        .register(hash("token-u"), Some(hash("code-u")), 5_000, 50)
        .await
        .unwrap()
    else {
        panic!()
    };
    s.create_link_code(&lost, hash("code-child"), 10_000)
        .await
        .unwrap();
    let Registration::Done(child) = s
        .register(hash("token-child"), Some(hash("code-child")), 5_000, 50)
        .await
        .unwrap()
    else {
        panic!()
    };
    s.create_link_code(&lost, hash("code-pending"), 10_000)
        .await
        .unwrap();
    // The lost phone sets a recovery code of its own and registers with it.
    s.set_recovery_code(&lost, hash("thief-recovery"))
        .await
        .unwrap();
    let Registration::Done(restored) = s
        .register(hash("token-r"), Some(hash("thief-recovery")), 5_000, 50)
        .await
        .unwrap()
    else {
        panic!()
    };
    s.set_recovery_code(&lost, hash("thief-recovery-2"))
        .await
        .unwrap();
    let rows = s.devices(&dev.account_id).await.unwrap();
    let by = |id: &str| rows.iter().find(|r| r.device_id == id).cloned().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(by(&dev.device_id).linked_by, None);
    assert_eq!(
        by(&dev2.device_id).linked_by.as_deref(),
        Some(dev.device_id.as_str())
    );
    assert_eq!(
        by(&child.device_id).linked_by.as_deref(),
        Some(lost.device_id.as_str())
    );
    assert_eq!(by(&child.device_id).created_hour, 0, "rounded to the hour");
    assert_eq!(by(&child.device_id).seen_day, None);
    let stranger = Device {
        account_id: "someone-else".into(),
        device_id: dev.device_id.clone(),
    };
    assert!(
        s.delete_device(&stranger, &lost.device_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.authenticate(hash("token-u")).await.unwrap().is_some());
    let gone = s.delete_device(&dev, &lost.device_id).await.unwrap();
    assert_eq!(gone[0], lost.device_id, "the unlinked device first");
    let mut rest = gone[1..].to_vec();
    rest.sort();
    let mut linked = vec![child.device_id.clone(), restored.device_id.clone()];
    linked.sort();
    assert_eq!(rest, linked);
    assert_eq!(s.authenticate(hash("token-u")).await.unwrap(), None);
    assert_eq!(s.authenticate(hash("token-r")).await.unwrap(), None);
    assert_eq!(
        s.register(hash("token-r9"), Some(hash("thief-recovery-2")), 5_000, 50)
            .await
            .unwrap(),
        Registration::CodeGone,
        "the recovery code the unlinked device set went with it"
    );
    // A revoked device makes no codes, and one that went while its code
    // waited registers nothing.
    s.create_link_code(&lost, hash("late"), 10_000)
        .await
        .unwrap();
    assert_eq!(
        s.register(hash("token-l"), Some(hash("late")), 5_000, 50)
            .await
            .unwrap(),
        Registration::CodeGone
    );
    assert_eq!(s.authenticate(hash("token-child")).await.unwrap(), None);
    assert_eq!(
        s.register(hash("token-p"), Some(hash("code-pending")), 5_000, 50)
            .await
            .unwrap(),
        Registration::CodeGone,
        "the unlinked device's pending code went with it"
    );
    assert!(
        s.delete_device(&dev, &lost.device_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.authenticate(hash("token-b")).await.unwrap().is_some());
    assert_eq!(s.devices(&dev.account_id).await.unwrap().len(), 2);

    // Last seen: kept to the day, never moved back.
    s.touch_device(&dev2.device_id, 2 * 86_400_000)
        .await
        .unwrap();
    s.touch_device(&dev2.device_id, 86_400_000).await.unwrap();
    let rows = s.devices(&dev.account_id).await.unwrap();
    let seen = rows.iter().find(|r| r.device_id == dev2.device_id).unwrap();
    assert_eq!(seen.seen_day, Some(2 * 86_400_000));

    // A device's box key: set once by the device, the same again taken,
    // another refused and the first kept; listed with the device.
    assert_eq!(seen.box_key, None);
    assert!(s.set_box_key(&dev2, [7; 32]).await.unwrap());
    assert!(s.set_box_key(&dev2, [7; 32]).await.unwrap());
    assert!(!s.set_box_key(&dev2, [8; 32]).await.unwrap());
    let rows = s.devices(&dev.account_id).await.unwrap();
    let keyed = rows.iter().find(|r| r.device_id == dev2.device_id).unwrap();
    assert_eq!(keyed.box_key.as_deref(), Some(&[7u8; 32][..]));
    let other = rows.iter().find(|r| r.device_id == dev.device_id).unwrap();
    assert_eq!(other.box_key, None, "only the device's own row");

    // Recovery codes: never expire, one per account, used up by a registration.
    s.set_recovery_code(&dev, hash("recovery-1")).await.unwrap();
    s.set_recovery_code(&dev, hash("recovery-2")).await.unwrap();
    assert_eq!(
        s.register(hash("token-r1"), Some(hash("recovery-1")), i64::MAX - 1, 50)
            .await
            .unwrap(),
        Registration::CodeGone,
        "a replaced recovery code is retired"
    );
    let Registration::Done(restored) = s
        .register(hash("token-r2"), Some(hash("recovery-2")), i64::MAX - 1, 50)
        .await
        .unwrap()
    else {
        panic!("a recovery code works at any time")
    };
    assert_eq!(restored.account_id, dev.account_id);
    assert_eq!(
        s.register(hash("token-r3"), Some(hash("recovery-2")), 1, 50)
            .await
            .unwrap(),
        Registration::CodeGone,
        "used up"
    );
    assert_eq!(
        s.register(hash("token-c"), Some(hash("code2")), 5_000, 50)
            .await
            .unwrap(),
        Registration::CodeGone,
        "used"
    );

    // Spaces and membership.
    let a = dev.account_id.clone();
    let b = account(&s).await;
    let space = new_id();
    s.create_space(&a, &space, 1).await.unwrap();
    assert!(s.membership(&a, &space).await.unwrap().unwrap().owner);
    assert_eq!(s.membership(&b, &space).await.unwrap(), None);

    // Invites.
    let inv = new_id();
    s.create_invite(&space, &inv, hash("secret"), 1_000)
        .await
        .unwrap();
    assert_eq!(
        s.redeem_invite(&inv, hash("wrong"), &b, 10, 3)
            .await
            .unwrap(),
        Redeemed::WrongSecret
    );
    assert_eq!(
        s.redeem_invite(&inv, hash("secret"), &b, 10, 3)
            .await
            .unwrap(),
        Redeemed::Joined {
            space_id: space.clone(),
            epoch: 0
        }
    );
    assert_eq!(
        s.redeem_invite(&inv, hash("secret"), &b, 10, 3)
            .await
            .unwrap(),
        Redeemed::Gone,
        "single use"
    );
    let m = s.membership(&b, &space).await.unwrap().unwrap();
    assert!(!m.owner);
    let inv2 = new_id();
    s.create_invite(&space, &inv2, hash("s2"), 1_000)
        .await
        .unwrap();
    assert_eq!(
        s.redeem_invite(&inv2, hash("s2"), &b, 2_000, 3)
            .await
            .unwrap(),
        Redeemed::Gone,
        "expired"
    );
    let inv3 = new_id();
    s.create_invite(&space, &inv3, hash("s3"), 1_000)
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            s.redeem_invite(&inv3, hash("x"), &b, 10, 3).await.unwrap(),
            Redeemed::WrongSecret
        );
    }
    assert_eq!(
        s.redeem_invite(&inv3, hash("s3"), &b, 10, 3).await.unwrap(),
        Redeemed::Gone,
        "burned"
    );

    // Push: gap-free, de-duplicated, idempotent.
    let seqs = s
        .push((0..5).map(|i| rec(&space, "d", i)).collect(), 1)
        .await
        .unwrap();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    let seqs = s
        .push(
            vec![
                rec(&space, "d", 3),
                rec(&space, "d", 5),
                rec(&space, "d", 5),
                rec(&space, "e", 6),
            ],
            1,
        )
        .await
        .unwrap();
    assert_eq!(seqs, vec![4, 6, 6, 7]);
    // Hashes that differ only past their first bytes are different records.
    let twin = |tail: u8| {
        let mut r = rec(&space, "d", 3);
        r.change_hash[31] ^= tail;
        r
    };
    let seqs = s.push(vec![twin(1), twin(2)], 1).await.unwrap();
    assert_eq!(seqs, vec![8, 9]);
    let seqs = s
        .push(vec![twin(2), rec(&space, "d", 3), twin(1)], 1)
        .await
        .unwrap();
    assert_eq!(seqs, vec![9, 4, 8]);

    // Concurrent pushes into one space from many tasks.
    let mut tasks = Vec::new();
    for t in 0..8 {
        let s = s.clone();
        let space = space.clone();
        tasks.push(tokio::spawn(async move {
            let mut all = Vec::new();
            for k in 0..5 {
                let batch = (0..10)
                    .map(|j| rec(&space, "c", 1000 + t * 100 + k * 10 + j))
                    .collect();
                all.extend(s.push(batch, 1).await.unwrap());
            }
            all
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    assert_eq!(all, (10..=409).collect::<Vec<i64>>(), "unique and gap-free");

    // One push retried while the first attempt is still being stored (its
    // answer was lost): stored once, the same seqs for every attempt.
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (s, space) = (s.clone(), space.clone());
            tokio::spawn(async move {
                let batch = (0..20).map(|j| rec(&space, "r", 5000 + j)).collect();
                s.push(batch, 1).await.unwrap()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), (410..=429).collect::<Vec<i64>>());
    }

    // Pull pages.
    let page = s.pull(&space, 0, 100).await.unwrap();
    assert_eq!(page.records.len(), 100);
    assert!(page.more);
    assert_eq!(page.head_seq, 429);
    assert_eq!(page.records[0].change_hash, rec(&space, "d", 0).change_hash);
    let page = s.pull(&space, 420, 100).await.unwrap();
    assert_eq!(
        page.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (421..=429).collect::<Vec<_>>()
    );
    assert!(!page.more);
    // Exactly the rest: no more. Nothing after the head: an empty page that
    // still tells the head and epoch.
    let page = s.pull(&space, 419, 10).await.unwrap();
    assert_eq!((page.records.len(), page.more), (10, false));
    let page = s.pull(&space, 429, 10).await.unwrap();
    assert!(page.records.is_empty() && !page.more);
    assert_eq!(page.head_seq, 429);
    let (c, empty) = (account(&s).await, new_id());
    s.create_space(&c, &empty, 1).await.unwrap();
    let page = s.pull(&empty, 0, 10).await.unwrap();
    assert!(page.records.is_empty() && !page.more);
    assert_eq!((page.head_seq, page.epoch), (0, 0));
    let heads = s.heads(&b).await.unwrap();
    assert_eq!((heads.len(), heads[0].head_seq), (1, 429));

    // Snapshots and compaction.
    let snap = |upto| StoredSnapshot {
        doc_id: "d".into(),
        upto_seq: upto,
        key_epoch: 0,
        nonce: vec![2; 24],
        ciphertext: vec![9; 50],
    };
    s.put_snapshot(&space, snap(4), 1, 2).await.unwrap();
    s.put_snapshot(&space, snap(2), 1, 2).await.unwrap();
    assert_eq!(
        s.snapshots(&space).await.unwrap()[0].upto_seq,
        4,
        "an older snapshot never replaces a newer one"
    );
    // The quota counts live snapshots: a second document fits, a third
    // does not, replacing one still does, and deleting an envelope (a
    // snapshot covering nothing) makes room. A document's snapshot that
    // compaction relies on is never deleted.
    let envelope = StoredSnapshot {
        doc_id: "envelope".into(),
        ..snap(0)
    };
    let third = StoredSnapshot {
        doc_id: "third".into(),
        ..snap(1)
    };
    assert_eq!(
        s.put_snapshot(&space, envelope.clone(), 1, 2)
            .await
            .unwrap(),
        SnapshotPut::Stored
    );
    assert_eq!(
        s.put_snapshot(&space, third.clone(), 1, 2).await.unwrap(),
        SnapshotPut::OverQuota
    );
    assert_eq!(
        s.put_snapshot(&space, snap(5), 1, 2).await.unwrap(),
        SnapshotPut::Stored
    );
    assert!(!s.delete_snapshot(&space, "d").await.unwrap());
    assert!(s.delete_snapshot(&space, "envelope").await.unwrap());
    assert!(!s.delete_snapshot(&space, "envelope").await.unwrap());
    assert_eq!(
        s.put_snapshot(&space, third, 1, 2).await.unwrap(),
        SnapshotPut::Stored
    );
    assert_eq!(s.snapshots(&space).await.unwrap().len(), 2);
    assert_eq!(s.compact(&space, "d").await.unwrap(), 5);
    assert_eq!(s.pull(&space, 0, 10).await.unwrap().records[0].seq, 6);

    // Removal and epochs.
    assert_eq!(s.remove_member(&space, &b).await.unwrap(), 1);
    assert_eq!(s.membership(&b, &space).await.unwrap(), None);
    assert_eq!(s.membership(&a, &space).await.unwrap().unwrap().epoch, 1);
    let spaces = s.spaces(&a).await.unwrap();
    assert_eq!((spaces[0].members, spaces[0].epoch), (1, 1));
    // A new epoch without removing anyone.
    assert_eq!(s.bump_epoch(&space).await.unwrap(), 2);
    assert_eq!(s.membership(&a, &space).await.unwrap().unwrap().epoch, 2);
    // From now on a new record under an older epoch is refused, and the
    // whole push with it; one already stored is answered as before (a
    // retry whose acknowledgement was lost).
    let head = s.pull(&space, 0, 100).await.unwrap().head_seq;
    let stored = s.pull(&space, 0, 100).await.unwrap().records[0].clone();
    let mut again = rec(&space, "d", 0);
    again.change_hash = stored.change_hash;
    let current = NewRecord {
        key_epoch: 2,
        ..rec(&space, "d", 900)
    };
    let stale = NewRecord {
        key_epoch: 1,
        ..rec(&space, "d", 901)
    };
    assert!(matches!(
        s.push(vec![current.clone(), stale], 1).await,
        Err(tandem_sync_server::storage::StorageError::StaleEpoch(sp)) if sp == space
    ));
    assert_eq!(s.pull(&space, 0, 100).await.unwrap().head_seq, head);
    assert_eq!(
        s.push(vec![again], 1).await.unwrap(),
        vec![stored.seq],
        "a record stored before the epoch moved keeps its seq"
    );
    assert_eq!(s.push(vec![current], 1).await.unwrap(), vec![head + 1]);

    // Erasure.
    let other = new_id();
    s.create_space(&b, &other, 1).await.unwrap();
    s.push(vec![rec(&other, "d", 1)], 1).await.unwrap();
    let inv4 = new_id();
    s.create_invite(&space, &inv4, hash("s4"), 1_000)
        .await
        .unwrap();
    s.redeem_invite(&inv4, hash("s4"), &b, 10, 3).await.unwrap();
    let gone = s.delete_account(&b).await.unwrap();
    assert_eq!((gone.spaces_deleted, gone.spaces_left), (1, 1));
    assert_eq!(
        s.authenticate(hash("token-b"))
            .await
            .unwrap()
            .map(|d| d.account_id),
        Some(a.clone()),
        "b's deletion leaves a's devices"
    );
    assert!(s.spaces(&b).await.unwrap().is_empty());
    assert_eq!(
        s.membership(&a, &space).await.unwrap().unwrap().epoch,
        3,
        "leaving starts a new epoch"
    );
    s.delete_account(&a).await.unwrap();
    assert_eq!(s.authenticate(token).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_conforms() {
    let (s, _dir) = sqlite();
    suite(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_conforms() {
    if let Some((s, _)) = fresh_postgres().await {
        suite(s).await;
    }
}
