//! Tandem's sync server: relays and stores end-to-end encrypted records of a
//! pair's or a person's spaces. It never holds a key and never sees plaintext.
//!
//! [`api::router`] builds the whole HTTP API; [`serve`] runs it with graceful
//! shutdown. Storage is behind [`storage::Storage`], with SQLite and
//! PostgreSQL implementations.

pub mod api;
pub mod config;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
pub mod last_seen;
pub mod limits;
pub mod metrics;
pub mod rate_limit;
pub mod secret;
pub mod storage;
pub mod wakeup;

use std::net::SocketAddr;
use std::sync::Arc;

use storage::{Storage, StorageError};

/// Opens the storage named by a `--db` value: `sqlite:PATH` or `postgres://…`.
pub async fn open_storage(db: &str, pool_size: usize) -> Result<Arc<dyn Storage>, StorageError> {
    if let Some(path) = db.strip_prefix("sqlite:") {
        Ok(Arc::new(storage::sqlite::SqliteStorage::open(
            std::path::Path::new(path),
        )?))
    } else if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Arc::new(
            storage::postgres::PostgresStorage::connect(db, pool_size).await?,
        ))
    } else {
        Err(StorageError::Database(format!(
            "--db must be sqlite:PATH or postgres://…, not {db:?}"
        )))
    }
}

/// Runs a server over the storage `db` (`sqlite:PATH` or `postgres://…`)
/// on `addr`, with default limits, in this thread until the process ends;
/// `ready` is told the bound address once connections are accepted. For
/// tests, benchmarks and tools that need a real server on loopback.
pub fn run_blocking(
    db: &str,
    addr: &str,
    ready: impl FnOnce(SocketAddr) + Send + 'static,
) -> std::io::Result<()> {
    run_blocking_with(db, addr, wakeup::Settings::default(), ready)
}

/// [`run_blocking`] with wake-ups as `wakeups` says (a test that reaches a
/// receiver on loopback allows loopback endpoints, say).
pub fn run_blocking_with(
    db: &str,
    addr: &str,
    wakeups: wakeup::Settings,
    ready: impl FnOnce(SocketAddr) + Send + 'static,
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let storage = open_storage(db, 2)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        let state = api::AppState::with_wakeups(storage, limits::Limits::default(), wakeups);
        serve(listener, state).await
    })
}

/// Starts a server over SQLite at `db_path` on a free loopback port in a
/// thread of this process, and returns its URL once it accepts connections.
pub fn spawn_local(db_path: &std::path::Path) -> std::io::Result<String> {
    spawn_local_with(db_path, wakeup::Settings::default())
}

/// [`spawn_local`] with wake-ups as `wakeups` says.
pub fn spawn_local_with(
    db_path: &std::path::Path,
    wakeups: wakeup::Settings,
) -> std::io::Result<String> {
    let db = format!("sqlite:{}", db_path.display());
    let (tx, rx) = std::sync::mpsc::channel();
    let failed = tx.clone();
    std::thread::spawn(move || {
        if let Err(e) = run_blocking_with(&db, "127.0.0.1:0", wakeups, move |addr| {
            let _ = tx.send(Ok(format!("http://{addr}")));
        }) {
            let _ = failed.send(Err(e));
        }
    });
    rx.recv()
        .map_err(|_| std::io::Error::other("the server thread ended before listening"))?
}

/// [`spawn_local`] over HTTPS, with the certificate chain and key in the
/// PEM files given: returns `https://127.0.0.1:PORT` once it accepts
/// connections. For tests of the clients' certificate checks.
pub fn spawn_local_tls(
    db_path: &std::path::Path,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> std::io::Result<String> {
    let acceptor = tls_acceptor(cert, key)?;
    let db = format!("sqlite:{}", db_path.display());
    let (tx, rx) = std::sync::mpsc::channel();
    let failed = tx.clone();
    std::thread::spawn(move || {
        let run = move || -> std::io::Result<()> {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            rt.block_on(async move {
                let storage = open_storage(&db, 2)
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                let _ = tx.send(Ok(format!("https://{}", listener.local_addr()?)));
                let state = api::AppState::with_wakeups(
                    storage,
                    limits::Limits::default(),
                    wakeup::Settings::default(),
                );
                serve_with(listener, api::router(state), Some(acceptor)).await
            })
        };
        if let Err(e) = run() {
            let _ = failed.send(Err(e));
        }
    });
    rx.recv()
        .map_err(|_| std::io::Error::other("the server thread ended before listening"))?
}

/// Largest read buffer of one connection. A connection keeps its buffer
/// between requests, and hyper's default (~400 KiB) let 500 idle keep-alive
/// connections hold 10 MiB after pushes of 50 KiB bodies; larger bodies
/// simply take several reads.
const READ_BUFFER_BYTES: usize = 16 * 1024;

/// TLS handshakes run at once (each costs a signature): a flood of new
/// connections cannot take every core from the requests in flight.
const TLS_HANDSHAKES_AT_ONCE: usize = 64;

/// How long a client has to finish the TLS handshake.
const TLS_HANDSHAKE: std::time::Duration = std::time::Duration::from_secs(10);

/// A TLS acceptor for built-in HTTPS from a certificate chain and its
/// private key, both PEM files. HTTP/1.1 only, TLS 1.2 and 1.3, ring.
pub fn tls_acceptor(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};

    let bad = |what: &str, path: &std::path::Path, e: &dyn std::fmt::Display| {
        std::io::Error::other(format!("{what} {}: {e}", path.display()))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("cannot read the certificate", cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("cannot read the certificate", cert, &e))?;
    if chain.is_empty() {
        return Err(bad("no certificate in", cert, &"empty"));
    }
    let key_der =
        PrivateKeyDer::from_pem_file(key).map_err(|e| bad("cannot read the key", key, &e))?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| bad("the key does not fit the certificate", cert, &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)))
}

/// Serves `state` on `listener` until SIGINT or SIGTERM, then finishes the
/// requests in flight and returns.
pub async fn serve(listener: tokio::net::TcpListener, state: api::Shared) -> std::io::Result<()> {
    serve_with(listener, api::router(state), None).await
}

/// Serves `app` on `listener`, over TLS when `tls` is given, until SIGINT
/// or SIGTERM, then finishes the requests in flight and returns.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let mut http = hyper::server::conn::http1::Builder::new();
    http.max_buf_size(READ_BUFFER_BYTES)
        .timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let handshakes = std::sync::Arc::new(tokio::sync::Semaphore::new(TLS_HANDSHAKES_AT_ONCE));
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, say: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers and streamed pull chunks go out at once, not after the
        // peer's delayed ACK.
        let _ = stream.set_nodelay(true);
        let service =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req.map(axum::body::Body::new)
                });
        let service = hyper_util::service::TowerToHyperService::new(service);
        let Some(tls) = tls.clone() else {
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
            continue;
        };
        // The handshake runs in the connection's own task: a slow client
        // never holds up the next accept.
        let watcher = graceful.watcher();
        let http = http.clone();
        let handshakes = handshakes.clone();
        tokio::spawn(async move {
            // At most TLS_HANDSHAKES_AT_ONCE handshakes take CPU at once; a
            // connection waiting for a turn spends its handshake time.
            let handshake = async {
                let _turn = handshakes.acquire().await;
                tls.accept(stream).await
            };
            let stream = match tokio::time::timeout(TLS_HANDSHAKE, handshake).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!("TLS handshake timed out");
                    return;
                }
            };
            let connection = watcher.watch(http.serve_connection(TokioIo::new(stream), service));
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
