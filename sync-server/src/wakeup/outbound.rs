//! Requests the server makes to addresses a device named: only to public
//! addresses, over `https://`, checked after DNS resolution, and connected
//! to exactly the addresses that were checked.
//!
//! A subscription's endpoint is checked when a device registers it
//! ([`check_endpoint`], which also resolves its host) and again at every
//! send: an IP literal is checked before the request, and a host name is
//! resolved by the client's own resolver ([`CheckedResolver`]), which hands
//! the connector only the addresses that pass. No second resolution can
//! swap in another address between the check and the connection. The
//! client follows no redirects, uses no proxy, and has timeouts.
//!
//! `--allow-loopback-wakeups` (tests only) additionally admits loopback
//! addresses, over `http://` too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

/// Longest endpoint URL accepted.
pub const ENDPOINT_MAX: usize = 2048;

/// How long resolving a host may take.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Which addresses outbound requests may go to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Also loopback addresses, and `http://` to them (tests only).
    pub allow_loopback: bool,
}

/// Why an endpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a URL, or longer than [`ENDPOINT_MAX`].
    #[error("the endpoint is not a URL of at most {ENDPOINT_MAX} bytes")]
    NotUrl,
    /// Neither `https://` nor (with loopback allowed) `http://` to loopback.
    #[error("the endpoint must be an https:// URL")]
    Scheme,
    /// User name or password in the URL.
    #[error("the endpoint must not carry a user name or password")]
    Credentials,
    /// No host.
    #[error("the endpoint has no host")]
    NoHost,
    /// The host is, or resolves to, an address that is not public.
    #[error(
        "the endpoint's address {0} is not public (loopback, private, link-local, unique-local, shared or reserved)"
    )]
    NotPublic(IpAddr),
    /// The host does not resolve (in time).
    #[error("the endpoint's host does not resolve")]
    Unresolved,
}

impl Policy {
    /// Whether a request may go to `ip`.
    pub fn admits(&self, ip: IpAddr) -> bool {
        is_public(ip) || (self.allow_loopback && is_loopback(ip))
    }

    /// Checks an endpoint's form and, for an IP literal, its address; a
    /// host name is left to resolution ([`Policy::resolve`] or the client's
    /// [`CheckedResolver`]). Returns the parsed URL.
    pub fn check_url(&self, endpoint: &str) -> Result<Url, Refusal> {
        if endpoint.len() > ENDPOINT_MAX {
            return Err(Refusal::NotUrl);
        }
        let url = Url::parse(endpoint).map_err(|_| Refusal::NotUrl)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Credentials);
        }
        let literal = match url.host() {
            None => return Err(Refusal::NoHost),
            Some(url::Host::Domain("")) => return Err(Refusal::NoHost),
            Some(url::Host::Domain(_)) => None,
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        };
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback && literal.is_some_and(is_loopback) => {}
            _ => return Err(Refusal::Scheme),
        }
        if let Some(ip) = literal
            && !self.admits(ip)
        {
            return Err(Refusal::NotPublic(ip));
        }
        Ok(url)
    }

    /// Resolves `host` and keeps the addresses this policy admits; fails if
    /// it resolves to none, naming a refused one. With `strict` any refused
    /// address fails the whole host (as a registration does).
    pub async fn resolve(&self, host: &str, strict: bool) -> Result<Vec<SocketAddr>, Refusal> {
        let found = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, 0)))
            .await
            .map_err(|_| Refusal::Unresolved)?
            .map_err(|_| Refusal::Unresolved)?;
        let mut admitted = Vec::new();
        let mut refused = None;
        for addr in found {
            if self.admits(addr.ip()) {
                admitted.push(addr);
            } else {
                refused.get_or_insert(addr.ip());
            }
        }
        match refused {
            Some(ip) if strict || admitted.is_empty() => Err(Refusal::NotPublic(ip)),
            _ if admitted.is_empty() => Err(Refusal::Unresolved),
            _ => Ok(admitted),
        }
    }
}

/// Checks an endpoint a device registers: its form, and every address its
/// host resolves to.
pub async fn check_endpoint(policy: Policy, endpoint: &str) -> Result<Url, Refusal> {
    let url = policy.check_url(endpoint)?;
    if let Some(url::Host::Domain(host)) = url.host() {
        policy.resolve(host, true).await?;
    }
    Ok(url)
}

/// The client's resolver: resolves a host and hands the connector only the
/// addresses the policy admits, so the connection goes to a checked one.
#[derive(Debug, Clone)]
pub struct CheckedResolver {
    policy: Policy,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match policy.resolve(&host, false).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                Err(refusal) => Err(Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

/// The [`Refusal`] somewhere in `error`'s chain of causes, if any: a send
/// that the resolver refused.
pub fn refusal_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refusal> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(r) = e.downcast_ref::<Refusal>() {
            return Some(r);
        }
        cause = e.source();
    }
    None
}

