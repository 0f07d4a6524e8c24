//! The wake-up gateway (`tandem-wakeup-gateway`) between the relay and
//! the platform push services, with FCM's token and send endpoints and
//! APNs played by a fake provider on loopback that checks the
//! credentials as Google and Apple would (an RS256 assertion from the
//! service account, an ES256 provider token).

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use rand::RngCore;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;
use tandem_sync_server::api::AppState;
use tandem_sync_server::gateway::apns::{Apns, FALLBACK_KEY};
use tandem_sync_server::gateway::fcm::Fcm;
use tandem_sync_server::gateway::seal::SealKey;
use tandem_sync_server::gateway::{Config, Gateway};
use tandem_sync_server::limits::Limits;
use tandem_sync_server::storage::Storage;
use tandem_sync_server::wakeup::Settings;
use tandem_sync_server::wakeup::outbound::Policy;
use tandem_sync_server::wakeup::vapid::VapidKey;

const PROJECT: &str = "tandem-test";
const CLIENT_EMAIL: &str = "gateway@tandem-test.iam.gserviceaccount.com";
const KEY_ID: &str = "KEY1234567";
const TEAM_ID: &str = "TEAM123456";
const TOPIC: &str = "org.example.tandem";

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn random_key() -> SigningKey {
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        if let Ok(k) = SigningKey::from_slice(&bytes) {
            return k;
        }
    }
}

/// A client with no defaults (the gateway's own callers send no protocol
/// header), once the TLS provider reqwest needs is installed.
fn plain() -> reqwest::Client {
    let _ = http_client();
    reqwest::Client::new()
}

fn b64d(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap()
}

/// Splits a JWT and checks its signature with `verify(input, signature)`;
/// returns header and claims.
fn jwt_parts(jwt: &str, verify: impl FnOnce(&[u8], &[u8]) -> bool) -> (Value, Value) {
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    assert!(
        verify(input.as_bytes(), &b64d(signature)),
        "the JWT's signature"
    );
    let (header, claims) = input.split_once('.').unwrap();
    (
        serde_json::from_slice(&b64d(header)).unwrap(),
        serde_json::from_slice(&b64d(claims)).unwrap(),
    )
}

// ---------------------------------------------------------------------
// FCM and APNs on loopback.

/// One message a provider accepted or refused.
#[derive(Clone, Debug)]
struct Sent {
    path: String,
    headers: axum::http::HeaderMap,
    body: Value,
}

