//! Devices and accounts: register, link another device, erase the account.

use axum::Json;
use axum::extract::State;
use tandem_protocol::{
    AccountDeleted, DeviceInfo, DeviceKeys, DeviceList, DevicesRevoked, ErrorBody,
    LinkCodeResponse, RecoveryRequest, RegisterRequest, RegisterResponse,
};

use super::extract::{Authed, Body, PathParams, PeerIp};
use super::{Shared, validate};
use crate::error::{ApiError, ApiResult};
use crate::limits::LINK_CODE_MINUTES;
use crate::secret;
use crate::storage::Registration;

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Registers a device: into a new account, or with a link code into an
/// existing one. Limited per client address (429).
#[utoipa::path(post, path = "/v1/devices", tag = "devices", request_body = RegisterRequest,
    responses((status = 200, body = RegisterResponse), (status = 400, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn register(
    State(state): State<Shared>,
    PeerIp(peer): PeerIp,
    Body(req): Body<RegisterRequest>,
) -> ApiResult<Json<RegisterResponse>> {
    if !peer.is_none_or(|ip| {
        state
            .register_by_address
            .allow(&crate::rate_limit::address_key(ip))
    }) {
        return Err(ApiError::RateLimited);
    }
    let link = match &req.link_code {
        Some(code) if code.is_empty() || code.len() > 128 => {
            return Err(ApiError::BadRequest("link_code is malformed".into()));
        }
        Some(code) => Some(secret::hash(code)),
        None => None,
    };
    let token = secret::new_secret();
    match state
        .storage
        .register(
            secret::hash(&token),
            link,
            now_ms(),
            state.limits.devices_per_account,
        )
        .await?
    {
        Registration::Done(d) => Ok(Json(RegisterResponse {
            account_id: d.account_id,
            device_id: d.device_id,
            token,
        })),
        Registration::CodeGone => Err(ApiError::Gone(
            "the link code is unknown, used or expired".into(),
        )),
        Registration::TooManyDevices => Err(ApiError::Forbidden(format!(
            "the account has {} devices: unlink one before linking another",
            state.limits.devices_per_account
        ))),
    }
}

/// Makes a single-use code that adds another device to this account.
/// Limited per client address (429).
#[utoipa::path(post, path = "/v1/devices/link-codes", tag = "devices", security(("bearer" = [])),
    responses((status = 200, body = LinkCodeResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn link_code(
    State(state): State<Shared>,
    PeerIp(peer): PeerIp,
    Authed(device): Authed,
) -> ApiResult<Json<LinkCodeResponse>> {
    if !peer.is_none_or(|ip| {
        state
            .link_codes_by_address
            .allow(&crate::rate_limit::address_key(ip))
    }) {
        return Err(ApiError::RateLimited);
    }
    let code = secret::new_secret();
    let expires_at_ms = now_ms() + LINK_CODE_MINUTES * 60_000;
    state
        .storage
        .create_link_code(&device, secret::hash(&code), expires_at_ms)
        .await?;
    Ok(Json(LinkCodeResponse {
        code,
        expires_at_ms,
    }))
}

/// Every device of the caller's account: when each registered (to the
/// hour), last called (to the day), and which device's link code added it.
#[utoipa::path(get, path = "/v1/devices", tag = "devices", security(("bearer" = [])),
    responses((status = 200, body = DeviceList), (status = 401, body = ErrorBody)))]
pub async fn list_devices(
    State(state): State<Shared>,
    Authed(device): Authed,
) -> ApiResult<Json<DeviceList>> {
    let rows = state.storage.devices(&device.account_id).await?;
    let devices = rows
        .into_iter()
        .map(|r| DeviceInfo {
            this_device: r.device_id == device.device_id,
            device_id: r.device_id,
            created_at_ms: r.created_hour,
            last_seen_ms: r.seen_day,
            linked_by: r.linked_by,
            box_key: r.box_key.map(hex::encode),
        })
        .collect();
    Ok(Json(DeviceList { devices }))
}

/// Sets the calling device's own public box key, once. The other devices
/// of the account seal new keys to it and take them only from it, so no
/// other device (a lost phone among them) can put its own key in its place.
#[utoipa::path(put, path = "/v1/devices/keys", tag = "devices", security(("bearer" = [])),
    request_body = DeviceKeys,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn set_keys(
    State(state): State<Shared>,
    Authed(device): Authed,
    Body(req): Body<DeviceKeys>,
) -> ApiResult<axum::http::StatusCode> {
    let box_key = validate::hash("box_key", &req.box_key)?;
    if state.storage.set_box_key(&device, box_key).await? {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::Forbidden(
            "this device's box key is set already and cannot change".into(),
        ))
    }
}

/// Unlinks one of the caller's account's devices (a lost phone): its token
/// stops working at once, and so do its pending link codes and every
/// device registered with a code it made (directly or through another),
/// except the caller and the devices that linked the caller. The caller's
/// own device may not unlink itself.
#[utoipa::path(delete, path = "/v1/devices/{device_id}", tag = "devices", security(("bearer" = [])),
    params(("device_id" = String, Path)),
    responses((status = 200, body = DevicesRevoked), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlink_device(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams(device_id): PathParams<String>,
) -> ApiResult<Json<DevicesRevoked>> {
    validate::id("device_id", &device_id)?;
    if device_id == device.device_id {
        return Err(ApiError::BadRequest(
            "a device cannot unlink itself; unlink it from another device".into(),
        ));
    }
    let revoked = state.storage.delete_device(&device, &device_id).await?;
    if revoked.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(DevicesRevoked { revoked }))
}

/// Sets the account's recovery code: a link code that never expires, kept
/// as a hash. Setting a new one retires the old. A device registers with it
/// like with any link code (which uses it up).
#[utoipa::path(put, path = "/v1/account/recovery", tag = "devices", security(("bearer" = [])),
    request_body = RecoveryRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn set_recovery(
    State(state): State<Shared>,
    Authed(device): Authed,
    Body(req): Body<RecoveryRequest>,
) -> ApiResult<axum::http::StatusCode> {
    let hash = validate::hash("code_hash", &req.code_hash)?;
    state.storage.set_recovery_code(&device, hash).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Erases the account: its devices and memberships, and every space it owns
/// with all their records and snapshots.
#[utoipa::path(delete, path = "/v1/account", tag = "devices", security(("bearer" = [])),
    responses((status = 200, body = AccountDeleted), (status = 401, body = ErrorBody)))]
pub async fn delete_account(
    State(state): State<Shared>,
    Authed(device): Authed,
) -> ApiResult<Json<AccountDeleted>> {
    Ok(Json(
        state.storage.delete_account(&device.account_id).await?,
    ))
}
