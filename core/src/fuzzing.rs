//! Entry points for the fuzz targets in `fuzz/` and for the test that
//! replays what they found (`core/tests/fuzz_replay.rs`). Each takes
//! arbitrary bytes from outside the device — a record's plaintext, a
//! snapshot, a code someone typed, an export file — and must return
//! without panicking: bad input is a typed error, never a crash.
//!
//! A store the inputs are applied to is made once per thread, in a
//! temporary folder, and reused: later inputs meet what earlier ones left.

use std::cell::RefCell;

use crate::document::DocId;
use crate::export::Export;
use crate::features::codes::{InviteCode, LinkCode, RecoveryKey};
use crate::store::{Options, Store, StoreKey};
use crate::sync::seal::{self, Place, SpaceKey};

const SPACE: &str = "0123456789abcdef0123456789abcdef";

thread_local! {
    static STORE: RefCell<Option<(Scratch, Store)>> = const { RefCell::new(None) };
}

/// A folder of its own under the system's temporary folder, removed on drop.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh store in a folder of its own.
fn fresh_store() -> Option<(Scratch, Store)> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = Scratch(std::env::temp_dir().join(format!("tandem-fuzz-{}-{n}", std::process::id())));
    std::fs::create_dir_all(&dir.0).ok()?;
    let store = Store::open_with(
        dir.0.join("fuzz.db"),
        Some(&StoreKey::from_bytes([7; 32])),
        Options::default(),
    )
    .ok()?;
    Some((dir, store))
}

/// Runs `f` on this thread's store.
fn with_store(f: impl FnOnce(&mut Store)) {
    STORE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = fresh_store();
        }
        if let Some((_, store)) = slot.as_mut() {
            f(store);
        }
    });
}

/// A record's plaintext, as a partner's device could seal it: read as the
/// sync client reads an opened record, and what opens is applied to the
/// store as the pulled change it claims to be.
pub fn open_record(data: &[u8]) {
    let key = SpaceKey::from_bytes([3; 32]);
    // The opaque name of whatever document the bytes name, so that reading
    // gets past the name check to the payload.
    let named = data
        .get(1)
        .and_then(|&len| data.get(2..2 + len as usize))
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let wire_doc_id = key.wire_doc_id(&named);
    let place = Place {
        space_id: SPACE,
        wire_doc_id: &wire_doc_id,
        wire_change_hash: "00",
        epoch: 0,
    };
    let _ = seal::open(&key, &place, data.get(..24).unwrap_or(data), data);
    let Ok(opened) = seal::unpack(&key, &place, data) else {
        return;
    };
    let Ok(doc_id) = DocId::parse(&opened.doc_id) else {
        return;
    };
    with_store(|store| {
        let _ = store.apply_batch(vec![(doc_id, vec![opened.payload])], |_| Ok(()));
    });
}

/// A snapshot's plaintext payload (`Automerge::save` bytes) for a document
/// named by the first bytes: loaded and merged as a snapshot from the
/// server would be.
pub fn load_snapshot(data: &[u8]) {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let Some(name) = rest.get(..len as usize) else {
        return;
    };
    let payload = &rest[len as usize..];
    let Ok(doc_id) = DocId::parse(&String::from_utf8_lossy(name)) else {
        return;
    };
    let Some(doc) = crate::sync::snapshots::load_document(payload) else {
        return;
    };
    with_store(|store| {
        let _ = store.install_snapshots(vec![(doc_id, doc, payload.to_vec())], SPACE, 0);
    });
}

/// Text typed or scanned as a code: invite, link or recovery.
pub fn codes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = InviteCode::parse(&text);
    let _ = LinkCode::parse(&text);
    let _ = RecoveryKey::parse(&text);
}

/// An export file given to `import`: parsed, and what parses is imported
/// into a fresh store.
pub fn import(data: &[u8]) {
    let Ok(export) = serde_json::from_slice::<Export>(data) else {
        return;
    };
    if let Some((_dir, mut store)) = fresh_store() {
        let _ = store.import(&export);
    }
}
