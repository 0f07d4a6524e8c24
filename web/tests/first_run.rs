//! A fresh store over real HTTP: `/` opens on the core's first run, each
//! form takes one step, a refused answer shows the same question with the
//! reason, and the end is Today. (The browser tests also connect to a sync
//! server and confirm the recovery key; see scripts/test-browser.)

use std::net::SocketAddr;
use std::sync::mpsc;

use tandem_core::{App, Options, StoreKey};

struct Ui {
    origin: String,
    cookie: String,
    csrf: String,
    client: reqwest::blocking::Client,
    _dir: tempfile::TempDir,
}

/// `tandem ui` over a fresh store, with the token cookie and CSRF token in
/// hand.
fn start() -> Ui {
    let dir = tempfile::tempdir().expect("dir");
    let app = App::open(
        dir.path().join("tandem.db"),
        StoreKey::generate(),
        Options::default(),
    )
    .expect("open");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        tandem_web::serve(app, vec![], listen, |url| {
            tx.send(url.to_owned()).expect("send")
        })
        .expect("serve");
    });
    let url = rx.recv().expect("the UI starts");
    // reqwest is built without a default TLS provider here (the core picks ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = client.get(&url).send().expect("start");
    let cookie = answer.headers()["set-cookie"]
        .to_str()
        .expect("text")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let mut ui = Ui {
        origin: url.split("/?token=").next().expect("origin").to_owned(),
        cookie,
        csrf: String::new(),
        client,
        _dir: dir,
    };
    let page = ui.get("/").1;
    ui.csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf field")
        .to_owned();
    ui
}

impl Ui {
    /// The status and body of `path`.
    fn get(&self, path: &str) -> (u16, String) {
        let answer = self
            .client
            .get(format!("{}{path}", self.origin))
            .header("cookie", &self.cookie)
            .send()
            .expect("get");
        (answer.status().as_u16(), answer.text().expect("body"))
    }

    /// Posts `fields` (and the CSRF token) to `path`: the status, where it
    /// redirects, and the body.
    fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, Option<String>, String) {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &self.csrf));
        let answer = self
            .client
            .post(format!("{}{path}", self.origin))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&form).expect("form"))
            .send()
            .expect("post");
        let status = answer.status().as_u16();
        let location = answer
            .headers()
            .get("location")
            .map(|l| l.to_str().expect("text").to_owned());
        (status, location, answer.text().expect("body"))
    }
}

#[test]
fn a_fresh_store_opens_on_the_first_run_and_ends_on_today() {
    let ui = start();
    let (status, page) = ui.get("/");
    assert_eq!(status, 200);
    assert!(page.contains("Welcome to Tandem"), "{page}");
    assert!(!page.contains("<nav"), "no screens to navigate to yet");

    // Writing before anyone is set up leads back to the first run.
    let (status, to, _) = ui.post("/journal", &[("text", "too early")]);
    assert_eq!((status, to.as_deref()), (303, Some("/")));

    // A refused answer: the same question, with why.
    let (status, _, page) = ui.post(
        "/first-run/profile",
        &[("name", "Robin"), ("timezone", "Mars/Olympus")],
    );
    assert_eq!(status, 400);
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("Welcome to Tandem"));

    let (status, to, _) = ui.post(
        "/first-run/profile",
        &[("name", "Robin"), ("timezone", "Europe/Berlin")],
    );
    assert_eq!((status, to.as_deref()), (303, Some("/")));
    assert!(ui.get("/").1.contains("Your clean time"));

    let (status, _, _) = ui.post(
        "/first-run/track",
        &[("name", "alcohol"), ("since", "2100-01-01")],
    );
    assert_eq!(status, 400, "a first clean day in the future is refused");
    let (status, _, _) = ui.post(
        "/first-run/track",
        &[("name", "alcohol"), ("since", "2020-01-01")],
    );
    assert_eq!(status, 303);
    assert!(ui.get("/").1.contains("Sync server address"));

    // A step out of turn is refused and changes nothing.
    let (status, _, _) = ui.post("/first-run/key-kept", &[]);
    assert_eq!(status, 400);

    let (status, _, _) = ui.post("/first-run/not-now", &[]);
    assert_eq!(status, 303);
    let (status, page) = ui.get("/");
    assert_eq!(status, 200);
    assert!(page.contains("Hi Robin"), "{page}");
    assert!(page.contains("alcohol"));
    assert!(page.contains("<nav"));
    assert_eq!(ui.get("/journal").0, 200);
}
