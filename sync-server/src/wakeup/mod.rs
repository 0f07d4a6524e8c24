//! Content-free wake-ups through Web Push (RFC 8030).
//!
//! A device gives the server its push subscription (`PUT
//! /v1/devices/self/wakeup`). Once a push to a space is durable, every
//! other member device of that space with a subscription gets one
//! wake-up: the same fixed-size encrypted `{"v":1}` for every event, so
//! that the relay and the push service learn only when something happened,
//! never what or where. A device is woken at most once per window
//! (10 s), and writes inside the window always get one trailing wake-up
//! at its end: none is swallowed.
//!
//! The window is kept by each server process: with several processes over
//! one PostgreSQL database, a device may get one wake-up per window from
//! each process that stored a write.
//!
//! The parts: [`crypto`] (RFC 8291 message encryption), [`vapid`] (RFC 8292
//! key and JWT), [`outbound`] (which addresses a request may go to, and
//! the client that keeps to them) and [`dispatch`] (coalescing, the
//! bounded queue and the senders, off the request path).

pub mod crypto;
pub mod dispatch;
pub mod outbound;
pub mod vapid;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{OnceCell, mpsc};

use crate::metrics::Metrics;
use crate::storage::{PushSubscription, Storage, StorageError, StorageResult};
pub use outbound::Policy;
use vapid::VapidKey;

/// Wake-up flags.
#[derive(Debug, Clone, clap::Args)]
pub struct WakeupArgs {
    /// Turn wake-ups off: pushes wake no device, and the wake-up endpoints
    /// (`PUT`/`DELETE /v1/devices/self/wakeup`, `GET /v1/wakeup/vapid`)
    /// answer 404 with the error code `turned_off`.
    #[arg(long, env = "TANDEM_NO_WAKEUPS", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_wakeups: bool,
    /// Also accept endpoints at loopback addresses, `http://127.0.0.1:PORT`
    /// included. For tests only: without it, endpoints are `https://` URLs
    /// at public addresses.
    #[arg(long, env = "TANDEM_ALLOW_LOOPBACK_WAKEUPS", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_loopback_wakeups: bool,
    /// The VAPID private key (P-256), from a file: PEM (`PRIVATE KEY`,
    /// PKCS #8, or `EC PRIVATE KEY`, SEC1), or the raw 32-byte scalar as
    /// 64 hex digits or base64url. Without it, a key is made once and
    /// kept in the database (processes over one database share it).
    #[arg(long, env = "TANDEM_VAPID_KEY")]
    pub vapid_key: Option<PathBuf>,
    /// A contact for push services (`mailto:…` or `https://…`), sent as
    /// the VAPID JWT's `sub` (some push services refuse a JWT without
    /// one). Set the operator's own; the default names no one.
    #[arg(long, env = "TANDEM_VAPID_SUBJECT", default_value = DEFAULT_SUBJECT)]
    pub vapid_subject: String,
    /// Wake-ups sent at once.
    #[arg(long, env = "TANDEM_WAKEUP_SENDS", default_value_t = 32)]
    pub wakeup_sends: usize,
    /// Wake-ups (and writes not yet looked at) that may wait; past it,
    /// they are dropped and counted.
    #[arg(long, env = "TANDEM_WAKEUP_QUEUE", default_value_t = 10_000)]
    pub wakeup_queue: usize,
    /// The coalescing window in milliseconds (tests shorten it).
    #[arg(long, hide = true, default_value_t = 10_000)]
    pub wakeup_window_ms: u64,
    /// The first retry's delay in milliseconds; each further one doubles it.
    #[arg(long, hide = true, default_value_t = 1_000)]
    pub wakeup_backoff_ms: u64,
}

impl WakeupArgs {
    /// The settings these flags give (reads the key file).
    pub fn settings(&self) -> Result<Settings, String> {
        let key = match &self.vapid_key {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let key = VapidKey::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                Some(Arc::new(key))
            }
        };
        Ok(Settings {
            enabled: !self.no_wakeups,
            policy: Policy {
                allow_loopback: self.allow_loopback_wakeups,
            },
            key,
            subject: self.vapid_subject.clone(),
            window: Duration::from_millis(self.wakeup_window_ms),
            sends_at_once: self.wakeup_sends.max(1),
            queue: self.wakeup_queue.max(1),
            backoff: Duration::from_millis(self.wakeup_backoff_ms),
            ..Settings::default()
        })
    }
}

/// Registrations that may resolve a host name at once.
const RESOLVING_AT_ONCE: usize = 8;

/// The VAPID `sub` when the operator gives none: a contact that names
/// neither the operator nor the app.
pub const DEFAULT_SUBJECT: &str = "mailto:push@relay.invalid";

