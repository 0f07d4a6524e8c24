//! A reach-out wakes the mentor's phone, end to end: the terminal client
//! subscribes both devices to a Web Push receiver written with Python's
//! `http-ece` and `cryptography` (`scripts/lib/wakeup_receiver.py`), the
//! mentee reaches out, and the receiver checks what the relay sent.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;

/// The words the mentee writes; none may reach the push service.
const WORDS: &str = "craving hard after the meeting, call me";

fn tandem(home: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env("TANDEM_HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// A running receiver: its subscription and the POSTs it saw, one JSON
/// value each. Killed when dropped.
struct Receiver_ {
    child: Child,
    subscription: Value,
    posts: Receiver<Value>,
}

impl Drop for Receiver_ {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn receiver(python: &std::ffi::OsStr) -> Receiver_ {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/lib/wakeup_receiver.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the receiver starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines
        .next()
        .expect("the receiver prints its subscription")
        .unwrap();
    let subscription: Value = serde_json::from_str(&first).unwrap();
    let (tx, posts) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                break;
            }
        }
    });
    Receiver_ {
        child,
        subscription,
        posts,
    }
}

/// Every POST that arrives before `until`.
fn posts_until(posts: &Receiver<Value>, until: Instant) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match posts.recv_timeout(left) {
            Ok(post) => seen.push(post),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return seen,
        }
    }
}

fn subscribe(home: &Path, to: &Receiver_) {
    let sub = &to.subscription;
    let reply = tandem(
        home,
        &[
            "--json",
            "wakeup",
            "subscribe",
            "--endpoint",
            sub["endpoint"].as_str().unwrap(),
            "--p256dh",
            sub["p256dh"].as_str().unwrap(),
            "--auth",
            sub["auth"].as_str().unwrap(),
        ],
    );
    assert_eq!(reply, serde_json::json!({"subscribed": true}));
}