/// The HTTP client for outbound requests: rustls with ring and the
/// system's roots (none if the system has none: https then fails),
/// HTTP/1.1, no redirects, no proxy, timeouts, and the [`CheckedResolver`].
pub fn client(policy: Policy) -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let mut tls = match rustls_platform_verifier::Verifier::new(provider) {
        Ok(verifier) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier)),
        Err(e) => {
            // No roots, no trusted https: every https send then fails
            // (counted), and nothing is sent to a server it cannot verify.
            tracing::error!(error = %e, "no certificate roots: wake-ups over https will fail");
            builder.with_root_certificates(rustls::RootCertStore::empty())
        }
    }
    .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .dns_resolver(CheckedResolver { policy })
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(8)
        .build()
        .map_err(|e| e.to_string())
}

/// Whether `ip` is a public unicast address: none of loopback, private
/// (RFC 1918), shared (CGNAT, RFC 6598), link-local, unique-local,
/// unspecified, multicast, broadcast, documentation, benchmarking or
/// otherwise reserved ranges. An IPv6 address that carries an IPv4 one
/// (mapped, NAT64's well-known prefix, 6to4) is judged by that address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    const NOT_PUBLIC: [([u8; 4], u32); 15] = [
        ([0, 0, 0, 0], 8),       // "this network", unspecified
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link-local
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation
        ([192, 88, 99, 0], 24),  // 6to4 relay anycast
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation
        ([203, 0, 113, 0], 24),  // documentation
        ([224, 0, 0, 0], 4),     // multicast
        ([240, 0, 0, 0], 4),     // reserved, and broadcast
    ];
    !NOT_PUBLIC.iter().any(|&(net, bits)| in_v4(ip, net, bits))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64).
    if s[..5] == [0, 0, 0, 0, 0] && s[5] == 0xffff || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(s[6], s[7]));
    }
    // 6to4: 2002:aabb:ccdd::/48 carries a.b.c.d.
    if s[0] == 0x2002 {
        return is_public_v4(embedded_v4(s[1], s[2]));
    }
    // Only global unicast (2000::/3) is public: that leaves out ::, ::1,
    // IPv4-compatible, discard-only (100::/64), unique-local (fc00::/7),
    // link-local (fe80::/10), site-local and multicast (ff00::/8).
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    let not_public = [
        (s[0] == 0x2001 && s[1] < 0x0200), // IETF protocol assignments, Teredo
        (s[0] == 0x2001 && s[1] == 0x0db8), // documentation
        (s[0] & 0xfff0 == 0x3ff0),         // documentation (3fff::/20)
    ];
    !not_public.iter().any(|&b| b)
}

/// Whether `ip` is a loopback address (also as IPv4-mapped IPv6).
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_public_unicast_addresses_are_public() {
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200a",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
        for not_public in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.0.9",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.1.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:db8::1",
            "2002:a00:1::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!is_public(ip(not_public)), "{not_public}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_resolution() {
        let strict = Policy::default();
        let loopback = Policy {
            allow_loopback: true,
        };
        assert!(strict.check_url("https://push.example.org/x").is_ok());
        assert!(strict.check_url("https://8.8.8.8/x").is_ok());
        assert_eq!(
            strict.check_url("http://push.example.org/x"),
            Err(Refusal::Scheme)
        );
        assert_eq!(strict.check_url("ftp://8.8.8.8/"), Err(Refusal::Scheme));
        assert_eq!(strict.check_url("not a url"), Err(Refusal::NotUrl));
        assert_eq!(
            strict.check_url(&format!("https://a.example/{}", "x".repeat(ENDPOINT_MAX))),
            Err(Refusal::NotUrl)
        );
        assert_eq!(
            strict.check_url("https://user:pw@push.example.org/"),
            Err(Refusal::Credentials)
        );
        for refused in [
            "https://127.0.0.1/",
            "https://10.0.0.1/",
            "https://169.254.169.254/latest",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://2130706433/",
        ] {
            assert!(
                matches!(strict.check_url(refused), Err(Refusal::NotPublic(_))),
                "{refused}"
            );
        }
        assert_eq!(
            strict.check_url("http://127.0.0.1:9/"),
            Err(Refusal::Scheme)
        );
        assert!(loopback.check_url("http://127.0.0.1:9/").is_ok());
        assert!(loopback.check_url("https://[::1]:9/").is_ok());
        assert_eq!(
            loopback.check_url("http://8.8.8.8/"),
            Err(Refusal::Scheme),
            "plain HTTP only to loopback"
        );
        assert!(matches!(
            loopback.check_url("https://10.0.0.1/"),
            Err(Refusal::NotPublic(_))
        ));
    }

    #[test]
    fn the_client_builds_with_its_own_tls() {
        client(Policy::default()).unwrap();
    }

    #[tokio::test]
    async fn names_are_checked_after_resolution() {
        let strict = Policy::default();
        assert!(matches!(
            check_endpoint(strict, "https://localhost:9/").await,
            Err(Refusal::NotPublic(_)) | Err(Refusal::Unresolved)
        ));
        let loopback = Policy {
            allow_loopback: true,
        };
        assert!(strict.resolve("localhost", false).await.is_err());
        if let Ok(addrs) = loopback.resolve("localhost", false).await {
            assert!(addrs.iter().all(|a| a.ip().is_loopback()));
        }
    }
}
