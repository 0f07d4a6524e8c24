//! The `tandem-sync-server` binary.

use clap::Parser;
use tandem_sync_server::config::Config;
use tandem_sync_server::{api, open_storage, serve_with, tls_acceptor};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    small_malloc_arenas();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Starts the process over with `MALLOC_ARENA_MAX=2` unless the variable is
/// set (glibc reads it only at start-up). glibc gives each thread that
/// allocates its own arena, up to 8 per core, and each keeps the memory
/// freed into it: behind a slow disk the server's peak was 56–60 MiB with
/// the default and 42–51 MiB with two arenas, for 25 MiB in use.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn small_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    // `exec` returns only if it failed; then carry on as we are.
    let e = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .env("MALLOC_ARENA_MAX", "2")
        .exec();
    eprintln!("warning: could not restart with small malloc arenas: {e}");
}

async fn run() -> std::process::ExitCode {
    let config = Config::parse();
    let filter = EnvFilter::try_from_env("TANDEM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    if config.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let storage = match open_storage(&config.db, config.db_pool).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot open storage: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", config.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => match tls_acceptor(cert, key) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("error: cannot serve HTTPS: {e}");
                return std::process::ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    let wakeups = match config.wakeups.settings() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: --vapid-key: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let state = api::AppState::with_wakeups(storage, config.limits, wakeups);
    let mut metrics_at = String::new();
    if let Some(metrics_addr) = &config.metrics_listen {
        let metrics = match tokio::net::TcpListener::bind(metrics_addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen for metrics on {metrics_addr}: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        state
            .metrics_on_main
            .store(false, std::sync::atomic::Ordering::Relaxed);
        metrics_at = metrics
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let router = api::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = serve_with(metrics, router, None).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let scheme = if tls.is_some() { "https" } else { "http" };
    // The first line on stdout is the address, for scripts and tests.
    println!("listening on {scheme}://{addr}");
    tracing::info!(%addr, scheme, "listening");
    if !metrics_at.is_empty() {
        println!("metrics on http://{metrics_at}/metrics");
        tracing::info!(addr = %metrics_at, "metrics listening");
    }
    match serve_with(listener, api::router(state), tls).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
