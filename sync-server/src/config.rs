//! Configuration by flags and environment.

use clap::Parser;

use crate::limits::Limits;

/// `tandem-sync-server`: the end-to-end encrypted relay for Tandem's spaces.
#[derive(Debug, Parser)]
#[command(name = "tandem-sync-server", version, about)]
pub struct Config {
    /// Address to listen on (port 0 picks a free one; the chosen address is printed).
    #[arg(long, env = "TANDEM_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// Storage: `sqlite:PATH` (embedded default) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "TANDEM_DB", default_value = "sqlite:tandem-sync.db")]
    pub db: String,
    /// Connections in the PostgreSQL pool.
    #[arg(long, env = "TANDEM_DB_POOL", default_value_t = 16)]
    pub db_pool: usize,
    /// Serve HTTPS with this certificate chain (PEM); needs `--tls-key`.
    /// Without it the server speaks plain HTTP, for a reverse proxy in front.
    #[arg(long, env = "TANDEM_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(long, env = "TANDEM_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Serve `/metrics` on this address only (say, a loopback or private
    /// one), and not on `--listen`.
    #[arg(long, env = "TANDEM_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Log lines as JSON instead of text.
    #[arg(long, env = "TANDEM_LOG_JSON")]
    pub log_json: bool,
    /// Request bounds.
    #[command(flatten)]
    pub limits: Limits,
    /// Wake-ups (Web Push).
    #[command(flatten)]
    pub wakeups: crate::wakeup::WakeupArgs,
}
