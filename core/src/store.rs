//! The device's durable store: automerge documents and their read model in
//! one SQLite database, and typed access to what the sync keeps beside them:
//! the outbox, each space's cursor and keys, the account and this device's
//! own records. Every SQL statement of the core lives under this module.
//!
//! Every user action is one SQLite transaction that appends the automerge
//! change to its document and updates the read-model rows it touches. With
//! [`Durability::Full`] (the default) the WAL is fsynced at commit, so once a
//! call returns its write survives `kill -9` and power loss.
//!
//! Screens read the read model only; automerge documents are loaded (and
//! cached) only to write into them, to apply changes from other devices, to
//! export and to rebuild the read model.

mod account;
mod actions;
mod cipher;
mod cursors;
mod devices;
mod fences;
pub mod key;
mod meetings;
mod meta;
mod outbox;
mod pairs;
mod projection;
mod quarantine;
mod read;
pub mod schema;
mod spaces;
mod wakeup;

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use automerge::transaction::Transaction;
use automerge::{ActorId, Automerge, Change, ChangeHash, ReadDoc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::area::Area;
use crate::clock::{Clock, SystemClock};
use crate::document::DocId;
use crate::error::{Error, Result};
use cipher::classify;

pub use key::StoreKey;

pub use read::{DayCounts, Page};
pub use spaces::{Space, SpaceRole};

pub(crate) use cursors::{CursorMove, Pulled, RefusedRow};
pub(crate) use meta::RecoveryRecord;
pub(crate) use outbox::Outgoing;
#[cfg(test)]
pub(crate) use pairs::{PAIR_LOG_HARD, PAIR_LOG_SOFT};

/// How hard a commit works to reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL`: the WAL is fsynced at every commit. A returned
    /// call survives a kill and a power loss. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: survives a killed process, but the last
    /// commits may be lost on power loss. For bulk imports and benchmarks.
    Normal,
}

/// How a store is opened.
#[derive(Clone)]
pub struct Options {
    /// Commit durability.
    pub durability: Durability,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// After this many changes a document's changes are folded into its snapshot.
    pub compact_after: u32,
    /// A new round of encrypted snapshots goes to the server after this many
    /// changes of the private space (sent or received) since the last round.
    pub snapshot_every: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            durability: Durability::Full,
            clock: Arc::new(SystemClock),
            compact_after: 128,
            snapshot_every: 1000,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("durability", &self.durability)
            .field("compact_after", &self.compact_after)
            .finish_non_exhaustive()
    }
}

/// A device's store. One writer: keep one `Store` per database file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    actor: ActorId,
    options: Options,
    docs: HashMap<DocId, Cached>,
    changed: BTreeSet<Area>,
    /// How many changes wait in the outbox, once counted: counting scans
    /// the outbox, and the Today screen asks on every draw.
    outbox_len: Cell<Option<u64>>,
    /// Whether a change made here is queued for a server, once looked up:
    /// only after this device has an account (see `Store::queues_changes`).
    queues: Cell<Option<bool>>,
}

/// A loaded document with the bookkeeping of its stored changes, kept in
/// memory so that a write rewrites no counter row.
struct Cached {
    doc: Automerge,
    /// Changes stored since the snapshot: compaction runs when this reaches
    /// [`Options::compact_after`].
    pending: u32,
    /// The `seq` the next stored change of this document gets.
    next_seq: i64,
    /// Whether the document has its row in `documents` yet.
    has_row: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the encrypted store at `path` with default options.
    pub fn open(path: impl AsRef<Path>, key: &StoreKey) -> Result<Self> {
        Self::open_with(path, Some(key), Options::default())
    }

