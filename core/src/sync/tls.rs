//! Which servers the sync client trusts.
//!
//! The roots are the web PKI's (Mozilla's list, as the `webpki-root-certs`
//! crate ships it), built into the library: no platform verifier, so
//! nothing needs the JNI initialisation Android's would, and every shell
//! trusts the same set. A person whose server has a certificate from their
//! own authority (a self-hosted relay) adds that authority for that
//! server's host with [`trust_pem`]: it is trusted beside the roots for
//! that host only, by every client the process makes after, and for no
//! other server (an authority added for a home relay cannot vouch for the
//! wake-up gateway or anyone else).

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Result};

/// Authorities added with [`trust_pem`], by host, and the configurations
/// made from the roots and them (rebuilt when one is added).
struct Trust {
    extra: BTreeMap<String, Vec<CertificateDer<'static>>>,
    configs: BTreeMap<String, Arc<rustls::ClientConfig>>,
}

static TRUST: RwLock<Trust> = RwLock::new(Trust {
    extra: BTreeMap::new(),
    configs: BTreeMap::new(),
});

/// How many authorities the built-in roots hold.
pub fn web_roots() -> usize {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
}

/// The host a server URL (or a bare host name) names, as trust is kept by.
fn host_of(server: &str) -> Option<String> {
    let server = server.trim();
    let host = match reqwest::Url::parse(server) {
        Ok(url) if url.has_host() => url.host_str()?.to_owned(),
        _ => server.to_owned(),
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let well_formed = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    well_formed.then_some(host)
}

/// Trusts the certificate authorities in `pem` (one or more `CERTIFICATE`
/// blocks) for the server `server` (its URL or host name) only, for the
/// sync clients made from now on in this process; returns how many were
/// new. Text that holds no certificate, or one that cannot be a trust
/// anchor, is refused and nothing is added.
pub fn trust_pem(server: &str, pem: &str) -> Result<usize> {
    let host = host_of(server)
        .ok_or_else(|| Error::invalid("server", "expected the server's URL or host name"))?;
    let bad = || Error::invalid("certificate", "expected a CA certificate in PEM");
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| bad())?;
    if certs.is_empty() {
        return Err(bad());
    }
    let mut check = rustls::RootCertStore::empty();
    for cert in &certs {
        check.add(cert.clone()).map_err(|_| bad())?;
    }
    let mut trust = TRUST.write().unwrap_or_else(PoisonError::into_inner);
    let known = trust.extra.entry(host.clone()).or_default();
    let mut added = 0;
    for cert in certs {
        if !known.contains(&cert) {
            known.push(cert);
            added += 1;
        }
    }
    if added > 0 {
        trust.configs.remove(&host);
    }
    Ok(added)
}

/// The TLS configuration of a client for `host`: TLS 1.2 and 1.3 with
/// ring, the built-in roots and the authorities added for that host,
/// HTTP/1.1.
pub(crate) fn client_config(host: &str) -> Result<rustls::ClientConfig> {
    let host = host_of(host).unwrap_or_default();
    if let Some(config) = TRUST
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .configs
        .get(&host)
    {
        return Ok((**config).clone());
    }
    let mut trust = TRUST.write().unwrap_or_else(PoisonError::into_inner);
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    for cert in trust.extra.get(&host).into_iter().flatten() {
        // Checked when added.
        let _ = roots.add(cert.clone());
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::Network(format!("TLS setup: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let config = Arc::new(config);
    trust.configs.insert(host, config.clone());
    Ok((*config).clone())
}

/// Why a TLS connection failed, in words a person can act on, when the
/// failure was the server's certificate.
pub(crate) fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(e);
    while let Some(err) = cause {
        if let Some(rustls::Error::InvalidCertificate(why)) = err.downcast_ref::<rustls::Error>() {
            return Some(format!(
                "the server's certificate is not trusted ({why:?}); if you run your own server, add its certificate authority"
            ));
        }
        // An I/O error holds what it wraps as its payload, not its source.
        cause = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roots_are_built_in_and_junk_is_not_an_authority() {
        assert!(web_roots() > 100, "{}", web_roots());
        assert!(client_config("sync.example").is_ok());
        for junk in [
            "",
            "hello",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ] {
            assert!(
                matches!(
                    trust_pem("sync.example", junk),
                    Err(Error::Validation { .. })
                ),
                "{junk:?}"
            );
        }
        assert!(matches!(
            trust_pem("no host/..", "x"),
            Err(Error::Validation {
                field: "server",
                ..
            })
        ));
    }

    #[test]
    fn hosts_are_compared_as_the_url_names_them() {
        assert_eq!(
            host_of("https://Sync.Example:8443/x").as_deref(),
            Some("sync.example")
        );
        assert_eq!(host_of("sync.example").as_deref(), Some("sync.example"));
        assert_eq!(host_of("https://[::1]:8787").as_deref(), Some("::1"));
        assert_eq!(host_of("https://127.0.0.1:1").as_deref(), Some("127.0.0.1"));
    }
}
