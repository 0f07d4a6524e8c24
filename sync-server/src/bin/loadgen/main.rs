//! `tandem-loadgen`: simulates devices pushing and pulling realistic records
//! against a running sync server on loopback, bounded in count and time, and
//! prints `BENCH name=… records_per_s=… p50_ms=… p99_ms=… devices=…`, with
//! the machine's longest stall and its steal time over the run
//! ([`stall`]); `--trace` also lists the slowest pushes and the stalls.
//!
//! ```text
//! tandem-loadgen --url http://127.0.0.1:8787 [--url …] --devices 50 --spaces 10 \
//!     --batches 20 --batch 100 --record-bytes 300 --seconds 60 --name sqlite_50 [--trace]
//! tandem-loadgen --floor-sqlite DIR --batches 200 --batch 100   # SQLite's own insert rate
//! ```

mod stall;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Parser;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Load generator options.
#[derive(Debug, Parser)]
struct Args {
    /// Server base URL (loopback only); repeat to spread devices over several processes.
    #[arg(long)]
    url: Vec<String>,
    /// Devices pushing at once.
    #[arg(long, default_value_t = 50)]
    devices: usize,
    /// Spaces the devices share.
    #[arg(long, default_value_t = 10)]
    spaces: usize,
    /// Pushes per device.
    #[arg(long, default_value_t = 20)]
    batches: usize,
    /// Records per push.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Ciphertext bytes per record.
    #[arg(long, default_value_t = 300)]
    record_bytes: usize,
    /// Open loop: the total records per second all devices push together,
    /// each device on its own schedule. 0 = closed loop (every device pushes
    /// again as soon as its last push was answered).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Stop after this many seconds whatever is left.
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// Name in the BENCH line.
    #[arg(long, default_value = "push")]
    name: String,
    /// PID of the server, to report its peak memory.
    #[arg(long)]
    server_pid: Vec<u32>,
    /// Also time one pull of this many records from a filled space.
    #[arg(long, default_value_t = 10_000)]
    pull: usize,
    /// Instead of load: SQLite's own rate for inserting the same rows, in a database in DIR.
    #[arg(long)]
    floor_sqlite: Option<std::path::PathBuf>,
    /// Instead of load: how long the disk under DIR takes to make 4 KiB
    /// durable (write + fdatasync, 200 times). No durable push can be
    /// acknowledged faster, so it says how to read the other numbers.
    #[arg(long)]
    probe_fsync: Option<std::path::PathBuf>,
    /// Name of the probe's BENCH line.
    #[arg(long, default_value = "disk_fsync")]
    probe_name: String,
    /// Print the slowest pushes and the machine's stalls, with when they
    /// happened, to tell a slow server from a machine that stopped.
    #[arg(long)]
    trace: bool,
}

/// Times `write` + `fdatasync` of 4 KiB at the start of a file in `dir`.
fn probe_fsync(dir: &std::path::Path, name: &str) -> Result<(), String> {
    use std::io::{Seek, Write};
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
    let block = [0x5au8; 4096];
    let mut lat = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        file.rewind().map_err(|e| e.to_string())?;
        file.write_all(&block).map_err(|e| e.to_string())?;
        file.sync_data().map_err(|e| e.to_string())?;
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let _ = std::fs::remove_file(&path);
    lat.sort_by(f64::total_cmp);
    println!(
        "BENCH name={name} median_us={:.0} p99_us={:.0} max_us={:.0}",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0)
    );
    Ok(())
}

fn loopback_only(url: &str) -> bool {
    ["http://127.", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| url.starts_with(p))
}

fn record(space: &str, device: usize, i: usize, size: usize) -> Value {
    let hash = hex::encode(Sha256::digest(format!("{space}/{device}/{i}").as_bytes()));
    let mut body = vec![0u8; size];
    for (j, b) in body.iter_mut().enumerate() {
        *b = (i.wrapping_mul(131) ^ j.wrapping_mul(31) ^ device) as u8;
    }
    json!({
        "space_id": space,
        "doc_id": format!("journal/2026-{:02}", 1 + i % 12),
        "change_hash": hash,
        "key_epoch": 0,
        "nonce": URL_SAFE_NO_PAD.encode([device as u8; 24]),
        "ciphertext": URL_SAFE_NO_PAD.encode(&body),
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn call(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<Value, String> {
    call_as(http, url, token, body).await
}

/// Like [`call`], decoding the answer as `T`: only the fields it names.
async fn call_as<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<T, String> {
    let mut req = http.post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)))
    }
}

/// Of a pull's answer, only the records' `seq`s: a device in the load reads
/// its cursor from it. Building the whole answer as a JSON tree cost this
/// process more CPU than the server spent sending it, on the same two cores.
#[derive(serde::Deserialize)]
struct PullSeqs {
    spaces: Vec<SpaceSeqs>,
}

/// One space of [`PullSeqs`].
#[derive(serde::Deserialize)]
struct SpaceSeqs {
    records: Vec<Seq>,
}

/// One record of [`SpaceSeqs`].
#[derive(serde::Deserialize)]
struct Seq {
    seq: i64,
}

