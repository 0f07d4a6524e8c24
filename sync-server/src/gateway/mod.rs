//! `tandem-wakeup-gateway`: a Web Push endpoint for phones whose only way
//! to be woken is their platform's push service.
//!
//! Android phones with a UnifiedPush distributor get a Web Push endpoint
//! and need none of this. A phone that can only be reached through
//! Firebase Cloud Messaging or the Apple Push Notification service asks
//! the gateway (`POST /v1/register`) to turn its provider token into an
//! endpoint, and subscribes to the relay with that endpoint and its own
//! Web Push keys. When the relay pushes a wake-up there
//! (`POST /push/{sealed}`), the gateway sends the provider a message that
//! says only "wake" and answers the relay as a push service would.
//!
//! What the gateway sees: the encrypted wake-up (which it cannot read and
//! does not forward: it says nothing anyway), the provider token inside
//! the path (sealed under the gateway's key, so the relay cannot read it),
//! and when. It keeps nothing: no table of devices, no log of pushes.

pub mod apns;
pub mod fcm;
pub mod relay_auth;
pub mod seal;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use prometheus::{Encoder, IntCounterVec, Opts, Registry, TextEncoder};
use serde::{Deserialize, Serialize};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use self::seal::{RELAY_KEY_LEN, SealKey, Sealed, TOKEN_MAX};

/// Largest push body accepted: one RFC 8188 record of 4096 bytes.
pub const BODY_MAX: usize = 4096;

/// Longest a provider is asked to keep a wake-up, whatever the relay's
/// `TTL` says.
pub const TTL_MAX: u32 = 24 * 3600;

/// How long to wait before retrying when a provider is overloaded or
/// unreachable, told to the relay with `Retry-After`.
const RETRY_AFTER_SECONDS: u64 = 10;

/// A platform push service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Firebase Cloud Messaging (Android phones without UnifiedPush).
    Fcm,
    /// Apple Push Notification service (iPhones).
    Apns,
}

impl Provider {
    pub(crate) fn tag(self) -> u8 {
        match self {
            Provider::Fcm => 1,
            Provider::Apns => 2,
        }
    }

    pub(crate) fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(Provider::Fcm),
            2 => Some(Provider::Apns),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Provider::Fcm => "fcm",
            Provider::Apns => "apns",
        }
    }

    /// What its tokens are called, for messages.
    fn token_kind(self) -> &'static str {
        match self {
            Provider::Fcm => "an FCM registration token",
            Provider::Apns => "an APNs device token (hex)",
        }
    }

    /// Whether `token` has the shape of this provider's tokens: FCM's
    /// are base64url with `:`, APNs' are hex.
    fn admits(self, token: &str) -> bool {
        !token.is_empty()
            && token.len() <= TOKEN_MAX
            && match self {
                Provider::Fcm => token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':')),
                Provider::Apns => {
                    token.len().is_multiple_of(2) && token.bytes().all(|b| b.is_ascii_hexdigit())
                }
            }
    }
}

/// What became of one wake-up at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the provider.
    Delivered,
    /// The token no longer names an app instance: the relay should drop
    /// the subscription.
    Gone,
    /// Worth trying again later (429, 5xx, network).
    RetryLater(String),
    /// Not worth retrying soon (credentials, a refused message).
    Failed(String),
}

/// How the gateway is set up.
#[derive(Debug)]
pub struct Config {
    /// The URL endpoints start with, as the relay reaches the gateway
    /// (`https://push.example.org`); its origin is the VAPID audience.
    pub public_url: url::Url,
    /// The key provider tokens are sealed under.
    pub seal: SealKey,
    /// VAPID public keys of the relays allowed to push; empty admits any.
    pub relays: Vec<String>,
    /// FCM, when configured.
    pub fcm: Option<fcm::Fcm>,
    /// APNs, when configured.
    pub apns: Option<apns::Apns>,
}

/// A running gateway's state.
#[derive(Debug)]
pub struct Gateway {
    config: Config,
    http: reqwest::Client,
    registry: Registry,
    pushes: IntCounterVec,
}

