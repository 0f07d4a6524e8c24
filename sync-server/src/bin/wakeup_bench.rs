//! `tandem-wakeup-bench`: what wake-ups cost pushes. Two groups of
//! devices on one server, the same size and shape (`--spaces` accounts,
//! each with its own space and `--devices / --spaces` linked devices): in
//! one every device is subscribed to a Web Push receiver on loopback, in
//! the other none is. The groups push in turns (none, with, with, none, …)
//! in a closed loop, on the same server in the same run, and the line
//!
//! ```text
//! BENCH name=wakeup_push_throughput records_per_s_none=… records_per_s_with=… ratio=… devices=… wakeups=…
//! ```
//!
//! gives records per second without and with, and their ratio (with /
//! none). Against a running server started with `--allow-loopback-wakeups`
//! (`--url`), or, without `--url`, a server over SQLite in a temporary
//! folder in this process.
//!
//! ```text
//! tandem-wakeup-bench [--url http://127.0.0.1:8787] --devices 500 --spaces 50 --turns 6 --seconds 3
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Parser;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Bench options.
#[derive(Debug, Parser)]
struct Args {
    /// A running server (loopback, started with `--allow-loopback-wakeups`);
    /// without it, one over SQLite runs in this process.
    #[arg(long)]
    url: Option<String>,
    /// Devices in each group.
    #[arg(long, default_value_t = 500)]
    devices: usize,
    /// Accounts (each with one space) in each group.
    #[arg(long, default_value_t = 50)]
    spaces: usize,
    /// Records per push.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Ciphertext bytes per record.
    #[arg(long, default_value_t = 300)]
    record_bytes: usize,
    /// Turns in all (an even number: each group gets half).
    #[arg(long, default_value_t = 6)]
    turns: usize,
    /// Seconds per turn.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Name in the BENCH line.
    #[arg(long, default_value = "wakeup_push_throughput")]
    name: String,
}

/// A device: its token and its space.
#[derive(Clone)]
struct Device {
    token: String,
    space: String,
}

