//! The usual start of an end-to-end sync test: a running server and a
//! person's first device beside it, in one temporary folder.

use std::sync::Arc;

use tandem_core::{Durability, FixedClock, Store};

use super::server::ServerProcess;
use super::{at, store_in};

/// The instant every synced test device's clock starts at.
pub const START: &str = "2026-03-10T12:00:00Z";

/// A fixed clock at [`START`].
pub fn start_clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(at(START)))
}

/// A temporary folder holding a running server (`server.db`) and Sam's
/// first device (`a.db`, set up in `zone`, not yet connected), with the
/// device's clock. Keep the folder and the server for the whole test.
pub fn first_device(zone: &str) -> (tempfile::TempDir, ServerProcess, Arc<FixedClock>, Store) {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let clock = start_clock();
    let mut a = store_in(dir.path(), "a.db", clock.clone(), Durability::Normal);
    a.init("Sam", zone).unwrap();
    (dir, srv, clock, a)
}
