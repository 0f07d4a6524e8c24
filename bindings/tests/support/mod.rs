//! What the bindings' tests share: a sync server on loopback.

use std::sync::mpsc;
use std::time::Duration;

/// A sync server on loopback, in this process, on an SQLite file in `dir`;
/// its URL.
pub fn server(dir: &std::path::Path) -> String {
    let db = format!("sqlite:{}", dir.join("server.db").display());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        tandem_sync_server::run_blocking(&db, "127.0.0.1:0", move |bound| {
            let _ = tx.send(bound);
        })
    });
    let bound = rx.recv_timeout(Duration::from_secs(20)).expect("server up");
    format!("http://{bound}")
}
