//! Wake-ups (Web Push) end to end: receivers on loopback stand in for push
//! services, decrypt what arrives with their own keys (RFC 8291, written
//! here from the RFC, not taken from the server) and check the VAPID JWT
//! against `GET /v1/wakeup/vapid`.

mod support;

use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::RngCore;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use support::*;
use tandem_sync_server::api::AppState;
use tandem_sync_server::limits::Limits;
use tandem_sync_server::storage::Storage;
use tandem_sync_server::wakeup::Settings;
use tandem_sync_server::wakeup::outbound::Policy;

// ---------------------------------------------------------------------
// A user agent's side of RFC 8291, for the receivers.

/// A subscriber's keys, as a browser or a UnifiedPush distributor keeps them.
struct UserAgent {
    secret: SecretKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

impl UserAgent {
    fn new() -> Self {
        let secret = loop {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            if let Ok(k) = SecretKey::from_slice(&bytes) {
                break k;
            }
        };
        let mut auth = [0u8; 16];
        rand::rng().fill_bytes(&mut auth);
        Self::with(secret, auth)
    }

    fn with(secret: SecretKey, auth: [u8; 16]) -> Self {
        let public = secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        UserAgent {
            secret,
            public,
            auth,
        }
    }

    /// The body of `PUT /v1/devices/self/wakeup` for `endpoint`.
    fn subscription(&self, endpoint: &str) -> Value {
        json!({
            "endpoint": endpoint,
            "p256dh": b64(&self.public),
            "auth": b64(&self.auth),
        })
    }

    /// Opens an `aes128gcm` body (one record) sent to this subscriber;
    /// returns the record's plaintext, padding and all.
    fn decrypt(&self, body: &[u8]) -> Vec<u8> {
        let salt = &body[..16];
        let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
        let idlen = usize::from(body[20]);
        let sender = &body[21..21 + idlen];
        let sealed = &body[21 + idlen..];
        assert!(sealed.len() <= rs as usize, "one record");
        let sender_key = PublicKey::from_sec1_bytes(sender).unwrap();
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), sender_key.as_affine());
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(&self.public);
        info.extend_from_slice(sender);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .unwrap();
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        Aes128Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(Nonce::from_slice(&nonce), sealed)
            .expect("the body decrypts with the subscriber's keys")
    }
}

/// A last record's content: the padding (zeros) and its delimiter (2) removed.
fn unpad(record: &[u8]) -> &[u8] {
    let end = record.iter().rposition(|&b| b != 0).unwrap();
    assert_eq!(record[end], 2, "the last record's delimiter");
    &record[..end]
}

fn b64d(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap()
}

/// Checks a VAPID `Authorization` header against the server's public key
/// and the receiver's origin; returns the JWT's claims.
fn verify_vapid(authorization: &str, vapid_public: &str, origin: &str) -> Value {
    let rest = authorization
        .strip_prefix("vapid ")
        .expect("the vapid scheme");
    let mut t = None;
    let mut k = None;
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=').unwrap();
        match name {
            "t" => t = Some(value.to_owned()),
            "k" => k = Some(value.to_owned()),
            other => panic!("unexpected parameter {other}"),
        }
    }
    let (t, k) = (t.unwrap(), k.unwrap());
    assert_eq!(k, vapid_public, "k= is the key GET /v1/wakeup/vapid serves");
    let (signed, signature) = t.rsplit_once('.').unwrap();
    let key = VerifyingKey::from_sec1_bytes(&b64d(vapid_public)).unwrap();
    let signature = Signature::from_slice(&b64d(signature)).unwrap();
    key.verify(signed.as_bytes(), &signature)
        .expect("the JWT verifies against the VAPID key");
    let (header, claims) = signed.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&b64d(header)).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: Value = serde_json::from_slice(&b64d(claims)).unwrap();
    assert_eq!(claims["aud"], origin);
    let sub = claims["sub"].as_str().expect("a contact in sub");
    assert!(
        sub.starts_with("mailto:") || sub.starts_with("https://"),
        "{sub}"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = claims["exp"].as_u64().unwrap();
    assert!(exp > now && exp <= now + 24 * 3600, "exp {exp} now {now}");
    claims
}

