//! Apple Push Notification service: an alert push with
//! `mutable-content`, so that the app's Notification Service Extension
//! runs, syncs and replaces the text with the core's own discreet notice.
//! Silent (background) pushes are throttled by iOS and may never arrive;
//! an alert push is delivered. The text APNs carries is only a
//! localisation key of the app ([`FALLBACK_KEY`]): if the extension cannot
//! run, the phone shows the app's own discreet words for it.
//!
//! Authentication is a provider token: an ES256 JWT naming the team and
//! the key id, renewed every 40 minutes (Apple refuses one older than an
//! hour and throttles renewals more often than every 20 minutes).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use serde_json::json;
use tokio::sync::Mutex;

use super::Outcome;

/// The localisation key of the text shown if the extension cannot run.
pub const FALLBACK_KEY: &str = "WAKEUP_FALLBACK";

/// How long a provider token is used.
const TOKEN_LIFETIME: Duration = Duration::from_secs(40 * 60);

/// An APNs key (`.p8`) and the app it sends to.
pub struct Apns {
    key_id: String,
    team_id: String,
    topic: String,
    signing: SigningKey,
    base: String,
    token: Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for Apns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apns")
            .field("key_id", &self.key_id)
            .field("team_id", &self.team_id)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl Apns {
    /// From the `.p8` key file's text (PKCS #8 PEM), its key id, the team
    /// id and the app's bundle id (`topic`); requests go to `base`
    /// (`https://api.push.apple.com`, or the sandbox for development
    /// builds).
    pub fn new(
        p8: &str,
        key_id: &str,
        team_id: &str,
        topic: &str,
        base: &str,
    ) -> Result<Self, String> {
        let signing = SigningKey::from_pkcs8_pem(p8.trim())
            .map_err(|_| "the APNs key is not a P-256 key in PKCS #8 PEM (.p8)".to_owned())?;
        for (what, value) in [("key id", key_id), ("team id", team_id), ("topic", topic)] {
            if value.is_empty()
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                return Err(format!("the APNs {what} {value:?} is not valid"));
            }
        }
        Ok(Apns {
            key_id: key_id.to_owned(),
            team_id: team_id.to_owned(),
            topic: topic.to_owned(),
            signing,
            base: base.trim_end_matches('/').to_owned(),
            token: Mutex::new(None),
        })
    }

    /// The current provider token.
    async fn provider_token(&self) -> String {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return token.clone();
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = json!({ "alg": "ES256", "kid": self.key_id });
        let claims = json!({ "iss": self.team_id, "iat": now });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: Signature = self.signing.sign(input.as_bytes());
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        *cached = Some((token.clone(), Instant::now() + TOKEN_LIFETIME));
        token
    }

    /// Sends one wake-up to the device `token`, kept by APNs for `ttl`
    /// seconds at most; repeated wake-ups collapse into one.
    pub async fn send(&self, http: &reqwest::Client, token: &str, ttl: u32) -> Outcome {
        let expires = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            + u64::from(ttl);
        let body = json!({
            "aps": {
                "alert": { "loc-key": FALLBACK_KEY },
                "mutable-content": 1,
            }
        });
        let answer = http
            .post(format!("{}/3/device/{token}", self.base))
            .header(
                "authorization",
                format!("bearer {}", self.provider_token().await),
            )
            .header("apns-topic", &self.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", "10")
            .header("apns-expiration", expires.to_string())
            .header("apns-collapse-id", "wake")
            .json(&body)
            .send()
            .await;
        let answer = match answer {
            Ok(a) => a,
            // Without the URL: it holds the device token.
            Err(e) => return Outcome::RetryLater(format!("APNs: {}", e.without_url())),
        };
        let status = answer.status().as_u16();
        match status {
            200..=299 => Outcome::Delivered,
            // Unregistered: the app is gone from the device.
            410 => Outcome::Gone,
            403 => {
                *self.token.lock().await = None;
                Outcome::Failed("APNs refused the provider token (403)".into())
            }
            429 | 500..=599 => Outcome::RetryLater(format!("APNs answered {status}")),
            _ => {
                let body = answer.text().await.unwrap_or_default();
                if body.contains("BadDeviceToken") || body.contains("DeviceTokenNotForTopic") {
                    Outcome::Gone
                } else {
                    Outcome::Failed(format!("APNs answered {status}"))
                }
            }
        }
    }
}