    /// Opens (or creates) the store at `path`, encrypted with `key`.
    ///
    /// - A wrong key (or `None` for an encrypted store) gives
    ///   [`Error::WrongKey`] and changes nothing.
    /// - A plain store from before encryption, opened with a key, is first
    ///   rewritten encrypted, kill-safely (see [`Store::rekey`]).
    /// - `key: None` opens or creates a plain store: for measurements that
    ///   compare against encryption, never for a person's data.
    /// - A store written by a newer schema is refused with [`Error::TooNew`]
    ///   before anything is written to it; an older one is migrated forward.
    pub fn open_with(
        path: impl AsRef<Path>,
        key: Option<&StoreKey>,
        options: Options,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        cipher::discard_unfinished_rewrite(&path)?;
        match (cipher::file_state(&path)?, key) {
            (cipher::FileState::Plain, Some(key)) => {
                let conn = cipher::connect(&path, None)?;
                refuse_newer(&conn, &path)?;
                cipher::rewrite(conn, &path, key)?;
            }
            (cipher::FileState::Encrypted, None) => return Err(Error::WrongKey(path)),
            _ => {}
        }
        let conn = cipher::connect(&path, key)?;
        let version = refuse_newer(&conn, &path)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| classify(e, &path))?;
        conn.pragma_update(
            None,
            "synchronous",
            match options.durability {
                Durability::Full => "FULL",
                Durability::Normal => "NORMAL",
            },
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut conn = conn;
        // A store at the current version is opened without writing: no
        // commit, no fsync, nothing for the close to copy back.
        if version < schema::VERSION {
            let tx = conn.transaction().map_err(|e| classify(e, &path))?;
            if version == 0 {
                schema::create(&tx).map_err(|e| match e {
                    Error::Sqlite(e) => classify(*e, &path),
                    e => e,
                })?;
            } else {
                schema::upgrade_from(&tx, version)?;
            }
            tx.commit()?;
        }
        let device: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| classify(e, &path))?;
        let device = match device {
            // A device from before bound writer ids moves to one now (once).
            // If that cannot be written now (another process holds the
            // store and may have moved it a moment ago), the id as kept.
            Some(d) => match bind_device_id(&conn, &d) {
                Ok(id) => id,
                Err(_) => conn
                    .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
                        r.get(0)
                    })
                    .unwrap_or(d),
            },
            None => new_device_id(&conn)?,
        };
        let actor_bytes: Vec<u8> = (0..device.len() / 2)
            .filter_map(|i| u8::from_str_radix(device.get(2 * i..2 * i + 2)?, 16).ok())
            .collect();
        if actor_bytes.len() != 16 {
            return Err(Error::CorruptStore("the device id is damaged".into()));
        }
        Ok(Store {
            conn,
            path,
            actor: ActorId::from(actor_bytes),
            options,
            docs: HashMap::new(),
            changed: BTreeSet::new(),
            outbox_len: Cell::new(None),
            queues: Cell::new(None),
        })
    }

    /// Re-encrypts the whole store under `new_key` and reopens it.
    ///
    /// The store is exported into a sibling file under the new key, fsynced,
    /// and renamed over the old file, so a kill at any moment leaves either
    /// the old store under the old key or the new one under the new key.
    /// Keep both keys until this returns: save `new_key` first, drop the old
    /// one after (the terminal client's [`crate::keyfile`] does this).
    pub fn rekey(self, new_key: &StoreKey) -> Result<Store> {
        let Store {
            conn,
            path,
            options,
            ..
        } = self;
        cipher::rewrite(conn, &path, new_key)?;
        Store::open_with(&path, Some(new_key), options)
    }

    /// Closes the store, reporting a failure to close cleanly.
    pub fn close(self) -> Result<()> {
        self.conn.close().map_err(|(_, e)| Error::from(e))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writer ids this device wrote under before its id was bound to
    /// its signing key (hex; empty for a device made since): what it wrote
    /// under them is still its own.
    pub fn former_writers(&self) -> Result<Vec<String>> {
        let kept: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'former_writers'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(kept
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect())
    }

    /// This device's id (also its automerge actor id), as hex.
    pub fn device_id(&self) -> String {
        self.actor.to_hex_string()
    }

    /// How the store was opened.
    pub(crate) fn options(&self) -> &Options {
        &self.options
    }

    /// The current instant from the store's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.options.clock.now()
    }

    /// The document's full encoded form (`Automerge::save`): what a compacted
    /// snapshot holds.
    pub fn document_bytes(&mut self, doc_id: &DocId) -> Result<Vec<u8>> {
        Ok(self.doc(doc_id)?.save())
    }

    /// Every document the store holds, in id order.
    pub fn doc_ids(&self) -> Result<Vec<DocId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc_id FROM documents ORDER BY doc_id")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        ids.iter().map(|s| DocId::parse(s)).collect()
    }

    /// The document's current heads (empty for a document never written).
    pub fn heads(&mut self, doc_id: &DocId) -> Result<Vec<ChangeHash>> {
        Ok(self.doc(doc_id)?.get_heads())
    }

    /// The encoded changes of `doc_id` that are not ancestors of `have`
    /// (all of them when `have` is empty): what another replica needs.
    pub fn changes_since(&mut self, doc_id: &DocId, have: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .doc(doc_id)?
            .get_changes(have)
            .into_iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect())
    }

    /// Applies changes that came from another replica, all in one batch, and
    /// re-projects the document into the read model in the same transaction.
    /// Changes already held are skipped, so applying twice changes nothing.
    /// Returns how many new changes were stored.
    pub fn apply_changes(&mut self, doc_id: &DocId, encoded: &[Vec<u8>]) -> Result<usize> {
        self.apply_batch(vec![(doc_id.clone(), encoded.to_vec())], |_| Ok(()))
    }

    /// Applies changes to several documents in one SQLite transaction: each
    /// document gets its changes in one automerge call (its cost grows with
    /// the document, not with the number of changes) and is re-projected
    /// once. `also` runs inside the same transaction before it commits (the
    /// sync client records its cursors there), so either everything lands or
    /// nothing does. Returns how many new changes were stored.
    pub fn apply_batch(
        &mut self,
        batch: Vec<(DocId, Vec<Vec<u8>>)>,
        also: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<usize> {
        let touched: Vec<DocId> = batch.iter().map(|(id, _)| id.clone()).collect();
        let result = self.apply_batch_inner(batch, also);
        if result.is_err() {
            for id in &touched {
                self.docs.remove(id);
            }
        }
        result
    }

    fn apply_batch_inner(
        &mut self,
        batch: Vec<(DocId, Vec<Vec<u8>>)>,
        also: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<usize> {
        let now_ms = self.now().timestamp_millis();
        let mut parsed = Vec::with_capacity(batch.len());
        let mut unparsed = Vec::new();
        for (doc_id, encoded) in batch {
            doc_id.kind()?;
            let mut changes = Vec::with_capacity(encoded.len());
            for bytes in encoded {
                match Change::from_bytes(bytes.clone()) {
                    Ok(change) => changes.push(change),
                    Err(e) => unparsed.push((
                        doc_id.clone(),
                        bytes,
                        format!("a received change does not parse: {e}"),
                    )),
                }
            }
            self.doc(&doc_id)?;
            parsed.push((doc_id, changes));
        }
        let tx = self.conn.transaction()?;
        for (doc_id, bytes, reason) in &unparsed {
            quarantine::keep(&tx, doc_id, None, bytes, reason, now_ms)?;
        }
        let mut stored = 0;
        let mut touched = BTreeSet::new();
        let mut reload = Vec::new();
        for (doc_id, changes) in parsed {
            let cached = self.docs.get_mut(&doc_id).expect("loaded above");
            let mut seen = std::collections::HashSet::new();
            let fresh: Vec<Change> = changes
                .into_iter()
                .filter(|c| {
                    cached.doc.get_change_by_hash(&c.hash()).is_none() && seen.insert(c.hash())
                })
                .collect();
            if fresh.is_empty() {
                continue;
            }
            // Each document's changes land together or are kept aside
            // together: one that cannot be taken in must not stop the rest.
            tx.execute_batch("SAVEPOINT one_document")?;
            let taken = (|| {
                guard(&doc_id, || cached.doc.apply_changes(fresh.clone()))??;
                for change in &fresh {
                    append_change(&tx, &doc_id, cached, change.raw_bytes())?;
                }
                projection::document(&tx, &doc_id, &cached.doc)
            })();
            match taken {
                Ok(()) => tx.execute_batch("RELEASE one_document")?,
                Err(e) if quarantine::is_the_changes_fault(&e) => {
                    tx.execute_batch("ROLLBACK TO one_document; RELEASE one_document")?;
                    for change in &fresh {
                        let hash = change.hash();
                        let reason = e.to_string();
                        quarantine::keep(
                            &tx,
                            &doc_id,
                            Some(&hash.0),
                            change.raw_bytes(),
                            &reason,
                            now_ms,
                        )?;
                    }
                    // The cached document took the changes in: read it
                    // again from what the store kept.
                    reload.push(doc_id);
                    continue;
                }
                Err(e) => return Err(e),
            }
            maybe_compact(&tx, &doc_id, cached, self.options.compact_after)?;
            stored += fresh.len();
            touched.extend(Area::of(&doc_id).iter().copied());
        }
        also(&tx)?;
        tx.commit()?;
        for doc_id in reload {
            self.docs.remove(&doc_id);
        }
        self.changed.extend(touched);
        Ok(stored)
    }

    /// Reads from a document (loaded on first use).
    pub(crate) fn read_doc<T>(
        &mut self,
        doc_id: &DocId,
        f: impl FnOnce(&Automerge) -> Result<T>,
    ) -> Result<T> {
        let doc = self.doc(doc_id)?;
        f(doc)
    }

    /// Installs whole documents (loaded from snapshots) in one transaction:
    /// a document this store does not hold yet is stored as its snapshot
    /// and projected, with no change replayed; one it holds gets the
    /// snapshot's changes merged as usual. `also` runs in the same
    /// transaction. Returns how many documents were installed.
    pub(crate) fn install_documents(
        &mut self,
        docs: Vec<(DocId, Automerge, Vec<u8>)>,
        also: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>,
    ) -> Result<usize> {
        let mut fresh = Vec::new();
        let mut merge = Vec::new();
        for (doc_id, doc, saved) in docs {
            doc_id.kind()?;
            let held: bool = self.conn.query_row(
                "SELECT count(*) FROM documents WHERE doc_id = ?1",
                [doc_id.as_str()],
                |r| r.get::<_, i64>(0),
            )? > 0;
            if held {
                let changes = doc
                    .get_changes(&[])
                    .into_iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect();
                merge.push((doc_id, changes));
            } else {
                fresh.push((doc_id, doc, saved));
            }
        }
        let installed = fresh.len();
        if !merge.is_empty() {
            self.apply_batch(merge, |_| Ok(()))?;
        }
        let tx = self.conn.transaction()?;
        for (doc_id, doc, saved) in &fresh {
            tx.execute(
                "INSERT INTO documents (doc_id, snapshot) VALUES (?1, ?2)",
                params![doc_id.as_str(), saved],
            )?;
            projection::document(&tx, doc_id, doc)?;
        }
        also(&tx)?;
        tx.commit()?;
        for (doc_id, mut doc, _) in fresh {
            self.changed.extend(Area::of(&doc_id).iter().copied());
            doc.set_actor(self.actor.clone());
            self.docs.insert(
                doc_id,
                Cached {
                    doc,
                    pending: 0,
                    next_seq: 0,
                    has_row: true,
                },
            );
        }
        Ok(installed)
    }

    /// Drops and rebuilds the whole read model from the documents, in one
    /// transaction. Documents that fail to load are reported, not skipped
    /// silently: the first such error is returned and nothing is changed.
    pub fn rebuild_read_model(&mut self) -> Result<()> {
        let ids = self.doc_ids()?;
        for id in &ids {
            self.doc(id)?;
        }
        let tx = self.conn.transaction()?;
        for (table, _) in schema::READ_MODEL_TABLES {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        for id in &ids {
            projection::document(&tx, id, &self.docs[id].doc)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The areas of the view state that writes and syncs changed since the
    /// last call, in a fixed order; the set is emptied. Shells call this
    /// after each action to know which screens to redraw.
    pub fn take_changed(&mut self) -> Vec<Area> {
        std::mem::take(&mut self.changed).into_iter().collect()
    }

    /// Notes that `areas` changed, for [`Store::take_changed`].
    pub(crate) fn note_changed(&mut self, areas: &[Area]) {
        self.changed.extend(areas.iter().copied());
    }

    /// Every read-model row as text, tables and rows in a fixed order: two
    /// stores with equal read models give equal dumps.
    pub fn read_model_dump(&self) -> Result<String> {
        read::dump(&self.conn)
    }

    /// The document `doc_id`, loaded from its snapshot and changes on first use.
    fn doc(&mut self, doc_id: &DocId) -> Result<&mut Automerge> {
        if !self.docs.contains_key(doc_id) {
            let cached = load_doc(&self.conn, doc_id, &self.actor)?;
            self.docs.insert(doc_id.clone(), cached);
        }
        Ok(&mut self.docs.get_mut(doc_id).expect("inserted above").doc)
    }

    /// Runs one user action on `doc_id`: `edit` makes the automerge change,
    /// `project` updates the read model; both land in one SQLite transaction.
    /// On any failure the cached document is dropped, so memory never holds
    /// a change the disk does not.
    pub(crate) fn write<R>(
        &mut self,
        doc_id: &DocId,
        edit: impl FnOnce(&mut Transaction<'_>) -> Result<R>,
        project: impl FnOnce(&rusqlite::Transaction<'_>, &R) -> Result<()>,
    ) -> Result<R> {
        self.doc(doc_id)?;
        let result = self.write_loaded(doc_id, edit, |tx, value, _| project(tx, value));
        if result.is_err() {
            self.docs.remove(doc_id);
        }
        result
    }

    /// Like [`Store::write`], re-projecting the whole document in the same
    /// transaction: for small documents whose rows depend on each other
    /// (a pair's people, the keyring).
    pub(crate) fn write_whole<R>(
        &mut self,
        doc_id: &DocId,
        edit: impl FnOnce(&mut Transaction<'_>) -> Result<R>,
    ) -> Result<R> {
        self.doc(doc_id)?;
        let result = self.write_loaded(doc_id, edit, |tx, _, doc| {
            projection::document(tx, doc_id, doc)
        });
        if result.is_err() {
            self.docs.remove(doc_id);
        }
        result
    }

    fn write_loaded<R>(
        &mut self,
        doc_id: &DocId,
        edit: impl FnOnce(&mut Transaction<'_>) -> Result<R>,
        project: impl FnOnce(&rusqlite::Transaction<'_>, &R, &Automerge) -> Result<()>,
    ) -> Result<R> {
        let queue = self.queues_changes()?;
        let cached = self.docs.get_mut(doc_id).expect("loaded by write");
        let doc = &mut cached.doc;
        let mut am_tx = doc.transaction();
        let value = edit(&mut am_tx)?;
        let (hash, _) = am_tx.commit();
        let Some(hash) = hash else {
            return Ok(value);
        };
        let change = doc
            .get_change_by_hash(&hash)
            .ok_or_else(|| Error::CorruptDocument {
                doc_id: doc_id.to_string(),
                reason: "a change just made is missing".into(),
            })?;
        let (hash, bytes) = (change.hash(), change.raw_bytes().to_vec());
        let tx = self.conn.transaction()?;
        append_change(&tx, doc_id, cached, &bytes)?;
        if queue {
            tx.prepare_cached("INSERT INTO outbox (doc_id, hash, bytes) VALUES (?1, ?2, ?3)")?
                .execute(params![doc_id.as_str(), &hash.0[..], bytes])?;
        }
        project(&tx, &value, &cached.doc)?;
        maybe_compact(&tx, doc_id, cached, self.options.compact_after)?;
        tx.commit()?;
        if let (true, Some(n)) = (queue, self.outbox_len.get()) {
            self.outbox_len.set(Some(n + 1));
        }
        self.changed.extend(Area::of(doc_id).iter().copied());
        Ok(value)
    }
}

/// Stores one change of a loaded document (and the document's row, on its
/// first change). The counters and `has_row` move with the rows; a failed
/// transaction drops the cached document, so they never outrun the disk.
fn append_change(
    tx: &rusqlite::Transaction<'_>,
    doc_id: &DocId,
    cached: &mut Cached,
    bytes: &[u8],
) -> Result<()> {
    if !cached.has_row {
        tx.prepare_cached("INSERT OR IGNORE INTO documents (doc_id) VALUES (?1)")?
            .execute([doc_id.as_str()])?;
        cached.has_row = true;
    }
    tx.prepare_cached("INSERT INTO changes (doc_id, seq, bytes) VALUES (?1, ?2, ?3)")?
        .execute(params![doc_id.as_str(), cached.next_seq, bytes])?;
    cached.next_seq += 1;
    cached.pending += 1;
    Ok(())
}

/// Folds a document's changes into a new snapshot once there are enough of them.
fn maybe_compact(
    tx: &rusqlite::Transaction<'_>,
    doc_id: &DocId,
    cached: &mut Cached,
    compact_after: u32,
) -> Result<()> {
    if cached.pending < compact_after {
        return Ok(());
    }
    let snapshot = cached.doc.save();
    tx.execute(
        "UPDATE documents SET snapshot = ?2 WHERE doc_id = ?1",
        params![doc_id.as_str(), snapshot],
    )?;
    tx.execute("DELETE FROM changes WHERE doc_id = ?1", [doc_id.as_str()])?;
    cached.pending = 0;
    Ok(())
}

/// Makes this new device's id: the writer id bound to its signing key
/// (made here if it is not yet), so no other device can sign as it (see
/// `sync::signature::bound_writer`). Both are kept in one transaction.
fn new_device_id(conn: &Connection) -> Result<String> {
    let tx = conn.unchecked_transaction()?;
    let seed = signing_seed_in(&tx)?;
    let id = hex::encode(crate::sync::signature::bound_writer_of_seed(&seed));
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('device_id', ?1)",
        [&id],
    )?;
    tx.commit()?;
    Ok(id)
}

/// This device's id, moved to the writer id bound to its signing key when
/// it is not that yet (a device made before writer ids were bound). What
/// it wrote as `current` stays its own: `current` is kept among its former
/// writer ids (see [`Store::former_writers`]). Writes only when it moves.
fn bind_device_id(conn: &Connection, current: &str) -> Result<String> {
    let tx = conn.unchecked_transaction()?;
    let seed = signing_seed_in(&tx)?;
    let id = hex::encode(crate::sync::signature::bound_writer_of_seed(&seed));
    if id == current {
        return Ok(id);
    }
    let former: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'former_writers'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let mut former: Vec<String> = former
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if !former.iter().any(|f| f == current) {
        former.push(current.to_owned());
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('former_writers', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [former.join(" ")],
    )?;
    tx.execute("UPDATE meta SET value = ?1 WHERE key = 'device_id'", [&id])?;
    tx.commit()?;
    Ok(id)
}

/// The device's signing key seed as kept in `meta`, made and kept there
/// when there is none.
pub(crate) fn signing_seed_in(tx: &Connection) -> Result<zeroize::Zeroizing<[u8; 32]>> {
    let kept: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'signing_seed'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match kept.map(zeroize::Zeroizing::new) {
        Some(h) => {
            let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(h.as_str(), bytes.as_mut())
                .map_err(|_| Error::CorruptStore("the device's signing key is damaged".into()))?;
            Ok(bytes)
        }
        None => {
            let seed = crate::sync::signature::generate_seed();
            let text = zeroize::Zeroizing::new(hex::encode(*seed));
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('signing_seed', ?1)",
                [text.as_str()],
            )?;
            Ok(seed)
        }
    }
}

/// Loads a document from its snapshot and changes. Damaged bytes give
/// [`Error::CorruptDocument`]; nothing is deleted or rewritten.
fn load_doc(conn: &Connection, doc_id: &DocId, actor: &ActorId) -> Result<Cached> {
    let snapshot: Option<Option<Vec<u8>>> = conn
        .query_row(
            "SELECT snapshot FROM documents WHERE doc_id = ?1",
            [doc_id.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    let has_row = snapshot.is_some();
    let mut doc = match snapshot.flatten() {
        Some(bytes) => {
            guard(doc_id, || Automerge::load(&bytes))?.map_err(|e| corrupt(doc_id, e))?
        }
        None => Automerge::new(),
    };
    let mut stmt =
        conn.prepare_cached("SELECT seq, bytes FROM changes WHERE doc_id = ?1 ORDER BY seq")?;
    let mut changes = Vec::new();
    let mut next_seq = 0;
    for row in stmt.query_map([doc_id.as_str()], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })? {
        let (seq, bytes) = row?;
        next_seq = seq + 1;
        changes.push(Change::from_bytes(bytes).map_err(|e| corrupt(doc_id, e))?);
    }
    let pending = u32::try_from(changes.len()).unwrap_or(u32::MAX);
    if !changes.is_empty() {
        guard(doc_id, || doc.apply_changes(changes))?.map_err(|e| corrupt(doc_id, e))?;
    }
    doc.set_actor(actor.clone());
    Ok(Cached {
        doc,
        pending,
        next_seq,
        has_row,
    })
}

/// Runs a parser over stored bytes; a panic inside it becomes a typed error
/// for that document instead of taking the whole app down.
fn guard<T>(doc_id: &DocId, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| Error::CorruptDocument {
        doc_id: doc_id.to_string(),
        reason: "the document's bytes could not be decoded".into(),
    })
}

fn corrupt(doc_id: &DocId, e: impl std::fmt::Display) -> Error {
    Error::CorruptDocument {
        doc_id: doc_id.to_string(),
        reason: e.to_string(),
    }
}

/// A bare SQLite connection to the store at `path`, opened with its key and
/// cipher settings, for tools and tests that inspect rows directly. Writing
/// through it bypasses every rule the store keeps.
pub fn open_raw(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    cipher::connect(path, key)
}

/// Whether the file at `path` is an encrypted store (or anything that is not
/// a plain SQLite file). A missing or empty file is not.
pub fn is_encrypted(path: &Path) -> Result<bool> {
    Ok(cipher::file_state(path)? == cipher::FileState::Encrypted)
}

/// Reads the schema version and refuses a store from a newer build.
fn refuse_newer(conn: &Connection, path: &Path) -> Result<i64> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| classify(e, path))?;
    if version > schema::VERSION {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: schema::VERSION,
        });
    }
    Ok(version)
}
