//! Talking to the sync server: the HTTP client and this device's account.
//!
//! Everything sent is either an opaque id, a hash, or ciphertext; the
//! server never receives a key or a word a person wrote.

pub mod account;
pub mod client;
pub mod code;
pub mod devices;
pub mod engine;
pub mod overview;
pub mod pack;
pub mod pairing;
pub mod recovery;
pub mod run;
pub mod seal;
pub mod sharing;
pub mod snapshots;
pub mod spaces;

pub use account::Account;
pub use client::Client;
pub use engine::{SyncReport, SyncStatus};
pub use run::StoreAccess;
pub use spaces::{Space, SpaceRole};
