//! Which servers the sync client trusts.
//!
//! The roots are the web PKI's (Mozilla's list, as the `webpki-root-certs`
//! crate ships it), built into the library: no platform verifier, so
//! nothing needs the JNI initialisation Android's would, and every shell
//! trusts the same set. A person whose server has a certificate from their
//! own authority (a self-hosted relay) adds that authority with
//! [`trust_pem`]; it is trusted beside the roots, by every client the
//! process makes after.

use std::sync::{Arc, PoisonError, RwLock};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Result};

/// Authorities added with [`trust_pem`], and the configuration made from
/// the roots and them (rebuilt when one is added).
struct Trust {
    extra: Vec<CertificateDer<'static>>,
    config: Option<Arc<rustls::ClientConfig>>,
}

static TRUST: RwLock<Trust> = RwLock::new(Trust {
    extra: Vec::new(),
    config: None,
});

/// How many authorities the built-in roots hold.
pub fn web_roots() -> usize {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
}

/// Trusts the certificate authorities in `pem` (one or more `CERTIFICATE`
/// blocks) for the sync clients made from now on in this process; returns
/// how many were new. Text that holds no certificate, or one that cannot
/// be a trust anchor, is refused and nothing is added.
pub fn trust_pem(pem: &str) -> Result<usize> {
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
    let mut added = 0;
    for cert in certs {
        if !trust.extra.contains(&cert) {
            trust.extra.push(cert);
            added += 1;
        }
    }
    if added > 0 {
        trust.config = None;
    }
    Ok(added)
}

/// The TLS configuration of a sync client: TLS 1.2 and 1.3 with ring, the
/// built-in roots and the added authorities, HTTP/1.1.
pub(crate) fn client_config() -> Result<rustls::ClientConfig> {
    if let Some(config) = &TRUST.read().unwrap_or_else(PoisonError::into_inner).config {
        return Ok((**config).clone());
    }
    let mut trust = TRUST.write().unwrap_or_else(PoisonError::into_inner);
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    for cert in &trust.extra {
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
    trust.config = Some(config.clone());
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
        assert!(client_config().is_ok());
        for junk in [
            "",
            "hello",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ] {
            assert!(
                matches!(trust_pem(junk), Err(Error::Validation { .. })),
                "{junk:?}"
            );
        }
    }
}