/// Google's token endpoint, FCM's send endpoint and APNs in one server.
struct Providers {
    origin: String,
    sent: Arc<Mutex<Vec<Sent>>>,
    tokens_issued: Arc<AtomicUsize>,
    fcm_status: Arc<AtomicU16>,
    apns_status: Arc<AtomicU16>,
    apns_public: VerifyingKey,
    apns_p8: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Providers {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Providers {
    async fn start() -> Providers {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let apns_key = random_key();
        let apns_public = *apns_key.verifying_key();
        let apns_p8 = apns_key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        let rsa_public = std::fs::read(fixture("fcm-service-account-test.pub.der")).unwrap();
        let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
        let tokens_issued = Arc::new(AtomicUsize::new(0));
        let fcm_status = Arc::new(AtomicU16::new(200));
        let apns_status = Arc::new(AtomicU16::new(200));
        let token_uri = format!("{origin}/token");
        let (s, t, f, a) = (
            sent.clone(),
            tokens_issued.clone(),
            fcm_status.clone(),
            apns_status.clone(),
        );
        let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
            let (sent, issued, fcm, apns) = (s.clone(), t.clone(), f.clone(), a.clone());
            let (rsa_public, token_uri) = (rsa_public.clone(), token_uri.clone());
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
                let path = parts.uri.path().to_owned();
                if path == "/token" {
                    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
                    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
                    assert_eq!(field("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
                    let (header, claims) = jwt_parts(&field("assertion"), |input, sig| {
                        ring::signature::UnparsedPublicKey::new(
                            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                            &rsa_public,
                        )
                        .verify(input, sig)
                        .is_ok()
                    });
                    assert_eq!(header["alg"], "RS256");
                    assert_eq!(claims["iss"], CLIENT_EMAIL);
                    assert_eq!(claims["aud"], token_uri);
                    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/firebase.messaging");
                    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                    let answer = json!({ "access_token": format!("access-{n}"), "expires_in": 3600, "token_type": "Bearer" });
                    return (axum::http::StatusCode::OK, answer.to_string());
                }
                let status = if path.starts_with("/3/device/") { &apns } else { &fcm };
                let status = axum::http::StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap();
                sent.lock().unwrap().push(Sent {
                    path: path.clone(),
                    headers: parts.headers,
                    body: serde_json::from_slice(&body).unwrap(),
                });
                let reason = match status.as_u16() {
                    404 => json!({ "error": { "status": "NOT_FOUND", "details": [{ "errorCode": "UNREGISTERED" }] } }),
                    403 => json!({ "error": { "status": "PERMISSION_DENIED", "details": [{ "errorCode": "SENDER_ID_MISMATCH" }] } }),
                    400 => json!({ "reason": "BadDeviceToken" }),
                    410 => json!({ "reason": "Unregistered" }),
                    _ => json!({}),
                };
                (status, reason.to_string())
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Providers {
            origin,
            sent,
            tokens_issued,
            fcm_status,
            apns_status,
            apns_public,
            apns_p8,
            task,
        }
    }

    /// A service account key file's JSON whose token endpoint is here.
    fn service_account(&self) -> String {
        json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "0123",
            "private_key": std::fs::read_to_string(fixture("fcm-service-account-test.key")).unwrap(),
            "client_email": CLIENT_EMAIL,
            "token_uri": format!("{}/token", self.origin),
        })
        .to_string()
    }

    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize, within: Duration) -> Vec<Sent> {
        let until = Instant::now() + within;
        loop {
            let sent = self.sent();
            if sent.len() >= n || Instant::now() >= until {
                return sent;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

// ---------------------------------------------------------------------
// A gateway and a relay.

/// A gateway in this process in front of `providers`; its URL.
struct RunningGateway {
    url: String,
    gw: Arc<Gateway>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn gateway(providers: &Providers, relays: Vec<String>, apns: bool) -> RunningGateway {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut seal = [0u8; 32];
    rand::rng().fill_bytes(&mut seal);
    let config = Config {
        public_url: url.parse().unwrap(),
        seal: SealKey::from_bytes(&seal),
        relays,
        fcm: Some(
            Fcm::from_service_account(&providers.service_account(), &providers.origin).unwrap(),
        ),
        apns: apns.then(|| {
            Apns::new(
                &providers.apns_p8,
                KEY_ID,
                TEAM_ID,
                TOPIC,
                &providers.origin,
            )
            .unwrap()
        }),
    };
    let gw = Arc::new(Gateway::new(config, plain()));
    let served = gw.clone();
    let task = tokio::spawn(async move {
        tandem_sync_server::gateway::serve(listener, served)
            .await
            .unwrap();
    });
    RunningGateway { url, gw, task }
}

/// An endpoint not bound to a relay (any relay the gateway serves may push).
async fn register(gw: &str, provider: &str, token: &str) -> (StatusCode, Value) {
    register_for(gw, provider, token, None).await
}

/// An endpoint for `token`, bound to the relay whose VAPID key is `relay`.
async fn register_for(
    gw: &str,
    provider: &str,
    token: &str,
    relay: Option<&str>,
) -> (StatusCode, Value) {
    let answer = plain()
        .post(format!("{gw}/v1/register"))
        .json(&json!({ "provider": provider, "token": token, "relay": relay }))
        .send()
        .await
        .unwrap();
    (answer.status(), answer.json().await.unwrap())
}

/// A relay that may push to loopback, over a fresh SQLite database, with
/// one wake-up per device per `window`; also its storage and VAPID key.
async fn relay(window: Duration) -> (Server, Arc<dyn Storage>, String) {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(
        tandem_sync_server::storage::sqlite::SqliteStorage::open(&dir.path().join("sync.db"))
            .unwrap(),
    );
    let settings = Settings {
        policy: Policy {
            allow_loopback: true,
        },
        window,
        backoff: Duration::from_millis(50),
        ..Settings::default()
    };
    let limits = Limits {
        register_per_hour: 10_000,
        ..Limits::default()
    };
    let server = start_state(
        AppState::with_wakeups(storage.clone(), limits, settings),
        dir,
    )
    .await;
    let vapid: Value = http_client()
        .get(format!("{}/v1/wakeup/vapid", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = vapid["public_key"].as_str().unwrap().to_owned();
    (server, storage, key)
}

/// Web Push keys a phone would make for its subscription.
fn subscription(endpoint: &str) -> Value {
    let secret = random_key();
    let point = secret.verifying_key().to_encoded_point(false);
    let mut auth = [0u8; 16];
    rand::rng().fill_bytes(&mut auth);
    json!({ "endpoint": endpoint, "p256dh": b64(point.as_bytes()), "auth": b64(&auth) })
}

async fn subscribe(c: &Client, endpoint: &str) {
    let (status, v) = c
        .call(
            Method::PUT,
            "/v1/devices/self/wakeup",
            Some(&subscription(endpoint)),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
}

async fn write(c: &Client, space: &str, i: usize) {
    let (status, v) = c
        .call(
            Method::POST,
            "/v1/sync/push",
            Some(&json!({ "records": [record(space, "reach-out", i, 200)] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

// ---------------------------------------------------------------------
// The tests.

/// A mentor on Android with FCM and a mentee on an iPhone: each is woken
/// by the other's write through the gateway, with a message that says
/// only "wake", and the relay never sees either provider token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wake_ups_reach_fcm_and_apns_saying_only_wake() {
    let providers = Providers::start().await;
    let (relay, _storage, relay_key) = relay(Duration::from_secs(10)).await;
    let gw = gateway(&providers, vec![relay_key.clone()], true).await;
    let fcm_token = "cXk2:APA91bH_mentors-phone-0123456789";
    let apns_token = "a1b2".repeat(16);
    let (status, mentor_ep) = register_for(&gw.url, "fcm", fcm_token, Some(&relay_key)).await;
    assert_eq!(status, StatusCode::CREATED, "{mentor_ep}");
    let (_, mentee_ep) = register_for(&gw.url, "apns", &apns_token, Some(&relay_key)).await;
    let (mentor_ep, mentee_ep) = (
        mentor_ep["endpoint"].as_str().unwrap(),
        mentee_ep["endpoint"].as_str().unwrap(),
    );
    for ep in [mentor_ep, mentee_ep] {
        assert!(ep.starts_with(&format!("{}/push/", gw.url)), "{ep}");
        assert!(
            !ep.contains("APA91") && !ep.contains(&apns_token),
            "the token is sealed: {ep}"
        );
    }

    let mentee = Client::register(&relay.url).await;
    let mentor = Client::register(&relay.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    subscribe(&mentor, mentor_ep).await;
    subscribe(&mentee, mentee_ep).await;

    // The mentee reaches out: the mentor's phone gets one FCM message.
    write(&mentee, &space, 1).await;
    let sent = providers.wait_for(1, Duration::from_secs(3)).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let fcm = &sent[0];
    assert_eq!(fcm.path, format!("/v1/projects/{PROJECT}/messages:send"));
    assert_eq!(fcm.headers["authorization"], "Bearer access-1");
    assert_eq!(fcm.body["message"]["token"], fcm_token);
    assert_eq!(
        fcm.body["message"]["data"],
        json!({ "wake": "1" }),
        "only wake"
    );
    assert_eq!(fcm.body["message"]["android"]["priority"], "high");
    assert!(
        fcm.body["message"].get("notification").is_none(),
        "no visible text from FCM"
    );

    // The mentor answers: the mentee's iPhone gets one alert push whose
    // text is the app's own localisation key, for its extension to replace.
    write(&mentor, &space, 2).await;
    let sent = providers.wait_for(2, Duration::from_secs(3)).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    let apns = &sent[1];
    assert_eq!(apns.path, format!("/3/device/{apns_token}"));
    assert_eq!(apns.headers["apns-topic"], TOPIC);
    assert_eq!(apns.headers["apns-push-type"], "alert");
    assert_eq!(apns.headers["apns-priority"], "10");
    assert_eq!(
        apns.body,
        json!({ "aps": { "alert": { "loc-key": FALLBACK_KEY }, "mutable-content": 1 } })
    );
    let bearer = apns.headers["authorization"]
        .to_str()
        .unwrap()
        .strip_prefix("bearer ")
        .unwrap();
    let (header, claims) = jwt_parts(bearer, |input, sig| {
        Signature::from_slice(sig).is_ok_and(|s| providers.apns_public.verify(input, &s).is_ok())
    });
    assert_eq!(
        (header["alg"].as_str(), header["kid"].as_str()),
        (Some("ES256"), Some(KEY_ID))
    );
    assert_eq!(claims["iss"], TEAM_ID);

    for s in &sent {
        let text = s.body.to_string();
        assert!(
            !text.contains(&space) && !text.contains("reach-out"),
            "{text}"
        );
    }
    // Nothing for the writers, and one access token for both sends.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(providers.sent().len(), 2);
    assert_eq!(providers.tokens_issued.load(Ordering::SeqCst), 1);
}

/// A provider saying the app is gone makes the gateway answer 410, and
/// the relay drops the subscription: FCM's 404 and APNs' 410 and
/// `BadDeviceToken` alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_the_provider_no_longer_knows_drops_the_subscription() {
    let providers = Providers::start().await;
    let (relay, storage, relay_key) = relay(Duration::from_millis(50)).await;
    let gw = gateway(&providers, vec![relay_key], true).await;
    let mentee = Client::register(&relay.url).await;
    let mentor = Client::register(&relay.url).await;
    let (space, _) = pair(&mentee, &mentor).await;
    let list: Value = mentee.get_ok("/v1/devices").await;
    let mentee_id = list["devices"][0]["device_id"].as_str().unwrap().to_owned();

    let cases = [
        ("fcm", "fcm-token-1", 404u16),
        ("apns", "ab".repeat(32).leak() as &str, 410),
        ("apns", "cd".repeat(32).leak(), 400),
        // A token of another Firebase project never works here.
        ("fcm", "fcm-token-2", 403),
    ];
    for (i, (provider, token, status)) in cases.into_iter().enumerate() {
        providers.fcm_status.store(status, Ordering::SeqCst);
        providers.apns_status.store(status, Ordering::SeqCst);
        let (_, ep) = register(&gw.url, provider, token).await;
        subscribe(&mentor, ep["endpoint"].as_str().unwrap()).await;
        assert_eq!(
            storage
                .wakeup_targets(&space, &mentee_id)
                .await
                .unwrap()
                .len(),
            1
        );
        write(&mentee, &space, i).await;
        assert_eq!(
            providers
                .wait_for(i + 1, Duration::from_secs(3))
                .await
                .len(),
            i + 1
        );
        let until = Instant::now() + Duration::from_secs(3);
        while !storage
            .wakeup_targets(&space, &mentee_id)
            .await
            .unwrap()
            .is_empty()
            && Instant::now() < until
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            storage
                .wakeup_targets(&space, &mentee_id)
                .await
                .unwrap()
                .is_empty(),
            "{provider} {status} drops the subscription"
        );
        // The next window opens for the next case.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the gateway refuses, and how: pushes not from a served relay,
/// bodies that are not Web Push, endpoints it did not make; tokens of the
/// wrong shape and providers it does not send through; a busy provider
/// is a 429 with `Retry-After`, a refused credential a 502.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_refuses_what_is_not_a_wake_up_from_its_relay() {
    let providers = Providers::start().await;
    let relay = VapidKey::generate();
    let other_served = VapidKey::generate();
    let stranger = VapidKey::generate();
    let gw = gateway(
        &providers,
        vec![
            relay.public_key().to_owned(),
            other_served.public_key().to_owned(),
        ],
        false,
    )
    .await;
    let (_, ep) = register(&gw.url, "fcm", "good-token").await;
    let ep = ep["endpoint"].as_str().unwrap().to_owned();
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let push = |key: Option<&VapidKey>, endpoint: &str, encoding: &str| {
        let mut r = plain()
            .post(endpoint)
            .header("content-encoding", encoding)
            .header("ttl", "60")
            .body(vec![0u8; 230]);
        if let Some(k) = key {
            r = r.header(
                "authorization",
                k.authorization(&gw.url, expires, Some("mailto:ops@example.org")),
            );
        }
        async move {
            let a = r.send().await.unwrap();
            let status = a.status();
            let retry = a
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (
                status,
                retry,
                a.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };

    let (s, _, v) = push(None, &ep, "aes128gcm").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (s, _, _) = push(Some(&stranger), &ep, "aes128gcm").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, v) = push(Some(&relay), &ep, "aesgcm").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_encoding")
        )
    );
    let forged = format!("{}/push/{}", gw.url, URL_SAFE_NO_PAD.encode([7u8; 60]));
    let (s, _, v) = push(Some(&relay), &forged, "aes128gcm").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_such_subscription"))
    );
    assert!(
        providers.sent().is_empty(),
        "nothing refused reached a provider"
    );

    let (s, _, _) = push(Some(&relay), &ep, "aes128gcm").await;
    assert_eq!(s, StatusCode::CREATED);
    providers.fcm_status.store(503, Ordering::SeqCst);
    let (s, retry, _) = push(Some(&relay), &ep, "aes128gcm").await;
    assert_eq!(
        (s, retry.as_deref()),
        (StatusCode::TOO_MANY_REQUESTS, Some("10"))
    );
    providers.fcm_status.store(401, Ordering::SeqCst);
    let (s, _, v) = push(Some(&relay), &ep, "aes128gcm").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_GATEWAY, Some("provider_failed"))
    );
    providers.fcm_status.store(200, Ordering::SeqCst);
    let (s, _, _) = push(Some(&relay), &ep, "aes128gcm").await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        providers.tokens_issued.load(Ordering::SeqCst),
        2,
        "a refused access token is replaced"
    );

    for (body, status, code) in [
        (
            json!({ "provider": "apns", "token": "ab".repeat(32) }),
            StatusCode::CONFLICT,
            "provider_not_configured",
        ),
        (
            json!({ "provider": "fcm", "token": "../../v1/account" }),
            StatusCode::BAD_REQUEST,
            "bad_token",
        ),
        (
            json!({ "provider": "mail", "token": "x" }),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ] {
        let a = plain()
            .post(format!("{}/v1/register", gw.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(a.status(), status, "{body}");
        assert_eq!(a.json::<Value>().await.unwrap()["error"], code);
    }
    // An endpoint bound to one relay takes no other relay's pushes, even
    // one the gateway serves; an unbound one takes any served relay's.
    let (_, bound) = register_for(&gw.url, "fcm", "bound-token", Some(relay.public_key())).await;
    let bound = bound["endpoint"].as_str().unwrap().to_owned();
    let (s, _, _) = push(Some(&other_served), &bound, "aes128gcm").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "bound to another relay");
    let (s, _, _) = push(Some(&relay), &bound, "aes128gcm").await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _, _) = push(Some(&other_served), &ep, "aes128gcm").await;
    assert_eq!(s, StatusCode::CREATED);
    let (st, v) = register_for(&gw.url, "fcm", "t", Some(stranger.public_key())).await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("relay_not_served"))
    );
    let (st, v) = register_for(&gw.url, "fcm", "t", Some("bm90IGEga2V5")).await;
    assert_eq!(
        (st, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_relay"))
    );
    let huge = plain()
        .post(format!("{}/v1/register", gw.url))
        .body(vec![b' '; 64 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Counts of pushes are not on the public address.
    let public = plain()
        .get(format!("{}/metrics", gw.url))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let metrics = gw.gw.metrics_text();
    assert!(
        metrics.contains(r#"gateway_pushes_total{outcome="delivered",provider="fcm"} 4"#),
        "{metrics}"
    );
}

/// The binary: it will not start open to every relay by accident, makes
/// its sealing key owner-only, and endpoints survive a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_keeps_its_sealing_key_and_refuses_an_open_setup() {
    let providers = Providers::start().await;
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("firebase.json");
    std::fs::write(&account, providers.service_account()).unwrap();
    let key = dir.path().join("seal.key");
    let relay = VapidKey::generate();
    let base = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tandem-wakeup-gateway"));
        c.args([
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            "http://127.0.0.1:1",
        ])
        .arg("--seal-key")
        .arg(&key)
        .arg("--fcm-service-account")
        .arg(&account)
        .args(["--fcm-url", &providers.origin])
        .args(extra)
        .env_remove("TANDEM_GATEWAY_RELAY_VAPID");
        c
    };
    let open = base(&[]).output().unwrap();
    assert_eq!(open.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&open.stderr).contains("--relay-vapid"));
    assert!(!key.exists(), "nothing made by a refused start");

    let start = || {
        let mut child = base(&["--relay-vapid", relay.public_key()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_owned();
        (child, url)
    };
    let (mut first, url) = start();
    let (status, ep) = register(&url, "fcm", "token-before-restart").await;
    assert_eq!(status, StatusCode::CREATED);
    first.kill().unwrap();
    first.wait().unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let (mut second, url) = start();
    let path = ep["endpoint"]
        .as_str()
        .unwrap()
        .split("/push/")
        .nth(1)
        .unwrap()
        .to_owned();
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let answer = plain()
        .post(format!("{url}/push/{path}"))
        .header(
            "authorization",
            relay.authorization("http://127.0.0.1:1", expires, None),
        )
        .header("content-encoding", "aes128gcm")
        .header("ttl", "60")
        .body(vec![0u8; 230])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::CREATED);
    let sent = providers.wait_for(1, Duration::from_secs(3)).await;
    assert_eq!(sent[0].body["message"]["token"], "token-before-restart");
    second.kill().unwrap();
    second.wait().unwrap();
}
