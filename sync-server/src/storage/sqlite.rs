//! SQLite storage: the embedded default for one machine.
//!
//! All writes go through one writer thread that commits in groups: it takes
//! every job waiting in its queue, runs them in one transaction, commits
//! once (one fsync with `synchronous=FULL`), and only then answers each job
//! (should one fail, the group is rolled back and each job retried alone).
//! An acknowledged push is therefore on disk, and many concurrent pushes
//! share one fsync. Reads use a small pool of read-only connections, which
//! WAL mode lets run beside the writer.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use tandem_protocol::{AccountDeleted, SpaceHead, SpaceInfo};
use tokio::sync::oneshot;

use super::{
    Device, Membership, NewRecord, Page, Record, Redeemed, Registration, Storage, StorageError,
    StorageResult, StoredSnapshot, coarse, hash32,
};
use crate::secret::{Hash, new_id, same};

/// The schema version this build writes (`PRAGMA user_version`). A database
/// at 0 is new or from before versions were recorded; each step below is
/// frozen SQL, and a database replays the steps it lacks in one transaction.
pub const VERSION: i64 = 2;

/// Version 1: accounts, devices, spaces, invites, records, snapshots.
pub const V1: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    id           TEXT PRIMARY KEY,
    created_hour INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    created_hour INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS devices_by_account ON devices(account_id);
