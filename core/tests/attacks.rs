//! The threat model's attacks, one test each, against a real server
//! process: a hostile pair partner, a hostile or tampering server (through
//! the proxy), and a lost phone (a second store of the same account).
//! `docs/privacy.md` names the test behind each row of the threat table.

mod support;

use support::pair::paired;
use support::server::{self, ServerProcess};
use support::*;
use tandem_core::{Durability, ErrorKind, Page};

#[test]
#[ignore = "run by the tests of this file as their server"]
fn server_child() {
    server::child();
}

/// A hostile mentor's client writes `account_id` into the pair's people
/// document as a path. Ending the pair puts that id into the URL of
/// `DELETE /v1/spaces/{space}/members/{account}`; URL parsing collapses
/// `..` and `%2e%2e`, so without a check the mentee's own device would call
/// `DELETE /v1/account` and erase the mentee's account and every record.
#[test]
fn a_partners_account_id_that_is_a_path_erases_nothing() {
    for path in ["../../../account", "%2e%2e/%2e%2e/%2e%2e/account"] {
        let dir = tempfile::tempdir().unwrap();
        let srv = ServerProcess::start(&dir.path().join("server.db"));
        let (mut mentee, mentor, clock, pair) = paired(dir.path(), &srv.url);

        // The hostile client: its own account record says the path, and
        // the next sync publishes it to the pair as the mentor's account.
        drop(mentor);
        let db = dir.path().join("mentor.db");
        raw(&db)
            .execute(
                "UPDATE meta SET value = json_set(value, '$.account_id', ?1) WHERE key = 'account'",
                [path],
            )
            .unwrap();
        let mut mentor = store_in(dir.path(), "mentor.db", clock.clone(), Durability::Normal);
        tandem_core::sync::run::sync(&mut mentor).unwrap();
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        let private_before = mentee.journal_page(&Page::first(10)).unwrap().len();
        let kept = mentee
            .add_journal(tandem_core::journal::JournalInput {
                text: "still mine".into(),
                ..Default::default()
            })
            .unwrap();
        tandem_core::sync::run::sync(&mut mentee).unwrap();

        let err = tandem_core::features::pairs::end(&mut mentee, &pair).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{path}: {err}");

        // Nothing was erased: the account still syncs, and a new device
        // linked to it gets the journal back from the server.
        tandem_core::sync::run::sync(&mut mentee).unwrap();
        let code = tandem_core::features::devices::link_code(&mut mentee).unwrap();
        let mut other = store_in(dir.path(), "other.db", clock.clone(), Durability::Normal);
        tandem_core::features::devices::link(&mut other, &code, &srv.url).unwrap();
        assert_eq!(other.journal_entry(&kept.id).unwrap().text, "still mine");
        assert_eq!(
            other.journal_page(&Page::first(10)).unwrap().len(),
            private_before + 1
        );
    }
}
