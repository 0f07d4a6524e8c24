//! Erasing everything: the store, its SQLite side files, its key, and — when
//! the device has an account — the account and every space it alone owns at
//! the server.
//!
//! Local erasure never waits on the network: a phone that must be wiped
//! now is wiped now, and the report says what the server still holds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;
use crate::files::sidecar;
use crate::store::Store;

/// What an erase removed, and what it could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EraseReport {
    /// Files removed from this device.
    pub removed: Vec<PathBuf>,
    /// Files that were there and could not be removed, with the reason.
    pub not_removed: Vec<(PathBuf, String)>,
    /// What happened at the server (`None`: the device had no account).
    pub server: Option<ServerErasure>,
}

/// The server side of an erase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ServerErasure {
    /// The server deleted the account.
    Deleted {
        /// The server's URL.
        server: String,
        /// Spaces the account alone owned, deleted with every record.
        spaces_deleted: u32,
        /// Shared spaces the account left.
        spaces_left: u32,
    },
    /// The server could not be asked or refused; it still holds the
    /// account's (encrypted) data until it is deleted there.
    Failed {
        /// The server's URL.
        server: String,
        /// Why, in words.
        reason: String,
    },
}

/// The files a store at `path` may have beside it.
pub fn store_files(path: &Path) -> Vec<PathBuf> {
    let with = |suffix: &str| sidecar(path, suffix);
    vec![
        path.to_path_buf(),
        with("-wal"),
        with("-shm"),
        with("-journal"),
        with(".rewrite"),
        with(".rewrite-journal"),
    ]
}

/// Erases `store` and `also` (the key file, say): asks the server to
/// delete the account first if there is one, then removes every file.
pub fn erase(store: Store, also: &[PathBuf]) -> Result<EraseReport> {
    let server = match store.account()? {
        None => None,
        Some(account) => Some(match account.client().and_then(|c| c.delete_account()) {
            Ok(done) => ServerErasure::Deleted {
                server: account.server.clone(),
                spaces_deleted: done.spaces_deleted,
                spaces_left: done.spaces_left,
            },
            Err(e) => ServerErasure::Failed {
                server: account.server.clone(),
                reason: e.to_string(),
            },
        }),
    };
    let path = store.path().to_path_buf();
    // Closing first lets SQLite drop its WAL and shared memory files.
    let _ = store.close();
    let mut report = EraseReport {
        removed: vec![],
        not_removed: vec![],
        server,
    };
    for file in store_files(&path).into_iter().chain(also.iter().cloned()) {
        match std::fs::remove_file(&file) {
            Ok(()) => report.removed.push(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => report.not_removed.push((file, e.to_string())),
        }
    }
    Ok(report)
}
