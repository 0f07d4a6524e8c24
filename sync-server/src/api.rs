//! The HTTP API: one function builds the router, so tests can call it
//! directly or serve it on a real socket.

mod devices;
mod extract;
mod ops;
mod pull_stream;
mod spaces;
mod sync;
mod validate;
mod wakeup;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use extract::Authed;

use crate::error::ApiError;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::storage::Storage;

/// What every handler shares.
pub struct AppState {
    /// Where everything is kept.
    pub storage: Arc<dyn Storage>,
    /// Request bounds.
    pub limits: Limits,
    /// Metrics.
    pub metrics: Metrics,
    /// Redeem attempts per address.
    pub redeem_by_address: RateLimiter,
    /// Redeem attempts per account.
    pub redeem_by_account: RateLimiter,
    /// Registrations per address.
    pub register_by_address: RateLimiter,
    /// Link codes per address.
    pub link_codes_by_address: RateLimiter,
    /// New epochs per account and space.
    pub epochs_by_member: RateLimiter,
    /// Whether `/metrics` is answered on the main listener (not when a
    /// separate metrics listener serves it).
    pub metrics_on_main: std::sync::atomic::AtomicBool,
    /// Devices already recorded as seen today.
    pub last_seen: crate::last_seen::LastSeen,
    /// Slots for pushes being read and stored (see [`Limits::pushes_in_flight`]).
    pub push_slots: Arc<tokio::sync::Semaphore>,
    /// Wake-ups (Web Push) of the devices a write concerns.
    pub wakeups: crate::wakeup::Wakeups,
    /// Wake-up registrations per device (each resolves a host name).
    pub wakeup_registrations: RateLimiter,
}

impl AppState {
    /// State over `storage` with `limits`, and wake-ups as
    /// [`crate::wakeup::Settings::default`] has them (on, to public
    /// `https://` endpoints only).
    pub fn new(storage: Arc<dyn Storage>, limits: Limits) -> Arc<Self> {
        Self::with_wakeups(storage, limits, crate::wakeup::Settings::default())
    }

    /// State over `storage` with `limits` and wake-ups as `wakeups` says.
    pub fn with_wakeups(
        storage: Arc<dyn Storage>,
        limits: Limits,
        wakeups: crate::wakeup::Settings,
    ) -> Arc<Self> {
        let per_minute = limits.redeem_per_minute;
        let metrics = Metrics::new();
        Arc::new(AppState {
            wakeups: crate::wakeup::Wakeups::new(storage.clone(), metrics.clone(), wakeups),
            wakeup_registrations: RateLimiter::new(WAKEUP_REGISTRATIONS_PER_HOUR, HOUR),
            storage,
            metrics,
            redeem_by_address: RateLimiter::new(per_minute, Duration::from_secs(60)),
            redeem_by_account: RateLimiter::new(per_minute, Duration::from_secs(60)),
            register_by_address: RateLimiter::new(limits.register_per_hour, HOUR),
            link_codes_by_address: RateLimiter::new(limits.link_codes_per_hour, HOUR),
            epochs_by_member: RateLimiter::new(limits.epochs_per_hour, HOUR),
            last_seen: Default::default(),
            metrics_on_main: std::sync::atomic::AtomicBool::new(true),
            push_slots: Arc::new(tokio::sync::Semaphore::new(limits.pushes_in_flight.max(1))),
            limits,
        })
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// Wake-up registrations a device may make in an hour: an app refreshes
/// its subscription now and then, not in a loop.
const WAKEUP_REGISTRATIONS_PER_HOUR: u32 = 60;

/// Shared state as handlers receive it.
pub type Shared = Arc<AppState>;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tandem sync server", description = "An end-to-end encrypted relay: it stores and serves ciphertext it cannot read."),
    modifiers(&BearerAuth),
    tags((name = "devices"), (name = "spaces"), (name = "sync"), (name = "operations"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The router, and the OpenAPI document generated from the handlers.
pub fn router(state: Shared) -> Router {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(devices::register, devices::list_devices))
        .routes(routes!(devices::link_code))
        .routes(routes!(devices::set_keys))
        .routes(routes!(devices::delete_account))
        .routes(routes!(devices::set_recovery))
        .routes(routes!(devices::unlink_device))
        .routes(routes!(wakeup::put_wakeup, wakeup::delete_wakeup))
        .routes(routes!(wakeup::vapid_key))
        .routes(routes!(spaces::new_epoch))
        .routes(routes!(spaces::create_space, spaces::list_spaces))
        .routes(routes!(spaces::create_invite))
        .routes(routes!(spaces::redeem_invite))
        .routes(routes!(spaces::remove_member))
        .routes(routes!(spaces::put_snapshot, spaces::get_snapshots))
        .routes(routes!(spaces::delete_snapshot))
        .routes(routes!(spaces::compact))
        .routes(routes!(sync::push))
        .routes(routes!(sync::pull))
        .routes(routes!(sync::heads))
        .routes(routes!(ops::info))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .split_for_parts();
    let openapi = Arc::new(openapi);
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json((*doc).clone()) }
            }),
        )
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::BadRequest("method not allowed".into()) })
        .layer(middleware::from_fn(ops::require_protocol))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        .layer(middleware::from_fn(json_errors))
        .with_state(state)
}

/// The router of a separate metrics listener (`--metrics-listen`): only
/// `/metrics`.
pub fn metrics_router(state: Shared) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(ops::render_metrics))
        .fallback(|| async { ApiError::NotFound })
        .with_state(state)
}

/// Gives an error answer that has no JSON body one (see
/// [`crate::error::json_body_for`]); every other answer passes unchanged.
async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        return crate::error::json_body_for(status);
    }
    response
}

/// Counts and times every request by its route template (until its answer
/// starts: a streamed pull is timed to its first chunk). Logs carry the
/// template and status only: no ids, bodies, tokens or addresses.
async fn observe(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().clone();
    let started = Instant::now();
    let response = next.run(req).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16().to_string();
    state
        .metrics
        .requests
        .with_label_values(&[&route, &status])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[&route])
        .observe(elapsed.as_secs_f64());
    tracing::debug!(%method, %route, %status, ms = elapsed.as_secs_f64() * 1e3, "request");
    response
}