/// The HTTP client of every simulated device.
fn http_client(devices: usize) -> Result<reqwest::Client, String> {
    // reqwest may be built with rustls and no default provider: name one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        tandem_protocol::PROTOCOL_HEADER,
        tandem_protocol::PROTOCOL.into(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(devices.max(1))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<Value, String> {
    let mut req = http.request(method, url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!(
            "{url}: {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Registers a group: `spaces` accounts with a space each, and `devices`
/// devices linked into them in turn; each subscribed to `endpoint` if given.
async fn group(
    http: &reqwest::Client,
    url: &str,
    args: &Args,
    endpoint: Option<&str>,
) -> Result<Vec<Device>, String> {
    use reqwest::Method;
    let mut owners = Vec::new();
    for _ in 0..args.spaces.max(1) {
        let reg = call(
            http,
            Method::POST,
            &format!("{url}/v1/devices"),
            None,
            &json!({}),
        )
        .await?;
        let token = reg["token"].as_str().unwrap_or_default().to_owned();
        let space = call(
            http,
            Method::POST,
            &format!("{url}/v1/spaces"),
            Some(&token),
            &json!({}),
        )
        .await?;
        owners.push((
            token,
            space["space_id"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    let mut devices = Vec::new();
    for d in 0..args.devices {
        let (owner, space) = &owners[d % owners.len()];
        let code = call(
            http,
            Method::POST,
            &format!("{url}/v1/devices/link-codes"),
            Some(owner),
            &json!({}),
        )
        .await?;
        let reg = call(
            http,
            Method::POST,
            &format!("{url}/v1/devices"),
            None,
            &json!({ "link_code": code["code"] }),
        )
        .await?;
        let token = reg["token"].as_str().unwrap_or_default().to_owned();
        if let Some(endpoint) = endpoint {
            let ua = p256::SecretKey::from_slice(&Sha256::digest(token.as_bytes()))
                .map_err(|e| e.to_string())?;
            use p256::elliptic_curve::sec1::ToEncodedPoint;
            let p256dh = ua.public_key().to_encoded_point(false);
            call(
                http,
                Method::PUT,
                &format!("{url}/v1/devices/self/wakeup"),
                Some(&token),
                &json!({
                    "endpoint": format!("{endpoint}/{d}"),
                    "p256dh": URL_SAFE_NO_PAD.encode(p256dh.as_bytes()),
                    "auth": URL_SAFE_NO_PAD.encode([d as u8; 16]),
                }),
            )
            .await?;
        }
        devices.push(Device {
            token,
            space: space.clone(),
        });
    }
    Ok(devices)
}

/// A push body of `n` new records for `space` (distinct by `(tag, i)`).
fn body(space: &str, tag: &str, first: usize, n: usize, bytes: usize) -> String {
    let ciphertext = URL_SAFE_NO_PAD.encode(vec![0x5a; bytes]);
    let records: Vec<Value> = (first..first + n)
        .map(|i| {
            json!({
                "space_id": space,
                "doc_id": "journal/2026-01",
                "change_hash": hex::encode(Sha256::digest(format!("{space}/{tag}/{i}").as_bytes())),
                "key_epoch": 0,
                "nonce": URL_SAFE_NO_PAD.encode([1u8; 24]),
                "ciphertext": ciphertext,
            })
        })
        .collect();
    json!({ "records": records }).to_string()
}

/// One turn: every device of `devices` pushes in a closed loop for
/// `seconds`; the records per second acknowledged.
async fn turn(
    http: &reqwest::Client,
    url: &str,
    devices: &[Device],
    args: &Args,
    turn: usize,
) -> Result<f64, String> {
    let until = Instant::now() + Duration::from_secs_f64(args.seconds);
    let started = Instant::now();
    let acked = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (d, device) in devices.iter().enumerate() {
        let (http, device, acked) = (http.clone(), device.clone(), acked.clone());
        let push = format!("{url}/v1/sync/push");
        let (batch, bytes) = (args.batch, args.record_bytes);
        tasks.push(tokio::spawn(async move {
            let mut k = 0;
            while Instant::now() < until {
                let tag = format!("{turn}/{d}");
                let body = body(&device.space, &tag, k * batch, batch, bytes);
                k += 1;
                let resp = http
                    .post(&push)
                    .bearer_auth(&device.token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !resp.status().is_success() {
                    return Err(format!("push: {}", resp.status()));
                }
                let _ = resp.bytes().await;
                acked.fetch_add(batch, Ordering::Relaxed);
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(acked.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// A push service on loopback that answers 201 and counts.
async fn receiver(hits: Arc<AtomicUsize>) -> Result<String, String> {
    let app = axum::Router::new().fallback(move || {
        let hits = hits.clone();
        async move {
            hits.fetch_add(1, Ordering::Relaxed);
            axum::http::StatusCode::CREATED
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}/push"))
}

/// A server over SQLite in `dir`, in this process on threads of its own,
/// taking loopback endpoints; its URL.
fn local_server(dir: &std::path::Path) -> Result<String, String> {
    let db = format!("sqlite:{}", dir.join("bench.db").display());
    let settings = tandem_sync_server::wakeup::Settings {
        policy: tandem_sync_server::wakeup::outbound::Policy {
            allow_loopback: true,
        },
        ..Default::default()
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => return drop(tx.send(Err(e.to_string()))),
        };
        rt.block_on(async move {
            let storage = match tandem_sync_server::open_storage(&db, 4).await {
                Ok(s) => s,
                Err(e) => return drop(tx.send(Err(e.to_string()))),
            };
            let limits = tandem_sync_server::limits::Limits {
                register_per_hour: u32::MAX,
                link_codes_per_hour: u32::MAX,
                ..Default::default()
            };
            let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => return drop(tx.send(Err(e.to_string()))),
            };
            let url = listener.local_addr().map(|a| format!("http://{a}"));
            let _ = tx.send(url.map_err(|e| e.to_string()));
            let state = tandem_sync_server::api::AppState::with_wakeups(storage, limits, settings);
            let _ = tandem_sync_server::serve(listener, state).await;
        });
    });
    rx.recv().map_err(|e| e.to_string())?
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("tandem-wakeup-bench-{}", std::process::id()));
    let url = match &args.url {
        Some(u) if u.starts_with("http://127.") || u.starts_with("http://[::1]:") => u.clone(),
        Some(_) => return Err("--url must be a loopback address".into()),
        None => {
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            local_server(&dir)?
        }
    };
    let http = http_client(args.devices * 2)?;
    let hits = Arc::new(AtomicUsize::new(0));
    let endpoint = receiver(hits.clone()).await?;
    let none = group(&http, &url, &args, None).await?;
    let with = group(&http, &url, &args, Some(&endpoint)).await?;
    eprintln!(
        "two groups of {} devices in {} spaces; {} subscribed; pushing in turns",
        args.devices,
        args.spaces,
        with.len()
    );
    let (mut rates_none, mut rates_with) = (Vec::new(), Vec::new());
    for t in 0..args.turns.max(2) {
        // none, with, with, none, none, with, …: drift over the run falls
        // on both sides alike.
        let subscribed = matches!(t % 4, 1 | 2);
        let devices = if subscribed { &with } else { &none };
        let rate = turn(&http, &url, devices, &args, t).await?;
        eprintln!(
            "turn {t}: {} {rate:.0} records/s",
            if subscribed { "with" } else { "none" }
        );
        if subscribed {
            rates_with.push(rate);
        } else {
            rates_none.push(rate);
        }
    }
    let (none_rate, with_rate) = (median(rates_none), median(rates_with));
    println!(
        "BENCH name={} records_per_s_none={none_rate:.0} records_per_s_with={with_rate:.0} ratio={:.3} devices={} wakeups={}",
        args.name,
        if none_rate > 0.0 {
            with_rate / none_rate
        } else {
            0.0
        },
        args.devices,
        hits.load(Ordering::Relaxed)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
