//! Bounds on what one request may ask of the server (all configurable).

use clap::Args;

/// Request bounds.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest request body in bytes.
    #[arg(long, env = "TANDEM_MAX_BODY", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Most records in one push.
    #[arg(long, env = "TANDEM_MAX_RECORDS", default_value_t = 1000)]
    pub max_records_per_push: usize,
    /// Largest ciphertext of one record, in bytes.
    #[arg(long, env = "TANDEM_MAX_RECORD", default_value_t = 256 * 1024)]
    pub max_record_bytes: usize,
    /// Most records per space in one pull answer.
    #[arg(long, env = "TANDEM_MAX_PULL", default_value_t = 10_000)]
    pub max_pull: u32,
    /// Most spaces in one pull request.
    #[arg(long, env = "TANDEM_MAX_CURSORS", default_value_t = 200)]
    pub max_cursors: usize,
    /// Wrong secrets that burn an invite.
    #[arg(long, env = "TANDEM_INVITE_MAX_WRONG", default_value_t = 5)]
    pub invite_max_wrong: u32,
    /// Redeem attempts allowed per address and per account in a minute.
    #[arg(long, env = "TANDEM_REDEEM_PER_MINUTE", default_value_t = 10)]
    pub redeem_per_minute: u32,
    /// Pushes read and stored at once. Further pushes wait with their bodies
    /// unread, so a slow disk queues bytes in the kernel's socket buffers
    /// rather than in the server's memory.
    #[arg(long, env = "TANDEM_PUSHES_IN_FLIGHT", default_value_t = 64)]
    pub pushes_in_flight: usize,
    /// Seconds a push that holds a slot may take to send its body (a slow
    /// sender must not keep a slot from the others).
    #[arg(long, env = "TANDEM_BODY_SECONDS", default_value_t = 10)]
    pub body_seconds: u64,
    /// Registrations (new accounts and linked devices) allowed per client
    /// address in an hour: one address cannot fill the server with accounts.
    #[arg(long, env = "TANDEM_REGISTER_PER_HOUR", default_value_t = 30)]
    pub register_per_hour: u32,
    /// Link codes allowed per client address in an hour.
    #[arg(long, env = "TANDEM_LINK_CODES_PER_HOUR", default_value_t = 20)]
    pub link_codes_per_hour: u32,
    /// New key epochs one account may start in one space in an hour
    /// (`POST /v1/spaces/{space}/epoch`): an honest device starts one per
    /// unlink, or when a key never came; a hostile partner must not bump a
    /// pair's epoch in a loop (each bump makes the other side look for a
    /// key). Past it: 429 `rate_limited`.
    #[arg(long, env = "TANDEM_EPOCHS_PER_HOUR", default_value_t = 20)]
    pub epochs_per_hour: u32,
    /// Devices a link code may add an account up to (the recovery code
    /// always adds one): past it, registering with a link code gets 403
    /// `forbidden`.
    #[arg(long, env = "TANDEM_DEVICES_PER_ACCOUNT", default_value_t = 50)]
    pub devices_per_account: u32,
    /// Spaces one account may own (its private space and one per invite
    /// it made): past it, `POST /v1/spaces` gets 413 `quota_exceeded`, so
    /// one account cannot fill the server with spaces.
    #[arg(long, env = "TANDEM_SPACES_PER_ACCOUNT", default_value_t = 500)]
    pub spaces_per_account: u32,
    /// Snapshots one space may hold (documents and key envelopes; a
    /// replaced snapshot does not count): past it, a new document's
    /// snapshot gets 413 `quota_exceeded`.
    #[arg(long, env = "TANDEM_SNAPSHOTS_PER_SPACE", default_value_t = 10_000)]
    pub snapshots_per_space: u32,
    /// A reverse proxy in front of the server, as a CIDR (repeatable, or
    /// comma-separated): for connections from it, the client's address
    /// (what the per-address limits count) is read from
    /// `X-Forwarded-For`. Without it, that header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "TANDEM_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 4 * 1024 * 1024,
            max_records_per_push: 1000,
            max_record_bytes: 256 * 1024,
            max_pull: 10_000,
            max_cursors: 200,
            invite_max_wrong: 5,
            redeem_per_minute: 10,
            pushes_in_flight: 64,
            body_seconds: 10,
            register_per_hour: 30,
            link_codes_per_hour: 20,
            epochs_per_hour: 20,
            snapshots_per_space: 10_000,
            devices_per_account: 50,
            spaces_per_account: 500,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Default lifetime of an invite, in hours.
pub const INVITE_TTL_HOURS: u32 = 72;
/// Longest lifetime a device may ask for, in hours.
pub const INVITE_TTL_MAX_HOURS: u32 = 168;
/// Lifetime of a device link code, in minutes.
pub const LINK_CODE_MINUTES: i64 = 15;
