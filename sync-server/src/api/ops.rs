//! Health, readiness and metrics.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::Shared;
use crate::error::ApiResult;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
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
