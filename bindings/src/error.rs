//! The one error type the shells see.

use tandem_core::{Error, ErrorKind};

/// Everything that can go wrong, by stable kind. Each variant carries the
/// core's English message (for logs; shells show their own translated text
/// for the kind). In Kotlin and Swift this is `TandemException` /
/// `TandemError` with one subclass or case per kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum TandemError {
    /// A value given is outside its bounds.
    #[error("{0}")]
    Validation(String),
    /// The item asked for does not exist (or was deleted).
    #[error("{0}")]
    NotFound(String),
    /// The device is not set up yet: call `init` first.
    #[error("{0}")]
    NotInitialized(String),
    /// The device was already set up.
    #[error("{0}")]
    AlreadyInitialized(String),
    /// Stored data could not be read; it was kept as it is.
    #[error("{0}")]
    Corrupt(String),
    /// The store was written by a newer version of Tandem.
    #[error("{0}")]
    TooNew(String),
    /// The disk or the database failed.
    #[error("{0}")]
    Storage(String),
    /// The key does not open the store.
    #[error("{0}")]
    WrongKey(String),
    /// The app is locked: unlock it first.
    #[error("{0}")]
    Locked(String),
    /// The server could not be reached.
    #[error("{0}")]
    Network(String),
    /// The server refused the request or misbehaved.
    #[error("{0}")]
    Server(String),
    /// This device does not sync yet: connect it to a server first.
    #[error("{0}")]
    NoServer(String),
}

impl From<Error> for TandemError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e.kind() {
            ErrorKind::Validation => TandemError::Validation(message),
            ErrorKind::NotFound => TandemError::NotFound(message),
            ErrorKind::NotInitialized => TandemError::NotInitialized(message),
            ErrorKind::AlreadyInitialized => TandemError::AlreadyInitialized(message),
            ErrorKind::Corrupt => TandemError::Corrupt(message),
            ErrorKind::TooNew => TandemError::TooNew(message),
            ErrorKind::Storage => TandemError::Storage(message),
            ErrorKind::WrongKey => TandemError::WrongKey(message),
            ErrorKind::Locked => TandemError::Locked(message),
            ErrorKind::Network => TandemError::Network(message),
            ErrorKind::Server => TandemError::Server(message),
            ErrorKind::NoServer => TandemError::NoServer(message),
        }
    }
}

/// Results over the FFI.
pub type Result<T> = std::result::Result<T, TandemError>;
