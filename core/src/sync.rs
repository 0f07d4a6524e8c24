//! Talking to the sync server: the transport the features use through the
//! app. The HTTP client and the account it acts as, sealing, packing, one
//! sync step by step, and the encrypted snapshots.
//!
//! Everything sent is either an opaque id, a hash, or ciphertext; the
//! server never receives a key or a word a person wrote.

pub mod client;
pub mod engine;
pub(crate) mod fences;
pub mod pack;
mod retry;
pub mod run;
pub mod seal;
pub mod signature;
pub mod snapshots;
pub mod tls;

pub use client::{Account, Client};
pub use engine::{SyncReport, SyncStatus};
pub use run::StoreAccess;
