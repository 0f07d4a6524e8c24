//! The store's SQLite schema and its forward migrations.
//!
//! The schema version lives in `PRAGMA user_version`. A fresh store gets
//! [`CREATE`] at [`VERSION`]; an older one is upgraded step by step by
//! [`upgrade_from`]; a newer one is refused before anything is written.

use rusqlite::Connection;

use crate::error::Result;

/// The schema version this build writes.
pub const VERSION: i64 = 2;

/// The full current schema.
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
" /* version 2 */;

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

/// The read-model tables, in the order [`crate::Store::read_model_dump`] lists them.
pub const READ_MODEL_TABLES: [(&str, &str); 11] = [
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
];

/// Creates the current schema in an empty database.
pub fn create(conn: &Connection) -> Result<()> {
    conn.execute_batch(CREATE)?;
    conn.execute_batch(SYNC)?;
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
    conn.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}
