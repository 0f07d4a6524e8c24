//! Erasing a device that has an account at a real sync server.

mod support;

use support::server::{self, ServerProcess};
use support::*;
use tandem_core::erase::ServerErasure;
use tandem_core::journal::JournalInput;
use tandem_core::sync::Client;
use tandem_core::{Store, keyfile};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

#[test]
fn erase_removes_every_file_and_the_account_at_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let srv = ServerProcess::start(&dir.path().join("server.db"));
    let home = dir.path().join("device");
    std::fs::create_dir(&home).unwrap();
    let key_path = home.join("tandem.key");
    let key = keyfile::create(&key_path).unwrap();
    let mut s = Store::open(home.join("tandem.db"), &key).unwrap();
    s.init("Sam", "UTC").unwrap();
    s.add_journal(JournalInput {
        text: "to be erased".into(),
        ..Default::default()
    })
    .unwrap();
    let account = tandem_core::sync::client::register(&mut s, &srv.url, None).unwrap();
    // Registering again keeps the same account.
    assert_eq!(
        tandem_core::sync::client::register(&mut s, &srv.url, None)
            .unwrap()
            .account_id,
        account.account_id
    );
    let token = account.token.clone();

    let report = tandem_core::erase::erase(s, std::slice::from_ref(&key_path)).unwrap();
    assert!(
        matches!(report.server, Some(ServerErasure::Deleted { .. })),
        "{report:?}"
    );
    assert_eq!(
        std::fs::read_dir(&home).unwrap().count(),
        0,
        "files left behind"
    );
    // The server no longer knows the token's account.
    let err = Client::new(&srv.url)
        .unwrap()
        .with_token(&token)
        .delete_account()
        .unwrap_err();
    assert!(
        matches!(err, tandem_core::Error::Server { status: 401, .. }),
        "{err}"
    );
}

#[test]
fn erase_without_the_server_still_wipes_the_device_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut srv = ServerProcess::start(&dir.path().join("server.db"));
    let mut s = store_in(
        dir.path(),
        "d.db",
        std::sync::Arc::new(tandem_core::FixedClock::new(at("2026-03-10T12:00:00Z"))),
        tandem_core::Durability::Full,
    );
    s.init("Sam", "UTC").unwrap();
    tandem_core::sync::client::register(&mut s, &srv.url, None).unwrap();
    srv.kill();
    let report = tandem_core::erase::erase(s, &[]).unwrap();
    match report.server {
        Some(ServerErasure::Failed { reason, .. }) => assert!(reason.contains("reach"), "{reason}"),
        other => panic!("expected a failure report, got {other:?}"),
    }
    assert!(!dir.path().join("d.db").exists());
}