impl Gateway {
    /// The counts `/metrics` serves, as Prometheus text.
    pub fn metrics_text(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// A gateway over `config`, sending with `http` (see [`client`]).
    pub fn new(config: Config, http: reqwest::Client) -> Self {
        let registry = Registry::new();
        let pushes = IntCounterVec::new(
            Opts::new("gateway_pushes_total", "Wake-ups by provider and outcome"),
            &["provider", "outcome"],
        )
        .expect("a valid metric");
        registry
            .register(Box::new(pushes.clone()))
            .expect("registered once");
        Gateway {
            config,
            http,
            registry,
            pushes,
        }
    }

    fn origin(&self) -> String {
        self.config.public_url.origin().ascii_serialization()
    }
}

/// The HTTP client for providers: rustls with ring and the system's
/// roots, HTTP/2 where the provider offers it (APNs requires it), no
/// redirects, timeouts.
pub fn client() -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("no certificate roots: {e}"))?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

/// The gateway's routes. Bodies are bounded by [`BODY_MAX`] before any is
/// read. `/metrics` is served apart ([`metrics_router`]).
pub fn router(gateway: Arc<Gateway>) -> axum::Router {
    axum::Router::new()
        .route("/v1/register", post(register))
        .route("/push/{sealed}", post(push))
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(BODY_MAX))
        .with_state(gateway)
}

/// `GET /metrics` alone, for a listener of its own (`--metrics-listen`,
/// loopback by default): counts of pushes show when pairs are active.
pub fn metrics_router(gateway: Arc<Gateway>) -> axum::Router {
    axum::Router::new()
        .route("/metrics", get(metrics))
        .with_state(gateway)
}

/// Serves the gateway on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    gateway: Arc<Gateway>,
) -> std::io::Result<()> {
    axum::serve(listener, router(gateway)).await
}

/// Starts a gateway on a free loopback port in a thread of this process,
/// with the configuration `make` gives for its URL, and returns the URL
/// once it accepts connections. For tests of the devices' side.
pub fn spawn_local(
    make: impl FnOnce(url::Url) -> Config + Send + 'static,
) -> std::io::Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => return drop(tx.send(Err(e))),
        };
        rt.block_on(async move {
            let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => return drop(tx.send(Err(e))),
            };
            let url = match listener.local_addr() {
                Ok(addr) => format!("http://{addr}"),
                Err(e) => return drop(tx.send(Err(e))),
            };
            let config = make(url.parse().expect("a loopback URL parses"));
            let _ = rustls::crypto::ring::default_provider().install_default();
            let gateway = Arc::new(Gateway::new(config, reqwest::Client::new()));
            let _ = tx.send(Ok(url));
            let _ = serve(listener, gateway).await;
        });
    });
    rx.recv()
        .map_err(|_| std::io::Error::other("the gateway thread ended before listening"))?
}

/// An error answer: `{"error": code, "message": …}`, as the relay's.
fn refuse(status: StatusCode, code: &str, message: impl std::fmt::Display) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": code, "message": message.to_string() })),
    )
        .into_response()
}

/// `POST /v1/register`'s body.
#[derive(Debug, Deserialize)]
struct Register {
    provider: Provider,
    token: String,
    /// The VAPID key (base64url) of the relay the endpoint is for; only it
    /// may then push there.
    #[serde(default)]
    relay: Option<String>,
}

/// A relay's VAPID public key from base64url: an uncompressed P-256 point.
pub fn relay_key(text: &str) -> Option<[u8; RELAY_KEY_LEN]> {
    let raw = URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .ok()?;
    let key: [u8; RELAY_KEY_LEN] = raw.try_into().ok()?;
    p256::PublicKey::from_sec1_bytes(&key).ok()?;
    Some(key)
}

/// `POST /v1/register`: a provider token becomes a Web Push endpoint.
async fn register(State(gw): State<Arc<Gateway>>, body: Bytes) -> Response {
    let Ok(Register {
        provider,
        token,
        relay,
    }) = serde_json::from_slice::<Register>(&body)
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "bad_request",
            r#"expected {"provider": "fcm" or "apns", "token": "…", "relay": "…"}"#,
        );
    };
    let relay = match relay.as_deref().map(relay_key) {
        None => None,
        Some(Some(key)) => Some(key),
        Some(None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "bad_relay",
                "relay must be a VAPID public key (base64url)",
            );
        }
    };
    if let Some(key) = &relay
        && !gw.config.relays.is_empty()
        && !gw
            .config
            .relays
            .iter()
            .any(|k| relay_key(k).as_ref() == Some(key))
    {
        return refuse(
            StatusCode::FORBIDDEN,
            "relay_not_served",
            "this gateway does not serve that relay",
        );
    }
    let configured = match provider {
        Provider::Fcm => gw.config.fcm.is_some(),
        Provider::Apns => gw.config.apns.is_some(),
    };
    if !configured {
        return refuse(
            StatusCode::CONFLICT,
            "provider_not_configured",
            format!("this gateway does not send through {}", provider.name()),
        );
    }
    if !provider.admits(&token) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "bad_token",
            format!("not {}", provider.token_kind()),
        );
    }
    let base = gw.config.public_url.as_str().trim_end_matches('/');
    let endpoint = format!(
        "{base}/push/{}",
        gw.config.seal.seal(&Sealed {
            provider,
            relay,
            token,
        })
    );
    (
        StatusCode::CREATED,
        Json(serde_json::json!({ "endpoint": endpoint })),
    )
        .into_response()
}

