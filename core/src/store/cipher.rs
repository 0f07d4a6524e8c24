//! Opening a SQLCipher database with its key, and rewriting a store under a
//! new key (re-key, or encrypting a plain store from before).
//!
//! A rewrite never changes the original file in place: the whole database is
//! exported (`sqlcipher_export`) into a sibling file under the new key, that
//! file is fsynced, and only then renamed over the original. A kill at any
//! moment leaves either the old store (and a half-written sibling that the
//! next open deletes) or the finished new one.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::key::StoreKey;
use crate::error::{Error, Result, is_corruption};
use crate::files::{sidecar, sync_parent};

/// SQLite's file header: a plain store starts with it, an encrypted one does not.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// SQLCipher settings that differ from its defaults, for the database
/// `schema` of a connection; they must be the same at every open.
///
/// HMAC-SHA256 instead of HMAC-SHA512 for page authentication: phones'
/// ARMv8 crypto extensions (and x86 SHA-NI) accelerate SHA-256, not
/// SHA-512, and the measured write and open overheads drop with it (see
/// `docs/performance.md`). The key is a random 256-bit raw key, so the KDF
/// only derives the HMAC key (SQLCipher's two fast iterations).
fn cipher_settings(schema: &str) -> String {
    format!(
        "PRAGMA {schema}.cipher_hmac_algorithm = HMAC_SHA256;
         PRAGMA {schema}.cipher_kdf_algorithm = PBKDF2_HMAC_SHA256;"
    )
}

/// What is on disk at a store's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    /// No file (or an empty one): a new store.
    Missing,
    /// An unencrypted SQLite database.
    Plain,
    /// Anything else: an encrypted database (or a file that is not a store).
    Encrypted,
}

/// Looks at the first bytes of `path`.
pub(crate) fn file_state(path: &Path) -> Result<FileState> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(e.into()),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileState::Missing,
        16 if &head == PLAIN_HEADER => FileState::Plain,
        _ => FileState::Encrypted,
    })
}

/// Opens `path` and proves that `key` (or no key) reads it, before anything
/// is written. A wrong key gives [`Error::WrongKey`] and changes nothing.
pub(crate) fn connect(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    // RustCrypto does each page's HMAC and AES without OpenSSL's per-call
    // look-ups and allocations (see `docs/performance.md`). Should SQLCipher
    // refuse it, its own provider reads and writes the same format.
    let _ = tandem_sqlcipher_provider::install();
    let conn = Connection::open(path).map_err(|e| classify(e, path))?;
    // SQLCipher reports failed decryption on stderr unless told not to; the
    // typed error below says the same to the caller.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    if let Some(key) = key {
        conn.execute_batch(&format!("PRAGMA key = {};", key.sql_literal().as_str()))?;
        conn.execute_batch(&cipher_settings("main"))?;
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(conn),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            Err(Error::WrongKey(path.to_path_buf()))
        }
        Err(e) => Err(classify(e, path)),
    }
}

/// The sibling a rewrite builds before renaming it over the store.
pub(crate) fn rewrite_path(path: &Path) -> PathBuf {
    sidecar(path, ".rewrite")
}

/// Deletes what an interrupted rewrite left behind. The store itself is
/// whole: the rename is the rewrite's last step.
pub(crate) fn discard_unfinished_rewrite(path: &Path) -> Result<()> {
    let tmp = rewrite_path(path);
    for file in [
        tmp.clone(),
        sidecar(&tmp, "-journal"),
        sidecar(&tmp, "-wal"),
        sidecar(&tmp, "-shm"),
    ] {
        match fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Rewrites the database behind `conn` (opened on `path`, plain or keyed)
/// as a new file encrypted with `new_key`, then renames it over `path`.
/// `conn` is closed on the way. Kill-safe at every step (see the module).
pub(crate) fn rewrite(conn: Connection, path: &Path, new_key: &StoreKey) -> Result<()> {
    discard_unfinished_rewrite(path)?;
    let tmp = rewrite_path(path);
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        return Err(Error::CorruptStore(
            "another connection holds the store open; close it before re-keying".into(),
        ));
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tmp_text = tmp
        .to_str()
        .ok_or_else(|| Error::invalid("path", "the store's path is not valid UTF-8"))?;
    conn.execute(
        "ATTACH DATABASE ?1 AS rewrite KEY ?2",
        (tmp_text, format!("x'{}'", new_key.to_hex().as_str())),
    )?;
    conn.execute_batch(&cipher_settings("rewrite"))?;
    conn.query_row("SELECT sqlcipher_export('rewrite')", [], |_| Ok(()))?;
    conn.execute_batch(&format!("PRAGMA rewrite.user_version = {version};"))?;
    conn.execute_batch("DETACH DATABASE rewrite;")?;
    conn.close().map_err(|(_, e)| Error::from(e))?;

    File::open(&tmp)?.sync_all()?;
    // The old store's WAL was checkpointed and truncated above; its empty
    // sidecars must not sit beside the new file, whose pages they do not match.
    for suffix in ["-wal", "-shm"] {
        let file = sidecar(path, suffix);
        match fs::metadata(&file) {
            Ok(meta) if suffix == "-wal" && meta.len() > 0 => {
                return Err(Error::CorruptStore(
                    "the store's log still holds data after a checkpoint; nothing was changed"
                        .into(),
                ));
            }
            Ok(_) => fs::remove_file(&file)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    fs::rename(&tmp, path)?;
    sync_parent(path)?;
    Ok(())
}

/// Maps SQLite's "this is not a database" family to [`Error::CorruptStore`].
pub(crate) fn classify(e: rusqlite::Error, path: &Path) -> Error {
    if is_corruption(&e) {
        Error::CorruptStore(format!("{}: {e}", path.display()))
    } else {
        Error::from(e)
    }
}
