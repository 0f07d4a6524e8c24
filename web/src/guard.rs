//! Loopback safety: the per-run token, the Host check, CSRF, and the headers
//! every response carries.
//!
//! - **Token** (as Jupyter does): 256 random bits, printed in the URL that
//!   `tandem ui` shows. The first request with `?token=…` gets it as an
//!   `HttpOnly`, `SameSite=Strict` cookie named for this port and is
//!   redirected to the same page without it (so it leaves the address bar
//!   and history). Every other request needs the cookie; without it: 403.
//! - **Host**: a page that another site's DNS points at 127.0.0.1 arrives
//!   with that site's name in `Host`: anything but this address or
//!   `localhost` with this port gets 403 (DNS rebinding).
//! - **CSRF**: every form carries the run's CSRF token in a hidden field;
//!   [`Posted`] refuses a form without it (403) before anything is read.
//! - **Headers**: `Cache-Control: no-store` (pages hold private entries),
//!   a strict Content-Security-Policy, no framing, no referrer.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::App;

/// The run's secrets and the address they guard.
#[derive(Debug)]
pub struct Guard {
    addr: SocketAddr,
    token: String,
    csrf: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Guard {
    /// Fresh secrets for `addr`.
    pub fn new(addr: SocketAddr) -> Guard {
        Guard {
            addr,
            token: random_hex(),
            csrf: random_hex(),
        }
    }

    /// The URL to open first: this address with the token.
    pub fn start_url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }

    /// The CSRF token forms carry.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// The cookie holding the token, named for this port (cookies do not
    /// tell ports apart, and two UIs may run side by side).
    pub fn cookie_name(&self) -> String {
        format!("tandem_{}", self.addr.port())
    }

    fn host_ok(&self, host: Option<&HeaderValue>) -> bool {
        let Some(host) = host.and_then(|h| h.to_str().ok()) else {
            return false;
        };
        let port = self.addr.port();
        host == self.addr.to_string() || host == format!("localhost:{port}")
    }

    fn cookie_ok(&self, cookies: Option<&HeaderValue>) -> bool {
        let name = self.cookie_name();
        cookies
            .and_then(|c| c.to_str().ok())
            .into_iter()
            .flat_map(|c| c.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(k, v)| k == name && same(v, &self.token))
    }
}

/// `?token=…` of a URI, if any.
fn query_token(uri: &Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_owned())
}

/// A refusal with a short page saying why.
pub fn refuse(status: StatusCode, why: &str) -> Response {
    let page = crate::render::refused(why);
    (status, axum::response::Html(page)).into_response()
}

/// The middleware: Host, then token (query or cookie), then the headers.
pub async fn check(State(app): State<App>, req: Request, next: Next) -> Response {
    let g = &app.guard;
    if !g.host_ok(req.headers().get(header::HOST)) {
        return refuse(
            StatusCode::FORBIDDEN,
            "This address is served for this computer only.",
        );
    }
    if let Some(token) = query_token(req.uri()) {
        if !same(&token, &g.token) {
            return refuse(
                StatusCode::FORBIDDEN,
                "That link's token is not this run's.",
            );
        }
        let cookie = format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            g.cookie_name(),
            g.token
        );
        let mut response = (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, req.uri().path().to_owned())],
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
        return with_headers(response);
    }
    if !g.cookie_ok(req.headers().get(header::COOKIE)) {
        return refuse(
            StatusCode::FORBIDDEN,
            "Open the address `tandem ui` printed (it carries this run's token).",
        );
    }
    with_headers(next.run(req).await)
}

fn with_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// A posted form whose CSRF token was checked; `T` is the form's fields.
#[derive(Debug)]
pub struct Posted<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let csrf: CsrfOnly = serde_urlencoded::from_bytes(&body)
            .map_err(|_| refuse(StatusCode::BAD_REQUEST, "That form could not be read."))?;
        if !same(&csrf.csrf, app.guard.csrf()) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "That form did not come from this page (its CSRF token is missing or wrong).",
            ));
        }
        serde_urlencoded::from_bytes(&body)
            .map(Posted)
            .map_err(|e| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    &format!("That form is incomplete: {e}"),
                )
            })
    }
}
