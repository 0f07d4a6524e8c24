//! VAPID (RFC 8292): the server's P-256 key, which push services tie a
//! subscription to, and the ES256 JWT that proves each request comes from
//! its holder (`Authorization: vapid t=JWT, k=KEY`).
//!
//! The key is made once and kept in the database (the first process to
//! store one wins; see [`crate::storage::Storage::vapid_key`]), or read
//! from a file given with `--vapid-key`: a PEM private key (PKCS #8 or
//! SEC1) or the raw 32-byte scalar as 64 hex digits or base64url.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use p256::SecretKey;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::DecodePrivateKey;

/// How long a JWT is good for: RFC 8292 allows at most 24 hours.
pub const JWT_SECONDS: u64 = 12 * 3600;

/// The server's VAPID key pair.
pub struct VapidKey {
    signing: SigningKey,
    public: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self::from_secret(super::crypto::fresh_secret())
    }

    /// The key whose private scalar is `bytes` (big-endian).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        SecretKey::from_slice(bytes)
            .map(Self::from_secret)
            .map_err(|_| "not a P-256 private key (32 bytes, nonzero, below the order)".into())
    }

    /// Reads a key file's text: a PEM private key (`PRIVATE KEY` or
    /// `EC PRIVATE KEY`), or the raw 32-byte scalar as 64 hex digits or
    /// base64 (url-safe or standard, padded or not).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            let secret = SecretKey::from_pkcs8_pem(text)
                .or_else(|_| SecretKey::from_sec1_pem(text))
                .map_err(|_| "not a P-256 private key in PEM (PKCS #8 or SEC1)".to_owned())?;
            return Ok(Self::from_secret(secret));
        }
        let raw = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|e| e.to_string())?
        } else {
            URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .or_else(|_| STANDARD.decode(text))
                .map_err(|_| "neither PEM, 64 hex digits nor base64 of 32 bytes".to_owned())?
        };
        if raw.len() != 32 {
            return Err(format!("a raw key is 32 bytes, not {}", raw.len()));
        }
        Self::from_bytes(&raw)
    }

    fn from_secret(secret: SecretKey) -> Self {
        let public = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
        VapidKey {
            signing: SigningKey::from(secret),
            public,
        }
    }

    /// The private scalar, to store.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes().into()
    }

    /// The public key, uncompressed, base64url without padding: what
    /// devices subscribe with and `k=` carries.
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// A signed JWT for the push service at `audience` (its origin), good
    /// until `expires` (Unix seconds), naming `subject` (a `mailto:` or
    /// `https:` contact) when given.
    pub fn jwt(&self, audience: &str, expires: u64, subject: Option<&str>) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let mut claims = serde_json::json!({ "aud": audience, "exp": expires });
        if let Some(sub) = subject {
            claims["sub"] = sub.into();
        }
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{header}.{claims}");
        let signature: Signature = self.signing.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// The `Authorization` header's value for a request to `audience`.
    pub fn authorization(&self, audience: &str, expires: u64, subject: Option<&str>) -> String {
        format!(
            "vapid t={}, k={}",
            self.jwt(audience, expires, subject),
            self.public
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    #[test]
    fn a_jwt_verifies_against_the_public_key() {
        let key = VapidKey::generate();
        let jwt = key.jwt(
            "https://push.example",
            1_000,
            Some("mailto:ops@example.org"),
        );
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let public = URL_SAFE_NO_PAD.decode(key.public_key()).unwrap();
        let verifying = VerifyingKey::from_sec1_bytes(&public).unwrap();
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
        verifying.verify(input.as_bytes(), &sig).unwrap();
        let claims = input.split('.').nth(1).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example");
        assert_eq!(claims["exp"], 1_000);
        assert_eq!(claims["sub"], "mailto:ops@example.org");
        assert!(
            key.authorization("https://push.example", 1, None)
                .ends_with(&format!(", k={}", key.public_key()))
        );
    }

    #[test]
    fn a_key_file_may_be_pem_hex_or_base64() {
        use p256::pkcs8::{EncodePrivateKey, LineEnding};
        let key = VapidKey::generate();
        let raw = key.secret_bytes();
        let same = |k: VapidKey| assert_eq!(k.public_key(), key.public_key());
        same(VapidKey::parse(&hex::encode(raw)).unwrap());
        same(VapidKey::parse(&format!("{}\n", URL_SAFE_NO_PAD.encode(raw))).unwrap());
        same(VapidKey::parse(&STANDARD.encode(raw)).unwrap());
        let secret = SecretKey::from_slice(&raw).unwrap();
        same(VapidKey::parse(&secret.to_pkcs8_pem(LineEnding::LF).unwrap()).unwrap());
        same(VapidKey::parse(&secret.to_sec1_pem(LineEnding::LF).unwrap()).unwrap());
        assert!(VapidKey::parse("nonsense").is_err());
        assert!(VapidKey::parse(&hex::encode([0u8; 32])).is_err());
        assert!(VapidKey::parse(&hex::encode([1u8; 31])).is_err());
    }
}