CREATE TABLE IF NOT EXISTS link_codes (
    code_hash  BLOB PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    expires_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS spaces (
    id           TEXT PRIMARY KEY,
    owner        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    epoch        INTEGER NOT NULL DEFAULT 0,
    head_seq     INTEGER NOT NULL DEFAULT 0,
    created_hour INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS spaces_by_owner ON spaces(owner);
CREATE TABLE IF NOT EXISTS members (
    space_id   TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (space_id, account_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_account ON members(account_id);
CREATE TABLE IF NOT EXISTS invites (
    id          TEXT PRIMARY KEY,
    space_id    TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    secret_hash BLOB NOT NULL,
    expires_ms  INTEGER NOT NULL,
    wrong       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS records (
    space_id    TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    doc_id      TEXT NOT NULL,
    change_hash BLOB NOT NULL,
    key_epoch   INTEGER NOT NULL,
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL,
    PRIMARY KEY (space_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS records_by_hash ON records(space_id, change_hash);
CREATE TABLE IF NOT EXISTS snapshots (
    space_id    TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    doc_id      TEXT NOT NULL,
    upto_seq    INTEGER NOT NULL,
    key_epoch   INTEGER NOT NULL,
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL,
    stored_hour INTEGER NOT NULL,
    PRIMARY KEY (space_id, doc_id)
) WITHOUT ROWID;
";

/// Version 2: a push writes fewer pages. Every record was also an entry of
/// a unique `(space_id, change_hash)` index, about 75 bytes each, landing on
/// a random page: a push of 100 records dirtied some 120 pages of it. Spaces
/// now have a small number (`space_nums`), records are keyed by it, and the
/// de-duplication index holds the hash's first 8 bytes (about 17 bytes an
/// entry; a push checks the whole hash in the row it finds): some 70 pages.
pub const V2: &str = "
CREATE TABLE space_nums (
    num      INTEGER PRIMARY KEY,
    space_id TEXT NOT NULL UNIQUE REFERENCES spaces(id) ON DELETE CASCADE
);
INSERT INTO space_nums (space_id) SELECT id FROM spaces ORDER BY id;
CREATE TABLE records_v2 (
    space       INTEGER NOT NULL REFERENCES space_nums(num) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    doc_id      TEXT NOT NULL,
    change_hash BLOB NOT NULL,
    key_epoch   INTEGER NOT NULL,
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL,
    PRIMARY KEY (space, seq)
) WITHOUT ROWID;
INSERT INTO records_v2 (space, seq, doc_id, change_hash, key_epoch, nonce, ciphertext)
    SELECT n.num, r.seq, r.doc_id, r.change_hash, r.key_epoch, r.nonce, r.ciphertext
    FROM records r JOIN space_nums n ON n.space_id = r.space_id;
DROP TABLE records;
ALTER TABLE records_v2 RENAME TO records;
CREATE INDEX records_by_hash ON records(space, substr(change_hash, 1, 8));
";

/// Brings the database behind `conn` to [`VERSION`] in one transaction.
fn migrate(conn: &mut Connection) -> StorageResult<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > VERSION {
        return Err(StorageError::Database(format!(
            "the database is at schema {version}, newer than this server's {VERSION}"
        )));
    }
    if version == VERSION {
        return Ok(());
    }
    let tx = conn.transaction()?;
    tx.execute_batch(V1)?;
    if version < 2 {
        tx.execute_batch(V2)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Most jobs folded into one commit.
const GROUP_MAX: usize = 512;
/// Read connections kept open.
const READERS: usize = 32;
/// The writer's page cache: the pages of the `(space, change_hash)` index
/// that every push inserts into at random stay in memory.
const WRITER_CACHE_KIB: i64 = 8 * 1024;
/// A reader's page cache. Readers look up tokens and memberships (a few
/// pages, always hot) and stream pulls (pages read once); a large cache per
/// reader only held memory, up to 32 times over.
const READER_CACHE_KIB: i64 = 512;

/// What all of SQLite's caches together may hold before they stop growing
/// (a soft limit: a cache over it recycles its least recently used pages).
/// The writer's cache and a handful of busy readers fit; 32 readers' caches
/// filled by pulls no longer add up on top of it.
const SQLITE_HEAP_BYTES: i64 = 16 * 1024 * 1024;

/// One write waiting for the next group commit.
trait Job: Send {
    /// Runs the write inside the group's transaction; false if it failed.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the group's fate is known.
    fn finish(self: Box<Self>, committed: bool);
}

struct Write<F, T> {
    f: F,
    result: Option<StorageResult<T>>,
    reply: oneshot::Sender<StorageResult<T>>,
}

impl<F, T> Job for Write<F, T>
where
    F: Fn(&Connection) -> StorageResult<T> + Send,
    T: Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let r = (self.f)(conn);
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn finish(self: Box<Self>, committed: bool) {
        let answer = match self.result {
            Some(Err(e)) => Err(e),
            Some(Ok(v)) if committed => Ok(v),
            _ => Err(StorageError::Database("the commit failed".into())),
        };
        let _ = self.reply.send(answer);
    }
}

/// SQLite storage.
pub struct SqliteStorage {
    path: PathBuf,
    writer: Mutex<mpsc::Sender<Box<dyn Job>>>,
    readers: Mutex<Vec<Connection>>,
}

fn configure(conn: &Connection, cache_kib: i64) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

impl SqliteStorage {
    /// Opens (or creates) the database at `path` and starts the writer thread.
    pub fn open(path: &Path) -> StorageResult<Self> {
        let mut conn = Connection::open(path)?;
        // Process-wide: past this, every connection's cache reuses its own
        // pages instead of growing.
        conn.pragma_update(None, "soft_heap_limit", SQLITE_HEAP_BYTES)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        configure(&conn, WRITER_CACHE_KIB)?;
        migrate(&mut conn)?;
        // The writer checkpoints between its groups (see `writer_loop`);
        // a commit never copies the WAL back itself.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", WAL_KEEP_BYTES as i64)?;
        let checkpointer = Connection::open(path)?;
        configure(&checkpointer, READER_CACHE_KIB)?;
        checkpointer.busy_timeout(RESTART_PATIENCE)?;
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn({
                let wal = PathBuf::from(format!("{}-wal", path.display()));
                move || checkpoint_loop(checkpointer, wal)
            })
            .map_err(|e| StorageError::Database(e.to_string()))?;
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StorageError::Database(e.to_string()))?;
        Ok(SqliteStorage {
            path: path.to_path_buf(),
            writer: Mutex::new(tx),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on the writer thread inside the next group commit; answers
    /// after the commit. `f` may run twice: if another write in its group
    /// fails, the group is rolled back and each write is retried alone.
    async fn write<T: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> StorageResult<T> + Send + 'static,
    ) -> StorageResult<T> {
        let (reply, rx) = oneshot::channel::<StorageResult<T>>();
        let job: Box<dyn Job> = Box::new(Write {
            f,
            result: None,
            reply,
        });
        self.writer
            .lock()
            .map_err(|_| StorageError::Unavailable("writer lock poisoned".into()))?
            .send(job)
            .map_err(|_| StorageError::Unavailable("the writer stopped".into()))?;
        rx.await
            .map_err(|_| StorageError::Unavailable("the writer stopped".into()))?
    }

    /// Runs a short point lookup (microseconds) on a read connection right
    /// here: handing it to another thread would cost more than the query.
    fn lookup<T>(&self, f: impl FnOnce(&Connection) -> StorageResult<T>) -> StorageResult<T> {
        let conn = match self.readers.lock().ok().and_then(|mut v| v.pop()) {
            Some(c) => c,
            None => self.open_reader()?,
        };
        let result = f(&conn);
        self.give_back(conn);
        result
    }

    fn open_reader(&self) -> StorageResult<Connection> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&c, READER_CACHE_KIB)?;
        Ok(c)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < READERS
        {
            pool.push(conn);
        }
    }

    /// Runs `f` on a read connection off the async threads (for longer reads).
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StorageResult<T> + Send + 'static,
    ) -> StorageResult<T> {
        let conn = match self.readers.lock().ok().and_then(|mut v| v.pop()) {
            Some(c) => c,
            None => self.open_reader()?,
        };
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let r = f(&conn);
            (conn, r)
        })
        .await
        .map_err(|e| StorageError::Database(e.to_string()))?;
        self.give_back(conn);
        result
    }
}

/// Copies committed frames back into the database file off the writer's
/// thread, many times a second (PASSIVE: it never blocks the writer), so
/// that the writer's own checkpoint (see [`writer_loop`]) has only the last
/// few frames left to copy. Should the WAL still fail to start over for
/// long (a reader that never lets go, or a slow disk), a RESTART checkpoint
/// here waits for the readers, holding the writer, but at most
/// [`RESTART_PATIENCE`] before it gives up until the next second.
fn checkpoint_loop(conn: Connection, wal: PathBuf) {
    let mut last_restart_check = std::time::Instant::now();
    loop {
        std::thread::sleep(BACKGROUND_CHECKPOINT_EVERY);
        let mut result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        if last_restart_check.elapsed() >= std::time::Duration::from_secs(1) {
            last_restart_check = std::time::Instant::now();
            let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
            if result.is_ok() && size > WAL_RESTART_BYTES {
                result = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
            }
        }
        if let Err(e) = result {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }
}

/// How often the background checkpointer copies frames back.
const BACKGROUND_CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(20);
/// How long the safety valve's RESTART waits for readers and the writer.
/// Writers wait while it does: with the connections' usual 10 s, one RESTART
/// behind a slow disk held every push for 10.5 s.
const RESTART_PATIENCE: std::time::Duration = std::time::Duration::from_millis(100);
/// WAL size past which the safety valve forces the WAL to start over.
const WAL_RESTART_BYTES: u64 = 64 * 1024 * 1024;
/// What the WAL file is trimmed to when it starts over.
const WAL_KEEP_BYTES: u64 = 16 * 1024 * 1024;
/// How often the writer copies committed frames back into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// The writer takes every write waiting, commits them as one group and
/// answers their callers; every [`CHECKPOINT_EVERY`] it also checkpoints
/// itself (PASSIVE), between two groups. The background checkpointer has
/// copied nearly everything by then, so this pass copies only the last few
/// frames, and because no commit can land meanwhile it catches up with the
/// end of the WAL whenever no reader still reads older frames. The next
/// commit then starts the WAL over from its beginning: the file stays small,
/// and the RESTART that holds writers while it waits for readers is left to
/// the safety valve.
fn writer_loop(conn: Connection, rx: mpsc::Receiver<Box<dyn Job>>) {
    let mut last_checkpoint = std::time::Instant::now();
    // Whether anything was committed since the last checkpoint.
    let mut dirty = false;
    loop {
        let first = match rx.recv_timeout(CHECKPOINT_EVERY) {
            Ok(job) => Some(job),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if dirty && last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "checkpoint failed");
            }
            last_checkpoint = std::time::Instant::now();
            dirty = false;
        }
        let Some(first) = first else { continue };
        dirty = true;
        let mut jobs = vec![first];
        while jobs.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if run_group(&conn, &mut jobs) {
            for job in jobs {
                job.finish(true);
            }
            continue;
        }
        // Something in the group failed: retry each write in its own transaction.
        for mut job in jobs {
            let committed = run_group(&conn, std::slice::from_mut(&mut job));
            job.finish(committed);
        }
    }
}

/// Runs `jobs` in one transaction; true if all ran and the commit succeeded.
fn run_group(conn: &Connection, jobs: &mut [Box<dyn Job>]) -> bool {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "could not begin a write transaction");
        return false;
    }
    let all_ran = jobs.iter_mut().all(|job| job.run(conn));
    if all_ran && conn.execute_batch("COMMIT").is_ok() {
        return true;
    }
    let _ = conn.execute_batch("ROLLBACK");
    false
}

