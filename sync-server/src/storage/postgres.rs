//! PostgreSQL storage: for more than one server process.
//!
//! Server processes are stateless; any number can run over one database.
//! A push locks the rows of the spaces it touches (`SELECT … FOR UPDATE`, in
//! id order so two pushes never wait on each other in a cycle), so sequence
//! numbers stay unique and gap-free however many processes push at once.
//! PostgreSQL itself groups the WAL flushes of concurrent commits.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::TryStreamExt;
use tandem_protocol::{AccountDeleted, SpaceHead, SpaceInfo};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use super::rules::{self, AccountStep, InviteWrite};
use super::{
    Device, DeviceRow, Membership, NewRecord, Page, PushSubscription, Record, Redeemed,
    Registration, SnapshotPut, Storage, StorageError, StorageResult, StoredSnapshot, WakeupTarget,
    coarse, hash32,
};
use crate::secret::{Hash, new_id, same};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, created_hour BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE,
    created_hour BIGINT NOT NULL);
ALTER TABLE devices ADD COLUMN IF NOT EXISTS linked_by TEXT;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS seen_day BIGINT;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS box_key BYTEA;
CREATE INDEX IF NOT EXISTS devices_by_account ON devices(account_id);
CREATE TABLE IF NOT EXISTS link_codes (
    code_hash BYTEA PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    expires_ms BIGINT NOT NULL);
ALTER TABLE link_codes ADD COLUMN IF NOT EXISTS created_by TEXT;
CREATE INDEX IF NOT EXISTS link_codes_by_creator ON link_codes(created_by);
CREATE TABLE IF NOT EXISTS spaces (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL DEFAULT 0,
    head_seq BIGINT NOT NULL DEFAULT 0,
    created_hour BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS spaces_by_owner ON spaces(owner);
CREATE TABLE IF NOT EXISTS members (
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (space_id, account_id));
CREATE INDEX IF NOT EXISTS members_by_account ON members(account_id);
CREATE TABLE IF NOT EXISTS invites (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    secret_hash BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL,
    wrong INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS records (
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    doc_id TEXT NOT NULL,
    change_hash BYTEA NOT NULL,
    key_epoch INTEGER NOT NULL,
    nonce BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    PRIMARY KEY (space_id, seq),
    UNIQUE (space_id, change_hash));
CREATE TABLE IF NOT EXISTS snapshots (
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    upto_seq BIGINT NOT NULL,
    key_epoch INTEGER NOT NULL,
    nonce BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    stored_hour BIGINT NOT NULL,
    PRIMARY KEY (space_id, doc_id));
CREATE TABLE IF NOT EXISTS wakeups (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    p256dh BYTEA NOT NULL,
    auth BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS vapid_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    private_key BYTEA NOT NULL);
";

/// PostgreSQL storage over a connection pool.
pub struct PostgresStorage {
    pool: Pool,
}

impl PostgresStorage {
    /// Connects to `url` (`postgres://…`) and creates the schema if missing.
    pub async fn connect(url: &str, pool_size: usize) -> StorageResult<Self> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StorageError::Database(e.to_string()))?;
        let options = session_options(config.get_options());
        config.options(&options);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .build()
            .map_err(|e| StorageError::Database(e.to_string()))?;
        let client = pool.get().await?;
        // Two processes may start at once: serialise schema creation.
        client
            .batch_execute("SELECT pg_advisory_lock(7410001)")
            .await?;
        let created = client.batch_execute(SCHEMA).await;
        client
            .batch_execute("SELECT pg_advisory_unlock(7410001)")
            .await?;
        created?;
        drop(client);
        let storage = PostgresStorage { pool };
        storage.warm_up(pool_size).await;
        Ok(storage)
    }

    /// Opens every connection of the pool and prepares the sync requests'
    /// statements on each, before the server takes requests. Opened on
    /// demand instead, the first second of load after a start had every
    /// connection start a backend and plan its statements at once: 32
    /// connections for two processes, and pushes waited 350–450 ms on two
    /// cores. Best effort: a connection that cannot be opened now (the
    /// database's connection limit, say) is opened when needed.
    async fn warm_up(&self, connections: usize) {
        let opened = futures_util::future::join_all((0..connections).map(|_| async {
            let client = self.pool.get().await?;
            for sql in HOT_SQL {
                client.prepare_cached(sql).await?;
            }
            Ok::<_, StorageError>(client)
        }))
        .await;
        // Every connection was held until all were open, so each is its own.
        if let Some(Err(e)) = opened.iter().find(|r| r.is_err()) {
            tracing::warn!(error = %e, "could not open every PostgreSQL connection ahead");
        }
    }
}

