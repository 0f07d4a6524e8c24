//! Shared helpers for the store's integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tandem_core::{App, Durability, FixedClock, Options, Store, StoreKey};

/// A UTC instant from RFC 3339 text.
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The key every test store is encrypted with.
pub fn test_key() -> StoreKey {
    StoreKey::from_bytes([0x5a; 32])
}

/// A raw SQLite connection to a test store, keyed, for tests that damage
/// or inspect rows behind the store's back.
pub fn raw(path: impl AsRef<std::path::Path>) -> rusqlite::Connection {
    tandem_core::store::open_raw(path.as_ref(), Some(&test_key())).unwrap()
}

/// A store in `dir` named `name`, with its own fixed clock.
pub fn store_in(
    dir: &std::path::Path,
    name: &str,
    clock: Arc<FixedClock>,
    durability: Durability,
) -> Store {
    Store::open_with(
        dir.join(name),
        Some(&test_key()),
        Options {
            durability,
            clock,
            compact_after: 16,
            snapshot_every: 256,
        },
    )
    .unwrap()
}

/// An app over a store in `dir` named `name`, with its own fixed clock.
pub fn app_in(dir: &std::path::Path, name: &str, clock: Arc<FixedClock>) -> App {
    App::open(
        dir.join(name),
        test_key(),
        Options {
            durability: Durability::Normal,
            clock,
            compact_after: 16,
            snapshot_every: 256,
        },
    )
    .unwrap()
}

/// Sends every change of every document `from` holds to `to`.
pub fn send_all(from: &mut Store, to: &mut Store) {
    for doc in from.doc_ids().unwrap() {
        let changes = from.changes_since(&doc, &[]).unwrap();
        to.apply_changes(&doc, &changes).unwrap();
    }
}

/// A device for the same person as `original`: it receives the profile first.
pub fn second_device(
    original: &mut Store,
    dir: &std::path::Path,
    name: &str,
    clock: Arc<FixedClock>,
) -> Store {
    let mut other = store_in(dir, name, clock, Durability::Normal);
    send_all(original, &mut other);
    other
}

pub mod first_device;
pub mod forge;
pub mod pair;
pub mod proxy;
pub mod server;
