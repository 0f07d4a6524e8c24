//! The core's one error type.
//!
//! Every fallible call in `tandem-core` returns [`Result`]. Variants are grouped
//! so that a shell can map them to a stable, translatable kind with
//! [`Error::kind`] while logs and the terminal client print the English
//! `Display` text.

use std::path::PathBuf;

/// A stable classification of an [`Error`], for shells to translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The caller gave a value outside its bounds.
    Validation,
    /// The item asked for does not exist (or was deleted).
    NotFound,
    /// The store has not been set up yet (`init` first).
    NotInitialized,
    /// The store was already set up.
    AlreadyInitialized,
    /// A stored document or row could not be read.
    Corrupt,
    /// The store was written by a newer version of Tandem.
    TooNew,
    /// SQLite or the file system failed.
    Storage,
    /// The key given does not open the store (or no key was given for an encrypted one).
    WrongKey,
    /// The app is locked: unlock it with its key first.
    Locked,
    /// The server could not be reached.
    Network,
    /// The server refused or failed the request, or misbehaved.
    Server,
    /// This device does not sync with a server yet.
    NoServer,
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller is outside its bounds.
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The field that was rejected, e.g. `intensity`.
        field: &'static str,
        /// Why it was rejected, in English.
        reason: String,
    },
    /// No live item of that kind has that id.
    #[error("no {kind} with id {id}")]
    NotFound {
        /// What was looked for, e.g. `journal entry`.
        kind: &'static str,
        /// The id that was given.
        id: String,
    },
    /// The store holds no person yet.
    #[error("this device is not set up yet: run `init` first")]
    NotInitialized,
    /// `init` was called on a store that already holds a person.
    #[error("this device is already set up")]
    AlreadyInitialized,
    /// The store's schema is newer than this build understands. Nothing was changed.
    #[error(
        "the store at {path} was written by a newer Tandem (schema {found}, this build knows up to {supported}); it was left untouched"
    )]
    TooNew {
        /// The store's file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// A stored automerge document could not be loaded. Its bytes are kept as they are.
    #[error("document {doc_id} is damaged and could not be loaded ({reason}); its data was kept")]
    CorruptDocument {
        /// The document's id.
        doc_id: String,
        /// What the loader reported.
        reason: String,
    },
    /// The database file itself is damaged or is not a Tandem store.
    #[error("the store is damaged or is not a Tandem store: {0}")]
    CorruptStore(String),
    /// The key does not open this store, or an encrypted store was opened
    /// without one. Nothing was changed.
    #[error(
        "the key does not open the store at {0} (a wrong key, or the file is damaged); it was left untouched"
    )]
    WrongKey(PathBuf),
    /// The app is locked; nothing can be read or written until it is unlocked.
    #[error("Tandem is locked: unlock it first")]
    Locked,
    /// The server could not be reached or the connection broke.
    #[error("could not reach the server: {0}")]
    Network(String),
    /// The server answered with an error.
    #[error("the server refused the request ({status}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The server's error text.
        message: String,
    },
    /// This device has no account at a sync server yet.
    #[error("this device does not sync yet: connect it to a server first")]
    NoServer,
    /// The server served less than it had already served: it lost or rolled
    /// back data. Nothing local was changed; the server needs attention.
    #[error(
        "the server went back in time for space {space_id}: it had {had} records and now reports {now}; nothing here was changed"
    )]
    RolledBack {
        /// The space.
        space_id: String,
        /// The highest count the server reported before.
        had: i64,
        /// What it reports now.
        now: i64,
    },
    /// The server skipped records: the next one it served is not the one
    /// after this device's cursor, and no snapshot sealed by the person's
    /// devices says those records were compacted. It may be hiding changes
    /// (a reach-out, a shared note); nothing past the gap was applied.
    #[error(
        "the server skipped records of space {space_id}: after {after} it served {next}; nothing past the gap was applied"
    )]
    Gap {
        /// The space.
        space_id: String,
        /// This device's cursor: the last record it has.
        after: i64,
        /// The record the server served next.
        next: i64,
    },
    /// SQLite failed.
    #[error("storage error: {0}")]
    Sqlite(Box<rusqlite::Error>),
    /// The file system failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// An automerge operation failed on a document that loaded fine.
    #[error("document error: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    /// Reading a typed item out of a document failed: the document holds something unexpected.
    #[error("document content error: {0}")]
    Hydrate(Box<autosurgeon::HydrateError>),
    /// Writing a typed item into a document failed.
    #[error("document update error: {0}")]
    Reconcile(Box<autosurgeon::ReconcileError>),
    /// (De)serialising JSON (export and import) failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sqlite(Box::new(e))
    }
}

impl From<automerge::AutomergeError> for Error {
    fn from(e: automerge::AutomergeError) -> Self {
        Error::Automerge(Box::new(e))
    }
}

impl From<autosurgeon::HydrateError> for Error {
    fn from(e: autosurgeon::HydrateError) -> Self {
        Error::Hydrate(Box::new(e))
    }
}

impl From<autosurgeon::ReconcileError> for Error {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        Error::Reconcile(Box::new(e))
    }
}

impl Error {
    /// Shorthand for a [`Error::Validation`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Validation {
            field,
            reason: reason.into(),
        }
    }

    /// Shorthand for a [`Error::NotFound`].
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            id: id.into(),
        }
    }

    /// The stable kind of this error, for shells to translate.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation { .. } | Error::Json(_) => ErrorKind::Validation,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::NotInitialized => ErrorKind::NotInitialized,
            Error::AlreadyInitialized => ErrorKind::AlreadyInitialized,
            Error::TooNew { .. } => ErrorKind::TooNew,
            Error::CorruptDocument { .. }
            | Error::CorruptStore(_)
            | Error::Hydrate(_)
            | Error::Automerge(_)
            | Error::Reconcile(_) => ErrorKind::Corrupt,
            Error::Sqlite(e) if is_corruption(e) => ErrorKind::Corrupt,
            Error::Sqlite(_) | Error::Io(_) => ErrorKind::Storage,
            Error::WrongKey(_) => ErrorKind::WrongKey,
            Error::Locked => ErrorKind::Locked,
            Error::Network(_) => ErrorKind::Network,
            Error::Server { .. } | Error::RolledBack { .. } | Error::Gap { .. } => {
                ErrorKind::Server
            }
            Error::NoServer => ErrorKind::NoServer,
        }
    }
}

/// Whether SQLite reported a damaged or foreign file.
/// A row whose columns do not hold what the schema promises counts as damage too.
pub(crate) fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
    ) || matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
