//! Health, readiness and metrics.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tandem_protocol::{MIN_PROTOCOL, PROTOCOL, PROTOCOL_HEADER, ServerInfo};

use super::Shared;
use crate::error::{ApiError, ApiResult};

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The protocol versions this server speaks (no token needed).
#[utoipa::path(get, path = "/v1/info", tag = "operations", responses((status = 200, body = ServerInfo)))]
pub async fn info() -> Json<ServerInfo> {
    Json(ServerInfo {
        protocol: PROTOCOL,
        min_protocol: MIN_PROTOCOL,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// Answers a request from a device older than [`MIN_PROTOCOL`] with
/// `426 Upgrade Required` before any handler runs: it would write what
/// this server's devices no longer accept. A request without the header
/// speaks version 1; one with a header that is not a number is 400.
/// `/v1/info` always answers, so an old device can tell what to say, and
/// so does `/v1/wakeup/vapid`, a public key for whoever asks.
pub async fn require_protocol(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/v1/info" || path == "/v1/wakeup/vapid" || !path.starts_with("/v1/") {
        return next.run(req).await;
    }
    let spoken = match req.headers().get(PROTOCOL_HEADER) {
        None => Some(1),
        Some(v) => v.to_str().ok().and_then(|v| v.trim().parse::<u32>().ok()),
    };
    match spoken {
        None => ApiError::BadRequest(format!("{PROTOCOL_HEADER} must be a number")).into_response(),
        Some(v) if v < MIN_PROTOCOL => ApiError::UpgradeRequired(MIN_PROTOCOL).into_response(),
        Some(_) => next.run(req).await,
    }
}

/// The storage answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = String), (status = 503)))]
pub async fn readyz(State(state): State<Shared>) -> ApiResult<&'static str> {
    state.storage.ready().await?;
    Ok("ready")
}

/// Prometheus metrics.
/// Not found here when `--metrics-listen` serves them elsewhere.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, body = String), (status = 404, body = tandem_protocol::ErrorBody)))]
pub async fn metrics(State(state): State<Shared>) -> axum::response::Response {
    if !state
        .metrics_on_main
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        return crate::error::ApiError::NotFound.into_response();
    }
    render_metrics(State(state)).await.into_response()
}

/// The metrics in Prometheus' text format (the handler of both listeners).
pub async fn render_metrics(State(state): State<Shared>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
