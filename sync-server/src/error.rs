//! The server's one error type and how each variant answers over HTTP.
//!
//! Every error is a JSON [`ErrorBody`]. Internal failures become a 500 whose
//! body says nothing about the cause; the cause goes to the log (never with
//! request content or secrets).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tandem_protocol::ErrorBody;

/// What can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or a field is out of bounds.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid bearer token.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// 403: the caller may not do this (e.g. remove a member without owning the space).
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such thing, or the caller is not a member (the two look the same).
    #[error("not found")]
    NotFound,
    /// 404: a feature this server was started without (`--no-wakeups`).
    #[error("{0}")]
    TurnedOff(String),
    /// 408: the request body did not arrive in time.
    #[error("the request body did not arrive in time")]
    Timeout,
    /// 409: a record sealed under an epoch the space has moved past; the
    /// device pulls (learning the epoch and its key) and seals it again.
    #[error("{0}")]
    StaleEpoch(String),
    /// 410: an invite or link code that expired, was used, or was burned by wrong tries.
    #[error("{0}")]
    Gone(String),
    /// 413: the body, or the number or size of records, is over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// 413: the space holds as many snapshots as it may.
    #[error("{0}")]
    QuotaExceeded(String),
    /// 426: the device speaks a protocol older than the one given, the
    /// oldest this server serves.
    #[error("this server needs protocol version {0} or newer: update the app")]
    UpgradeRequired(u32),
    /// 429: too many attempts; try later.
    #[error("too many attempts; try again later")]
    RateLimited,
    /// 503: the storage is not reachable.
    #[error("storage unavailable")]
    Unavailable,
    /// 500: a bug or a storage failure. The text is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::TurnedOff(_) => (StatusCode::NOT_FOUND, "turned_off"),
            ApiError::Timeout => (StatusCode::REQUEST_TIMEOUT, "timeout"),
            ApiError::StaleEpoch(_) => (StatusCode::CONFLICT, "stale_epoch"),
            ApiError::Gone(_) => (StatusCode::GONE, "gone"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::QuotaExceeded(_) => (StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded"),
            ApiError::UpgradeRequired(_) => (StatusCode::UPGRADE_REQUIRED, "upgrade_required"),
            ApiError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        (
            status,
            Json(ErrorBody {
                error: code.to_owned(),
                message,
            }),
        )
            .into_response()
    }
}

/// A JSON error body for an error answer that a layer below the handlers
/// made without one (the decompression layer's 415 for an unsupported
/// `Content-Encoding`, for instance): every error a client sees is JSON.
pub fn json_body_for(status: StatusCode) -> Response {
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "error",
    };
    let message = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "unsupported Content-Encoding or Content-Type: send JSON, plain or gzip".to_owned()
        }
        s => s.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    (
        status,
        Json(ErrorBody {
            error: code.to_owned(),
            message,
        }),
    )
        .into_response()
}

/// Storage failures are internal.
impl From<crate::storage::StorageError> for ApiError {
    fn from(e: crate::storage::StorageError) -> Self {
        match e {
            crate::storage::StorageError::Unavailable(_) => ApiError::Unavailable,
            e @ crate::storage::StorageError::StaleEpoch(_) => ApiError::StaleEpoch(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The handlers' result type.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<serde_json::Error> for ApiError {
    /// Writing JSON into memory fails only on a bug.
    fn from(e: serde_json::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}
