//! Talking to the sync server: the HTTP client and this device's account.
//!
//! Everything sent is either an opaque id, a hash, or ciphertext; the
//! server never receives a key or a word a person wrote.

pub mod account;
pub mod client;

pub use account::Account;
pub use client::Client;