// ---------------------------------------------------------------------
// Receivers: push services on loopback.

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Hit {
    at: Instant,
    path: String,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

/// A push service on loopback that records what it gets and answers
/// with the status it is told to.
struct Receiver {
    origin: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    status: Arc<AtomicU16>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    async fn start() -> Receiver {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(201));
        let (h, s) = (hits.clone(), status.clone());
        let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
            let (hits, status) = (h.clone(), s.clone());
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec();
                assert_eq!(parts.method, axum::http::Method::POST);
                let mut headers = reqwest::header::HeaderMap::new();
                for (name, value) in &parts.headers {
                    headers.insert(name.clone(), value.clone());
                }
                hits.lock().unwrap().push(Hit {
                    at: Instant::now(),
                    path: parts.uri.path().to_owned(),
                    headers,
                    body,
                });
                axum::http::StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            origin,
            hits,
            status,
            task,
        }
    }

    fn endpoint(&self, name: &str) -> String {
        format!("{}/push/{name}", self.origin)
    }

    fn hits(&self, name: &str) -> Vec<Hit> {
        let path = format!("/push/{name}");
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }

    /// Waits up to `within` for `n` requests to `name`.
    async fn wait_for(&self, name: &str, n: usize, within: Duration) -> Vec<Hit> {
        let until = Instant::now() + within;
        loop {
            let hits = self.hits(name);
            if hits.len() >= n || Instant::now() >= until {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// An endpoint that accepts connections and never answers.
struct DeadEndpoint {
    origin: String,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DeadEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DeadEndpoint {
    async fn start() -> DeadEndpoint {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
        });
        DeadEndpoint {
            origin,
            accepted,
            task,
        }
    }
}

// ---------------------------------------------------------------------
// Servers and devices.

/// Settings for tests: loopback receivers allowed, quick retries.
fn loopback(window: Duration) -> Settings {
    Settings {
        policy: Policy {
            allow_loopback: true,
        },
        window,
        backoff: Duration::from_millis(50),
        ..Settings::default()
    }
}

fn roomy_limits() -> Limits {
    Limits {
        register_per_hour: 100_000,
        link_codes_per_hour: 100_000,
        redeem_per_minute: 100_000,
        ..Limits::default()
    }
}

/// A server over `storage` with `settings`.
async fn serve(storage: Arc<dyn Storage>, settings: Settings) -> Server {
    let state = AppState::with_wakeups(storage, roomy_limits(), settings);
    start_state(state, tempfile::tempdir().unwrap()).await
}

/// A server over a fresh SQLite database; also the storage.
async fn server(settings: Settings) -> (Server, Arc<dyn Storage>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(
        tandem_sync_server::storage::sqlite::SqliteStorage::open(&dir.path().join("sync.db"))
            .unwrap(),
    );
    (serve(storage.clone(), settings).await, storage, dir)
}

/// This device's id.
async fn own_id(c: &Client) -> String {
    let list: Value = c.get_ok("/v1/devices").await;
    list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["this_device"] == true)
        .unwrap()["device_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Another device of `parent`'s account.
async fn linked(parent: &Client) -> Client {
    let code: Value = parent.post_ok("/v1/devices/link-codes", &json!({})).await;
    Client::register_with(&parent.url, json!({ "link_code": code["code"] }))
        .await
        .unwrap()
}

async fn subscribe(c: &Client, body: &Value) -> (StatusCode, Value) {
    c.call(Method::PUT, "/v1/devices/self/wakeup", Some(body))
        .await
}

/// Pushes one record `i` to `space`; returns how long the ack took.
async fn write(c: &Client, space: &str, i: usize) -> Duration {
    let started = Instant::now();
    let (status, v) = c
        .call(
            Method::POST,
            "/v1/sync/push",
            Some(&json!({ "records": [record(space, "reach-out", i, 200)] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    started.elapsed()
}

/// A counter's value in the server's `/metrics`.
async fn metric(url: &str, series: &str) -> f64 {
    let text = http_client()
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in {text}"))
}

/// Waits up to `within` for a counter to reach `at_least`; its value.
async fn metric_reaches(url: &str, series: &str, at_least: f64, within: Duration) -> f64 {
    let until = Instant::now() + within;
    loop {
        let v = metric(url, series).await;
        if v >= at_least || Instant::now() >= until {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------
// The tests.

/// RFC 8291 Appendix A: the server's encryption gives the published body
/// from the published keys and salt, and this file's decryption (the
/// receivers') opens it with the user agent's published private key.
#[test]
fn the_rfc_8291_example_encrypts_to_its_body_and_decrypts_back() {
    use tandem_sync_server::wakeup::crypto::{Subscriber, seal_record};
    let ua = UserAgent::with(
        SecretKey::from_slice(&b64d("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")).unwrap(),
        b64d("BTBZMqHH6r4Tts7J_aSIgg").try_into().unwrap(),
    );
    assert_eq!(
        b64(&ua.public),
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    );
    let sender =
        SecretKey::from_slice(&b64d("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).unwrap();
    let salt: [u8; 16] = b64d("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
    let mut record = b"When I grow up, I want to be a watermelon".to_vec();
    record.push(2);
    let body = seal_record(
        &Subscriber::new(&ua.public, &ua.auth).unwrap(),
        &record,
        &sender,
        &salt,
    )
    .unwrap();
    let expected = concat!(
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml",
        "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT",
        "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    );
    assert_eq!(b64(&body), expected);
    assert_eq!(
        unpad(&ua.decrypt(&b64d(expected))),
        b"When I grow up, I want to be a watermelon"
    );
}

/// The mentee writes; the mentor's device gets exactly one wake-up that
/// decrypts to the padded `{"v":1}` and nothing else, signed with the key
/// the server publishes; the writing device gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_wakes_the_other_member_once_and_says_nothing() {
    let (server, _storage, _db) = server(loopback(Duration::from_secs(10))).await;
    let receiver = Receiver::start().await;
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let (mentor_ua, mentee_ua) = (UserAgent::new(), UserAgent::new());
    let (status, v) = subscribe(
        &mentor,
        &mentor_ua.subscription(&receiver.endpoint("mentor")),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    let (status, _) = subscribe(
        &mentee,
        &mentee_ua.subscription(&receiver.endpoint("mentee")),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The VAPID key needs no token nor protocol header (the client has a
    // TLS provider: the one `http_client` installed).
    let vapid: Value = reqwest::Client::new()
        .get(format!("{}/v1/wakeup/vapid", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vapid = vapid["public_key"].as_str().unwrap().to_owned();
    assert_eq!(b64d(&vapid).len(), 65);

    let started = Instant::now();
    write(&mentee, &space, 1).await;
    let hits = receiver.wait_for("mentor", 1, Duration::from_secs(3)).await;
    assert_eq!(hits.len(), 1, "the mentor's device is woken within 3 s");
    assert!(hits[0].at.duration_since(started) < Duration::from_secs(3));
    // Nothing more comes, and nothing to the writer.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.hits("mentor").len(), 1, "exactly one");
    assert!(
        receiver.hits("mentee").is_empty(),
        "the writer is not woken"
    );

    let hit = &hits[0];
    let header = |name: &str| hit.headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header("content-encoding"), "aes128gcm");
    assert_eq!(header("urgency"), "high");
    assert!(header("ttl").parse::<u32>().unwrap() > 0);
    verify_vapid(&header("authorization"), &vapid, &receiver.origin);
    let record = mentor_ua.decrypt(&hit.body);
    assert_eq!(record.len(), 128, "padded to a fixed size");
    assert_eq!(unpad(&record), br#"{"v":1}"#);
    let text = String::from_utf8_lossy(&record);
    assert!(!text.contains(&space) && !text.contains("reach-out"));
    assert_eq!(hit.body.len(), 16 + 4 + 1 + 65 + 128 + 16);
    assert_eq!(
        metric(&server.url, r#"tandem_wakeups_total{outcome="sent"}"#).await,
        1.0
    );

    // Another device of the writer's own account is woken too.
    let mentee_tablet = linked(&mentee).await;
    let tablet_ua = UserAgent::new();
    subscribe(
        &mentee_tablet,
        &tablet_ua.subscription(&receiver.endpoint("tablet")),
    )
    .await;
    write(&mentee, &space, 2).await;
    let hits = receiver.wait_for("tablet", 1, Duration::from_secs(3)).await;
    assert_eq!(unpad(&tablet_ua.decrypt(&hits[0].body)), br#"{"v":1}"#);
    assert!(receiver.hits("mentee").is_empty());
}

/// A subscription that never answers (it accepts the connection and
/// hangs) does not make pushes slower to acknowledge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_endpoint_does_not_slow_acks() {
    let (server, _storage, _db) = server(loopback(Duration::from_millis(20))).await;
    let dead = DeadEndpoint::start().await;
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut i = 0;
    let mut round = |n: usize| {
        let (mentee, space) = (mentee.clone(), space.clone());
        let start = i;
        i += n;
        async move {
            let mut took = Vec::new();
            for k in start..start + n {
                took.push(write(&mentee, &space, k).await);
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            took
        }
    };
    let without = median(round(40).await);
    let mut devices = vec![mentor.clone()];
    for _ in 0..9 {
        devices.push(linked(&mentor).await);
    }
    for (n, d) in devices.iter().enumerate() {
        let (status, v) = subscribe(
            d,
            &UserAgent::new().subscription(&format!("{}/dead/{n}", dead.origin)),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    }
    let with = median(round(40).await);
    assert!(
        dead.accepted.load(Ordering::SeqCst) > 0,
        "wake-ups went to the dead endpoint"
    );
    eprintln!("median ack: {without:?} without, {with:?} with a dead endpoint");
    assert!(
        with < without * 2 + Duration::from_millis(200),
        "{with:?} with a dead endpoint against {without:?} without"
    );
}

/// 404 and 410 remove the subscription; 5xx is retried a few times and
/// the subscription kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gone_endpoints_lose_their_subscription_and_failing_ones_are_retried() {
    let (server, storage, _db) = server(loopback(Duration::from_millis(50))).await;
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let mentee_id = own_id(&mentee).await;
    let mut i = 0;
    for (n, status) in [404u16, 410].into_iter().enumerate() {
        let receiver = Receiver::start().await;
        receiver.status.store(status, Ordering::SeqCst);
        let (s, _) = subscribe(
            &mentor,
            &UserAgent::new().subscription(&receiver.endpoint("m")),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(
            storage
                .wakeup_targets(&space, &mentee_id)
                .await
                .unwrap()
                .len(),
            1
        );
        i += 1;
        write(&mentee, &space, i).await;
        assert_eq!(
            receiver
                .wait_for("m", 1, Duration::from_secs(3))
                .await
                .len(),
            1
        );
        let dropped = metric_reaches(
            &server.url,
            r#"tandem_wakeups_dropped_total{reason="gone"}"#,
            (n + 1) as f64,
            Duration::from_secs(3),
        )
        .await;
        assert_eq!(dropped, (n + 1) as f64, "{status}");
        assert!(
            storage
                .wakeup_targets(&space, &mentee_id)
                .await
                .unwrap()
                .is_empty(),
            "{status} removes the subscription"
        );
        // Later writes go nowhere.
        tokio::time::sleep(Duration::from_millis(100)).await;
        i += 1;
        write(&mentee, &space, i).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(receiver.hits("m").len(), 1, "{status}");
    }

    let failing = Receiver::start().await;
    failing.status.store(503, Ordering::SeqCst);
    subscribe(
        &mentor,
        &UserAgent::new().subscription(&failing.endpoint("m")),
    )
    .await;
    i += 1;
    write(&mentee, &space, i).await;
    let hits = failing.wait_for("m", 4, Duration::from_secs(5)).await;
    assert_eq!(hits.len(), 4, "four attempts");
    assert!(hits[3].at.duration_since(hits[0].at) >= Duration::from_millis(50 + 100 + 200 - 20));
    let failed = metric_reaches(
        &server.url,
        r#"tandem_wakeups_total{outcome="failed"}"#,
        1.0,
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(failed, 1.0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(failing.hits("m").len(), 4, "then it gives up");
    assert_eq!(
        storage
            .wakeup_targets(&space, &mentee_id)
            .await
            .unwrap()
            .len(),
        1,
        "a failing endpoint keeps its subscription"
    );

    // A push service that recovers after a 429 gets the wake-up.
    let busy = Receiver::start().await;
    busy.status.store(429, Ordering::SeqCst);
    subscribe(&mentor, &UserAgent::new().subscription(&busy.endpoint("m"))).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    i += 1;
    write(&mentee, &space, i).await;
    busy.wait_for("m", 1, Duration::from_secs(3)).await;
    busy.status.store(201, Ordering::SeqCst);
    assert!(busy.wait_for("m", 2, Duration::from_secs(3)).await.len() >= 2);
    let sent = metric_reaches(
        &server.url,
        r#"tandem_wakeups_total{outcome="sent"}"#,
        1.0,
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(sent, 1.0, "delivered on a retry");
}

/// Without `--allow-loopback-wakeups`, endpoints at loopback, private,
/// link-local, unique-local, shared and unspecified addresses are refused
/// when registered, as are plain HTTP and malformed keys, and a device may
/// register only so often; with the flag, only loopback is added.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_endpoints_and_bad_keys_are_refused_at_registration() {
    let (strict, _storage, _db) = server(Settings::default()).await;
    let device = Client::register(&strict.url).await;
    let ua = UserAgent::new();
    for endpoint in [
        "http://127.0.0.1:9/push",
        "https://127.0.0.1/push",
        "https://127.1.2.3:8443/push",
        "https://localhost/push",
        "https://10.1.2.3/push",
        "https://172.16.5.4/push",
        "https://192.168.0.10/push",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.1.1/push",
        "https://0.0.0.0/push",
        "https://[::1]/push",
        "https://[::]/push",
        "https://[fe80::1]/push",
        "https://[fd00::1]/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://[::ffff:10.0.0.1]/push",
        "https://2130706433/push",
        "http://push.example.org/push",
        "ftp://push.example.org/push",
        "not a url",
        "",
    ] {
        let (status, v) = subscribe(&device, &ua.subscription(endpoint)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint}: {v}");
        assert_eq!(v["error"], "bad_request", "{endpoint}: {v}");
        assert!(v["message"].as_str().unwrap().contains("endpoint"), "{v}");
    }
    let good = "https://push.example.org/x";
    let mut off_curve = ua.public.clone();
    off_curve[64] ^= 1;
    for (body, field) in [
        (
            json!({ "endpoint": good, "p256dh": "***", "auth": b64(&ua.auth) }),
            "p256dh",
        ),
        (
            json!({ "endpoint": good, "p256dh": b64(&ua.public[..64]), "auth": b64(&ua.auth) }),
            "p256dh",
        ),
        (
            json!({ "endpoint": good, "p256dh": b64(&off_curve), "auth": b64(&ua.auth) }),
            "p256dh",
        ),
        (
            json!({ "endpoint": good, "p256dh": b64(&ua.public), "auth": b64(&[1; 15]) }),
            "auth",
        ),
        (
            json!({ "endpoint": good, "p256dh": b64(&ua.public), "auth": "!" }),
            "auth",
        ),
        (
            json!({ "endpoint": good, "p256dh": b64(&ua.public) }),
            "auth",
        ),
        (
            json!({ "endpoint": good, "p256dh": b64(&ua.public), "auth": b64(&ua.auth), "x": 1 }),
            "x",
        ),
    ] {
        let (status, v) = subscribe(&device, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(field),
            "{body}: {v}"
        );
    }
    let (status, _) = http_client()
        .put(format!("{}/v1/devices/self/wakeup", strict.url))
        .json(&ua.subscription(good))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Registrations are limited per device.
    let mut limited = false;
    for _ in 0..70 {
        let (status, v) = subscribe(
            &device,
            &json!({ "endpoint": good, "p256dh": "", "auth": "" }),
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(v["error"], "rate_limited");
            limited = true;
            break;
        }
    }
    assert!(limited, "a device cannot register without end");

    let (open, _storage, _db) = server(loopback(Duration::from_secs(10))).await;
    let device = Client::register(&open.url).await;
    let (status, v) = subscribe(&device, &ua.subscription("http://127.0.0.1:9/push")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    for endpoint in [
        "https://10.1.2.3/push",
        "http://192.168.0.10/push",
        "https://[fe80::1]/push",
    ] {
        let (status, v) = subscribe(&device, &ua.subscription(endpoint)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint}: {v}");
    }
}

/// A loopback endpoint already stored (a server that allowed it wrote it)
/// is refused again when a server without the flag would send to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_loopback_endpoint_is_refused_at_send_time() {
    let (open, storage, _db) = server(loopback(Duration::from_millis(50))).await;
    let strict = serve(
        storage.clone(),
        Settings {
            window: Duration::from_millis(50),
            ..Settings::default()
        },
    )
    .await;
    let receiver = Receiver::start().await;
    let mut mentee = Client::register(&open.url).await;
    let mut mentor = Client::register(&open.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let (status, _) = subscribe(
        &mentor,
        &UserAgent::new().subscription(&receiver.endpoint("m")),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    mentee.url = strict.url.clone();
    mentor.url = strict.url.clone();
    write(&mentee, &space, 1).await;
    let failed = metric_reaches(
        &strict.url,
        r#"tandem_wakeups_total{outcome="failed"}"#,
        1.0,
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(failed, 1.0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.hits("m").is_empty(), "nothing sent to loopback");
    assert_eq!(
        metric(&strict.url, r#"tandem_wakeups_total{outcome="sent"}"#).await,
        0.0
    );

    // The same subscription through the server that allows loopback: sent.
    mentee.url = open.url.clone();
    write(&mentee, &space, 2).await;
    assert_eq!(
        receiver
            .wait_for("m", 1, Duration::from_secs(3))
            .await
            .len(),
        1
    );
}

/// A host name is checked after it is resolved, when sending: `localhost`
/// resolves to loopback, so nothing connects, and the wake-up fails at
/// once (no retries).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_that_resolves_to_loopback_is_refused_when_sending() {
    let (server, storage, _db) = server(Settings {
        window: Duration::from_millis(50),
        backoff: Duration::from_secs(2),
        ..Settings::default()
    })
    .await;
    let dead = DeadEndpoint::start().await;
    let port = dead.origin.rsplit(':').next().unwrap().to_owned();
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let ua = UserAgent::new();
    let endpoint = format!("https://localhost:{port}/push");
    let (status, _) = subscribe(&mentor, &ua.subscription(&endpoint)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "refused at registration");
    storage
        .put_wakeup(
            &own_id(&mentor).await,
            tandem_sync_server::storage::PushSubscription {
                endpoint,
                p256dh: ua.public.clone(),
                auth: ua.auth.to_vec(),
            },
        )
        .await
        .unwrap();
    let started = Instant::now();
    write(&mentee, &space, 1).await;
    let failed = metric_reaches(
        &server.url,
        r#"tandem_wakeups_total{outcome="failed"}"#,
        1.0,
        Duration::from_secs(1),
    )
    .await;
    assert_eq!(failed, 1.0);
    assert!(started.elapsed() < Duration::from_secs(1), "not retried");
    assert_eq!(dead.accepted.load(Ordering::SeqCst), 0, "never connected");
}

/// 100 writes within a second give each device exactly one wake-up at
/// once and one at the end of its window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_writes_gives_one_leading_and_one_trailing_wakeup_per_device() {
    let window = Duration::from_millis(2000);
    let (server, _storage, _db) = server(loopback(window)).await;
    let receiver = Receiver::start().await;
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let mentor_tablet = linked(&mentor).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let uas = [UserAgent::new(), UserAgent::new()];
    for (name, device, ua) in [
        ("phone", &mentor, &uas[0]),
        ("tablet", &mentor_tablet, &uas[1]),
    ] {
        let (status, _) = subscribe(device, &ua.subscription(&receiver.endpoint(name))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    for i in 0..100 {
        tick.tick().await;
        write(&mentee, &space, i).await;
    }
    let burst = started.elapsed();
    assert!(
        burst < Duration::from_millis(1900),
        "the burst took {burst:?}"
    );
    // Past the window's end and then some: nothing else may come.
    tokio::time::sleep(
        (started + window + Duration::from_millis(1500)).saturating_duration_since(Instant::now()),
    )
    .await;
    for (name, ua) in [("phone", &uas[0]), ("tablet", &uas[1])] {
        let hits = receiver.hits(name);
        assert_eq!(hits.len(), 2, "{name}: one leading and one trailing");
        assert!(
            hits[0].at.duration_since(started) < Duration::from_millis(800),
            "{name}: leading at once"
        );
        let gap = hits[1].at.duration_since(hits[0].at);
        assert!(
            gap >= window - Duration::from_millis(50),
            "{name}: trailing after the window ({gap:?})"
        );
        for hit in &hits {
            assert_eq!(unpad(&ua.decrypt(&hit.body)), br#"{"v":1}"#);
        }
    }
    assert_eq!(
        metric(&server.url, r#"tandem_wakeups_total{outcome="sent"}"#).await,
        4.0
    );
    assert!(
        metric(&server.url, r#"tandem_wakeups_total{outcome="coalesced"}"#).await >= 2.0 * 98.0
    );
}

/// `--no-wakeups`: the endpoints answer 404 `turned_off`, and a
/// subscription already stored is not used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_wakeups_turns_the_feature_off() {
    let (server, storage, _db) = server(Settings {
        enabled: false,
        ..loopback(Duration::from_millis(50))
    })
    .await;
    let receiver = Receiver::start().await;
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let ua = UserAgent::new();
    let (status, v) = subscribe(&mentor, &ua.subscription(&receiver.endpoint("m"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["error"], "turned_off");
    let (status, v) = mentor
        .call::<()>(Method::DELETE, "/v1/devices/self/wakeup", None)
        .await;
    assert_eq!(
        (status, &v["error"]),
        (StatusCode::NOT_FOUND, &json!("turned_off"))
    );
    let (status, v) = mentor
        .call::<()>(Method::GET, "/v1/wakeup/vapid", None)
        .await;
    assert_eq!(
        (status, &v["error"]),
        (StatusCode::NOT_FOUND, &json!("turned_off"))
    );

    storage
        .put_wakeup(
            &own_id(&mentor).await,
            tandem_sync_server::storage::PushSubscription {
                endpoint: receiver.endpoint("m"),
                p256dh: ua.public.clone(),
                auth: ua.auth.to_vec(),
            },
        )
        .await
        .unwrap();
    write(&mentee, &space, 1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(receiver.hits("m").is_empty());
}

/// `DELETE` stops the wake-ups, and a new `PUT` replaces the endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_replaces_and_removes_its_subscription() {
    let (server, _storage, _db) = server(loopback(Duration::from_millis(50))).await;
    let receiver = Receiver::start().await;
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let ua = UserAgent::new();
    subscribe(&mentor, &ua.subscription(&receiver.endpoint("old"))).await;
    let (status, _) = subscribe(&mentor, &ua.subscription(&receiver.endpoint("new"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    write(&mentee, &space, 1).await;
    assert_eq!(
        receiver
            .wait_for("new", 1, Duration::from_secs(3))
            .await
            .len(),
        1
    );
    assert!(receiver.hits("old").is_empty());
    for _ in 0..2 {
        let (status, _) = mentor
            .call::<()>(Method::DELETE, "/v1/devices/self/wakeup", None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    write(&mentee, &space, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.hits("new").len(), 1);
}

// ---------------------------------------------------------------------
// The binary's flags, and one key for processes over one database.

struct Proc {
    child: std::process::Child,
    url: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(db: &str, args: &[&str], env: &[(&str, &str)]) -> Proc {
    use std::io::{BufRead, BufReader};
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tandem-sync-server"));
    cmd.args(["--listen", "127.0.0.1:0", "--db", db])
        .args(args)
        .env_remove("TANDEM_ALLOW_LOOPBACK_WAKEUPS")
        .env_remove("TANDEM_NO_WAKEUPS")
        .env_remove("TANDEM_VAPID_KEY")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected: {line:?}"))
        .to_owned();
    Proc { child, url }
}

async fn vapid_of(url: &str) -> (StatusCode, Value) {
    let r = http_client()
        .get(format!("{url}/v1/wakeup/vapid"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_share_one_vapid_key_and_the_flags_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("sync.db").display());
    let a = spawn(&db, &[], &[]);
    let b = spawn(&db, &[], &[]);
    let (ka, kb) = tokio::join!(vapid_of(&a.url), vapid_of(&b.url));
    assert_eq!(ka.0, StatusCode::OK);
    assert_eq!(ka.1, kb.1, "one key for every process over the database");
    drop(b);
    let again = spawn(&db, &[], &[]);
    assert_eq!(vapid_of(&again.url).await.1, ka.1, "and it stays");

    // A key given in a file wins over the database's.
    let key_file = dir.path().join("vapid.key");
    let secret = SecretKey::from_slice(&[7; 32]).unwrap();
    std::fs::write(&key_file, hex::encode(secret.to_bytes())).unwrap();
    let given = spawn(&db, &["--vapid-key", key_file.to_str().unwrap()], &[]);
    assert_eq!(
        vapid_of(&given.url).await.1["public_key"],
        b64(secret.public_key().to_encoded_point(false).as_bytes())
    );

    // Loopback endpoints: refused by default, allowed by the flag or its
    // variable set to 1.
    let ua = UserAgent::new();
    let loopback_sub = ua.subscription("http://127.0.0.1:9/push");
    let device = Client::register(&a.url).await;
    assert_eq!(
        subscribe(&device, &loopback_sub).await.0,
        StatusCode::BAD_REQUEST
    );
    for p in [
        spawn(&db, &["--allow-loopback-wakeups"], &[]),
        spawn(&db, &[], &[("TANDEM_ALLOW_LOOPBACK_WAKEUPS", "1")]),
    ] {
        let device = Client::register(&p.url).await;
        assert_eq!(
            subscribe(&device, &loopback_sub).await.0,
            StatusCode::NO_CONTENT
        );
    }
    let off = spawn(&db, &["--no-wakeups"], &[]);
    assert_eq!(vapid_of(&off.url).await.0, StatusCode::NOT_FOUND);
    drop(a);
}
