//! Tandem's sync server: relays and stores end-to-end encrypted records of a
//! pair's or a person's spaces. It never holds a key and never sees plaintext.
//!
//! [`api::router`] builds the whole HTTP API; [`serve`] runs it with graceful
//! shutdown. Storage is behind [`storage::Storage`], with SQLite and
//! PostgreSQL implementations.

pub mod api;
pub mod config;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod rate_limit;
pub mod secret;
pub mod storage;

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

/// Serves `state` on `listener` until SIGINT or SIGTERM, then finishes the
/// requests in flight and returns.
pub async fn serve(listener: tokio::net::TcpListener, state: api::Shared) -> std::io::Result<()> {
    let app = api::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
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
