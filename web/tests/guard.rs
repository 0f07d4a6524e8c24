//! The loopback guard over real HTTP: token, Host and CSRF checks, and the
//! headers every answer carries. (The browser tests drive the same pages in
//! Chromium; see scripts/test-browser.)

use std::net::SocketAddr;
use std::sync::mpsc;

use tandem_core::{App, Options, StoreKey};

struct Ui {
    url: String,
    _dir: tempfile::TempDir,
}

fn start() -> Ui {
    let dir = tempfile::tempdir().expect("dir");
    let key = StoreKey::generate();
    let path = dir.path().join("tandem.db");
    let app = App::open(&path, key, Options::default()).expect("open");
    app.init("Sam", "UTC").expect("init");
    // Used, so the device opens on Today rather than the first run's
    // server question.
    app.checkins()
        .check_in(tandem_core::checkin::CheckInInput {
            mood: 4,
            craving: 1,
            used: false,
            note: String::new(),
        })
        .expect("check in");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        tandem_web::serve(app, vec![], listen, |url| {
            tx.send(url.to_owned()).expect("send")
        })
        .expect("serve");
    });
    let url = rx.recv().expect("the UI starts");
    Ui { url, _dir: dir }
}

fn client() -> reqwest::blocking::Client {
    // reqwest is built without a default TLS provider here (the core picks ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn origin(url: &str) -> String {
    url.split("/?token=").next().expect("origin").to_owned()
}

/// The cookie the start URL hands out.
fn cookie(ui: &Ui) -> String {
    let answer = client().get(&ui.url).send().expect("start");
    assert_eq!(answer.status(), 303);
    assert_eq!(answer.headers()["location"], "/");
    let set = answer.headers()["set-cookie"].to_str().expect("text");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.split(';').next().expect("pair").to_owned()
}

#[test]
fn only_loopback_addresses_are_served() {
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(
        dir.path().join("t.db"),
        StoreKey::generate(),
        Options::default(),
    )
    .expect("open");
    let listen: SocketAddr = "0.0.0.0:0".parse().expect("addr");
    let err = tandem_web::serve(app, vec![], listen, |_| {}).expect_err("refused");
    assert!(matches!(err, tandem_web::ServeError::NotLoopback(_)));
}

#[test]
fn every_request_needs_the_token_and_this_host() {
    let ui = start();
    let origin = origin(&ui.url);
    let c = client();
    assert_eq!(
        c.get(format!("{origin}/")).send().expect("get").status(),
        403
    );
    assert_eq!(
        c.get(format!("{origin}/?token={}", "0".repeat(64)))
            .send()
            .expect("get")
            .status(),
        403
    );
    let cookie = cookie(&ui);
    let page = c
        .get(format!("{origin}/"))
        .header("cookie", &cookie)
        .send()
        .expect("get");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .expect("text")
            .contains("default-src 'none'")
    );
    assert!(page.text().expect("body").contains("Hi Sam"));
    let port = origin.rsplit(':').next().expect("port");
    let rebound = c
        .get(format!("{origin}/"))
        .header("cookie", &cookie)
        .header("host", format!("evil.example:{port}"))
        .send()
        .expect("get");
    assert_eq!(rebound.status(), 403);
}

#[test]
fn forms_need_this_runs_csrf_token() {
    let ui = start();
    let origin = origin(&ui.url);
    let cookie = cookie(&ui);
    let c = client();
    let post = |body: String| {
        c.post(format!("{origin}/journal"))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .expect("post")
            .status()
    };
    assert_eq!(post("text=forged".into()), 403);
    assert_eq!(post(format!("text=forged&csrf={}", "1".repeat(64))), 403);
    let page = c
        .get(format!("{origin}/journal"))
        .header("cookie", &cookie)
        .send()
        .expect("get")
        .text()
        .expect("body");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf field");
    assert_eq!(post(format!("text=genuine&csrf={csrf}")), 303);
    assert_eq!(
        post(format!("text=&csrf={csrf}")),
        400,
        "an empty entry is refused"
    );
    let page = c
        .get(format!("{origin}/journal"))
        .header("cookie", &cookie)
        .send()
        .expect("get")
        .text()
        .expect("body");
    assert!(page.contains("genuine") && !page.contains("forged"));
}