/// How wake-ups behave.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether wake-ups are on.
    pub enabled: bool,
    /// Which endpoints are accepted and reached.
    pub policy: Policy,
    /// A VAPID key given by the operator; without one, the database's.
    pub key: Option<Arc<VapidKey>>,
    /// The VAPID JWT's `sub`.
    pub subject: String,
    /// At most one wake-up per device per window.
    pub window: Duration,
    /// Wake-ups sent at once.
    pub sends_at_once: usize,
    /// Room in each queue.
    pub queue: usize,
    /// The first retry's delay.
    pub backoff: Duration,
    /// Attempts per wake-up (on 429, 5xx and network failures).
    pub attempts: u32,
    /// The `TTL` header: how long the push service keeps an undelivered wake-up.
    pub ttl_seconds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            policy: Policy::default(),
            key: None,
            subject: DEFAULT_SUBJECT.to_owned(),
            window: Duration::from_secs(10),
            sends_at_once: 32,
            queue: 10_000,
            backoff: Duration::from_secs(1),
            attempts: 4,
            ttl_seconds: 3600,
        }
    }
}

/// What the dispatcher shares with the service.
pub(crate) struct Inner {
    pub(crate) settings: Settings,
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) metrics: Metrics,
    key: OnceCell<Arc<VapidKey>>,
    /// Signed JWTs by audience, with their expiry (Unix seconds).
    jwts: Mutex<HashMap<String, (String, u64)>>,
}

impl Inner {
    /// The VAPID key: the operator's, or the database's (made and stored
    /// on first use).
    pub(crate) async fn key(&self) -> StorageResult<Arc<VapidKey>> {
        if let Some(key) = &self.settings.key {
            return Ok(key.clone());
        }
        self.key
            .get_or_try_init(|| async {
                let offered = VapidKey::generate();
                let stored = self.storage.vapid_key(offered.secret_bytes()).await?;
                VapidKey::from_bytes(&stored).map(Arc::new).map_err(|e| {
                    StorageError::Database(format!("the stored VAPID key is damaged: {e}"))
                })
            })
            .await
            .cloned()
    }

    /// The `Authorization` header for a request to `audience`: a JWT
    /// signed once and reused until an hour before it expires.
    pub(crate) async fn authorization(&self, audience: &str) -> StorageResult<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if let Ok(jwts) = self.jwts.lock()
            && let Some((header, expires)) = jwts.get(audience)
            && *expires > now + 3600
        {
            return Ok(header.clone());
        }
        let expires = now + vapid::JWT_SECONDS;
        let header =
            self.key()
                .await?
                .authorization(audience, expires, Some(&self.settings.subject));
        if let Ok(mut jwts) = self.jwts.lock() {
            // Few push services exist; this bounds a flood of made-up ones.
            if jwts.len() >= 1024 {
                jwts.clear();
            }
            jwts.insert(audience.to_owned(), (header.clone(), expires));
        }
        Ok(header)
    }
}

/// The wake-up service of one server process.
pub struct Wakeups {
    inner: Arc<Inner>,
    /// Registrations resolving a host at once: each takes a blocking
    /// thread, which the storage's reads need too.
    resolving: tokio::sync::Semaphore,
    /// Writes to look at, once the dispatcher runs (started by the first
    /// write, inside the runtime).
    written: OnceLock<mpsc::Sender<dispatch::Written>>,
}

impl Wakeups {
    /// The service over `storage`, counting into `metrics`.
    pub fn new(storage: Arc<dyn Storage>, metrics: Metrics, settings: Settings) -> Self {
        Wakeups {
            inner: Arc::new(Inner {
                settings,
                storage,
                metrics,
                key: OnceCell::new(),
                jwts: Mutex::new(HashMap::new()),
            }),
            resolving: tokio::sync::Semaphore::new(RESOLVING_AT_ONCE),
            written: OnceLock::new(),
        }
    }

    /// Whether wake-ups are on.
    pub fn enabled(&self) -> bool {
        self.inner.settings.enabled
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The VAPID public key, base64url.
    pub async fn public_key(&self) -> StorageResult<String> {
        Ok(self.inner.key().await?.public_key().to_owned())
    }

    /// Checks a subscription a device registers: the endpoint (form, and
    /// every address its host resolves to) and the keys. The error is a
    /// sentence for the device.
    pub async fn check(
        &self,
        endpoint: &str,
        p256dh: &[u8],
        auth: &[u8],
    ) -> Result<PushSubscription, String> {
        crypto::Subscriber::new(p256dh, auth).map_err(|e| e.to_string())?;
        let _turn = self.resolving.acquire().await;
        outbound::check_endpoint(self.inner.settings.policy, endpoint)
            .await
            .map_err(|e| e.to_string())?;
        Ok(PushSubscription {
            endpoint: endpoint.to_owned(),
            p256dh: p256dh.to_vec(),
            auth: auth.to_vec(),
        })
    }

    /// Tells the service that `writer` stored new records in `space`
    /// (after the commit). Never waits: the work happens off the request
    /// path, and a full queue drops the event (counted).
    pub fn written(&self, space: &str, writer: &str) {
        if !self.enabled() || tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let queue = self
            .written
            .get_or_init(|| dispatch::start(self.inner.clone()));
        let event = dispatch::Written {
            space_id: space.to_owned(),
            writer: writer.to_owned(),
        };
        if let Err(mpsc::error::TrySendError::Full(_)) = queue.try_send(event) {
            self.inner.metrics.wakeup_dropped("queue_full");
        }
    }
}
