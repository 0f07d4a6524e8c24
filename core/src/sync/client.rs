//! A blocking HTTP client for the sync server's `/v1` API, over rustls with
//! the ring provider (no system OpenSSL). Call it off the UI thread.
//!
//! Also this device's [`Account`] there: the server's URL, the account and
//! device ids, and the bearer token the client acts with.

use std::time::Duration;

use reqwest::Method;
use reqwest::blocking::{RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tandem_protocol::{
    AccountDeleted, CreateInviteRequest, Cursor, DeviceList, DevicesRevoked, EpochResponse,
    ErrorBody, InviteResponse, JoinedSpace, LinkCodeResponse, PullRequest, PullResponse,
    PushRecord, PushRequest, PushResponse, RecoveryRequest, RedeemInviteRequest, RegisterRequest,
    RegisterResponse, SnapshotList, SnapshotUpload, SpaceInfo, SpaceList, StoredRecord,
};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::store::Store;

/// How long one request may take before it counts as a network failure.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A client for one server, with or without a device's bearer token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::blocking::Client,
    base: String,
    token: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the server at `base` (`http://…` or `https://…`).
    pub fn new(base: &str) -> Result<Client> {
        let base = base.trim().trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base)
            .map_err(|_| Error::invalid("server", "expected a URL such as https://sync.example"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::invalid(
                "server",
                "expected an http:// or https:// URL",
            ));
        }
        // Plain HTTP would show a network observer who syncs when, and let
        // it answer for the server: only a server on this machine may go
        // without TLS. Decided from the URL alone, before any look-up.
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(Error::invalid(
                "server",
                "use https:// (plain http:// is allowed only for a server on this machine)",
            ));
        }
        let http = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(super::tls::client_config(url.host_str().unwrap_or(""))?)
            // A server (or anyone answering for it) must not send the
            // device elsewhere: no redirect is followed.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Network(e.to_string()))?;
        Ok(Client {
            http,
            base,
            token: None,
        })
    }

    /// The same client acting as the device holding `token`.
    pub fn with_token(mut self, token: &str) -> Client {
        self.token = Some(Zeroizing::new(token.to_owned()));
        self
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Registers this device: a new account, or (with a link code from
    /// another device) one more device of an existing account.
    pub fn register(&self, link_code: Option<&str>) -> Result<RegisterResponse> {
        let answer: RegisterResponse = self.call(
            Method::POST,
            "/v1/devices",
            Some(&RegisterRequest {
                link_code: link_code.map(str::to_owned),
            }),
        )?;
        answered_id("account id", &answer.account_id)?;
        answered_id("device id", &answer.device_id)?;
        Ok(answer)
    }

    /// Makes a new space owned by this device's account.
    pub fn create_space(&self) -> Result<SpaceInfo> {
        let info: SpaceInfo = self.call::<(), _>(Method::POST, "/v1/spaces", None)?;
        answered_id("space id", &info.space_id)?;
        Ok(info)
    }

    /// The spaces this device's account is a member of.
    pub fn list_spaces(&self) -> Result<SpaceList> {
        let list: SpaceList = self.call::<(), _>(Method::GET, "/v1/spaces", None)?;
        for space in &list.spaces {
            answered_id("space id", &space.space_id)?;
        }
        Ok(list)
    }

    /// Unlinks another device of this account (its token stops working);
    /// the server revokes what that device linked too. Returns every
    /// revoked device, the unlinked one first.
    pub fn unlink_device(&self, device_id: &str) -> Result<Vec<String>> {
        let device_id = id("device", device_id)?;
        let answer: DevicesRevoked =
            self.call::<(), _>(Method::DELETE, &format!("/v1/devices/{device_id}"), None)?;
        for revoked in &answer.revoked {
            answered_id("device id", revoked)?;
        }
        Ok(answer.revoked)
    }

    /// Every device of this account, as the server knows them.
    pub fn devices(&self) -> Result<DeviceList> {
        let list: DeviceList = self.call::<(), _>(Method::GET, "/v1/devices", None)?;
        for d in &list.devices {
            answered_id("device id", &d.device_id)?;
        }
        Ok(list)
    }

    /// Sets this device's own box key (X25519 public key) on the server,
    /// once: the other devices of the account seal new keys to the key
    /// the server lists and take them only from it.
    pub fn set_keys(&self, box_key: &[u8; 32]) -> Result<()> {
        self.call_empty(
            Method::PUT,
            "/v1/devices/keys",
            &tandem_protocol::DeviceKeys {
                box_key: hex::encode(box_key),
            },
        )
    }

    /// Starts a new key epoch of a space this account owns.
    pub fn new_epoch(&self, space_id: &str) -> Result<EpochResponse> {
        let space_id = id("space", space_id)?;
        self.call::<(), _>(Method::POST, &format!("/v1/spaces/{space_id}/epoch"), None)
    }

    /// Sets this account's recovery code, sending only the SHA-256 of its text.
    pub fn set_recovery(&self, code_text: &str) -> Result<()> {
        use sha2::Digest as _;
        let code_hash = hex::encode(sha2::Sha256::digest(code_text.as_bytes()));
        self.call_empty(
            Method::PUT,
            "/v1/account/recovery",
            &RecoveryRequest { code_hash },
        )
    }

    /// Stores an encrypted snapshot of a document of `space_id`.
    pub fn put_snapshot(&self, space_id: &str, upload: &SnapshotUpload) -> Result<()> {
        let space_id = id("space", space_id)?;
        self.call_empty(
            Method::PUT,
            &format!("/v1/spaces/{space_id}/snapshots"),
            upload,
        )
    }

    /// Deletes the snapshot `doc_id` of `space_id` that covers no records
    /// (a key envelope a newer epoch superseded). Whether one was there.
    pub fn delete_snapshot(&self, space_id: &str, doc_id: &str) -> Result<bool> {
        let space_id = id("space", space_id)?;
        let doc_id = id("snapshot", doc_id)?;
        let request = self.request(
            Method::DELETE,
            &format!("/v1/spaces/{space_id}/snapshots/{doc_id}"),
        );
        match read_empty(self.send(request)?) {
            Ok(()) => Ok(true),
            Err(Error::Server { status: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The protocol versions the server speaks.
    pub fn info(&self) -> Result<tandem_protocol::ServerInfo> {
        self.call::<(), _>(Method::GET, "/v1/info", None)
    }

    /// The newest snapshot of every document of `space_id`.
    pub fn snapshots(&self, space_id: &str) -> Result<SnapshotList> {
        let space_id = id("space", space_id)?;
        self.call::<(), _>(
            Method::GET,
            &format!("/v1/spaces/{space_id}/snapshots"),
            None,
        )
    }

    /// A single-use code that adds a device to this account.
    pub fn link_code(&self) -> Result<LinkCodeResponse> {
        self.call::<(), _>(Method::POST, "/v1/devices/link-codes", None)
    }

    /// Pushes sealed records; one ack per record, in order. The body is
    /// gzipped: base64 text and hex names shrink back to about the size of
    /// the sealed bytes. Returns the answer and the bytes sent.
    pub fn push(&self, records: Vec<PushRecord>) -> Result<(PushResponse, usize)> {
        use std::io::Write as _;
        let json = serde_json::to_vec(&PushRequest { records })?;
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(json.len() / 2),
            flate2::Compression::default(),
        );
        gz.write_all(&json)?;
        let body = gz.finish()?;
        let sent = body.len();
        let request = self
            .request(Method::POST, "/v1/sync/push")
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(body);
        Ok((read(self.send(request)?)?, sent))
    }

    /// Pulls the records after each cursor.
    pub fn pull(&self, cursors: Vec<Cursor>) -> Result<PullResponse> {
        self.call(
            Method::POST,
            "/v1/sync/pull",
            Some(&PullRequest {
                cursors,
                limit: None,
            }),
        )
    }

    /// The record `seq` of `space_id`, if the server still holds it (one a
    /// snapshot covered may have been compacted away).
    pub fn pull_one(&self, space_id: &str, seq: i64) -> Result<Option<StoredRecord>> {
        let space_id = id("space", space_id)?;
        let answer: PullResponse = self.call(
            Method::POST,
            "/v1/sync/pull",
            Some(&PullRequest {
                cursors: vec![Cursor {
                    space_id: space_id.to_owned(),
                    after: seq - 1,
                }],
                limit: Some(1),
            }),
        )?;
        Ok(answer
            .spaces
            .into_iter()
            .flat_map(|s| s.records)
            .find(|r| r.seq == seq))
    }

    /// Creates an invite to `space_id`; the server gets only the hash of
    /// the secret's text form (base64url), which is what a redeem sends.
    pub fn create_invite(&self, space_id: &str, secret: &[u8; 32]) -> Result<InviteResponse> {
        use base64::Engine as _;
        use sha2::Digest as _;
        let text = Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
        let secret_hash = hex::encode(sha2::Sha256::digest(text.as_bytes()));
        let space_id = id("space", space_id)?;
        let invite: InviteResponse = self.call(
            Method::POST,
            &format!("/v1/spaces/{space_id}/invites"),
            Some(&CreateInviteRequest {
                secret_hash,
                ttl_hours: None,
            }),
        )?;
        answered_id("invite id", &invite.invite_id)?;
        Ok(invite)
    }

    /// Redeems an invite: this device's account becomes a member.
    pub fn redeem(&self, invite_id: &str, secret: &[u8; 32]) -> Result<JoinedSpace> {
        use base64::Engine as _;
        let invite_id = id("invite", invite_id)?;
        let joined: JoinedSpace = self.call(
            Method::POST,
            &format!("/v1/invites/{invite_id}/redeem"),
            Some(&RedeemInviteRequest {
                secret: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
            }),
        )?;
        answered_id("space id", &joined.space_id)?;
        Ok(joined)
    }

    /// Removes `account_id` from `space_id` (the owner removing, or a member leaving).
    pub fn remove_member(&self, space_id: &str, account_id: &str) -> Result<EpochResponse> {
        let space_id = id("space", space_id)?;
        let account_id = id("account", account_id)?;
        self.call::<(), _>(
            Method::DELETE,
            &format!("/v1/spaces/{space_id}/members/{account_id}"),
            None,
        )
    }

    /// Deletes this device's account and every space it alone owns.
    pub fn delete_account(&self) -> Result<AccountDeleted> {
        self.call::<(), _>(Method::DELETE, "/v1/account", None)
    }

    /// Gives the server this device's Web Push subscription for wake-ups.
    pub fn put_wakeup(&self, sub: &crate::features::wakeups::WakeupSubscription) -> Result<()> {
        self.call_empty(Method::PUT, "/v1/devices/self/wakeup", sub)
    }

    /// At a wake-up gateway (this client's base): a Web Push endpoint that
    /// reaches the phone holding `token` through `provider`.
    /// The endpoint is bound to the relay whose VAPID key is `relay`: the
    /// gateway passes on only that relay's wake-ups to it. An answer that
    /// is not an endpoint of this gateway is refused.
    pub fn gateway_endpoint(
        &self,
        provider: crate::features::wakeups::GatewayProvider,
        token: &str,
        relay: &str,
    ) -> Result<String> {
        #[derive(serde::Deserialize)]
        struct Registered {
            endpoint: String,
        }
        let answer: Registered = self.call(
            Method::POST,
            "/v1/register",
            Some(&serde_json::json!({ "provider": provider, "token": token, "relay": relay })),
        )?;
        let sealed = answer
            .endpoint
            .strip_prefix(&format!("{}/push/", self.base))
            .unwrap_or_default();
        let well_formed = (1..=1024).contains(&sealed.len())
            && sealed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if !well_formed {
            return Err(Error::Server {
                status: 201,
                message: "the gateway answered with an endpoint that is not its own".into(),
            });
        }
        Ok(answer.endpoint)
    }

    /// The relay's VAPID public key (`GET /v1/wakeup/vapid`).
    pub fn wakeup_vapid(&self) -> Result<String> {
        #[derive(serde::Deserialize)]
        struct Vapid {
            public_key: String,
        }
        let answer: Vapid = self.call::<(), _>(Method::GET, "/v1/wakeup/vapid", None)?;
        Ok(answer.public_key)
    }

    /// Removes this device's wake-up subscription at the server.
    pub fn delete_wakeup(&self) -> Result<()> {
        read_empty(self.send(self.request(Method::DELETE, "/v1/devices/self/wakeup"))?)
    }

    /// Sends one JSON request whose answer has no body (204).
    fn call_empty<B: Serialize>(&self, method: Method, path: &str, body: &B) -> Result<()> {
        let request = self.request(method, path).json(body);
        read_empty(self.send(request)?)
    }

    /// A request to `path` carrying this device's token, if it has one.
    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(tandem_protocol::PROTOCOL_HEADER, tandem_protocol::PROTOCOL);
        match &self.token {
            Some(token) => request.bearer_auth(token.as_str()),
            None => request,
        }
    }

    fn send(&self, request: RequestBuilder) -> Result<Response> {
        request.send().map_err(network)
    }

    /// Sends one JSON request and reads the JSON answer (or the typed error).
    pub(crate) fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        read(self.send(request)?)
    }
}

/// Whether the URL names this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// `v`, checked to be a server-made id before it goes into a URL: an id
/// that came from a partner's document or a server's answer could
/// otherwise be a path (`../../../account`, `%2e%2e`) and turn one call
/// into another.
fn id<'a>(field: &'static str, v: &'a str) -> Result<&'a str> {
    if tandem_protocol::is_id(v) {
        Ok(v)
    } else {
        Err(Error::invalid(
            field,
            "expected a server id: 32 lowercase hex characters",
        ))
    }
}

/// Checks an id in a server's answer: one that is not a server id is a
/// server fault, kept from ever reaching a URL or the store.
fn answered_id(what: &str, v: &str) -> Result<()> {
    if tandem_protocol::is_id(v) {
        Ok(())
    } else {
        Err(Error::Server {
            status: 200,
            message: format!("the server's answer holds a malformed {what}"),
        })
    }
}

/// An answer without a body: success, or the typed error.
fn read_empty(response: Response) -> Result<()> {
    if response.status().is_success() {
        return Ok(());
    }
    read::<serde_json::Value>(response).map(|_| ())
}

fn read<T: DeserializeOwned>(response: Response) -> Result<T> {
    let status = response.status();
    if status.is_success() {
        return response.json().map_err(network);
    }
    let message = match response.json::<ErrorBody>() {
        Ok(body) => body.message,
        Err(_) => status
            .canonical_reason()
            .unwrap_or("no reason given")
            .to_owned(),
    };
    Err(Error::Server {
        status: status.as_u16(),
        message,
    })
}

fn network(e: reqwest::Error) -> Error {
    // reqwest's text can name the URL; it never holds a token or a body.
    let what = if let Some(why) = super::tls::certificate_problem(&e) {
        why
    } else if e.is_timeout() {
        "the server did not answer in time".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else if e.is_decode() {
        "the server's answer could not be read".to_owned()
    } else {
        e.without_url().to_string()
    };
    Error::Network(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that answers with a redirect: the client does not follow
    /// it (it would carry the request, body and all, wherever told).
    #[test]
    fn a_redirect_is_not_followed() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let elsewhere = format!("http://{}/v1/devices", target.local_addr().unwrap());
        target.set_nonblocking(true).unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {elsewhere}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            s.write_all(answer.as_bytes()).unwrap();
        });
        let err = Client::new(&url).unwrap().register(None).unwrap_err();
        server.join().unwrap();
        assert!(matches!(err, Error::Server { status: 307, .. }), "{err:?}");
        assert!(
            target.accept().is_err(),
            "nothing reached the redirect's target"
        );
    }

    #[test]
    fn only_http_urls_are_servers() {
        for bad in [
            "",
            "sync.example",
            "ftp://x",
            "http://",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                Client::new(bad).unwrap_err().kind(),
                crate::ErrorKind::Validation,
                "{bad}"
            );
        }
        assert_eq!(
            Client::new("http://127.0.0.1:9/").unwrap().base(),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn plain_http_is_refused_for_any_host_but_this_machine() {
        for ok in [
            "http://127.0.0.1:9",
            "http://127.8.0.1",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::1]:9",
            "https://sync.example",
            "https://192.0.2.7",
        ] {
            assert!(Client::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://sync.example",
            "http://192.0.2.7:8080",
            "http://10.0.2.2:8080",
            "http://[2001:db8::1]",
            "http://localhost.sync.example",
            "http://127.0.0.1.sync.example",
        ] {
            let err = Client::new(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Validation, "{bad}");
            assert!(err.to_string().contains("https://"), "{bad}: {err}");
        }
    }

    #[test]
    fn an_id_that_is_not_a_server_id_never_becomes_a_path() {
        let client = Client::new("http://127.0.0.1:9").unwrap();
        for bad in [
            "../../../account",
            "%2e%2e/%2e%2e/%2e%2e/account",
            "..",
            "",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef/",
        ] {
            // Validation, not Network: the call fails before any connection
            // to the (closed) port is tried.
            let kind = |r: Result<EpochResponse>| r.unwrap_err().kind();
            assert_eq!(
                kind(client.remove_member(&"a".repeat(32), bad)),
                crate::ErrorKind::Validation,
                "{bad}"
            );
            assert_eq!(
                kind(client.new_epoch(bad)),
                crate::ErrorKind::Validation,
                "{bad}"
            );
            assert_eq!(
                client.unlink_device(bad).unwrap_err().kind(),
                crate::ErrorKind::Validation
            );
            assert_eq!(
                client.snapshots(bad).unwrap_err().kind(),
                crate::ErrorKind::Validation
            );
            assert_eq!(
                client.redeem(bad, &[0; 32]).unwrap_err().kind(),
                crate::ErrorKind::Validation
            );
        }
    }

    #[test]
    fn an_unreachable_server_is_a_network_error() {
        let err = Client::new("http://127.0.0.1:9")
            .unwrap()
            .register(None)
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Network, "{err}");
    }
}

/// A device's registration at a server.
#[derive(Clone)]
pub struct Account {
    /// The server's base URL.
    pub server: String,
    /// The account's id at the server.
    pub account_id: String,
    /// This device's id at the server.
    pub device_id: String,
    /// The bearer token (secret).
    pub token: Zeroizing<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("server", &self.server)
            .field("account_id", &self.account_id)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// A client for this account's server acting as this device.
    pub fn client(&self) -> Result<Client> {
        Ok(Client::new(&self.server)?.with_token(&self.token))
    }
}

/// Registers a new device at `server` (a new account, or with `link_code`
/// another device of an existing one). Only the network; nothing is kept.
pub(crate) fn register_at(server: &str, link_code: Option<&str>) -> Result<Account> {
    let client = Client::new(server)?;
    let r = client.register(link_code)?;
    Ok(Account {
        server: client.base().to_owned(),
        account_id: r.account_id,
        device_id: r.device_id,
        token: Zeroizing::new(r.token),
    })
}

/// Registers this device at `server` (a new account, or with `link_code`
/// another device of an existing one) and keeps the account in `store`.
/// A device that already has an account keeps it.
pub fn register(store: &mut Store, server: &str, link_code: Option<&str>) -> Result<Account> {
    if let Some(existing) = store.account()? {
        return Ok(existing);
    }
    let account = register_at(server, link_code)?;
    store.keep_account(account)
}