/// Prints the slowest pushes (when each was due, how long it took) and the
/// machine's stalls, to stderr: a slow push that starts during a stall is
/// the machine's, not the server's.
fn print_trace(pushes: &[(f64, f64)], machine: &stall::Report) {
    let mut slowest = pushes.to_vec();
    slowest.sort_by(|a, b| b.1.total_cmp(&a.1));
    eprintln!("slowest pushes (due at s: took ms):");
    for (due, ms) in slowest.iter().take(12) {
        eprintln!("  {due:8.3}: {ms:7.1}");
    }
    eprintln!(
        "machine stalls over 5 ms: {} (steal {:.0} ms over the run)",
        machine.stalls.len(),
        machine.steal_ms.unwrap_or(0.0)
    );
    for s in machine.stalls.iter().filter(|s| s.extra_ms >= 10.0) {
        eprintln!("  {:8.3}: {:7.1}", s.at_s, s.extra_ms);
    }
}

fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn floor_sqlite(dir: &std::path::Path, args: &Args) {
    let conn = rusqlite::Connection::open(dir.join("floor.db")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("sync");
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS records (space_id TEXT, seq INTEGER, doc_id TEXT, change_hash BLOB, key_epoch INTEGER,
           nonce BLOB, ciphertext BLOB, PRIMARY KEY (space_id, seq)) WITHOUT ROWID;
         CREATE UNIQUE INDEX IF NOT EXISTS by_hash ON records(space_id, change_hash);",
    )
    .expect("schema");
    let mut conn = conn;
    let space = "0".repeat(32);
    let started = Instant::now();
    let mut lat = Vec::new();
    let mut seq = 0i64;
    for b in 0..args.batches {
        let t = Instant::now();
        let tx = conn.transaction().expect("tx");
        {
            let mut stmt = tx
                .prepare_cached("INSERT INTO records VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)")
                .expect("prepare");
            for i in 0..args.batch {
                seq += 1;
                let hash: [u8; 32] = Sha256::digest(format!("{b}/{i}").as_bytes()).into();
                stmt.execute(rusqlite::params![
                    space,
                    seq,
                    "journal/2026-01",
                    &hash[..],
                    &[1u8; 24][..],
                    vec![7u8; args.record_bytes]
                ])
                .expect("insert");
            }
        }
        tx.commit().expect("commit");
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let n = args.batches * args.batch;
    eprintln!(
        "SQLite floor: {n} rows in batches of {} in {secs:.2} s",
        args.batch
    );
    println!(
        "BENCH name=sqlite_insert_floor records_per_s={:.0} p50_ms={:.2} p99_ms={:.2} devices=1",
        n as f64 / secs,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );
}

/// Times pulling `--pull` records of `space` at `base` in one request,
/// filling the space up to that many first.
async fn time_big_pull(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    space: &str,
    args: &Args,
) -> Result<(), String> {
    let head = call(
        http,
        &format!("{base}/v1/sync/pull"),
        Some(token),
        &json!({ "cursors": [{ "space_id": space, "after": 0 }], "limit": 1 }),
    )
    .await?["spaces"][0]["head_seq"]
        .as_i64()
        .unwrap_or(0);
    let mut fill = head as usize;
    let mut k = 0;
    while fill < args.pull {
        let records: Vec<Value> = (0..1000.min(args.pull - fill))
            .map(|i| record(space, 999_999, k * 1000 + i, args.record_bytes))
            .collect();
        fill += records.len();
        k += 1;
        call(
            http,
            &format!("{base}/v1/sync/push"),
            Some(token),
            &json!({ "records": records }),
        )
        .await?;
    }
    // Timed until the last byte arrives; parsing on the client comes after.
    let mut times = Vec::new();
    let body = json!({ "cursors": [{ "space_id": space, "after": 0 }], "limit": args.pull });
    for _ in 0..7 {
        let t = Instant::now();
        let bytes = http
            .post(format!("{base}/v1/sync/pull"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .bytes()
            .await
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        let n = v["spaces"][0]["records"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        if n < args.pull {
            return Err(format!("pulled {n} records, wanted {}", args.pull));
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "BENCH name={}_pull_{} median_ms={:.1} p99_ms={:.1} records={}",
        args.name,
        args.pull,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        args.pull
    );
    Ok(())
}

/// The HTTP client every simulated device shares: speaking this build's
/// protocol, a connection kept per device.
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

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    if let Some(dir) = &args.probe_fsync {
        return probe_fsync(dir, &args.probe_name);
    }
    if let Some(dir) = &args.floor_sqlite {
        floor_sqlite(dir, &args);
        return Ok(());
    }
    if args.url.is_empty() || !args.url.iter().all(|u| loopback_only(u)) {
        return Err("--url must be given and must be a loopback address".into());
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let http = http_client(args.devices)?;
    let url = |i: usize| args.url[i % args.url.len()].clone();

    // One account per space; its devices are linked with link codes.
    let mut owners = Vec::new();
    for s in 0..args.spaces.max(1) {
        let reg = call(&http, &format!("{}/v1/devices", url(s)), None, &json!({})).await?;
        let token = reg["token"].as_str().unwrap_or_default().to_owned();
        let space = call(
            &http,
            &format!("{}/v1/spaces", url(s)),
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
        let (owner_token, space) = &owners[d % owners.len()];
        let code = call(
            &http,
            &format!("{}/v1/devices/link-codes", url(d)),
            Some(owner_token),
            &json!({}),
        )
        .await?;
        let reg = call(
            &http,
            &format!("{}/v1/devices", url(d)),
            None,
            &json!({ "link_code": code["code"] }),
        )
        .await?;
        devices.push((
            reg["token"].as_str().unwrap_or_default().to_owned(),
            space.clone(),
            url(d),
        ));
    }
    eprintln!(
        "{} devices in {} spaces registered; pushing",
        devices.len(),
        owners.len()
    );

    // Build every body before the clock starts: the load is the server's, not JSON's.
    let started = Instant::now();
    let bodies: Arc<Vec<Vec<String>>> = Arc::new(
        devices
            .iter()
            .enumerate()
            .map(|(d, (_, space, _))| {
                (0..args.batches)
                    .map(|b| {
                        let records: Vec<Value> = (0..args.batch)
                            .map(|i| record(space, d, b * args.batch + i, args.record_bytes))
                            .collect();
                        json!({ "records": records }).to_string()
                    })
                    .collect()
            })
            .collect(),
    );
    eprintln!("bodies built in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut tasks = Vec::new();
    // In the open loop each device pushes every `interval`, devices staggered evenly.
    let interval = (args.rate > 0)
        .then(|| Duration::from_secs_f64((args.devices * args.batch) as f64 / args.rate as f64));
    let origin = tokio::time::Instant::now();
    let probe = stall::Probe::start(origin.into_std());
    if args.trace {
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        eprintln!(
            "times below are seconds after {:.3} (Unix)",
            unix.as_secs_f64()
        );
    }
    let n_devices = args.devices;
    for (d, (token, space, base)) in devices.into_iter().enumerate() {
        let (http, bodies) = (http.clone(), bodies.clone());
        let batches = args.batches;
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(batches);
            let mut pushed = 0usize;
            let mut cursor = 0i64;
            for b in 0..batches {
                if Instant::now() > deadline {
                    break;
                }
                // Latency counts from when the push was due, so a slow server
                // is not hidden by pushes that start late.
                let t = match interval {
                    Some(every) => {
                        let due = origin + every.mul_f64(b as f64 + d as f64 / n_devices as f64);
                        tokio::time::sleep_until(due).await;
                        due.into_std()
                    }
                    None => Instant::now(),
                };
                let resp = http
                    .post(format!("{base}/v1/sync/push"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(bodies[d][b].clone())
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        let due_s = t.saturating_duration_since(origin.into_std()).as_secs_f64();
                        lat.push((due_s, t.elapsed().as_secs_f64() * 1e3));
                        pushed += bodies[d][b].matches("change_hash").count();
                    }
                    Ok(r) => return Err(format!("push failed: {}", r.status())),
                    Err(e) => return Err(format!("push failed: {e}")),
                }
                // Every fifth push the device also pulls what others wrote.
                if b % 5 == 4 {
                    let body = json!({ "cursors": [{ "space_id": space, "after": cursor }], "limit": 500 });
                    let url = format!("{base}/v1/sync/pull");
                    if let Ok(v) = call_as::<PullSeqs>(&http, &url, Some(&token), &body).await
                        && let Some(last) = v.spaces.first().and_then(|s| s.records.last())
                    {
                        cursor = last.seq;
                    }
                }
            }
            Ok::<_, String>((lat, pushed))
        }));
    }
    let mut lat = Vec::new();
    let mut pushed = 0;
    for t in tasks {
        let (l, p) = t.await.map_err(|e| e.to_string())??;
        lat.extend(l);
        pushed += p;
    }
    let secs = started.elapsed().as_secs_f64();
    let machine = probe.finish();
    if args.trace {
        print_trace(&lat, &machine);
    }
    let mut lat: Vec<f64> = lat.into_iter().map(|(_, ms)| ms).collect();
    lat.sort_by(f64::total_cmp);
    let memory = args
        .server_pid
        .iter()
        .filter_map(|p| peak_mib(*p))
        .fold(0.0f64, f64::max);
    eprintln!(
        "{}: {pushed} records in {} pushes from {} devices in {secs:.2} s; server peak memory {memory:.1} MiB",
        args.name,
        lat.len(),
        args.devices
    );
    println!(
        "BENCH name={} records_per_s={:.0} p50_ms={:.2} p99_ms={:.2} devices={} server_peak_mib={:.1} offered_per_s={} stall_max_ms={:.1} steal_ms={:.0}",
        args.name,
        pushed as f64 / secs,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        args.devices,
        memory,
        args.rate,
        machine.worst_ms(),
        machine.steal_ms.unwrap_or(0.0)
    );

    // One pull of `--pull` records from a space that holds at least that many.
    if args.pull > 0 {
        let (token, space) = &owners[0];
        time_big_pull(&http, &url(0), token, space, &args).await?;
    }
    Ok(())
}
