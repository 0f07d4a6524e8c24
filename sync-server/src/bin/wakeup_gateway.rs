//! `tandem-wakeup-gateway`: turns the relay's Web Push wake-ups into FCM
//! or APNs messages for phones that can be woken no other way. See
//! `tandem_sync_server::gateway` and docs/shells.md.
//!
//! ```text
//! tandem-wakeup-gateway --public-url https://push.example.org --seal-key /var/lib/tandem/gateway.key \
//!   --relay-vapid <the relay's GET /v1/wakeup/vapid public_key> \
//!   --fcm-service-account firebase.json \
//!   --apns-key AuthKey_ABC123.p8 --apns-key-id ABC123 --apns-team-id TEAM123 --apns-topic org.example.tandem
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Parser;
use rand::RngCore;
use tandem_sync_server::gateway::{self, Config, Gateway, apns::Apns, fcm::Fcm, seal::SealKey};

/// Gateway options.
#[derive(Debug, Parser)]
#[command(name = "tandem-wakeup-gateway", version, about)]
struct Args {
    /// Address to listen on (put TLS in front, or a reverse proxy).
    #[arg(long, default_value = "127.0.0.1:8790", env = "TANDEM_GATEWAY_LISTEN")]
    listen: String,
    /// Address of a separate listener for `/metrics` (counts of pushes show
    /// when pairs are active: keep it off the public address).
    #[arg(long, env = "TANDEM_GATEWAY_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// The URL the relay reaches this gateway at; endpoints start with it.
    #[arg(long, env = "TANDEM_GATEWAY_PUBLIC_URL")]
    public_url: url::Url,
    /// File holding the key provider tokens are sealed under (64 hex
    /// digits); made, readable by the owner only, when absent. Losing it
    /// voids every endpoint handed out: phones register again.
    #[arg(long, env = "TANDEM_GATEWAY_SEAL_KEY")]
    seal_key: PathBuf,
    /// A relay's VAPID public key (its `GET /v1/wakeup/vapid`), allowed to
    /// push; repeat for several relays.
    #[arg(
        long = "relay-vapid",
        value_delimiter = ',',
        env = "TANDEM_GATEWAY_RELAY_VAPID"
    )]
    relay_vapid: Vec<String>,
    /// Accept pushes from any relay (anyone holding an endpoint can then
    /// wake its phone); without it, `--relay-vapid` is required.
    #[arg(long)]
    any_relay: bool,
    /// A Firebase service account key file (JSON): enables FCM.
    #[arg(long, env = "TANDEM_GATEWAY_FCM_SERVICE_ACCOUNT")]
    fcm_service_account: Option<PathBuf>,
    /// Where FCM requests go.
    #[arg(long, default_value = "https://fcm.googleapis.com")]
    fcm_url: String,
    /// An APNs auth key (`.p8`): enables APNs, with the three options after it.
    #[arg(long, env = "TANDEM_GATEWAY_APNS_KEY", requires_all = ["apns_key_id", "apns_team_id", "apns_topic"])]
    apns_key: Option<PathBuf>,
    /// The APNs key's id.
    #[arg(long, env = "TANDEM_GATEWAY_APNS_KEY_ID")]
    apns_key_id: Option<String>,
    /// The Apple developer team id.
    #[arg(long, env = "TANDEM_GATEWAY_APNS_TEAM_ID")]
    apns_team_id: Option<String>,
    /// The app's bundle id.
    #[arg(long, env = "TANDEM_GATEWAY_APNS_TOPIC")]
    apns_topic: Option<String>,
    /// Where APNs requests go (`https://api.sandbox.push.apple.com` for
    /// development builds).
    #[arg(long, default_value = "https://api.push.apple.com")]
    apns_url: String,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandem-wakeup-gateway: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    if args.relay_vapid.is_empty() && !args.any_relay {
        return Err(
            "name the relays allowed to push (--relay-vapid KEY), or pass --any-relay".into(),
        );
    }
    https_or_loopback("--public-url", args.public_url.as_str())?;
    https_or_loopback("--fcm-url", &args.fcm_url)?;
    https_or_loopback("--apns-url", &args.apns_url)?;
    if let Some(bad) = args
        .relay_vapid
        .iter()
        .find(|k| gateway::relay_key(k).is_none())
    {
        return Err(format!(
            "--relay-vapid {bad:?} is not a VAPID public key (base64url)"
        ));
    }
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let fcm = match &args.fcm_service_account {
        Some(path) => Some(Fcm::from_service_account(&read(path)?, &args.fcm_url)?),
        None => None,
    };
    let apns = match &args.apns_key {
        Some(path) => Some(Apns::new(
            &read(path)?,
            args.apns_key_id.as_deref().unwrap_or_default(),
            args.apns_team_id.as_deref().unwrap_or_default(),
            args.apns_topic.as_deref().unwrap_or_default(),
            &args.apns_url,
        )?),
        None => None,
    };
    if fcm.is_none() && apns.is_none() {
        return Err("configure FCM (--fcm-service-account) or APNs (--apns-key …), or both".into());
    }
    let config = Config {
        public_url: args.public_url,
        seal: seal_key(&args.seal_key)?,
        relays: args.relay_vapid,
        fcm,
        apns,
    };
    let gateway = Arc::new(Gateway::new(config, gateway::client()?));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on http://{addr}");
        if let Some(at) = &args.metrics_listen {
            let metrics = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| format!("cannot listen on {at}: {e}"))?;
            println!(
                "metrics on http://{}/metrics",
                metrics.local_addr().map_err(|e| e.to_string())?
            );
            let app = gateway::metrics_router(gateway.clone());
            tokio::spawn(async move { axum::serve(metrics, app).await });
        }
        let _ = std::io::stdout().flush();
        gateway::serve(listener, gateway)
            .await
            .map_err(|e| e.to_string())
    })
}

/// Credentials and pushes travel only over TLS, except to this machine
/// (tests, or a proxy beside the gateway).
fn https_or_loopback(flag: &str, url: &str) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|_| format!("{flag} is not a URL"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => return Err(format!("{flag} has no host")),
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!(
            "{flag} must be https:// (http:// only for this machine)"
        )),
    }
}

/// Reads the sealing key, or makes it (owner-only) when the file is absent.
fn seal_key(path: &Path) -> Result<SealKey, String> {
    let shown = path.display();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim()).map_err(|_| format!("{shown}: not hex"))?;
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| format!("{shown}: a sealing key is 32 bytes (64 hex digits)"))?;
            Ok(SealKey::from_bytes(&bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(|e| format!("{shown}: {e}"))?;
            file.write_all(hex::encode(bytes).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("{shown}: {e}"))?;
            Ok(SealKey::from_bytes(&bytes))
        }
        Err(e) => Err(format!("{shown}: {e}")),
    }
}