/// Settings for every connection of the pool, after any the URL gives.
///
/// Bitmap scans are off. Every query here is a key lookup or an ordered
/// range of a B-tree index, and a bitmap scan only looked cheaper when the
/// statistics were stale: right after a burst of pushes the planner took a
/// space of 10,000 records for 181 rows and read and sorted all of them for
/// every chunk of 1,024 that a pull asks for (7–10 ms a chunk instead of 1).
fn session_options(given: Option<&str>) -> String {
    const OURS: &str = "-c enable_bitmapscan=off";
    match given {
        Some(o) if !o.trim().is_empty() => format!("{o} {OURS}"),
        _ => OURS.to_owned(),
    }
}

/// Finds a device by the hash of its token.
const AUTH_SQL: &str = "SELECT id, account_id, token_hash FROM devices WHERE token_hash = $1";

/// A member's role in a space, and the space's epoch.
const MEMBERSHIP_SQL: &str =
    "SELECT s.owner = $1, s.epoch, s.head_seq FROM members m JOIN spaces s ON s.id = m.space_id
 WHERE m.space_id = $2 AND m.account_id = $1";

/// The statements of every sync request, prepared on each connection when
/// the server starts ([`PostgresStorage::warm_up`]).
const HOT_SQL: [&str; 7] = [
    AUTH_SQL,
    MEMBERSHIP_SQL,
    LOCK_SQL,
    KNOWN_SQL,
    INSERT_SQL,
    ADVANCE_SQL,
    PULL_SQL,
];

/// Locks a space for a push and reads its head.
const LOCK_SQL: &str = "SELECT head_seq, epoch FROM spaces WHERE id = $1 FOR UPDATE";

/// Which of a push's changes a space already holds, and their `seq`s.
const KNOWN_SQL: &str =
    "SELECT change_hash, seq FROM records WHERE space_id = $1 AND change_hash = ANY($2)";

/// Stores a push's new records of one space, given as parallel arrays.
const INSERT_SQL: &str =
    "INSERT INTO records (space_id, seq, doc_id, change_hash, key_epoch, nonce, ciphertext)
     SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::bytea[], $5::int[], $6::bytea[], $7::bytea[])";

/// Moves a space's head past a push's records.
const ADVANCE_SQL: &str = "UPDATE spaces SET head_seq = $2 WHERE id = $1";

/// One chunk of a pull: the space's head and epoch, and up to `$3` records
/// after `$2`, in one round trip and one snapshot.
///
/// The records come in index order from the nested loop over the one space
/// row. An outer `ORDER BY` would not be free: PostgreSQL does not carry the
/// inner order through the join and sorted the whole chunk again, ciphertext
/// and all (0.7 of 1.7 ms). The rows are put in order on this side instead,
/// which costs one pass when they already are.
const PULL_SQL: &str = "SELECT s.head_seq, s.epoch,
        r.seq, r.doc_id, r.change_hash, r.key_epoch, r.nonce, r.ciphertext
 FROM spaces s
 LEFT JOIN LATERAL (
     SELECT seq, doc_id, change_hash, key_epoch, nonce, ciphertext FROM records
     WHERE space_id = s.id AND seq > $2 ORDER BY seq LIMIT $3
 ) r ON true
 WHERE s.id = $1";

/// The subscriptions of a space's member devices but one (after every
/// push to the space, so prepared once per connection).
const WAKEUP_TARGETS_SQL: &str = "SELECT w.device_id, w.endpoint, w.p256dh, w.auth FROM members m
 JOIN devices d ON d.account_id = m.account_id
 JOIN wakeups w ON w.device_id = d.id
 WHERE m.space_id = $1 AND d.id <> $2 ORDER BY w.device_id";

