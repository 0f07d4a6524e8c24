//! Firebase Cloud Messaging, HTTP v1: a data message with nothing in it
//! but "wake", sent with an OAuth 2 access token that the gateway gets
//! from Google's token endpoint with its service account's RS256-signed
//! assertion (RFC 7523), and keeps until shortly before it expires.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

use super::Outcome;

/// The scope FCM sends need.
const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// How long before its expiry an access token is replaced.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// The fields of a service account key file the gateway uses.
#[derive(Deserialize)]
struct ServiceAccount {
    project_id: String,
    client_email: String,
    private_key: String,
    token_uri: String,
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

/// An FCM project the gateway sends to.
pub struct Fcm {
    project_id: String,
    client_email: String,
    token_uri: String,
    key: RsaKeyPair,
    send_base: String,
    token: Mutex<AccessToken>,
}

/// The access token in use, and when fetching one last failed.
#[derive(Default)]
struct AccessToken {
    current: Option<(String, Instant)>,
    failed_at: Option<Instant>,
}

/// How long after a failed fetch of an access token sends are answered
/// "try later" at once, instead of each waiting on the token endpoint.
const AFTER_FAILURE: Duration = Duration::from_secs(30);

impl std::fmt::Debug for Fcm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fcm")
            .field("project_id", &self.project_id)
            .field("client_email", &self.client_email)
            .finish_non_exhaustive()
    }
}

impl Fcm {
    /// Reads a service account key file's JSON (as the Firebase console
    /// gives it); messages go to `send_base` (normally
    /// `https://fcm.googleapis.com`).
    pub fn from_service_account(json: &str, send_base: &str) -> Result<Self, String> {
        let account: ServiceAccount = serde_json::from_str(json)
            .map_err(|e| format!("not a service account key file: {e}"))?;
        let der = PrivateKeyDer::from_pem_slice(account.private_key.as_bytes())
            .map_err(|e| format!("the service account's private key: {e}"))?;
        let key = RsaKeyPair::from_pkcs8(der.secret_der())
            .map_err(|e| format!("the service account's key is not an RSA PKCS #8 key: {e}"))?;
        Ok(Fcm {
            project_id: account.project_id,
            client_email: account.client_email,
            token_uri: account.token_uri,
            key,
            send_base: send_base.trim_end_matches('/').to_owned(),
            token: Mutex::new(AccessToken::default()),
        })
    }

    /// The signed assertion exchanged for an access token.
    fn assertion(&self, now: u64) -> Result<String, String> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = json!({
            "iss": self.client_email,
            "scope": SCOPE,
            "aud": self.token_uri,
            "iat": now,
            "exp": now + 3600,
        });
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "RSA signing failed".to_owned())?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// A current access token, from the cache or the token endpoint. One
    /// fetch at a time (the others wait for its token), and none for a
    /// while after one failed.
    async fn access_token(&self, http: &reqwest::Client) -> Result<String, Outcome> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.current.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        if cached
            .failed_at
            .is_some_and(|at| at.elapsed() < AFTER_FAILURE)
        {
            return Err(Outcome::RetryLater(
                "the token endpoint failed a moment ago".into(),
            ));
        }
        let fetched = self.fetch_token(http).await;
        match &fetched {
            Ok((token, lasts)) => {
                let until = Instant::now()
                    .checked_add(*lasts)
                    .unwrap_or_else(Instant::now);
                cached.current = Some((token.clone(), until));
                cached.failed_at = None;
            }
            Err(_) => cached.failed_at = Some(Instant::now()),
        }
        fetched.map(|(token, _)| token)
    }

    /// Exchanges a fresh assertion for an access token; also how long to
    /// use it.
    async fn fetch_token(&self, http: &reqwest::Client) -> Result<(String, Duration), Outcome> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let assertion = self.assertion(now).map_err(Outcome::Failed)?;
        let answer = http
            .post(&self.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| Outcome::RetryLater(format!("token endpoint: {}", e.without_url())))?;
        if !answer.status().is_success() {
            return Err(Outcome::Failed(format!(
                "the token endpoint refused the service account: {}",
                answer.status()
            )));
        }
        let answer: TokenAnswer = answer
            .json()
            .await
            .map_err(|e| Outcome::Failed(format!("token endpoint answer: {e}")))?;
        let lasts = Duration::from_secs(answer.expires_in).saturating_sub(RENEW_BEFORE);
        Ok((answer.access_token, lasts))
    }

    /// Sends one wake-up to the app instance `token`, kept by FCM for
    /// `ttl` seconds at most.
    pub async fn send(&self, http: &reqwest::Client, token: &str, ttl: u32) -> Outcome {
        let access = match self.access_token(http).await {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        let message = json!({
            "message": {
                "token": token,
                "data": { "wake": "1" },
                "android": {
                    "priority": "high",
                    "ttl": format!("{ttl}s"),
                    "collapse_key": "wake",
                },
            }
        });
        let url = format!(
            "{}/v1/projects/{}/messages:send",
            self.send_base, self.project_id
        );
        let answer = match http
            .post(url)
            .bearer_auth(&access)
            .json(&message)
            .send()
            .await
        {
            Ok(a) => a,
            Err(e) => return Outcome::RetryLater(format!("FCM: {}", e.without_url())),
        };
        let status = answer.status().as_u16();
        match status {
            200..=299 => Outcome::Delivered,
            // UNREGISTERED: the app was removed or the token replaced.
            404 => Outcome::Gone,
            401 => {
                // This access token expired or was revoked: the next send
                // gets a new one (unless another send did already).
                let mut cached = self.token.lock().await;
                if cached.current.as_ref().is_some_and(|(t, _)| *t == access) {
                    cached.current = None;
                }
                Outcome::Failed("FCM refused the access token (401)".into())
            }
            429 | 500..=599 => Outcome::RetryLater(format!("FCM answered {status}")),
            _ => {
                // A token of another Firebase project (403 SENDER_ID_MISMATCH)
                // or not a token at all (400) never works here: gone.
                let body = answer.text().await.unwrap_or_default();
                if ["UNREGISTERED", "SENDER_ID_MISMATCH", "registration token"]
                    .iter()
                    .any(|m| body.contains(m))
                {
                    Outcome::Gone
                } else {
                    Outcome::Failed(format!("FCM answered {status}"))
                }
            }
        }
    }
}
