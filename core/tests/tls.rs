//! The sync client's certificate checks against a relay that speaks HTTPS
//! itself: the built-in web roots do not vouch for a self-signed
//! certificate, so connecting fails with words a person can act on and
//! nothing is set up; an authority added for another host does not help;
//! once the operator's authority is added for this server, it connects.

mod support;

use std::path::PathBuf;

use tandem_core::sync::tls;
use tandem_core::{Error, ErrorKind};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sync-server/tests/fixtures")
        .join(name)
}

/// One test, because trusting an authority holds for the whole process.
#[test]
fn an_operators_own_authority_is_trusted_only_once_added() {
    let dir = tempfile::tempdir().unwrap();
    let url = tandem_sync_server::spawn_local_tls(
        &dir.path().join("server.db"),
        &fixture("localhost.crt"),
        &fixture("localhost.key"),
    )
    .unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let app = support::app_in(dir.path(), "phone.db", support::first_device::start_clock());
    app.init("Sam", "Europe/Berlin").unwrap();

    let refused = app.connect(&url).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Network, "{refused}");
    let Error::Network(why) = &refused else {
        unreachable!()
    };
    assert!(why.contains("certificate is not trusted"), "{why}");
    assert!(
        app.sync_status().unwrap().server.is_none(),
        "nothing was set up"
    );

    assert!(tls::trust_pem(&url, "not a certificate").is_err());
    let pem = std::fs::read_to_string(fixture("localhost.crt")).unwrap();
    // Trusted for another host only: this server is still refused.
    assert_eq!(tls::trust_pem("localhost", &pem).unwrap(), 1);
    let still = app.connect(&url).unwrap_err();
    assert!(still.to_string().contains("not trusted"), "{still}");

    assert_eq!(tls::trust_pem(&url, &pem).unwrap(), 1);
    assert_eq!(tls::trust_pem(&url, &pem).unwrap(), 0, "added once");

    app.connect(&url)
        .expect("connects once the authority is trusted");
    assert_eq!(
        app.sync_status().unwrap().server.as_deref(),
        Some(url.as_str())
    );
    app.sync_now().unwrap();
}
