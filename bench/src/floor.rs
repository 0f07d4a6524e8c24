//! The write benchmarks and their floors.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ROOT};
use chrono::{TimeZone, Utc};
use rusqlite::{Connection, params};
use tandem_core::craving::{CravingInput, Outcome};
use tandem_core::journal::JournalInput;
use tandem_core::{Clock, Durability, FixedClock, Options, Store, StoreKey};

use crate::stats::{self, Samples};

/// Entries written before measuring: half a heavy month (5 journal entries
/// or 10 cravings a day). Measured writes go on at the same pace, so they
/// land in month shards of realistic size, as a person's would.
const JOURNAL_PREFILL: usize = 75;
const CRAVING_PREFILL: usize = 150;

/// The floor's documents, one per month as the store shards them.
struct BareMonths {
    docs: HashMap<String, Automerge>,
    actor: ActorId,
}

impl BareMonths {
    fn new() -> Self {
        BareMonths {
            docs: HashMap::new(),
            actor: ActorId::random(),
        }
    }

    fn month(&mut self, clock: &FixedClock) -> &mut Automerge {
        let key = clock.now().format("%Y-%m").to_string();
        let actor = self.actor.clone();
        self.docs
            .entry(key)
            .or_insert_with(|| Automerge::new().with_actor(actor))
    }
}

fn store(dir: &Path, name: &str) -> (Store, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
    ));
    let mut s = Store::open_with(
        dir.join(name),
        Some(&StoreKey::generate()),
        Options {
            clock: clock.clone(),
            ..Options::default()
        },
    )
    .expect("open");
    s.init("Sam", "UTC").expect("init");
    (s, clock)
}

/// A bare SQLite database with the same durability and encryption, and a
/// table for the same bytes.
fn bare_db(dir: &Path, name: &str) -> Connection {
    let c =
        tandem_core::store::open_raw(&dir.join(name), Some(&StoreKey::generate())).expect("open");
    c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    c.pragma_update(None, "synchronous", "FULL").expect("sync");
    c.execute_batch(
        "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT, bytes BLOB);
         CREATE TABLE rows (id TEXT PRIMARY KEY, a INTEGER, b INTEGER, c TEXT, d TEXT, e TEXT);",
    )
    .expect("schema");
    c
}