fn new_device(
    conn: &Connection,
    account: &str,
    token: &Hash,
    now_ms: i64,
) -> StorageResult<Device> {
    let device_id = new_id();
    conn.prepare_cached(
        "INSERT INTO devices (id, account_id, token_hash, created_hour) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![device_id, account, &token[..], coarse(now_ms)])?;
    Ok(Device {
        account_id: account.to_owned(),
        device_id,
    })
}

fn space_info(conn: &Connection, account: &str) -> StorageResult<Vec<SpaceInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.owner = ?1, s.epoch, (SELECT COUNT(*) FROM members m2 WHERE m2.space_id = s.id), s.head_seq
         FROM members m JOIN spaces s ON s.id = m.space_id WHERE m.account_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([account], |r| {
        Ok(SpaceInfo {
            space_id: r.get(0)?,
            owner: r.get(1)?,
            epoch: r.get(2)?,
            members: r.get(3)?,
            head_seq: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn ready(&self) -> StorageResult<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn register(
        &self,
        token: Hash,
        link_code: Option<Hash>,
        now_ms: i64,
    ) -> StorageResult<Registration> {
        self.write(move |c| {
            let account = match link_code {
                Some(code) => {
                    let found: Option<(Vec<u8>, String, i64)> = c
                        .query_row(
                            "SELECT code_hash, account_id, expires_ms FROM link_codes WHERE code_hash = ?1",
                            [&code[..]],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                        )
                        .optional()?;
                    c.execute("DELETE FROM link_codes WHERE code_hash = ?1", [&code[..]])?;
                    match found {
                        Some((stored, account, expires)) if same(&stored, &code) && expires > now_ms => account,
                        _ => return Ok(Registration::CodeGone),
                    }
                }
                None => {
                    let account = new_id();
                    c.execute("INSERT INTO accounts (id, created_hour) VALUES (?1, ?2)", params![account, coarse(now_ms)])?;
                    account
                }
            };
            Ok(Registration::Done(new_device(c, &account, &token, now_ms)?))
        })
        .await
    }

    async fn create_link_code(
        &self,
        account: &str,
        code: Hash,
        expires_ms: i64,
    ) -> StorageResult<()> {
        let account = account.to_owned();
        self.write(move |c| {
            c.execute(
                "INSERT INTO link_codes (code_hash, account_id, expires_ms) VALUES (?1, ?2, ?3)",
                params![&code[..], account, expires_ms],
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_device(&self, account: &str, device_id: &str) -> StorageResult<bool> {
        let (account, device_id) = (account.to_owned(), device_id.to_owned());
        self.write(move |c| {
            Ok(c.execute(
                "DELETE FROM devices WHERE id = ?1 AND account_id = ?2",
                params![device_id, account],
            )? > 0)
        })
        .await
    }

    async fn set_recovery_code(&self, account: &str, code: Hash) -> StorageResult<()> {
        let account = account.to_owned();
        self.write(move |c| {
            c.execute(
                "DELETE FROM link_codes WHERE account_id = ?1 AND expires_ms = ?2",
                params![account, super::RECOVERY_EXPIRES_MS],
            )?;
            c.execute(
                "INSERT OR REPLACE INTO link_codes (code_hash, account_id, expires_ms) VALUES (?1, ?2, ?3)",
                params![&code[..], account, super::RECOVERY_EXPIRES_MS],
            )?;
            Ok(())
        })
        .await
    }

    async fn authenticate(&self, token: Hash) -> StorageResult<Option<Device>> {
        self.lookup(move |c| {
            let row: Option<(String, String, Vec<u8>)> = c
                .prepare_cached(
                    "SELECT id, account_id, token_hash FROM devices WHERE token_hash = ?1",
                )?
                .query_row([&token[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            Ok(row.filter(|(_, _, stored)| same(stored, &token)).map(
                |(device_id, account_id, _)| Device {
                    account_id,
                    device_id,
                },
            ))
        })
    }

    async fn create_space(&self, account: &str, space_id: &str, now_ms: i64) -> StorageResult<()> {
        let (account, space) = (account.to_owned(), space_id.to_owned());
        self.write(move |c| {
            c.execute(
                "INSERT INTO spaces (id, owner, created_hour) VALUES (?1, ?2, ?3)",
                params![space, account, coarse(now_ms)],
            )?;
            c.execute("INSERT INTO space_nums (space_id) VALUES (?1)", [&space])?;
            c.execute(
                "INSERT INTO members (space_id, account_id) VALUES (?1, ?2)",
                params![space, account],
            )?;
            Ok(())
        })
        .await
    }

    async fn spaces(&self, account: &str) -> StorageResult<Vec<SpaceInfo>> {
        let account = account.to_owned();
        self.read(move |c| space_info(c, &account)).await
    }

    async fn membership(&self, account: &str, space: &str) -> StorageResult<Option<Membership>> {
        self.lookup(move |c| {
            Ok(c.prepare_cached(
                "SELECT s.owner = ?1, s.epoch FROM members m JOIN spaces s ON s.id = m.space_id
                 WHERE m.space_id = ?2 AND m.account_id = ?1",
            )?
            .query_row(params![account, space], |r| {
                Ok(Membership {
                    owner: r.get(0)?,
                    epoch: r.get(1)?,
                })
            })
            .optional()?)
        })
    }

    async fn create_invite(
        &self,
        space: &str,
        invite_id: &str,
        secret: Hash,
        expires_ms: i64,
    ) -> StorageResult<()> {
        let (space, id) = (space.to_owned(), invite_id.to_owned());
        self.write(move |c| {
            c.execute(
                "INSERT INTO invites (id, space_id, secret_hash, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                params![id, space, &secret[..], expires_ms],
            )?;
            Ok(())
        })
        .await
    }

    async fn redeem_invite(
        &self,
        invite_id: &str,
        secret: Hash,
        account: &str,
        now_ms: i64,
        max_wrong: u32,
    ) -> StorageResult<Redeemed> {
        let (id, account) = (invite_id.to_owned(), account.to_owned());
        self.write(move |c| {
            let found: Option<(String, Vec<u8>, i64, u32)> = c
                .query_row(
                    "SELECT space_id, secret_hash, expires_ms, wrong FROM invites WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((space, stored, expires, wrong)) = found else {
                return Ok(Redeemed::Gone);
            };
            if expires <= now_ms || wrong >= max_wrong {
                c.execute("DELETE FROM invites WHERE id = ?1", [&id])?;
                return Ok(Redeemed::Gone);
            }
            if !same(&stored, &secret) {
                if wrong + 1 >= max_wrong {
                    c.execute("DELETE FROM invites WHERE id = ?1", [&id])?;
                } else {
                    c.execute("UPDATE invites SET wrong = wrong + 1 WHERE id = ?1", [&id])?;
                }
                return Ok(Redeemed::WrongSecret);
            }
            c.execute("DELETE FROM invites WHERE id = ?1", [&id])?;
            c.execute(
                "INSERT OR IGNORE INTO members (space_id, account_id) VALUES (?1, ?2)",
                params![space, account],
            )?;
            let epoch: u32 =
                c.query_row("SELECT epoch FROM spaces WHERE id = ?1", [&space], |r| {
                    r.get(0)
                })?;
            Ok(Redeemed::Joined {
                space_id: space,
                epoch,
            })
        })
        .await
    }

    async fn remove_member(&self, space: &str, member: &str) -> StorageResult<u32> {
        let (space, member) = (space.to_owned(), member.to_owned());
        self.write(move |c| {
            c.execute(
                "DELETE FROM members WHERE space_id = ?1 AND account_id = ?2",
                params![space, member],
            )?;
            Ok(c.query_row(
                "UPDATE spaces SET epoch = epoch + 1 WHERE id = ?1 RETURNING epoch",
                [&space],
                |r| r.get(0),
            )?)
        })
        .await
    }

    async fn push(&self, records: Vec<NewRecord>, _now_ms: i64) -> StorageResult<Vec<i64>> {
        self.write(move |c| {
            // Per space named: its number and its head so far.
            let mut heads: std::collections::HashMap<String, (i64, i64)> =
                std::collections::HashMap::new();
            let mut seqs = Vec::with_capacity(records.len());
            let mut insert = c.prepare_cached(
                "INSERT INTO records (space, seq, doc_id, change_hash, key_epoch, nonce, ciphertext)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            // The index finds the rows whose hash starts the same; the row
            // decides. Named, because without statistics the planner would
            // rather walk the space's whole primary key.
            let mut existing = c.prepare_cached(
                "SELECT seq FROM records INDEXED BY records_by_hash
                 WHERE space = ?1 AND substr(change_hash, 1, 8) = ?2 AND change_hash = ?3",
            )?;
            let mut space_of = c.prepare_cached(
                "SELECT n.num, s.head_seq FROM spaces s JOIN space_nums n ON n.space_id = s.id
                 WHERE s.id = ?1",
            )?;
            for r in &records {
                if !heads.contains_key(&r.space_id) {
                    let found =
                        space_of.query_row([&r.space_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    heads.insert(r.space_id.clone(), found);
                }
                let (num, head) = heads.get_mut(&r.space_id).expect("inserted above");
                let hash = &r.change_hash[..];
                let known: Option<i64> = existing
                    .query_row(params![*num, &hash[..8], hash], |row| row.get(0))
                    .optional()?;
                if let Some(seq) = known {
                    seqs.push(seq);
                    continue;
                }
                *head += 1;
                insert.execute(params![
                    *num,
                    *head,
                    r.doc_id,
                    hash,
                    r.key_epoch,
                    r.nonce,
                    r.ciphertext
                ])?;
                seqs.push(*head);
            }
            let mut update = c.prepare_cached("UPDATE spaces SET head_seq = ?2 WHERE id = ?1")?;
            for (space, (_, head)) in heads {
                update.execute(params![space, head])?;
            }
            Ok(seqs)
        })
        .await
    }

    async fn pull(&self, space: &str, after: i64, limit: u32) -> StorageResult<Page> {
        let space = space.to_owned();
        self.read(move |c| {
            let (num, head_seq, epoch): (i64, i64, u32) = c
                .prepare_cached(
                    "SELECT n.num, s.head_seq, s.epoch FROM spaces s
                     JOIN space_nums n ON n.space_id = s.id WHERE s.id = ?1",
                )?
                .query_row([&space], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let mut stmt = c.prepare_cached(
                "SELECT seq, doc_id, change_hash, key_epoch, nonce, ciphertext FROM records
                 WHERE space = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let records: Vec<Record> = stmt
                .query_map(params![num, after, i64::from(limit) + 1], |r| {
                    Ok(Record {
                        seq: r.get(0)?,
                        doc_id: r.get(1)?,
                        change_hash: hash32(r.get(2)?),
                        key_epoch: r.get(3)?,
                        nonce: r.get(4)?,
                        ciphertext: r.get(5)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let more = records.len() > limit as usize;
            let mut records = records;
            records.truncate(limit as usize);
            Ok(Page {
                records,
                more,
                head_seq,
                epoch,
            })
        })
        .await
    }

    async fn heads(&self, account: &str) -> StorageResult<Vec<SpaceHead>> {
        let account = account.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT s.id, s.head_seq, s.epoch FROM members m JOIN spaces s ON s.id = m.space_id
                 WHERE m.account_id = ?1 ORDER BY s.id",
            )?;
            let rows = stmt.query_map([&account], |r| {
                Ok(SpaceHead {
                    space_id: r.get(0)?,
                    head_seq: r.get(1)?,
                    epoch: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn put_snapshot(&self, space: &str, s: StoredSnapshot, now_ms: i64) -> StorageResult<()> {
        let space = space.to_owned();
        self.write(move |c| {
            c.execute(
                "INSERT INTO snapshots (space_id, doc_id, upto_seq, key_epoch, nonce, ciphertext, stored_hour)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (space_id, doc_id) DO UPDATE SET upto_seq = excluded.upto_seq,
                    key_epoch = excluded.key_epoch, nonce = excluded.nonce, ciphertext = excluded.ciphertext,
                    stored_hour = excluded.stored_hour
                 WHERE excluded.upto_seq >= snapshots.upto_seq",
                params![space, s.doc_id, s.upto_seq, s.key_epoch, s.nonce, s.ciphertext, coarse(now_ms)],
            )?;
            Ok(())
        })
        .await
    }

    async fn snapshots(&self, space: &str) -> StorageResult<Vec<StoredSnapshot>> {
        let space = space.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc_id, upto_seq, key_epoch, nonce, ciphertext FROM snapshots WHERE space_id = ?1 ORDER BY doc_id",
            )?;
            let rows = stmt.query_map([&space], |r| {
                Ok(StoredSnapshot {
                    doc_id: r.get(0)?,
                    upto_seq: r.get(1)?,
                    key_epoch: r.get(2)?,
                    nonce: r.get(3)?,
                    ciphertext: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn compact(&self, space: &str, doc_id: &str) -> StorageResult<u64> {
        let (space, doc) = (space.to_owned(), doc_id.to_owned());
        self.write(move |c| {
            let n = c.execute(
                "DELETE FROM records
                 WHERE space = (SELECT num FROM space_nums WHERE space_id = ?1) AND doc_id = ?2
                   AND seq <= (SELECT upto_seq FROM snapshots WHERE space_id = ?1 AND doc_id = ?2)",
                params![space, doc],
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn delete_account(&self, account: &str) -> StorageResult<AccountDeleted> {
        let account = account.to_owned();
        self.write(move |c| {
            let spaces_deleted =
                c.execute("DELETE FROM spaces WHERE owner = ?1", [&account])? as u32;
            let left: Vec<String> = c
                .prepare("SELECT space_id FROM members WHERE account_id = ?1")?
                .query_map([&account], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for space in &left {
                c.execute("UPDATE spaces SET epoch = epoch + 1 WHERE id = ?1", [space])?;
            }
            c.execute("DELETE FROM accounts WHERE id = ?1", [&account])?;
            Ok(AccountDeleted {
                spaces_deleted,
                spaces_left: left.len() as u32,
            })
        })
        .await
    }
}
