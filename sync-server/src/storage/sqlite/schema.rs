//! The SQLite schema: each version's frozen SQL and the migration that
//! brings a database up to this build's [`VERSION`].

use rusqlite::Connection;

use crate::storage::{StorageError, StorageResult};

/// The schema version this build writes (`PRAGMA user_version`). A database
/// at 0 is new or from before versions were recorded; each step below is
/// frozen SQL, and a database replays the steps it lacks in one transaction.
pub const VERSION: i64 = 5;

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

/// Version 3: which device linked which, and when each was last seen.
/// A link code records the device that made it (none for the recovery
/// code), a device the one whose code registered it, so that unlinking a
/// device revokes what it linked; `seen_day` is the start of the last day
/// (UTC) the device called, written at most once a day.
pub const V3: &str = "
ALTER TABLE link_codes ADD COLUMN created_by TEXT;
ALTER TABLE devices ADD COLUMN linked_by TEXT;
ALTER TABLE devices ADD COLUMN seen_day INTEGER;
CREATE INDEX link_codes_by_creator ON link_codes(created_by);
";

/// Version 4: wake-ups. Each device may keep one Web Push subscription
/// (it goes with the device), and the server keeps its one VAPID key.
pub const V4: &str = "
CREATE TABLE wakeups (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    endpoint  TEXT NOT NULL,
    p256dh    BLOB NOT NULL,
    auth      BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE vapid_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    private_key BLOB NOT NULL
);
";

/// Version 5: each device's own box key (X25519, for key envelopes), set
/// once with its own token: what the other devices seal new keys to and
/// take them from.
pub const V5: &str = "
ALTER TABLE devices ADD COLUMN box_key BLOB;
";

/// Brings the database behind `conn` to [`VERSION`] in one transaction.
pub(super) fn migrate(conn: &mut Connection) -> StorageResult<()> {
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
    if version < 3 {
        tx.execute_batch(V3)?;
    }
    if version < 4 {
        tx.execute_batch(V4)?;
    }
    if version < 5 {
        tx.execute_batch(V5)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}
