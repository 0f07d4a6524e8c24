//! Wake-ups: a device registers or removes its Web Push subscription, and
//! anyone may read the server's VAPID public key. With `--no-wakeups`
//! each answers 404 `turned_off`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tandem_protocol::{ErrorBody, VapidPublicKey, WakeupSubscription};

use super::Shared;
use super::extract::{Authed, Body};
use crate::error::{ApiError, ApiResult};
use crate::wakeup::crypto::{AUTH_LEN, POINT_LEN};

fn turned_on(state: &Shared) -> ApiResult<()> {
    if state.wakeups.enabled() {
        Ok(())
    } else {
        Err(ApiError::TurnedOff(
            "wake-ups are turned off on this server".into(),
        ))
    }
}

/// A base64url field (padding tolerated) of exactly `len` bytes.
fn key_field(field: &str, v: &str, len: usize) -> ApiResult<Vec<u8>> {
    let bad = || ApiError::BadRequest(format!("{field} must be {len} bytes in base64url"));
    if v.len() > len * 2 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(v.trim_end_matches('='))
        .map_err(|_| bad())?;
    if bytes.len() != len {
        return Err(bad());
    }
    Ok(bytes)
}

/// Registers this device's Web Push subscription, replacing the one it
/// had. Once another device writes to a space this device's account
/// belongs to, the server sends the endpoint a content-free wake-up (at
/// most one per device every 10 s, never swallowing a write). The endpoint
/// must be an `https://` URL whose host resolves only to public addresses.
/// Limited per device (429).
#[utoipa::path(put, path = "/v1/devices/self/wakeup", tag = "devices", security(("bearer" = [])),
    request_body = WakeupSubscription,
    responses((status = 204, description = "registered"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody),
        (status = 404, description = "wake-ups are turned off", body = ErrorBody)))]
pub async fn put_wakeup(
    State(state): State<Shared>,
    Authed(device): Authed,
    Body(req): Body<WakeupSubscription>,
) -> ApiResult<StatusCode> {
    turned_on(&state)?;
    if !state.wakeup_registrations.allow(&device.device_id) {
        return Err(ApiError::RateLimited);
    }
    let p256dh = key_field("p256dh", &req.p256dh, POINT_LEN)?;
    let auth = key_field("auth", &req.auth, AUTH_LEN)?;
    let subscription = state
        .wakeups
        .check(&req.endpoint, &p256dh, &auth)
        .await
        .map_err(ApiError::BadRequest)?;
    state
        .storage
        .put_wakeup(&device.device_id, subscription)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes this device's Web Push subscription (if it has one): it is
/// woken no more.
#[utoipa::path(delete, path = "/v1/devices/self/wakeup", tag = "devices", security(("bearer" = [])),
    responses((status = 204, description = "removed, or there was none"), (status = 401, body = ErrorBody),
        (status = 404, description = "wake-ups are turned off", body = ErrorBody)))]
pub async fn delete_wakeup(
    State(state): State<Shared>,
    Authed(device): Authed,
) -> ApiResult<StatusCode> {
    turned_on(&state)?;
    state.storage.delete_wakeup(&device.device_id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The server's VAPID public key (RFC 8292), to subscribe with at a push
/// service. No token needed.
#[utoipa::path(get, path = "/v1/wakeup/vapid", tag = "devices",
    responses((status = 200, body = VapidPublicKey),
        (status = 404, description = "wake-ups are turned off", body = ErrorBody)))]
pub async fn vapid_key(State(state): State<Shared>) -> ApiResult<Json<VapidPublicKey>> {
    turned_on(&state)?;
    Ok(Json(VapidPublicKey {
        public_key: state.wakeups.public_key().await?,
    }))
}
