//! SQLite storage: the embedded default for one machine.
//!
//! All writes go through one writer thread that commits in groups: it takes
//! every job waiting in its queue, runs them in one transaction, commits
//! once (one fsync with `synchronous=FULL`), and only then answers each job
//! (should one fail, the group is rolled back and each job retried alone).
//! An acknowledged push is therefore on disk, and many concurrent pushes
//! share one fsync. Reads use a small pool of read-only connections, which
//! WAL mode lets run beside the writer.
//!
//! The parts: `schema` (the versioned schema and its migrations),
//! `writer` (the writer thread, group commit, checkpoints) and
//! `queries` (every statement). This file holds the storage itself: it
//! opens the database, keeps the read pool, and sends each operation to the
//! writer or a reader.

mod queries;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags};
use tandem_protocol::{AccountDeleted, SpaceHead, SpaceInfo};

pub use self::schema::{V1, V2, V3, V4, VERSION};
use self::writer::Writer;
use super::{
    Device, DeviceRow, Membership, NewRecord, Page, PushSubscription, Redeemed, Registration,
    SnapshotPut, Storage, StorageError, StorageResult, StoredSnapshot, WakeupTarget,
};
use crate::secret::Hash;

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

/// SQLite storage.
pub struct SqliteStorage {
    path: PathBuf,
    writer: Writer,
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
        schema::migrate(&mut conn)?;
        let checkpointer = Connection::open(path)?;
        configure(&checkpointer, READER_CACHE_KIB)?;
        writer::start_checkpointer(
            checkpointer,
            PathBuf::from(format!("{}-wal", path.display())),
        )?;
        Ok(SqliteStorage {
            path: path.to_path_buf(),
            writer: Writer::start(conn)?,
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on the writer thread inside the next group commit (see
    /// [`Writer::write`]).
    async fn write<T: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> StorageResult<T> + Send + 'static,
    ) -> StorageResult<T> {
        self.writer.write(f).await
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
        max_devices: u32,
    ) -> StorageResult<Registration> {
        self.write(move |c| queries::register(c, &token, link_code.as_ref(), now_ms, max_devices))
            .await
    }

    async fn create_link_code(
        &self,
        device: &Device,
        code: Hash,
        expires_ms: i64,
    ) -> StorageResult<()> {
        let device = device.clone();
        self.write(move |c| queries::create_link_code(c, &device, &code, expires_ms))
            .await
    }

    async fn delete_device(&self, caller: &Device, device_id: &str) -> StorageResult<Vec<String>> {
        let (caller, device_id) = (caller.clone(), device_id.to_owned());
        self.write(move |c| queries::delete_device(c, &caller, &device_id))
            .await
    }

    async fn devices(&self, account: &str) -> StorageResult<Vec<DeviceRow>> {
        let account = account.to_owned();
        self.read(move |c| queries::devices(c, &account)).await
    }

    async fn set_box_key(&self, device: &Device, box_key: [u8; 32]) -> StorageResult<bool> {
        let device = device.clone();
        self.write(move |c| queries::set_box_key(c, &device, &box_key))
            .await
    }

    async fn touch_device(&self, device_id: &str, day_ms: i64) -> StorageResult<()> {
        let device_id = device_id.to_owned();
        self.write(move |c| queries::touch_device(c, &device_id, day_ms))
            .await
    }

    async fn set_recovery_code(&self, device: &Device, code: Hash) -> StorageResult<()> {
        let device = device.clone();
        self.write(move |c| queries::set_recovery_code(c, &device, &code))
            .await
    }

    async fn authenticate(&self, token: Hash) -> StorageResult<Option<Device>> {
        self.lookup(move |c| queries::authenticate(c, &token))
    }

    async fn create_space(&self, account: &str, space_id: &str, now_ms: i64) -> StorageResult<()> {
        let (account, space) = (account.to_owned(), space_id.to_owned());
        self.write(move |c| queries::create_space(c, &account, &space, now_ms))
            .await
    }

    async fn spaces(&self, account: &str) -> StorageResult<Vec<SpaceInfo>> {
        let account = account.to_owned();
        self.read(move |c| queries::spaces(c, &account)).await
    }

    async fn membership(&self, account: &str, space: &str) -> StorageResult<Option<Membership>> {
        self.lookup(move |c| queries::membership(c, account, space))
    }

    async fn create_invite(
        &self,
        space: &str,
        invite_id: &str,
        secret: Hash,
        expires_ms: i64,
    ) -> StorageResult<()> {
        let (space, id) = (space.to_owned(), invite_id.to_owned());
        self.write(move |c| queries::create_invite(c, &space, &id, &secret, expires_ms))
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
        self.write(move |c| queries::redeem_invite(c, &id, &secret, &account, now_ms, max_wrong))
            .await
    }

    async fn remove_member(&self, space: &str, member: &str) -> StorageResult<u32> {
        let (space, member) = (space.to_owned(), member.to_owned());
        self.write(move |c| queries::remove_member(c, &space, &member))
            .await
    }

    async fn push(&self, records: Vec<NewRecord>, _now_ms: i64) -> StorageResult<Vec<i64>> {
        self.write(move |c| queries::push(c, &records)).await
    }

    async fn pull(&self, space: &str, after: i64, limit: u32) -> StorageResult<Page> {
        let space = space.to_owned();
        self.read(move |c| queries::pull(c, &space, after, limit))
            .await
    }

    async fn heads(&self, account: &str) -> StorageResult<Vec<SpaceHead>> {
        let account = account.to_owned();
        self.read(move |c| queries::heads(c, &account)).await
    }

    async fn put_snapshot(
        &self,
        space: &str,
        s: StoredSnapshot,
        now_ms: i64,
        quota: u32,
    ) -> StorageResult<SnapshotPut> {
        let space = space.to_owned();
        self.write(move |c| queries::put_snapshot(c, &space, &s, now_ms, quota))
            .await
    }

    async fn delete_snapshot(&self, space: &str, doc_id: &str) -> StorageResult<bool> {
        let (space, doc) = (space.to_owned(), doc_id.to_owned());
        self.write(move |c| queries::delete_snapshot(c, &space, &doc))
            .await
    }

    async fn snapshots(&self, space: &str) -> StorageResult<Vec<StoredSnapshot>> {
        let space = space.to_owned();
        self.read(move |c| queries::snapshots(c, &space)).await
    }

    async fn compact(&self, space: &str, doc_id: &str) -> StorageResult<u64> {
        let (space, doc) = (space.to_owned(), doc_id.to_owned());
        self.write(move |c| queries::compact(c, &space, &doc)).await
    }

    async fn delete_account(&self, account: &str) -> StorageResult<AccountDeleted> {
        let account = account.to_owned();
        self.write(move |c| queries::delete_account(c, &account))
            .await
    }

    async fn put_wakeup(
        &self,
        device_id: &str,
        subscription: PushSubscription,
    ) -> StorageResult<()> {
        let device_id = device_id.to_owned();
        self.write(move |c| queries::put_wakeup(c, &device_id, &subscription))
            .await
    }

    async fn delete_wakeup(&self, device_id: &str, endpoint: Option<&str>) -> StorageResult<bool> {
        let (device_id, endpoint) = (device_id.to_owned(), endpoint.map(str::to_owned));
        self.write(move |c| queries::delete_wakeup(c, &device_id, endpoint.as_deref()))
            .await
    }

    async fn wakeup_targets(&self, space: &str, except: &str) -> StorageResult<Vec<WakeupTarget>> {
        // A few rows through three indexes, after every push: cheaper here
        // than on another thread.
        self.lookup(move |c| queries::wakeup_targets(c, space, except))
    }

    async fn vapid_key(&self, candidate: [u8; 32]) -> StorageResult<Vec<u8>> {
        self.write(move |c| queries::vapid_key(c, &candidate)).await
    }
}
