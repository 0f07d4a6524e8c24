//! The entry point for the server's fuzz target (`fuzz/`) and for the test
//! that replays what it found (`tests/fuzz_replay.rs`): arbitrary bytes as
//! the body of a push or a pull, from a registered device that is a member
//! of one space. Whatever the bytes, the answer is below 500 and an error
//! answer carries a JSON body; anything else panics, which the fuzzer
//! reports.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request};
use tower::ServiceExt as _;

use crate::api::{AppState, router};
use crate::limits::Limits;
use crate::storage::sqlite::SqliteStorage;

struct World {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    token: String,
    space: String,
}

/// A folder of its own under the system's temporary folder, kept for the
/// life of the process.
fn scratch() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-fuzz-server-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let storage =
            Arc::new(SqliteStorage::open(&scratch().join("fuzz.db")).expect("a database to fuzz"));
        let limits = Limits {
            max_body_bytes: 256 * 1024,
            redeem_per_minute: u32::MAX,
            register_per_hour: u32::MAX,
            link_codes_per_hour: u32::MAX,
            ..Limits::default()
        };
        let app = router(AppState::new(storage, limits));
        let (token, space) = rt.block_on(async {
            let (_, v) = send(&app, Method::POST, "/v1/devices", None, b"{}".to_vec()).await;
            let token = v["token"].as_str().unwrap_or_default().to_owned();
            let (_, v) = send(&app, Method::POST, "/v1/spaces", Some(&token), vec![]).await;
            (token, v["space_id"].as_str().unwrap_or_default().to_owned())
        });
        World {
            rt,
            app,
            token,
            space,
        }
    })
}

async fn send(
    app: &axum::Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header(tandem_protocol::PROTOCOL_HEADER, tandem_protocol::PROTOCOL);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let Ok(req) = req.body(Body::from(body)) else {
        return (400, serde_json::Value::Null);
    };
    let Ok(resp) = app.clone().oneshot(req).await;
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// The first byte picks the endpoint (even: push, odd: pull); the rest is
/// the body, with every `@@` replaced by the id of the space the device is
/// a member of, so that bodies reach past the membership check.
///
/// # Panics
///
/// When the server answers 500 or more, or an error without a JSON body.
pub fn push_or_pull(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let w = world();
    let body = String::from_utf8_lossy(body)
        .replace("@@", &w.space)
        .into_bytes();
    let path = if which % 2 == 0 {
        "/v1/sync/push"
    } else {
        "/v1/sync/pull"
    };
    let (status, answer) =
        w.rt.block_on(send(&w.app, Method::POST, path, Some(&w.token), body));
    assert!(status < 500, "{path} answered {status}: {answer}");
    if status >= 400 {
        assert!(
            answer["error"].is_string(),
            "{path} {status} without a JSON error: {answer}"
        );
    }
}