fn epoch(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

#[async_trait]
impl Storage for PostgresStorage {
    async fn ready(&self) -> StorageResult<()> {
        self.pool.get().await?.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn register(
        &self,
        token: Hash,
        link_code: Option<Hash>,
        now_ms: i64,
        max_devices: u32,
    ) -> StorageResult<Registration> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let account = match link_code {
            Some(code) => {
                let row = tx
                    .query_opt(
                        "DELETE FROM link_codes WHERE code_hash = $1
                         RETURNING code_hash, account_id, expires_ms, created_by",
                        &[&&code[..]],
                    )
                    .await?;
                let found = row.map(|r| {
                    let by: Option<String> = r.get(3);
                    (r.get::<_, Vec<u8>>(0), r.get::<_, String>(1), r.get(2), by)
                });
                let stored = found
                    .as_ref()
                    .map(|(hash, _, expires, _)| (hash.as_slice(), *expires));
                let creator_alive = match found.as_ref().and_then(|f| f.3.as_ref()) {
                    Some(by) => tx
                        .query_opt("SELECT 1 FROM devices WHERE id = $1", &[by])
                        .await?
                        .is_some(),
                    None => true,
                };
                match found {
                    Some((_, account, expires, by))
                        if rules::link_code_admits(stored, &code, now_ms) && creator_alive =>
                    {
                        // Registrations to one account wait for each other
                        // here, so together they cannot pass the cap.
                        tx.execute(
                            "SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE",
                            &[&account],
                        )
                        .await?;
                        let count: i64 = tx
                            .query_one(
                                "SELECT count(*) FROM devices WHERE account_id = $1",
                                &[&account],
                            )
                            .await?
                            .get(0);
                        if !rules::device_fits(count, expires, max_devices) {
                            tx.commit().await?;
                            return Ok(Registration::TooManyDevices);
                        }
                        (account, by)
                    }
                    _ => {
                        tx.commit().await?;
                        return Ok(Registration::CodeGone);
                    }
                }
            }
            None => {
                let account = new_id();
                tx.execute(
                    "INSERT INTO accounts (id, created_hour) VALUES ($1, $2)",
                    &[&account, &coarse(now_ms)],
                )
                .await?;
                (account, None)
            }
        };
        let (account, linked_by) = account;
        let device_id = new_id();
        tx.execute(
            "INSERT INTO devices (id, account_id, token_hash, created_hour, linked_by)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &device_id,
                &account,
                &&token[..],
                &coarse(now_ms),
                &linked_by,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(Registration::Done(Device {
            account_id: account,
            device_id,
        }))
    }

    async fn create_link_code(
        &self,
        device: &Device,
        code: Hash,
        expires_ms: i64,
    ) -> StorageResult<()> {
        self.pool
            .get()
            .await?
            .execute(
                "INSERT INTO link_codes (code_hash, account_id, expires_ms, created_by)
                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = $4)",
                &[
                    &&code[..],
                    &device.account_id,
                    &expires_ms,
                    &device.device_id,
                ],
            )
            .await?;
        Ok(())
    }

    async fn delete_device(&self, caller: &Device, device_id: &str) -> StorageResult<Vec<String>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Locks the account first: a registration or a link code made at
        // the same time (each takes a key-share lock on the account through
        // its foreign key) waits, so no device appears beside the tree.
        tx.execute(
            "SELECT id FROM accounts WHERE id = $1 FOR UPDATE",
            &[&caller.account_id],
        )
        .await?;
        // Locks the account's devices: two unlinks at once see one tree.
        let tree: Vec<(String, Option<String>)> = tx
            .query(
                "SELECT id, linked_by FROM devices WHERE account_id = $1
                 ORDER BY created_hour, id FOR UPDATE",
                &[&caller.account_id],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let revoked = rules::revoked(&tree, device_id, &caller.device_id);
        if !revoked.is_empty() {
            tx.execute(
                "DELETE FROM link_codes WHERE account_id = $1 AND created_by = ANY($2)",
                &[&caller.account_id, &revoked],
            )
            .await?;
            tx.execute(
                "DELETE FROM devices WHERE account_id = $1 AND id = ANY($2)",
                &[&caller.account_id, &revoked],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    async fn devices(&self, account: &str) -> StorageResult<Vec<DeviceRow>> {
        let rows = self
            .pool
            .get()
            .await?
            .query(
                "SELECT id, created_hour, seen_day, linked_by, box_key FROM devices
                 WHERE account_id = $1 ORDER BY created_hour, id",
                &[&account],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| DeviceRow {
                device_id: r.get(0),
                created_hour: r.get(1),
                seen_day: r.get(2),
                linked_by: r.get(3),
                box_key: r.get(4),
            })
            .collect())
    }

    async fn set_box_key(&self, device: &Device, box_key: [u8; 32]) -> StorageResult<bool> {
        let key = box_key.to_vec();
        let row = self
            .pool
            .get()
            .await?
            .query_opt(
                "UPDATE devices SET box_key = COALESCE(box_key, $2)
                 WHERE id = $1 RETURNING box_key",
                &[&device.device_id, &key],
            )
            .await?;
        Ok(row.and_then(|r| r.get::<_, Option<Vec<u8>>>(0)) == Some(key))
    }

    async fn touch_device(&self, device_id: &str, day_ms: i64) -> StorageResult<()> {
        self.pool
            .get()
            .await?
            .execute(
                "UPDATE devices SET seen_day = $2
                 WHERE id = $1 AND (seen_day IS NULL OR seen_day < $2)",
                &[&device_id, &day_ms],
            )
            .await?;
        Ok(())
    }

    async fn set_recovery_code(&self, device: &Device, code: Hash) -> StorageResult<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM link_codes WHERE account_id = $1 AND expires_ms = $2",
            &[&device.account_id, &super::RECOVERY_EXPIRES_MS],
        )
        .await?;
        tx.execute(
            "INSERT INTO link_codes (code_hash, account_id, expires_ms, created_by)
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = $4)
             ON CONFLICT (code_hash) DO UPDATE SET account_id = EXCLUDED.account_id,
                 expires_ms = EXCLUDED.expires_ms, created_by = EXCLUDED.created_by",
            &[
                &&code[..],
                &device.account_id,
                &super::RECOVERY_EXPIRES_MS,
                &device.device_id,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn authenticate(&self, token: Hash) -> StorageResult<Option<Device>> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(AUTH_SQL).await?;
        let row = client.query_opt(&stmt, &[&&token[..]]).await?;
        Ok(row
            .filter(|r| same(&r.get::<_, Vec<u8>>(2), &token))
            .map(|r| Device {
                device_id: r.get(0),
                account_id: r.get(1),
            }))
    }

    async fn create_space(&self, account: &str, space_id: &str, now_ms: i64) -> StorageResult<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO spaces (id, owner, created_hour) VALUES ($1, $2, $3)",
            &[&space_id, &account, &coarse(now_ms)],
        )
        .await?;
        tx.execute(
            "INSERT INTO members (space_id, account_id) VALUES ($1, $2)",
            &[&space_id, &account],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn spaces(&self, account: &str) -> StorageResult<Vec<SpaceInfo>> {
        let rows = self
            .pool
            .get()
            .await?
            .query(
                "SELECT s.id, s.owner = $1, s.epoch, (SELECT COUNT(*) FROM members m2 WHERE m2.space_id = s.id), s.head_seq
                 FROM members m JOIN spaces s ON s.id = m.space_id WHERE m.account_id = $1 ORDER BY s.id",
                &[&account],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SpaceInfo {
                space_id: r.get(0),
                owner: r.get(1),
                epoch: epoch(r.get(2)),
                members: u32::try_from(r.get::<_, i64>(3)).unwrap_or(0),
                head_seq: r.get(4),
            })
            .collect())
    }

    async fn membership(&self, account: &str, space: &str) -> StorageResult<Option<Membership>> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(MEMBERSHIP_SQL).await?;
        Ok(client
            .query_opt(&stmt, &[&account, &space])
            .await?
            .map(|r| Membership {
                owner: r.get(0),
                epoch: epoch(r.get(1)),
                head_seq: r.get(2),
            }))
    }

    async fn create_invite(
        &self,
        space: &str,
        invite_id: &str,
        secret: Hash,
        expires_ms: i64,
    ) -> StorageResult<()> {
        self.pool
            .get()
            .await?
            .execute(
                "INSERT INTO invites (id, space_id, secret_hash, expires_ms) VALUES ($1, $2, $3, $4)",
                &[&invite_id, &space, &&secret[..], &expires_ms],
            )
            .await?;
        Ok(())
    }

    async fn redeem_invite(
        &self,
        invite_id: &str,
        secret: Hash,
        account: &str,
        now_ms: i64,
        max_wrong: u32,
    ) -> StorageResult<Redeemed> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT space_id, secret_hash, expires_ms, wrong FROM invites WHERE id = $1 FOR UPDATE",
                &[&invite_id],
            )
            .await?;
        let invite = row.map(|r| rules::Invite {
            space_id: r.get(0),
            secret_hash: r.get(1),
            expires_ms: r.get(2),
            wrong: u32::try_from(r.get::<_, i32>(3)).unwrap_or(u32::MAX),
        });
        let decision = rules::redeem(invite, &secret, now_ms, max_wrong);
        match decision.write() {
            InviteWrite::Keep => {}
            InviteWrite::CountWrong => {
                tx.execute(
                    "UPDATE invites SET wrong = wrong + 1 WHERE id = $1",
                    &[&invite_id],
                )
                .await?;
            }
            InviteWrite::Delete => {
                tx.execute("DELETE FROM invites WHERE id = $1", &[&invite_id])
                    .await?;
            }
        }
        let outcome = match decision.join() {
            Err(refused) => refused,
            Ok(space) => {
                tx.execute(
                    "INSERT INTO members (space_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&space, &account],
                )
                .await?;
                let e: i32 = tx
                    .query_one("SELECT epoch FROM spaces WHERE id = $1", &[&space])
                    .await?
                    .get(0);
                Redeemed::Joined {
                    space_id: space,
                    epoch: epoch(e),
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn remove_member(&self, space: &str, member: &str) -> StorageResult<u32> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM members WHERE space_id = $1 AND account_id = $2",
            &[&space, &member],
        )
        .await?;
        let e: i32 = tx
            .query_one(
                "UPDATE spaces SET epoch = epoch + 1 WHERE id = $1 RETURNING epoch",
                &[&space],
            )
            .await?
            .get(0);
        tx.commit().await?;
        Ok(epoch(e))
    }

    async fn push(&self, records: Vec<NewRecord>, _now_ms: i64) -> StorageResult<Vec<i64>> {
        let mut client = self.pool.get().await?;
        // Prepared once per connection: a push was ten round trips and four
        // parses and plans; it is now four round trips and none.
        let lock = client.prepare_cached(LOCK_SQL).await?;
        let known = client.prepare_cached(KNOWN_SQL).await?;
        let insert = client.prepare_cached(INSERT_SQL).await?;
        let advance = client.prepare_cached(ADVANCE_SQL).await?;
        let tx = client.transaction().await?;
        // Lock every space touched, in id order.
        let mut by_space: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, r) in records.iter().enumerate() {
            by_space.entry(r.space_id.as_str()).or_default().push(i);
        }
        let mut seqs = vec![0i64; records.len()];
        for (space, idx) in &by_space {
            let hashes: Vec<&[u8]> = idx.iter().map(|&i| &records[i].change_hash[..]).collect();
            // Sent together, run in order: the look-up of records already
            // stored starts after the lock is held, so it sees those of a
            // push it waited for.
            let lock_params: [&(dyn ToSql + Sync); 1] = [space];
            let known_params: [&(dyn ToSql + Sync); 2] = [space, &hashes];
            let (head, stored) = tokio::try_join!(
                tx.query_one(&lock, &lock_params),
                tx.query(&known, &known_params),
            )?;
            let space_epoch = epoch(head.get(1));
            let mut head: i64 = head.get(0);
            let mut known: HashMap<Vec<u8>, i64> = stored
                .into_iter()
                .map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, i64>(1)))
                .collect();
            let (mut s, mut d, mut h, mut e, mut n, mut c) =
                (vec![], vec![], vec![], vec![], vec![], vec![]);
            for &i in idx {
                let r = &records[i];
                if let Some(seq) = known.get(&r.change_hash[..]) {
                    seqs[i] = *seq;
                    continue;
                }
                if r.key_epoch < space_epoch {
                    return Err(StorageError::StaleEpoch((*space).to_owned()));
                }
                head += 1;
                seqs[i] = head;
                known.insert(r.change_hash.to_vec(), head);
                s.push(head);
                d.push(r.doc_id.as_str());
                h.push(&r.change_hash[..]);
                e.push(i32::try_from(r.key_epoch).unwrap_or(i32::MAX));
                n.push(r.nonce.as_slice());
                c.push(r.ciphertext.as_slice());
            }
            if !s.is_empty() {
                let rows: [&(dyn ToSql + Sync); 7] = [space, &s, &d, &h, &e, &n, &c];
                let advance_params: [&(dyn ToSql + Sync); 2] = [space, &head];
                tokio::try_join!(
                    tx.execute(&insert, &rows),
                    tx.execute(&advance, &advance_params),
                )?;
            }
        }
        tx.commit().await?;
        Ok(seqs)
    }

    async fn pull(&self, space: &str, after: i64, limit: u32) -> StorageResult<Page> {
        let client = self.pool.get().await?;
        // The space's head and the records in one round trip: a pull is read
        // in chunks, and on a busy machine each trip to the database costs.
        let stmt = client.prepare_cached(PULL_SQL).await?;
        let want = i64::from(limit) + 1;
        let params: [&(dyn ToSql + Sync); 3] = [&space, &after, &want];
        // Rows are taken as they arrive, while the database is still sending.
        let mut rows = std::pin::pin!(client.query_raw(&stmt, params).await?);
        let mut space_row = None;
        // A chunk's worth at most: `limit` is the caller's to choose.
        let mut records = Vec::with_capacity(limit.min(4096) as usize + 1);
        while let Some(r) = rows.try_next().await? {
            space_row.get_or_insert_with(|| (r.get::<_, i64>(0), epoch(r.get(1))));
            let Some(seq) = r.get::<_, Option<i64>>(2) else {
                continue;
            };
            records.push(Record {
                seq,
                doc_id: r.get(3),
                change_hash: hash32(r.get(4)),
                key_epoch: epoch(r.get(5)),
                nonce: r.get(6),
                ciphertext: r.get(7),
            });
        }
        let Some((head_seq, space_epoch)) = space_row else {
            return Err(StorageError::Database("the space is gone".into()));
        };
        // Already in order (see PULL_SQL): one pass to confirm it.
        records.sort_by_key(|r| r.seq);
        Ok(Page::cut(records, limit, head_seq, space_epoch))
    }

    async fn heads(&self, account: &str) -> StorageResult<Vec<SpaceHead>> {
        let rows = self
            .pool
            .get()
            .await?
            .query(
                "SELECT s.id, s.head_seq, s.epoch FROM members m JOIN spaces s ON s.id = m.space_id
                 WHERE m.account_id = $1 ORDER BY s.id",
                &[&account],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SpaceHead {
                space_id: r.get(0),
                head_seq: r.get(1),
                epoch: epoch(r.get(2)),
            })
            .collect())
    }

    async fn put_snapshot(
        &self,
        space: &str,
        s: StoredSnapshot,
        now_ms: i64,
        quota: u32,
    ) -> StorageResult<SnapshotPut> {
        let key_epoch = i32::try_from(s.key_epoch).unwrap_or(i32::MAX);
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Two puts of new documents to one space wait for each other here,
        // so together they cannot pass the quota.
        tx.execute("SELECT 1 FROM spaces WHERE id = $1 FOR UPDATE", &[&space])
            .await?;
        let row = tx
            .query_one(
                "SELECT count(*), coalesce(bool_or(doc_id = $2), false) FROM snapshots WHERE space_id = $1",
                &[&space, &s.doc_id],
            )
            .await?;
        if !rules::snapshot_fits(row.get(0), row.get(1), quota) {
            return Ok(SnapshotPut::OverQuota);
        }
        tx.execute(
            "INSERT INTO snapshots (space_id, doc_id, upto_seq, key_epoch, nonce, ciphertext, stored_hour)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (space_id, doc_id) DO UPDATE SET upto_seq = EXCLUDED.upto_seq,
                key_epoch = EXCLUDED.key_epoch, nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext,
                stored_hour = EXCLUDED.stored_hour
             WHERE EXCLUDED.upto_seq >= snapshots.upto_seq",
            &[&space, &s.doc_id, &s.upto_seq, &key_epoch, &s.nonce, &s.ciphertext, &coarse(now_ms)],
        )
        .await?;
        tx.commit().await?;
        Ok(SnapshotPut::Stored)
    }

    async fn delete_snapshot(&self, space: &str, doc_id: &str) -> StorageResult<bool> {
        let n = self
            .pool
            .get()
            .await?
            .execute(
                "DELETE FROM snapshots WHERE space_id = $1 AND doc_id = $2 AND upto_seq = 0",
                &[&space, &doc_id],
            )
            .await?;
        Ok(n > 0)
    }

    async fn snapshots(&self, space: &str) -> StorageResult<Vec<StoredSnapshot>> {
        let rows = self
            .pool
            .get()
            .await?
            .query(
                "SELECT doc_id, upto_seq, key_epoch, nonce, ciphertext FROM snapshots WHERE space_id = $1 ORDER BY doc_id",
                &[&space],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoredSnapshot {
                doc_id: r.get(0),
                upto_seq: r.get(1),
                key_epoch: epoch(r.get(2)),
                nonce: r.get(3),
                ciphertext: r.get(4),
            })
            .collect())
    }

    async fn compact(&self, space: &str, doc_id: &str) -> StorageResult<u64> {
        Ok(self
            .pool
            .get()
            .await?
            .execute(
                "DELETE FROM records WHERE space_id = $1 AND doc_id = $2 AND seq <=
                   (SELECT upto_seq FROM snapshots WHERE space_id = $1 AND doc_id = $2)",
                &[&space, &doc_id],
            )
            .await?)
    }

    async fn delete_account(&self, account: &str) -> StorageResult<AccountDeleted> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let mut tally = rules::DeletionTally::default();
        for step in rules::ACCOUNT_DELETION {
            let rows = match step {
                AccountStep::DeleteOwnedSpaces => {
                    tx.execute("DELETE FROM spaces WHERE owner = $1", &[&account])
                        .await?
                }
                AccountStep::LeaveSpaces => {
                    tx.execute(
                        "UPDATE spaces SET epoch = epoch + 1 WHERE id IN (SELECT space_id FROM members WHERE account_id = $1)",
                        &[&account],
                    )
                    .await?
                }
                AccountStep::DeleteAccount => {
                    tx.execute("DELETE FROM accounts WHERE id = $1", &[&account])
                        .await?
                }
            };
            tally.add(step, rows);
        }
        tx.commit().await?;
        Ok(tally.answer())
    }

    async fn put_wakeup(
        &self,
        device_id: &str,
        subscription: PushSubscription,
    ) -> StorageResult<()> {
        self.pool
            .get()
            .await?
            .execute(
                "INSERT INTO wakeups (device_id, endpoint, p256dh, auth)
                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = $1)
                 ON CONFLICT (device_id) DO UPDATE SET endpoint = EXCLUDED.endpoint,
                     p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth",
                &[
                    &device_id,
                    &subscription.endpoint,
                    &subscription.p256dh,
                    &subscription.auth,
                ],
            )
            .await?;
        Ok(())
    }

    async fn delete_wakeup(&self, device_id: &str, endpoint: Option<&str>) -> StorageResult<bool> {
        let n = self
            .pool
            .get()
            .await?
            .execute(
                "DELETE FROM wakeups WHERE device_id = $1 AND ($2::text IS NULL OR endpoint = $2)",
                &[&device_id, &endpoint],
            )
            .await?;
        Ok(n > 0)
    }

    async fn wakeup_targets(&self, space: &str, except: &str) -> StorageResult<Vec<WakeupTarget>> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(WAKEUP_TARGETS_SQL).await?;
        let rows = client.query(&stmt, &[&space, &except]).await?;
        Ok(rows
            .into_iter()
            .map(|r| WakeupTarget {
                device_id: r.get(0),
                subscription: PushSubscription {
                    endpoint: r.get(1),
                    p256dh: r.get(2),
                    auth: r.get(3),
                },
            })
            .collect())
    }

    async fn vapid_key(&self, candidate: [u8; 32]) -> StorageResult<Vec<u8>> {
        let client = self.pool.get().await?;
        // Processes starting together each offer a key; the first stored wins.
        client
            .execute(
                "INSERT INTO vapid_key (id, private_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                &[&&candidate[..]],
            )
            .await?;
        Ok(client
            .query_one("SELECT private_key FROM vapid_key WHERE id = 1", &[])
            .await?
            .get(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_settings_follow_those_of_the_url() {
        assert_eq!(session_options(None), "-c enable_bitmapscan=off");
        assert_eq!(session_options(Some(" ")), "-c enable_bitmapscan=off");
        assert_eq!(
            session_options(Some("-c work_mem=8MB")),
            "-c work_mem=8MB -c enable_bitmapscan=off"
        );
    }

    /// A new database on the test server and its storage with a pool of
    /// `pool`; also the admin connection and the database's name, to drop
    /// it. `None` (the test skips) without `TANDEM_TEST_POSTGRES`.
    async fn fresh_database(
        pool: usize,
    ) -> Option<(PostgresStorage, tokio_postgres::Client, String)> {
        let Ok(admin) = std::env::var("TANDEM_TEST_POSTGRES") else {
            eprintln!("skipping: TANDEM_TEST_POSTGRES is not set");
            return None;
        };
        let (client, conn) = tokio_postgres::connect(&admin, NoTls).await.unwrap();
        tokio::spawn(conn);
        let name = format!("tandem_{}", new_id());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let storage = PostgresStorage::connect(&url, pool).await.unwrap();
        Some((storage, client, name))
    }

    /// Closes `storage` and drops its database.
    async fn drop_database(storage: PostgresStorage, admin: tokio_postgres::Client, name: &str) {
        drop(storage);
        let _ = admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await;
    }

    /// The whole pool is open, each connection with the sync statements
    /// prepared, before the server takes its first request.
    #[tokio::test]
    async fn the_pool_is_open_and_prepared_before_the_first_request() {
        let Some((storage, admin, name)) = fresh_database(3).await else {
            return;
        };
        assert_eq!(storage.pool.status().size, 3);
        let backends: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
                &[&name],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(backends, 3);
        // Held together, so that each is a different connection.
        let all = [
            storage.pool.get().await.unwrap(),
            storage.pool.get().await.unwrap(),
            storage.pool.get().await.unwrap(),
        ];
        assert_eq!(storage.pool.status().size, 3);
        for db in &all {
            let prepared: i64 = db
                .query_one("SELECT count(*) FROM pg_prepared_statements", &[])
                .await
                .unwrap()
                .get(0);
            assert!(prepared >= HOT_SQL.len() as i64, "{prepared}");
        }
        drop(all);
        drop_database(storage, admin, &name).await;
    }

    /// With statistics taken while a space was small, a pull chunk is still
    /// read through the index in order, not gathered and sorted whole; and
    /// nothing sorts the chunk again after the join.
    #[tokio::test]
    async fn a_pull_chunk_reads_the_index_in_order_when_statistics_are_stale() {
        let Some((storage, admin, name)) = fresh_database(2).await else {
            return;
        };
        let db = storage.pool.get().await.unwrap();
        db.batch_execute(
            "INSERT INTO accounts VALUES ('a', 0);
             INSERT INTO spaces (id, owner, created_hour) VALUES ('s', 'a', 0);
             ANALYZE records;
             INSERT INTO records
               SELECT 's', n, 'doc', sha256(n::text::bytea), 0, '\\x00', repeat('x', 300)::bytea
               FROM generate_series(1, 10000) n;",
        )
        .await
        .unwrap();
        let plan: Vec<String> = db
            .query(&format!("EXPLAIN {PULL_SQL}"), &[&"s", &2000i64, &1025i64])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let plan = plan.join("\n");
        assert!(plan.contains("Index Scan using records_pkey"), "{plan}");
        assert!(!plan.contains("Bitmap"), "{plan}");
        assert!(!plan.contains("Sort"), "{plan}");
        drop(db);
        drop_database(storage, admin, &name).await;
    }
}