/// A bare automerge change adding one map of `fields` at a random root key.
fn bare_change(doc: &mut Automerge, i: usize, fields: &[(&str, String)], list: &[&str]) -> Vec<u8> {
    let mut tx = doc.transaction();
    let id = format!("{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15);
    let obj = tx.put_object(ROOT, id, ObjType::Map).expect("map");
    for (k, v) in fields {
        tx.put(&obj, *k, v.as_str()).expect("put");
    }
    tx.put(&obj, "n1", i as i64).expect("put");
    tx.put(&obj, "n2", i as i64).expect("put");
    let l = tx.put_object(&obj, "list", ObjType::List).expect("list");
    for (j, v) in list.iter().enumerate() {
        tx.insert(&l, j, *v).expect("insert");
    }
    tx.commit();
    doc.get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec()
}

fn bare_write(conn: &mut Connection, i: usize, change: &[u8], text: &str) {
    let tx = conn.transaction().expect("tx");
    tx.execute(
        "INSERT INTO changes (doc_id, bytes) VALUES ('m', ?1)",
        [change],
    )
    .expect("insert");
    tx.execute(
        "INSERT INTO rows (id, a, b, c, d, e) VALUES (?1, ?2, ?2, ?3, 'UTC', '[]')",
        params![i.to_string(), i as i64, text],
    )
    .expect("insert");
    tx.commit().expect("commit");
}

/// Runs `real` and `floor` alternately `n` times and reports the ratio.
fn alternate(name: &str, n: usize, mut real: impl FnMut(usize), mut floor: impl FnMut(usize)) {
    let (mut r, mut f) = (Samples::default(), Samples::default());
    for i in 0..n {
        let t = Instant::now();
        real(i);
        r.push(t.elapsed());
        let t = Instant::now();
        floor(i);
        f.push(t.elapsed());
    }
    stats::report(name, &r, Some(&f));
}

const TEXT: &str = "Went to the evening meeting, talked to Sam afterwards. The pull was strong at lunch; took a walk and it passed.";

/// `write_journal` against its floor.
pub fn write_journal(dir: &Path, n: usize) {
    let (mut s, clock) = store(dir, "wj.db");
    let mut months = BareMonths::new();
    let mut conn = bare_db(dir, "wj-floor.db");
    let fields = [("text", TEXT.to_owned()), ("tz", "UTC".to_owned())];
    let step = chrono::Duration::minutes(24 * 60 / 5);
    let input = || JournalInput {
        text: TEXT.into(),
        mood: Some(3),
        tags: vec!["meeting".into()],
    };
    for i in 0..JOURNAL_PREFILL {
        s.add_journal(input()).expect("write");
        bare_change(months.month(&clock), i, &fields, &["meeting"]);
        clock.advance(step);
    }
    let clock2 = clock.clone();
    alternate(
        "write_journal",
        n,
        |_| {
            s.add_journal(input()).expect("write");
        },
        |i| {
            let change = bare_change(
                months.month(&clock2),
                JOURNAL_PREFILL + i,
                &fields,
                &["meeting"],
            );
            bare_write(&mut conn, i, &change, TEXT);
            clock2.advance(step);
        },
    );
}

/// `write_craving` against its floor.
pub fn write_craving(dir: &Path, n: usize) {
    let (mut s, clock) = store(dir, "wc.db");
    let mut months = BareMonths::new();
    let mut conn = bare_db(dir, "wc-floor.db");
    let step = chrono::Duration::minutes(24 * 60 / 10);
    let input = || CravingInput {
        trigger: "payday".into(),
        intensity: 7,
        situation: vec!["home".into(), "alone".into()],
        helped: vec!["call mentor".into()],
        outcome: Some(Outcome::Resisted),
        note: "Called Sam, it passed.".into(),
        at: None,
    };
    let fields = vec![
        ("trigger", "payday".to_owned()),
        ("tz", "UTC".to_owned()),
        ("note", "Called Sam, it passed.".to_owned()),
        ("outcome", "resisted".to_owned()),
    ];
    for i in 0..CRAVING_PREFILL {
        s.add_craving(input()).expect("write");
        bare_change(
            months.month(&clock),
            i,
            &fields,
            &["home", "alone", "call mentor"],
        );
        clock.advance(step);
    }
    let clock2 = clock.clone();
    alternate(
        "write_craving",
        n,
        |_| {
            s.add_craving(input()).expect("write");
        },
        |i| {
            let change = bare_change(
                months.month(&clock2),
                CRAVING_PREFILL + i,
                &fields,
                &["home", "alone", "call mentor"],
            );
            bare_write(&mut conn, i, &change, "payday");
            clock2.advance(step);
        },
    );
}

/// What encryption at rest costs a write: the same journal write on an
/// encrypted store against a plain one, alternately.
pub fn encryption_cost(dir: &Path, n: usize) {
    let open = |name: &str, key: Option<StoreKey>| {
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        ));
        let mut s = Store::open_with(
            dir.join(name),
            key.as_ref(),
            Options {
                clock,
                ..Options::default()
            },
        )
        .expect("open");
        s.init("Sam", "UTC").expect("init");
        s
    };
    let mut encrypted = open("encrypted.db", Some(StoreKey::generate()));
    let mut plain = open("plain.db", None);
    let input = || JournalInput {
        text: TEXT.into(),
        mood: Some(3),
        tags: vec!["meeting".into()],
    };
    alternate(
        "write_journal_encrypted_vs_plain",
        n,
        |_| {
            encrypted.add_journal(input()).expect("write");
        },
        |_| {
            plain.add_journal(input()).expect("write");
        },
    );
}

/// What `synchronous=FULL` costs: the same journal write on a store with
/// `FULL` against one with `NORMAL`, alternately.
pub fn durability_cost(dir: &Path, n: usize) {
    let open = |name: &str, durability: Durability| {
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        ));
        let mut s = Store::open_with(
            dir.join(name),
            Some(&StoreKey::generate()),
            Options {
                durability,
                clock,
                ..Options::default()
            },
        )
        .expect("open");
        s.init("Sam", "UTC").expect("init");
        s
    };
    let mut full = open("full.db", Durability::Full);
    let mut normal = open("normal.db", Durability::Normal);
    let input = || JournalInput {
        text: TEXT.into(),
        mood: Some(3),
        tags: vec!["meeting".into()],
    };
    alternate(
        "write_journal_sync_full_vs_normal",
        n,
        |_| {
            full.add_journal(input()).expect("write");
        },
        |_| {
            normal.add_journal(input()).expect("write");
        },
    );
}
