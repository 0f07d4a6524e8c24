//! The released binary serving HTTPS itself (`--tls-cert`, `--tls-key`)
//! and its metrics on a listener of their own (`--metrics-listen`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Starts the server with `args`; returns it and the lines it printed
/// first (its address, then the metrics address when asked for).
fn start(dir: &std::path::Path, args: &[&str], lines: usize) -> (Proc, Vec<String>) {
    let db = format!("sqlite:{}", dir.join("s.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem-sync-server"))
        .args(["--listen", "127.0.0.1:0", "--db", &db])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    for _ in 0..lines {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        printed.push(line.trim().to_owned());
    }
    (Proc(child), printed)
}

/// One `GET path` over `stream`; the whole answer as text.
async fn get<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    path: &str,
) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn tls_client() -> tokio_rustls::TlsConnector {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(fixture("localhost.crt")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn the_server_speaks_https_itself_and_keeps_metrics_apart() {
    let dir = tempfile::tempdir().unwrap();
    let cert = fixture("localhost.crt");
    let key = fixture("localhost.key");
    let (_server, printed) = start(
        dir.path(),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--metrics-listen",
            "127.0.0.1:0",
        ],
        2,
    );
    let addr = printed[0]
        .strip_prefix("listening on https://")
        .unwrap_or_else(|| panic!("{printed:?}"))
        .to_owned();
    let metrics = printed[1]
        .strip_prefix("metrics on http://")
        .and_then(|m| m.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("{printed:?}"))
        .to_owned();

    // HTTPS, verified against the certificate, for the name in it.
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let tls = tls_client().connect(name.clone(), tcp).await.unwrap();
    let answer = get(tls, "/healthz").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");

    // Plain HTTP to the HTTPS port gets no answer.
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let answer = get(tcp, "/healthz").await;
    assert!(!answer.contains("200"), "{answer}");

    // The metrics are on their own listener, and not on the public one.
    let tcp = tokio::net::TcpStream::connect(&metrics).await.unwrap();
    let answer = get(tcp, "/metrics").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("tandem_requests_total"), "{answer}");
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let tls = tls_client().connect(name, tcp).await.unwrap();
    let answer = get(tls, "/metrics").await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

#[test]
fn a_key_that_is_not_a_key_stops_the_server_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_key = dir.path().join("nothing.key");
    std::fs::write(&not_a_key, "not a key").unwrap();
    let db = format!("sqlite:{}", dir.path().join("s.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_tandem-sync-server"))
        .args(["--listen", "127.0.0.1:0", "--db", &db, "--tls-cert"])
        .arg(fixture("localhost.crt"))
        .arg("--tls-key")
        .arg(&not_a_key)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot serve HTTPS"), "{err}");
    assert!(err.contains("nothing.key"), "{err}");
    // One flag without the other is refused before anything starts.
    let out = Command::new(env!("CARGO_BIN_EXE_tandem-sync-server"))
        .args(["--db", &db, "--tls-cert"])
        .arg(fixture("localhost.crt"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}