/// Mentee and mentor paired through `url`: their homes and the pair id.
fn pair(dir: &Path, url: &str) -> (PathBuf, PathBuf, String) {
    let mentee = dir.join("mentee");
    let mentor = dir.join("mentor");
    tandem(
        &mentee,
        &[
            "--json",
            "init",
            "--name",
            "Robin",
            "--timezone",
            "Europe/Berlin",
        ],
    );
    tandem(
        &mentor,
        &[
            "--json",
            "init",
            "--name",
            "Alex",
            "--timezone",
            "America/New_York",
        ],
    );
    let invite = tandem(&mentee, &["--json", "pair", "invite", "--server", url]);
    let joined = tandem(
        &mentor,
        &[
            "--json",
            "pair",
            "join",
            invite["code"].as_str().unwrap(),
            "--server",
            url,
        ],
    );
    tandem(&mentee, &["--json", "sync"]);
    tandem(&mentor, &["--json", "sync"]);
    (
        mentee,
        mentor,
        joined["pair_id"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn a_reach_out_wakes_the_mentor_with_a_push_that_says_nothing() {
    let Some(python) = std::env::var_os("TANDEM_PYTHON") else {
        assert!(
            std::env::var_os("TANDEM_REQUIRE_PYTHON").is_none(),
            "TANDEM_REQUIRE_PYTHON is set but TANDEM_PYTHON is not (scripts/lib/pytools.sh)"
        );
        eprintln!("skipped: TANDEM_PYTHON is not set (scripts/test sets it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = tandem_sync_server::spawn_local_with(
        &dir.path().join("server.db"),
        tandem_sync_server::wakeup::Settings {
            policy: tandem_sync_server::wakeup::Policy {
                allow_loopback: true,
            },
            ..Default::default()
        },
    )
    .unwrap();
    let (mentee, mentor, pair_id) = pair(dir.path(), &url);

    let mentors_phone = receiver(&python);
    let mentees_phone = receiver(&python);
    subscribe(&mentor, &mentors_phone);
    subscribe(&mentee, &mentees_phone);

    let reached = Instant::now();
    tandem(
        &mentee,
        &["--json", "reach-out", "--pair", &pair_id, "--text", WORDS],
    );
    tandem(&mentee, &["--json", "sync"]);
    let within = reached + Duration::from_secs(3);
    let to_mentor = posts_until(&mentors_phone.posts, within);
    let to_mentee = posts_until(&mentees_phone.posts, Instant::now());

    assert_eq!(
        to_mentor.len(),
        1,
        "one wake-up for the mentor: {to_mentor:?}"
    );
    assert!(
        to_mentee.is_empty(),
        "the writer is not woken: {to_mentee:?}"
    );
    let post = &to_mentor[0];

    let _ = rustls::crypto::ring::default_provider().install_default();
    let vapid: Value = reqwest::blocking::get(format!("{url}/v1/wakeup/vapid"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(post["jwt_ok"], true, "{post}");
    assert_eq!(post["vapid_key"], vapid["public_key"], "{post}");
    assert_eq!(post["encoding"], "aes128gcm");
    assert_eq!(post["urgency"], "high");
    assert!(post["ttl"].as_str().unwrap().parse::<u32>().unwrap() > 0);

    let plaintext = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(post["plaintext"].as_str().expect("the body decrypts"))
        .unwrap();
    let text = String::from_utf8_lossy(&plaintext);
    assert_eq!(
        text, r#"{"v":1}"#,
        "a wake-up says only that something changed"
    );
    for secret in WORDS.split(' ').filter(|w| w.len() > 3) {
        assert!(!text.contains(secret), "{secret} reached the push service");
    }
    // The pair id is the pair space's id.
    assert!(
        !text.contains(&pair_id[..8]),
        "the space id reached the push service"
    );
}

/// A stand-in for APNs on loopback: every request's path and body, one
/// connection each, answered 200.
fn fake_apns() -> (String, Receiver<(String, String)>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let path = request_line
                .split(' ')
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if tx
                .send((path, String::from_utf8_lossy(&body).into_owned()))
                .is_err()
            {
                break;
            }
        }
    });
    (url, rx)
}

/// An iPhone is woken through the wake-up gateway: the mentor subscribes
/// with its APNs device token, the relay keeps only the gateway's sealed
/// endpoint, and the mentee's reach-out becomes one alert push to that
/// token that carries none of the words.
#[test]
fn a_reach_out_wakes_an_iphone_through_the_gateway() {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    use rand::RngCore;
    use tandem_sync_server::gateway::{Config, apns::Apns, seal::SealKey};

    let dir = tempfile::tempdir().unwrap();
    let relay = tandem_sync_server::spawn_local_with(
        &dir.path().join("server.db"),
        tandem_sync_server::wakeup::Settings {
            policy: tandem_sync_server::wakeup::Policy {
                allow_loopback: true,
            },
            ..Default::default()
        },
    )
    .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let vapid: Value = reqwest::blocking::get(format!("{relay}/v1/wakeup/vapid"))
        .unwrap()
        .json()
        .unwrap();
    let relay_key = vapid["public_key"].as_str().unwrap().to_owned();
    let (apns_url, pushed) = fake_apns();
    let p8 = loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
            break k.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        }
    };
    let gateway = tandem_sync_server::gateway::spawn_local(move |public_url| {
        let mut seal = [0u8; 32];
        rand::rng().fill_bytes(&mut seal);
        Config {
            public_url,
            seal: SealKey::from_bytes(&seal),
            relays: vec![relay_key],
            fcm: None,
            apns: Some(
                Apns::new(
                    &p8,
                    "KEY1234567",
                    "TEAM123456",
                    "org.example.tandem",
                    &apns_url,
                )
                .unwrap(),
            ),
        }
    })
    .unwrap();
    let (mentee, mentor, pair_id) = pair(dir.path(), &relay);

    let device_token = "0a1b".repeat(16);
    let reply = tandem(
        &mentor,
        &[
            "--json",
            "wakeup",
            "gateway",
            "--url",
            &gateway,
            "--provider",
            "apns",
            "--token",
            &device_token,
        ],
    );
    assert_eq!(reply["subscribed"], true, "{reply}");
    let endpoint = reply["endpoint"].as_str().unwrap();
    assert!(
        endpoint.starts_with(&format!("{gateway}/push/")),
        "{endpoint}"
    );
    assert!(
        !endpoint.contains(&device_token),
        "the relay never sees the token"
    );

    // A token that is not an APNs token is refused with the gateway's reason.
    let refused = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args([
            "--json",
            "wakeup",
            "gateway",
            "--url",
            &gateway,
            "--provider",
            "apns",
            "--token",
            "../v1/account",
        ])
        .env("TANDEM_HOME", &mentor)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not an APNs device token"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    tandem(
        &mentee,
        &["--json", "reach-out", "--pair", &pair_id, "--text", WORDS],
    );
    tandem(&mentee, &["--json", "sync"]);
    let (path, body) = pushed
        .recv_timeout(Duration::from_secs(3))
        .expect("APNs gets the wake-up within 3 s");
    assert_eq!(path, format!("/3/device/{device_token}"));
    for secret in WORDS.split(' ').filter(|w| w.len() > 3) {
        assert!(!body.contains(secret), "{secret} reached APNs");
    }
    assert!(!body.contains(&pair_id[..8]));
    assert!(
        pushed.recv_timeout(Duration::from_millis(500)).is_err(),
        "exactly one"
    );
}
