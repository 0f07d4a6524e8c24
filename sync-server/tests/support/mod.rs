//! Helpers for the server's tests: servers on loopback, clients, records.
#![allow(dead_code)]

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tandem_protocol::{PushRecord, RegisterResponse};
use tandem_sync_server::api::AppState;
use tandem_sync_server::limits::Limits;
use tandem_sync_server::storage::Storage;

/// A server running in this process on a loopback port.
pub struct Server {
    pub url: String,
    pub dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a server over SQLite in a temporary folder.
pub async fn start(limits: Limits) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(
        tandem_sync_server::storage::sqlite::SqliteStorage::open(&dir.path().join("sync.db"))
            .unwrap(),
    );
    start_with(storage, limits, dir).await
}

/// Starts a server over `storage`.
pub async fn start_with(
    storage: Arc<dyn Storage>,
    limits: Limits,
    dir: tempfile::TempDir,
) -> Server {
    start_state(AppState::new(storage, limits), dir).await
}

/// Starts a server with `state`.
pub async fn start_state(state: tandem_sync_server::api::Shared, dir: tempfile::TempDir) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        tandem_sync_server::serve(listener, state).await.unwrap();
    });
    Server { url, dir, task }
}

/// An HTTP client; reqwest may be built with rustls and no default
/// provider (the device core enables it in workspace builds), so one is named.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        tandem_protocol::PROTOCOL_HEADER,
        tandem_protocol::PROTOCOL.into(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// A device talking to a server.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub url: String,
    pub token: String,
    pub account_id: String,
}

impl Client {
    /// Registers a new account's first device.
    pub async fn register(url: &str) -> Client {
        Self::register_with(url, serde_json::json!({}))
            .await
            .unwrap()
    }

    /// Registers with a given body; `Err` carries the status.
    pub async fn register_with(url: &str, body: Value) -> Result<Client, StatusCode> {
        let http = http_client();
        let resp = http
            .post(format!("{url}/v1/devices"))
            .json(&body)
            .send()
            .await
            .unwrap();
        if !resp.status().is_success() {
            return Err(resp.status());
        }
        let r: RegisterResponse = resp.json().await.unwrap();
        Ok(Client {
            http,
            url: url.to_owned(),
            token: r.token,
            account_id: r.account_id,
        })
    }

    /// Sends a request with this device's token; returns status and JSON body (Null if none).
    pub async fn call<B: Serialize>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// POST that must succeed, parsed into `R`.
    pub async fn post_ok<B: Serialize, R: DeserializeOwned>(&self, path: &str, body: &B) -> R {
        let (status, v) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert!(status.is_success(), "POST {path}: {status} {v}");
        serde_json::from_value(v).unwrap()
    }

    /// GET that must succeed, parsed into `R`.
    pub async fn get_ok<R: DeserializeOwned>(&self, path: &str) -> R {
        let (status, v) = self.call::<()>(reqwest::Method::GET, path, None).await;
        assert!(status.is_success(), "GET {path}: {status} {v}");
        serde_json::from_value(v).unwrap()
    }

    /// Creates a space and returns its id.
    pub async fn create_space(&self) -> String {
        let v: Value = self.post_ok("/v1/spaces", &serde_json::json!({})).await;
        v["space_id"].as_str().unwrap().to_owned()
    }
}

/// A record with a distinct hash for `(space, doc, i)` and `size` bytes of ciphertext.
pub fn record(space: &str, doc: &str, i: usize, size: usize) -> PushRecord {
    let hash = hex::encode(Sha256::digest(format!("{space}/{doc}/{i}").as_bytes()));
    let ciphertext: Vec<u8> = (0..size).map(|j| (i * 31 + j * 7) as u8).collect();
    PushRecord {
        space_id: space.to_owned(),
        doc_id: doc.to_owned(),
        change_hash: hash,
        key_epoch: 0,
        nonce: URL_SAFE_NO_PAD.encode([i as u8; 24]),
        ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
    }
}

/// base64url without padding.
pub fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

/// A fresh invite secret and its SHA-256 in hex.
pub fn invite_secret() -> (String, String) {
    let secret = tandem_sync_server::secret::new_secret();
    let hash = hex::encode(Sha256::digest(secret.as_bytes()));
    (secret, hash)
}

/// Pairs `mentor` into a new space of `mentee` through an invite; returns the
/// space id and the invite secret that was used.
pub async fn pair(mentee: &Client, mentor: &Client) -> (String, String) {
    let space = mentee.create_space().await;
    let (secret, hash) = invite_secret();
    let inv: Value = mentee
        .post_ok(
            &format!("/v1/spaces/{space}/invites"),
            &serde_json::json!({ "secret_hash": hash }),
        )
        .await;
    let invite = inv["invite_id"].as_str().unwrap();
    let joined: Value = mentor
        .post_ok(
            &format!("/v1/invites/{invite}/redeem"),
            &serde_json::json!({ "secret": secret }),
        )
        .await;
    assert_eq!(joined["space_id"], space.as_str());
    (space, secret)
}
