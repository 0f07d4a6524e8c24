//! Extractors that answer bad input with a JSON error instead of axum's plain text.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::time::Duration;
use tokio::sync::OwnedSemaphorePermit;

use super::Shared;
use crate::error::ApiError;
use crate::secret;
use crate::storage::Device;

/// A JSON body; malformed JSON is a 400, an oversized body a 413.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Shared> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Shared) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(r) => Err(json_rejection(r)),
        }
    }
}

/// A JSON body read only once the request holds one of the push slots
/// ([`crate::limits::Limits::pushes_in_flight`]), and within
/// [`crate::limits::Limits::body_seconds`] of getting it. While the request
/// waits its body stays unread, in the kernel's socket buffers; the slot is
/// held until the handler drops the value.
pub struct SlotBody<T> {
    /// The parsed body.
    pub body: T,
    /// The push slot, given back when dropped.
    pub slot: OwnedSemaphorePermit,
}

impl<T: DeserializeOwned> FromRequest<Shared> for SlotBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Shared) -> Result<Self, Self::Rejection> {
        let waiting = &state.metrics.pushes_waiting;
        waiting.inc();
        let slot = state.push_slots.clone().acquire_owned().await;
        waiting.dec();
        let slot = slot.map_err(|_| ApiError::Unavailable)?;
        let deadline = Duration::from_secs(state.limits.body_seconds);
        match tokio::time::timeout(deadline, Body::<T>::from_request(req, state)).await {
            Ok(body) => Ok(SlotBody {
                body: body?.0,
                slot,
            }),
            Err(_) => Err(ApiError::Timeout),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge("the request body is too large".into())
    } else {
        ApiError::BadRequest(r.body_text())
    }
}

/// Path parameters; a malformed one is a 400.
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<Shared> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(PathParams(v)),
            Err(r) => Err(path_rejection(r)),
        }
    }
}

fn path_rejection(r: PathRejection) -> ApiError {
    ApiError::BadRequest(r.body_text())
}

/// The device behind the request's bearer token. Tokens travel only in the
/// `Authorization` header.
pub struct Authed(pub Device);

impl FromRequestParts<Shared> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or(ApiError::Unauthorized)?;
        let device = state
            .storage
            .authenticate(secret::hash(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let today = crate::storage::day(super::devices::now_ms());
        // Awaited, once a day per device and process: a device list read
        // right after shows the day, and the cost is one small write.
        if state.last_seen.first_today(&device.device_id, today)
            && let Err(e) = state.storage.touch_device(&device.device_id, today).await
        {
            // Only the device list's "last seen" is late; the request goes on.
            tracing::warn!(error = %e, "could not record when a device was seen");
        }
        Ok(Authed(device))
    }
}

/// The peer's IP address when the server runs on a socket (absent when the
/// router is called directly). Used for rate limits only; never stored or logged.
pub struct PeerIp(pub Option<std::net::IpAddr>);

impl FromRequestParts<Shared> for PeerIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(PeerIp(peer.map(|ip| {
            client_address(ip, &parts.headers, &state.limits.trusted_proxies)
        })))
    }
}

/// The client's address: the connection's peer, or, when that peer is a
/// trusted proxy, the nearest address in `X-Forwarded-For` that is not one
/// (read from the right: entries left of the first untrusted hop could have
/// been written by the client itself).
pub(crate) fn client_address(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    hops.reverse();
    for hop in hops {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if is_trusted(&ip) => continue,
            Ok(ip) => return ip,
            // Garbage from a hop: count the request against the proxy.
            Err(_) => return peer,
        }
    }
    peer
}
