//! A sync through the bindings holds the store only for its steps: the
//! screens' reads and writes go on while it waits on a slow network.

#[path = "../../core/tests/support/proxy.rs"]
#[allow(dead_code)]
mod proxy;
mod support;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use futures_lite::future::block_on;
use tandem_core::journal::JournalInput;
use tandem_ffi::Tandem;

fn journal(text: &str) -> JournalInput {
    JournalInput {
        text: text.into(),
        mood: None,
        tags: vec![],
    }
}

/// Runs `f` on its own thread; `None` if it has not returned within 10 s.
fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10)).ok()
}

#[test]
fn reads_and_writes_go_on_while_a_sync_waits_on_the_network() {
    let dir = tempfile::tempdir().expect("dir");
    let proxy = proxy::Proxy::start(&support::server(dir.path()));
    let key = tandem_ffi::app::generate_store_key();
    let path = dir.path().join("tandem.db").display().to_string();
    let t = Tandem::open(path, key).expect("open");
    t.init("Sam".into(), "UTC".into()).expect("init");
    block_on(t.clone().connect(proxy.url.clone())).expect("connect");
    t.add_journal(journal("before")).expect("journal");

    proxy.hold_answers();
    let syncing = {
        let t = Arc::clone(&t);
        std::thread::spawn(move || block_on(t.sync_now()))
    };
    assert!(
        proxy.wait_until_held(1),
        "the sync never reached the server"
    );
    let writer = Arc::clone(&t);
    let wrote = within_seconds(move || {
        writer.add_journal(journal("while the sync waits"))?;
        writer.sync_status()
    });
    let status = wrote
        .expect("a write waited for the network")
        .expect("write");
    // The entry made before the sync is in flight, the new one pending.
    assert!(status.pending_changes > 0, "{status:?}");
    proxy.release_answers();
    let report = syncing.join().expect("sync thread").expect("sync");
    assert!(report.pushed > 0, "{report:?}");
    // The write made during the sync went out in that same sync.
    assert_eq!(t.sync_status().expect("status").pending_changes, 0);
}
