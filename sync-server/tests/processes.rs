//! Tests that run the real server binary: killed mid-stream with SIGKILL,
//! two processes over one PostgreSQL, and what ends up on disk and in logs.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::Rng;
use serde_json::{Value, json};
use support::*;

/// A server process and its address.
struct Proc {
    child: Child,
    url: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(db: &str, log: Option<&std::path::Path>) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem-sync-server"));
    cmd.args(["--listen", "127.0.0.1:0", "--db", db])
        .stdout(Stdio::piped());
    match log {
        Some(path) => {
            cmd.env("TANDEM_LOG", "debug")
                .stderr(std::fs::File::create(path).unwrap());
        }
        None => {
            cmd.stderr(Stdio::null());
        }
    }
    start(cmd)
}

/// Runs `cmd` (a server with its stdout piped) until it prints its address.
fn start(mut cmd: Command) -> Proc {
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected: {line:?}"))
        .to_owned();
    Proc { child, url }
}

async fn all_records(c: &Client, space: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = c
            .post_ok(
                "/v1/sync/pull",
                &json!({ "cursors": [{ "space_id": space, "after": after }] }),
            )
            .await;
        let recs = page["spaces"][0]["records"].as_array().unwrap().clone();
        if let Some(last) = recs.last() {
            after = last["seq"].as_i64().unwrap();
        }
        out.extend(recs);
        if page["spaces"][0]["more"] == false {
            return out;
        }
    }
}