/// `POST /push/{sealed}`: a wake-up from the relay, passed on.
async fn push(
    State(gw): State<Arc<Gateway>>,
    Path(sealed): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(Sealed {
        provider,
        relay,
        token,
    }) = gw
        .config
        .seal
        .open(&sealed)
        .filter(|s| s.provider.admits(&s.token))
    else {
        // Not made by this gateway (or by it under another key): gone for good.
        return refuse(
            StatusCode::NOT_FOUND,
            "no_such_subscription",
            "no such subscription",
        );
    };
    // An endpoint bound to a relay takes that relay's pushes only; an
    // unbound one, those of the relays this gateway serves.
    let allowed = match &relay {
        Some(key) => vec![URL_SAFE_NO_PAD.encode(key)],
        None => gw.config.relays.clone(),
    };
    if !allowed.is_empty() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if let Err(e) = relay_auth::check(header("authorization"), &allowed, &gw.origin(), now) {
            return refuse(StatusCode::UNAUTHORIZED, "unauthorized", e);
        }
    }
    if header("content-encoding") != Some("aes128gcm") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_encoding",
            "a push body must be Content-Encoding: aes128gcm (RFC 8291)",
        );
    }
    if body.len() > BODY_MAX {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "a push body is one record of 4096 bytes at most",
        );
    }
    let Some(ttl) = header("ttl").and_then(|t| t.parse::<u32>().ok()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "a push needs a TTL header (RFC 8030)",
        );
    };
    let ttl = ttl.min(TTL_MAX);
    // A provider missing from the configuration is a fault of this
    // gateway (a restart without it, say), not of the subscription: the
    // relay tries again later rather than dropping every subscription.
    let unconfigured = || Outcome::RetryLater("that provider is not configured".into());
    let outcome = match provider {
        Provider::Fcm => match &gw.config.fcm {
            Some(fcm) => fcm.send(&gw.http, &token, ttl).await,
            None => unconfigured(),
        },
        Provider::Apns => match &gw.config.apns {
            Some(apns) => apns.send(&gw.http, &token, ttl).await,
            None => unconfigured(),
        },
    };
    let (label, response) = match outcome {
        Outcome::Delivered => ("delivered", StatusCode::CREATED.into_response()),
        Outcome::Gone => (
            "gone",
            refuse(StatusCode::GONE, "gone", "the app is gone from that device"),
        ),
        Outcome::RetryLater(why) => {
            tracing::warn!(provider = provider.name(), %why, "provider busy or unreachable");
            let mut r = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "retry_later",
                "the provider is busy; try again later",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
            ("retry", r)
        }
        Outcome::Failed(why) => {
            tracing::error!(provider = provider.name(), %why, "provider refused the wake-up");
            (
                "failed",
                refuse(
                    StatusCode::BAD_GATEWAY,
                    "provider_failed",
                    "the provider refused the wake-up",
                ),
            )
        }
    };
    gw.pushes.with_label_values(&[provider.name(), label]).inc();
    response
}

/// `GET /metrics`: counts of wake-ups by provider and outcome.
async fn metrics(State(gw): State<Arc<Gateway>>) -> Response {
    let mut out = Vec::new();
    match TextEncoder::new().encode(&gw.registry.gather(), &mut out) {
        Ok(()) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response(),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal", e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_for_their_provider_shape() {
        assert!(Provider::Apns.admits(&"ab".repeat(32)));
        assert!(!Provider::Apns.admits("../../etc"));
        assert!(!Provider::Apns.admits("abc"));
        assert!(Provider::Fcm.admits("dQw4w9WgXcQ:APA91bH-x_y"));
        assert!(!Provider::Fcm.admits("a/b"));
        assert!(!Provider::Fcm.admits(""));
        assert!(!Provider::Fcm.admits(&"a".repeat(TOKEN_MAX + 1)));
    }
}
