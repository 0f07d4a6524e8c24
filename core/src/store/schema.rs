//! The store's SQLite schema and its forward migrations.
//!
//! The schema version lives in `PRAGMA user_version`. Every version is one
//! step of SQL ([`CREATE`], [`SYNC`], [`LEAN_WRITES`], [`LEAN_READS`],
//! [`QUARANTINE`], [`PINS`], [`MEETINGS`], [`FENCES`], [`DEVICE_LOG`]),
//! never edited once
//! released. A fresh store replays every step, and an older one replays the
//! steps it lacks, so a fresh store and an upgraded one cannot differ. A
//! newer store is refused before anything is written.

use rusqlite::Connection;

use crate::error::Result;

/// The schema version this build writes.
pub const VERSION: i64 = 10;

/// Version 1: documents and the read model.
pub const CREATE: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Documents: a compacted snapshot plus the changes made since.
CREATE TABLE documents (
    doc_id   TEXT PRIMARY KEY,
    snapshot BLOB,
    pending  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    bytes  BLOB NOT NULL
) STRICT;
CREATE INDEX changes_by_doc ON changes(doc_id, seq);

-- The read model: projected from the documents, read by every screen.
CREATE TABLE person (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    name     TEXT NOT NULL,
    timezone TEXT NOT NULL
) STRICT;
CREATE TABLE tracks (
    id         TEXT PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    body       TEXT NOT NULL
) STRICT;
CREATE TABLE journal (
    id         TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms  INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    tz         TEXT NOT NULL,
    text       TEXT NOT NULL,
    mood       INTEGER,
    tags       TEXT NOT NULL
) STRICT;
CREATE INDEX journal_by_time ON journal(created_ms DESC, id DESC);
CREATE INDEX journal_by_day ON journal(local_date);
CREATE INDEX journal_by_doc ON journal(doc_id);
CREATE TABLE cravings (
    id         TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    at_ms      INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    local_hour INTEGER NOT NULL,
    tz         TEXT NOT NULL,
    trigger    TEXT NOT NULL,
    intensity  INTEGER NOT NULL,
    situation  TEXT NOT NULL,
    helped     TEXT NOT NULL,
    outcome    TEXT,
    note       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX cravings_by_time ON cravings(at_ms DESC, id DESC);
CREATE INDEX cravings_by_day ON cravings(local_date);
CREATE INDEX cravings_by_doc ON cravings(doc_id);
CREATE TABLE checkins (
    id         TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    day        TEXT NOT NULL,
    mood       INTEGER NOT NULL,
    craving    INTEGER NOT NULL,
    used       INTEGER NOT NULL,
    note       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX checkins_by_day ON checkins(day, edited_ms DESC, id DESC);
CREATE INDEX checkins_by_doc ON checkins(doc_id);
CREATE TABLE goals (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    why        TEXT NOT NULL,
    target     TEXT,
    status     TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms  INTEGER NOT NULL
) STRICT;
CREATE TABLE goal_milestones (
    goal_id    TEXT NOT NULL,
    id         TEXT NOT NULL,
    title      TEXT NOT NULL,
    done       INTEGER NOT NULL,
    done_ms    INTEGER,
    created_ms INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (goal_id, id)
) STRICT;
CREATE TABLE notes (
    id         TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms  INTEGER NOT NULL
) STRICT;
";

/// Version 2: what the sync client keeps.
pub const SYNC: &str = "
-- Spaces this device syncs: its person's private space and their pairs.
CREATE TABLE spaces (
    space_id   TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    epoch      INTEGER NOT NULL,
    cursor     INTEGER NOT NULL DEFAULT 0,
    high_water INTEGER NOT NULL DEFAULT 0,
    side       TEXT,
    ended      INTEGER NOT NULL DEFAULT 0,
    looked_ms  INTEGER NOT NULL DEFAULT 0
) STRICT;
-- Every key of every epoch of a space this device knows.
CREATE TABLE space_keys (
    space_id TEXT NOT NULL,
    epoch    INTEGER NOT NULL,
    key      BLOB NOT NULL,
    PRIMARY KEY (space_id, epoch)
) STRICT;
-- Changes made on this device that the server has not acknowledged yet,
-- appended in the same transaction as the change itself.
CREATE TABLE outbox (
    seq    INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    hash   BLOB NOT NULL,
    bytes  BLOB NOT NULL,
    UNIQUE (doc_id, hash)
) STRICT;
-- Records the server sent that failed to open or did not match: reported, never applied.
CREATE TABLE sync_refused (
    space_id TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    seen_ms  INTEGER NOT NULL,
    PRIMARY KEY (space_id, seq)
) STRICT;

-- Read model of the pair spaces.
ALTER TABLE goals ADD COLUMN doc_id TEXT NOT NULL DEFAULT 'goals';
CREATE INDEX goals_by_doc ON goals(doc_id);
CREATE TABLE shared_items (
    doc_id    TEXT NOT NULL,
    id        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    shared_ms INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (doc_id, id)
) STRICT;
CREATE INDEX shared_items_by_id ON shared_items(id);
CREATE TABLE reach_outs (
    doc_id          TEXT NOT NULL,
    id              TEXT NOT NULL,
    text            TEXT NOT NULL,
    at_ms           INTEGER NOT NULL,
    acknowledged_ms INTEGER,
    PRIMARY KEY (doc_id, id)
) STRICT;
CREATE TABLE pair_people (
    doc_id TEXT PRIMARY KEY,
    body   TEXT NOT NULL
) STRICT;
-- Projected from the private space's `devices` document; left out of the
-- read-model dump, since each device lists itself before the others hear of it.
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    body      TEXT NOT NULL
) STRICT;
";

/// Version 3: a user action writes as few pages as it can (4 for a journal
/// entry, against 11 before). Each page written is also a page encrypted
/// at commit, so this is what keeps encryption at rest cheap.
///
/// - `changes` is keyed by document: one b-tree serves loading and
///   compaction, and no `sqlite_sequence` row is rewritten per change (the
///   store numbers a document's changes itself, see `Cached`).
/// - `outbox` loses its unique index: a change is queued once, by the write
///   that made it (and the one-time seeding skips what is queued already).
/// - `documents` loses `pending`: the store counts changes since the
///   snapshot in memory, from the rows it loads.
/// - `journal` is kept in time order (newest-first pages read neighbouring
///   rows) with one index by id. A day's entries are found through a time
///   window around the day, and a document's through its month's window:
///   `local_date` is computed from `created_ms` in the entry's zone, and a
///   journal document holds the entries of one local month.
pub const LEAN_WRITES: &str = "
CREATE TABLE changes_v3 (
    doc_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO changes_v3 (doc_id, seq, bytes) SELECT doc_id, seq, bytes FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v3 RENAME TO changes;

CREATE TABLE outbox_v3 (
    seq    INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    hash   BLOB NOT NULL,
    bytes  BLOB NOT NULL
) STRICT;
INSERT INTO outbox_v3 (seq, doc_id, hash, bytes) SELECT seq, doc_id, hash, bytes FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;

ALTER TABLE documents DROP COLUMN pending;

CREATE TABLE journal_v3 (
    id         TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms  INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    tz         TEXT NOT NULL,
    text       TEXT NOT NULL,
    mood       INTEGER,
    tags       TEXT NOT NULL,
    PRIMARY KEY (created_ms, id)
) STRICT, WITHOUT ROWID;
INSERT INTO journal_v3 (id, doc_id, created_ms, edited_ms, local_date, tz, text, mood, tags)
    SELECT id, doc_id, created_ms, edited_ms, local_date, tz, text, mood, tags FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v3 RENAME TO journal;
CREATE UNIQUE INDEX journal_by_id ON journal(id);
";

/// Version 4: an app opening on its Today screen reads as few pages as it
/// can. Each page read from an encrypted store is also a page checked
/// (HMAC) and decrypted, so this is what keeps opening an encrypted store
/// cheap.
///
/// - `meta` is kept in key order with no separate index: one page to read
///   the device id at open, not two.
/// - `checkins` is kept in day order: the check-in shown for a day is found
///   in the table itself, not through an index and then the table.
pub const LEAN_READS: &str = "
CREATE TABLE meta_v4 (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO meta_v4 (key, value) SELECT key, value FROM meta;
DROP TABLE meta;
ALTER TABLE meta_v4 RENAME TO meta;

CREATE TABLE checkins_v4 (
    id         TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    day        TEXT NOT NULL,
    mood       INTEGER NOT NULL,
    craving    INTEGER NOT NULL,
    used       INTEGER NOT NULL,
    note       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms  INTEGER NOT NULL,
    PRIMARY KEY (day, id)
) STRICT, WITHOUT ROWID;
INSERT INTO checkins_v4 (id, doc_id, day, mood, craving, used, note, created_ms, edited_ms)
    SELECT id, doc_id, day, mood, craving, used, note, created_ms, edited_ms FROM checkins;
DROP TABLE checkins;
ALTER TABLE checkins_v4 RENAME TO checkins;
CREATE UNIQUE INDEX checkins_by_id ON checkins(id);
CREATE INDEX checkins_by_doc ON checkins(doc_id);
";

/// Version 5: received changes kept aside because they could not be taken
/// into their document (see `store/quarantine.rs`).
pub const QUARANTINE: &str = "
CREATE TABLE quarantine (
    doc_id      TEXT NOT NULL,
    change_hash BLOB NOT NULL,
    change      BLOB NOT NULL,
    reason      TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    PRIMARY KEY (doc_id, change_hash)
) STRICT;
";

/// Version 6: the fingerprint of the other side's identity that a pair
/// pinned (see `features/identity.rs`), projected from the keyring.
pub const PINS: &str = "
ALTER TABLE spaces ADD COLUMN pin TEXT;
";

/// Version 7: each pair's meetings (schedules, marks, requests, notes),
/// projected whole from its `meetings` document as one JSON row: a pair's
/// meetings are few, and every screen that shows one needs them all.
pub const MEETINGS: &str = "
CREATE TABLE meetings (
    doc_id TEXT PRIMARY KEY,
    body   TEXT NOT NULL
) STRICT;
";

/// Version 8: where each epoch of a space began (a record sealed under an
/// earlier epoch and placed after `after_seq` is refused: see
/// `sync::fences`), and the newest epoch the server has reported for each
/// space (no key, whoever handed it over, raises the epoch this device
/// seals under past it).
pub const FENCES: &str = "
CREATE TABLE epoch_fences (
    space_id  TEXT NOT NULL,
    epoch     INTEGER NOT NULL,
    after_seq INTEGER NOT NULL,
    PRIMARY KEY (space_id, epoch)
) STRICT;
ALTER TABLE spaces ADD COLUMN server_epoch INTEGER NOT NULL DEFAULT 0;
UPDATE spaces SET server_epoch = epoch;
";

/// Version 9: every entry of the device log this device has seen (see
/// `features::devices::log`), by hash. Append-only: a later change to the
/// devices document that drops an entry drops nothing here. And which
/// device wrote each pair key taken from the keyring.
pub const DEVICE_LOG: &str = "
CREATE TABLE device_log (
    hash  TEXT PRIMARY KEY,
    entry BLOB NOT NULL
) STRICT;
-- Which device (its writer id) wrote each pair key this device took from
-- the keyring, and whether the key was set aside: a key written by a
-- device the log has since removed is not used for an epoch the server
-- reports only after that (see `features::pairs::epochs`).
-- Pairs whose epoch this device has not yet heard from the server (made
-- from the keyring): the first epoch it hears sets nothing aside.
CREATE TABLE pairs_unheard (
    space_id TEXT PRIMARY KEY
) STRICT;
-- The signing keys of the devices the device log certified when this
-- device last built it: entries they sign are kept past the cap.
CREATE TABLE device_log_trusted (
    author TEXT PRIMARY KEY
) STRICT;
CREATE TABLE keyring_writers (
    space_id  TEXT NOT NULL,
    epoch     INTEGER NOT NULL,
    writer    TEXT NOT NULL,
    set_aside INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (space_id, epoch, writer)
) STRICT;
";

/// Version 10: the device log each side of a pair published in the
/// pair's `people` document (see `features::pairs::logs`), by pair, side
/// and hash. Append-only like this account's own log, under the same cap,
/// with the signing keys each side's log certified when last built.
pub const PAIR_LOGS: &str = "
CREATE TABLE pair_logs (
    space_id TEXT NOT NULL,
    side     TEXT NOT NULL,
    hash     TEXT NOT NULL,
    entry    BLOB NOT NULL,
    PRIMARY KEY (space_id, side, hash)
) STRICT;
CREATE TABLE pair_log_trusted (
    space_id TEXT NOT NULL,
    side     TEXT NOT NULL,
    author   TEXT NOT NULL,
    PRIMARY KEY (space_id, side, author)
) STRICT;
";

/// The read-model tables, in the order [`crate::Store::read_model_dump`] lists them.
pub const READ_MODEL_TABLES: [(&str, &str); 12] = [
    ("person", "id"),
    ("tracks", "id"),
    ("journal", "id"),
    ("cravings", "id"),
    ("checkins", "id"),
    ("goals", "id"),
    ("goal_milestones", "goal_id, id"),
    ("notes", "id"),
    ("shared_items", "doc_id, id"),
    ("reach_outs", "doc_id, id"),
    ("pair_people", "doc_id"),
    ("meetings", "doc_id"),
];

/// Creates the current schema in an empty database: every step in order
/// (with nothing to carry over from before version 2).
pub fn create(conn: &Connection) -> Result<()> {
    for step in [
        CREATE,
        SYNC,
        LEAN_WRITES,
        LEAN_READS,
        QUARANTINE,
        PINS,
        MEETINGS,
        FENCES,
        DEVICE_LOG,
        PAIR_LOGS,
    ] {
        conn.execute_batch(step)?;
    }
    conn.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}

/// Upgrades a store at schema `from` to [`VERSION`], inside the caller's
/// transaction, so a kill during an upgrade leaves the store as it was.
/// Changes made before version 2 are queued for the server at the first
/// sync (see `sync::engine`), not here: that needs the documents loaded.
pub fn upgrade_from(conn: &Connection, from: i64) -> Result<()> {
    debug_assert!((1..=VERSION).contains(&from));
    if from < 2 {
        conn.execute_batch(SYNC)?;
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('outbox_seeded', 'no')",
            [],
        )?;
    }
    if from < 3 {
        conn.execute_batch(LEAN_WRITES)?;
    }
    if from < 4 {
        conn.execute_batch(LEAN_READS)?;
    }
    if from < 5 {
        conn.execute_batch(QUARANTINE)?;
    }
    if from < 6 {
        conn.execute_batch(PINS)?;
    }
    if from < 7 {
        conn.execute_batch(MEETINGS)?;
    }
    if from < 8 {
        conn.execute_batch(FENCES)?;
    }
    if from < 9 {
        conn.execute_batch(DEVICE_LOG)?;
    }
    if from < 10 {
        conn.execute_batch(PAIR_LOGS)?;
    }
    conn.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}