/// Every acknowledged record is there exactly once, and seqs are 1..=n.
fn check_exactly_once(records: &[Value], acked: &[String]) {
    let seqs: Vec<i64> = records.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=records.len() as i64).collect::<Vec<_>>(),
        "gap-free"
    );
    let mut hashes: Vec<&str> = records
        .iter()
        .map(|r| r["change_hash"].as_str().unwrap())
        .collect();
    hashes.sort();
    let before = hashes.len();
    hashes.dedup();
    assert_eq!(hashes.len(), before, "no record stored twice");
    for h in acked {
        assert!(
            hashes.binary_search(&h.as_str()).is_ok(),
            "acknowledged record {h} lost"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_pushes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("sync.db").display());
    let server = spawn(&db, None);
    let mut client = Client::register(&server.url).await;
    let space = client.create_space().await;
    drop(server);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut next = 0usize;
    for round in 0..20 {
        let mut server = spawn(&db, None);
        client.url = server.url.clone();
        let pusher = {
            let (client, space, acked) = (client.clone(), space.clone(), acked.clone());
            let start = next;
            tokio::spawn(async move {
                let mut i = start;
                loop {
                    // Each batch repeats the previous batch's last record, as a retry after a lost answer would.
                    let batch: Vec<_> = (i.saturating_sub(1)..i + 20)
                        .map(|k| record(&space, "journal", k, 300))
                        .collect();
                    let resp = client
                        .http
                        .post(format!("{}/v1/sync/push", client.url))
                        .bearer_auth(&client.token)
                        .json(&json!({ "records": batch }))
                        .send()
                        .await;
                    let Ok(resp) = resp else { return i };
                    let Ok(body) = resp.json::<Value>().await else {
                        return i;
                    };
                    let Some(acks) = body["acks"].as_array() else {
                        return i;
                    };
                    acked.lock().unwrap().extend(
                        acks.iter()
                            .map(|a| a["change_hash"].as_str().unwrap().to_owned()),
                    );
                    i += 20;
                }
            })
        };
        tokio::time::sleep(Duration::from_millis(rand::rng().random_range(40..200))).await;
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        next = pusher.await.unwrap();
        assert!(round < 20);
    }
    let server = spawn(&db, None);
    client.url = server.url.clone();
    let records = all_records(&client, &space).await;
    let mut acked = acked.lock().unwrap().clone();
    acked.sort();
    acked.dedup();
    assert!(
        acked.len() > 100,
        "only {} records acknowledged over 20 rounds",
        acked.len()
    );
    check_exactly_once(&records, &acked);
    eprintln!(
        "{} acknowledged, {} stored after 20 SIGKILLs",
        acked.len(),
        records.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_over_one_postgres_keep_seq_unique_and_gap_free() {
    let Ok(admin) = std::env::var("TANDEM_TEST_POSTGRES") else {
        assert!(
            std::env::var("TANDEM_REQUIRE_POSTGRES").is_err(),
            "TANDEM_TEST_POSTGRES is not set"
        );
        eprintln!("skipping PostgreSQL: TANDEM_TEST_POSTGRES is not set");
        return;
    };
    let (pg, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let name = format!("tandem_{}", tandem_sync_server::secret::new_id());
    pg.batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let (a, b) = (spawn(&url, None), spawn(&url, None));
    let owner = Client::register(&a.url).await;
    let space = owner.create_space().await;
    let mut tasks = Vec::new();
    for t in 0..8usize {
        let mut c = owner.clone();
        c.url = if t % 2 == 0 {
            a.url.clone()
        } else {
            b.url.clone()
        };
        let space = space.clone();
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for k in 0..10 {
                let batch: Vec<_> = (0..25)
                    .map(|j| record(&space, "d", t * 10_000 + k * 100 + j, 300))
                    .collect();
                let resp: Value = c
                    .post_ok("/v1/sync/push", &json!({ "records": batch }))
                    .await;
                acked.extend(
                    resp["acks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x["change_hash"].as_str().unwrap().to_owned()),
                );
            }
            acked
        }));
    }
    let mut acked = Vec::new();
    for t in tasks {
        acked.extend(t.await.unwrap());
    }
    assert_eq!(acked.len(), 2000);
    let records = all_records(&owner, &space).await;
    assert_eq!(records.len(), 2000);
    check_exactly_once(&records, &acked);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_tokens_and_secrets_never_reach_the_servers_disk_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("sync.db");
    let log = dir.path().join("server.log");
    let mut server = spawn(&format!("sqlite:{}", db_path.display()), Some(&log));
    let mentee = Client::register(&server.url).await;
    let mentor = Client::register(&server.url).await;
    let (space, secret) = pair(&mentee, &mentor).await;

    // The devices seal distinctive plaintext with the space key the server never sees.
    let key = XChaCha20Poly1305::generate_key(&mut chacha20poly1305::aead::OsRng);
    let cipher = XChaCha20Poly1305::new(&key);
    let canaries: Vec<String> = (0..5)
        .map(|i| {
            format!(
                "CANARY-craving-{i}-vodka-after-payday-{}",
                tandem_sync_server::secret::new_id()
            )
        })
        .collect();
    let mut records = Vec::new();
    for (i, text) in canaries.iter().enumerate() {
        let nonce_bytes: [u8; 24] = rand::rng().random();
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce_bytes), text.as_bytes())
            .unwrap();
        let mut r = record(&space, "journal", i, 1);
        r.nonce = b64(&nonce_bytes);
        r.ciphertext = b64(&sealed);
        records.push(r);
    }
    let _: Value = mentee
        .post_ok("/v1/sync/push", &json!({ "records": records }))
        .await;
    let page: Value = mentor
        .post_ok(
            "/v1/sync/pull",
            &json!({ "cursors": [{ "space_id": space, "after": 0 }] }),
        )
        .await;
    // The mentor, holding the key, reads it back.
    let first = &page["spaces"][0]["records"][0];
    let nonce = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        first["nonce"].as_str().unwrap(),
    )
    .unwrap();
    let ct = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        first["ciphertext"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(
        cipher
            .decrypt(XNonce::from_slice(&nonce), ct.as_slice())
            .unwrap(),
        canaries[0].as_bytes()
    );

    // Stop gracefully (SIGTERM), then read every byte the server wrote.
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    server.child.wait().unwrap();
    let mut written = Vec::new();
    for name in ["sync.db", "sync.db-wal", "sync.db-shm", "server.log"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
            written.push((name, bytes));
        }
    }
    assert!(
        written
            .iter()
            .any(|(n, b)| *n == "server.log" && !b.is_empty()),
        "the server logged nothing to check"
    );
    for (name, bytes) in &written {
        for canary in &canaries {
            assert!(
                !contains(bytes, canary.as_bytes()),
                "plaintext found in {name}"
            );
            assert!(!contains(bytes, b"CANARY"), "plaintext found in {name}");
        }
        for s in [&mentee.token, &mentor.token, &secret] {
            assert!(
                !contains(bytes, s.as_bytes()),
                "a token or invite secret found in {name}"
            );
        }
    }
}

/// The environment the running server process has.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn environment_of(p: &Proc) -> Vec<String> {
    std::fs::read(format!("/proc/{}/environ", p.child.id()))
        .unwrap()
        .split(|b| *b == 0)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_server_runs_with_two_malloc_arenas_unless_told_otherwise() {
    // The test's own environment must not decide the outcome.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("sync.db").display());
    let run = |arenas: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem-sync-server"));
        cmd.args(["--listen", "127.0.0.1:0", "--db", &db])
            .env_remove("MALLOC_ARENA_MAX")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(n) = arenas {
            cmd.env("MALLOC_ARENA_MAX", n);
        }
        // The process that listens is the one started (restarted in place).
        let p = start(cmd);
        environment_of(&p)
    };
    assert!(run(None).contains(&"MALLOC_ARENA_MAX=2".to_owned()));
    let chosen = run(Some("4"));
    assert!(chosen.contains(&"MALLOC_ARENA_MAX=4".to_owned()));
    assert!(!chosen.contains(&"MALLOC_ARENA_MAX=2".to_owned()));
}
