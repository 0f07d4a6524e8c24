//! Hostile input to every endpoint: arbitrary bytes and structurally valid
//! but hostile JSON. The server must answer every request with a status
//! below 500 and, for errors, a JSON body; it must never panic.

mod support;

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request};
use proptest::prelude::*;
use serde_json::{Value, json};
use tandem_sync_server::api::{AppState, router};
use tandem_sync_server::limits::Limits;
use tandem_sync_server::storage::sqlite::SqliteStorage;
use tower::ServiceExt;

struct World {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    token: String,
    space: String,
    _dir: tempfile::TempDir,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(SqliteStorage::open(&dir.path().join("f.db")).unwrap());
        let limits = Limits {
            max_body_bytes: 256 * 1024,
            ..Limits::default()
        };
        let app = router(AppState::new(storage, limits));
        let (token, space) = rt.block_on(async {
            let (_, v) = send(&app, Method::POST, "/v1/devices", None, b"{}".to_vec()).await;
            let token = v["token"].as_str().unwrap().to_owned();
            let (_, v) = send(&app, Method::POST, "/v1/spaces", Some(&token), vec![]).await;
            (token, v["space_id"].as_str().unwrap().to_owned())
        });
        World {
            rt,
            app,
            token,
            space,
            _dir: dir,
        }
    })
}

async fn send(
    app: &axum::Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header(tandem_protocol::PROTOCOL_HEADER, tandem_protocol::PROTOCOL);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Every endpoint, with `{space}` and `{id}` to fill in.
const ENDPOINTS: &[(&str, &str)] = &[
    ("POST", "/v1/devices"),
    ("POST", "/v1/devices/link-codes"),
    ("DELETE", "/v1/account"),
    ("POST", "/v1/spaces"),
    ("GET", "/v1/spaces"),
    ("POST", "/v1/spaces/{space}/invites"),
    ("POST", "/v1/invites/{id}/redeem"),
    ("DELETE", "/v1/spaces/{space}/members/{id}"),
    ("PUT", "/v1/spaces/{space}/snapshots"),
    ("GET", "/v1/spaces/{space}/snapshots"),
    ("POST", "/v1/spaces/{space}/compact"),
    ("POST", "/v1/sync/push"),
    ("POST", "/v1/sync/pull"),
    ("GET", "/v1/sync/heads"),
];

fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(1e308)),
        ".{0,40}".prop_map(Value::from),
        Just(Value::from("a".repeat(70_000))),
        Just(Value::from("0".repeat(32))),
        Just(Value::from("f".repeat(64))),
        Just(Value::from("\u{0}\u{202e}💥")),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("records".to_owned()),
                    Just("cursors".to_owned()),
                    Just("space_id".to_owned()),
                    Just("doc_id".to_owned()),
                    Just("change_hash".to_owned()),
                    Just("key_epoch".to_owned()),
                    Just("nonce".to_owned()),
                    Just("ciphertext".to_owned()),
                    Just("after".to_owned()),
                    Just("limit".to_owned()),
                    Just("secret".to_owned()),
                    Just("secret_hash".to_owned()),
                    Just("ttl_hours".to_owned()),
                    Just("upto_seq".to_owned()),
                    Just("link_code".to_owned()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Structurally valid requests with hostile values in every field.
fn shaped(space: String) -> impl Strategy<Value = Value> {
    let field = prop_oneof![Just(json!(space)), hostile_json()];
    let record = (field.clone(), hostile_json(), hostile_json(), prop_oneof![any::<u32>().prop_map(Value::from), hostile_json()], hostile_json(), hostile_json())
        .prop_map(|(s, d, h, e, n, c)| json!({ "space_id": s, "doc_id": d, "change_hash": h, "key_epoch": e, "nonce": n, "ciphertext": c }));
    prop_oneof![
        proptest::collection::vec(record, 0..5).prop_map(|r| json!({ "records": r })),
        (field.clone(), any::<i64>(), proptest::option::of(any::<u32>()))
            .prop_map(|(s, a, l)| json!({ "cursors": [{ "space_id": s, "after": a }], "limit": l })),
        (hostile_json(), proptest::option::of(any::<u32>())).prop_map(|(h, t)| json!({ "secret_hash": h, "ttl_hours": t })),
        (hostile_json(), any::<i64>(), any::<u32>(), hostile_json(), hostile_json())
            .prop_map(|(d, u, e, n, c)| json!({ "doc_id": d, "upto_seq": u, "key_epoch": e, "nonce": n, "ciphertext": c })),
        hostile_json(),
    ]
}

fn ids() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".repeat(32)),
        "[0-9a-f]{32}",
        "[a-zA-Z0-9%._~-]{0,80}",
        Just("%00".into()),
        Just("..".into())
    ]
}

fn check(status: u16, body: &Value, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(status < 500, "{what}: {status} {body}");
    if status >= 400 {
        prop_assert!(
            body["error"].is_string(),
            "{what}: error without a JSON body: {status}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_break_an_endpoint(endpoint in 0..ENDPOINTS.len(), body in proptest::collection::vec(any::<u8>(), 0..2048),
        auth in any::<bool>(), id in ids()) {
        let w = world();
        let (method, path) = ENDPOINTS[endpoint];
        let space = if auth { w.space.clone() } else { id.clone() };
        let path = path.replace("{space}", &space).replace("{id}", &id);
        if path.contains('%') && !path.is_ascii() { return Ok(()); }
        let Ok(uri) = path.parse::<axum::http::Uri>() else { return Ok(()); };
        // Erasing the shared account would turn every later case into a 401.
        let token = (auth && path != "/v1/account").then_some(w.token.as_str());
        let (status, v) = w.rt.block_on(send(&w.app, method.parse().unwrap(), &uri.to_string(), token, body));
        check(status, &v, &path)?;
    }

    #[test]
    fn hostile_json_never_breaks_an_endpoint(endpoint in 0..ENDPOINTS.len(), body in shaped(String::new()), id in ids()) {
        let w = world();
        let (method, path) = ENDPOINTS[endpoint];
        // Put the real space into shaped bodies half of the time.
        let text = body.to_string().replace("\"\"", &format!("\"{}\"", w.space));
        let path = path.replace("{space}", &w.space).replace("{id}", &id);
        let Ok(uri) = path.parse::<axum::http::Uri>() else { return Ok(()); };
        let token = (path != "/v1/account").then_some(w.token.as_str());
        let (status, v) = w.rt.block_on(send(&w.app, method.parse().unwrap(), &uri.to_string(), token, text.into_bytes()));
        check(status, &v, &path)?;
    }

    #[test]
    fn shaped_requests_with_the_real_space(body in shaped("x".into())) {
        let w = world();
        let text = body.to_string().replace("\"x\"", &format!("\"{}\"", w.space));
        for (method, path) in [("POST", "/v1/sync/push"), ("POST", "/v1/sync/pull")] {
            let (status, v) = w.rt.block_on(send(&w.app, method.parse().unwrap(), path, Some(&w.token), text.clone().into_bytes()));
            check(status, &v, path)?;
        }
        let snap = format!("/v1/spaces/{}/snapshots", w.space);
        let (status, v) = w.rt.block_on(send(&w.app, Method::PUT, &snap, Some(&w.token), text.into_bytes()));
        check(status, &v, &snap)?;
        // The shared token still works: the cases above ran authenticated.
        let (status, _) = w.rt.block_on(send(&w.app, Method::GET, "/v1/spaces", Some(&w.token), vec![]));
        prop_assert_eq!(status, 200);
    }
}
