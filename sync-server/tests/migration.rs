//! A SQLite database from before schema versions were recorded (version 1)
//! is upgraded on open: every record, seq and head is kept, de-duplication
//! still answers with the stored seqs, and the schema becomes a new
//! database's.

use rusqlite::{Connection, params};
use tandem_sync_server::secret::hash;
use tandem_sync_server::storage::sqlite::{self, SqliteStorage};
use tandem_sync_server::storage::{NewRecord, Storage};

const SPACES: [&str; 2] = [
    "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
    "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
];

fn change_hash(space: usize, i: u8) -> [u8; 32] {
    let mut h = [i; 32];
    h[0] = space as u8;
    h
}

/// Writes a version-1 database: two spaces of 30 records each, with the
/// rows an old server would have written.
fn write_version_1(path: &std::path::Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(sqlite::V1).unwrap();
    c.execute(
        "INSERT INTO accounts (id, created_hour) VALUES ('acct', 1)",
        [],
    )
    .unwrap();
    c.execute(
        "INSERT INTO devices (id, account_id, token_hash, created_hour) VALUES ('dev', 'acct', ?1, 1)",
        [&hash("token")[..]],
    )
    .unwrap();
    for (n, space) in SPACES.iter().enumerate() {
        c.execute(
            "INSERT INTO spaces (id, owner, head_seq, created_hour) VALUES (?1, 'acct', 30, 1)",
            [space],
        )
        .unwrap();
        c.execute(
            "INSERT INTO members (space_id, account_id) VALUES (?1, 'acct')",
            [space],
        )
        .unwrap();
        for i in 1..=30u8 {
            c.execute(
                "INSERT INTO records (space_id, seq, doc_id, change_hash, key_epoch, nonce, ciphertext)
                 VALUES (?1, ?2, 'doc', ?3, 0, ?4, ?5)",
                params![space, i64::from(i), &change_hash(n, i)[..], vec![i; 24], vec![i; 300]],
            )
            .unwrap();
        }
    }
}

fn schema(path: &std::path::Path) -> Vec<(String, Option<String>)> {
    Connection::open(path)
        .unwrap()
        .prepare("SELECT name, sql FROM sqlite_master ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_version_1_database_is_upgraded_with_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    write_version_1(&old);
    let fresh = dir.path().join("fresh.db");
    drop(SqliteStorage::open(&fresh).unwrap());

    let s = SqliteStorage::open(&old).unwrap();
    for (n, space) in SPACES.iter().enumerate() {
        let page = s.pull(space, 0, 100).await.unwrap();
        assert_eq!(page.head_seq, 30);
        assert!(!page.more);
        let got: Vec<(i64, [u8; 32], Vec<u8>)> = page
            .records
            .into_iter()
            .map(|r| (r.seq, r.change_hash, r.ciphertext))
            .collect();
        let want: Vec<(i64, [u8; 32], Vec<u8>)> = (1..=30u8)
            .map(|i| (i64::from(i), change_hash(n, i), vec![i; 300]))
            .collect();
        assert_eq!(got, want);
    }
    // A retried push finds the old records; a new one continues the seqs.
    let record = |n: usize, i: u8| NewRecord {
        space_id: SPACES[n].into(),
        doc_id: "doc".into(),
        change_hash: change_hash(n, i),
        key_epoch: 0,
        nonce: vec![i; 24],
        ciphertext: vec![i; 300],
    };
    let seqs = s
        .push(vec![record(0, 7), record(1, 30), record(0, 31)], 1)
        .await
        .unwrap();
    assert_eq!(seqs, vec![7, 30, 31]);
    assert_eq!(
        s.authenticate(hash("token"))
            .await
            .unwrap()
            .unwrap()
            .device_id,
        "dev"
    );
    drop(s);
    assert_eq!(schema(&old), schema(&fresh));
    let version: i64 = Connection::open(&old)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, sqlite::VERSION);

    // Opening again changes nothing, and erasing the account still takes
    // its spaces' records with it.
    let s = SqliteStorage::open(&old).unwrap();
    assert_eq!(s.pull(SPACES[0], 30, 10).await.unwrap().records.len(), 1);
    let gone = s.delete_account("acct").await.unwrap();
    assert_eq!(gone.spaces_deleted, 2);
    drop(s);
    let left: i64 = Connection::open(&old)
        .unwrap()
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn a_database_from_a_newer_server_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(SqliteStorage::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", sqlite::VERSION + 1)
        .unwrap();
    assert!(SqliteStorage::open(&path).is_err());
}
