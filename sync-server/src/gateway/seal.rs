//! Provider tokens sealed into endpoint paths.
//!
//! A phone's FCM registration token or APNs device token names the phone
//! to its provider; the relay has no need to learn it. The gateway seals
//! the provider, the relay the endpoint is for (its VAPID key, when the
//! device named one) and the token with AES-256-GCM under a key only it
//! holds, and puts the result in the endpoint's path: the relay stores an
//! opaque capability, no other relay can use it, and the gateway keeps no
//! table of devices.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use super::Provider;

/// Bound into every seal: a sealed token from anything else never opens.
const AAD: &[u8] = b"tandem-wakeup-gateway v2";

/// Longest provider token accepted (FCM's are about 160 characters,
/// APNs' 64 hex digits).
pub const TOKEN_MAX: usize = 512;

/// Length of a relay's VAPID key (an uncompressed P-256 point).
pub const RELAY_KEY_LEN: usize = 65;

/// What an endpoint's path holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The push service.
    pub provider: Provider,
    /// The only relay that may push to it (its VAPID key), if bound.
    pub relay: Option<[u8; RELAY_KEY_LEN]>,
    /// The phone's token at the provider.
    pub token: String,
}

/// The gateway's sealing key.
pub struct SealKey(Aes256Gcm);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        SealKey(Aes256Gcm::new(bytes.into()))
    }

    /// Seals `what`: base64url of nonce and ciphertext.
    pub fn seal(&self, what: &Sealed) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let mut plain = Vec::with_capacity(2 + RELAY_KEY_LEN + what.token.len());
        plain.push(what.provider.tag());
        match &what.relay {
            Some(key) => {
                plain.push(1);
                plain.extend_from_slice(key);
            }
            None => plain.push(0),
        }
        plain.extend_from_slice(what.token.as_bytes());
        let sealed = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: AAD,
                },
            )
            .expect("AES-GCM encrypts any message of this size");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Opens what [`SealKey::seal`] made; `None` for anything else.
    pub fn open(&self, sealed: &str) -> Option<Sealed> {
        if sealed.len() > 2 * (TOKEN_MAX + RELAY_KEY_LEN) {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if raw.len() < 12 + 16 + 2 {
            return None;
        }
        let (nonce, ciphertext) = raw.split_at(12);
        let plain = self
            .0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: AAD,
                },
            )
            .ok()?;
        let (&tag, rest) = plain.split_first()?;
        let (&bound, rest) = rest.split_first()?;
        let (relay, token) = match bound {
            0 => (None, rest),
            1 if rest.len() >= RELAY_KEY_LEN => {
                let (key, token) = rest.split_at(RELAY_KEY_LEN);
                (Some(key.try_into().ok()?), token)
            }
            _ => return None,
        };
        Some(Sealed {
            provider: Provider::from_tag(tag)?,
            relay,
            token: String::from_utf8(token.to_vec()).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_only_under_its_key_and_unaltered() {
        let key = SealKey::from_bytes(&[7; 32]);
        let what = Sealed {
            provider: Provider::Apns,
            relay: Some([4; RELAY_KEY_LEN]),
            token: "ab12".into(),
        };
        let sealed = key.seal(&what);
        assert_eq!(key.open(&sealed), Some(what.clone()));
        assert_ne!(sealed, key.seal(&what), "a fresh nonce each time");
        let unbound = Sealed {
            relay: None,
            ..what
        };
        assert_eq!(key.open(&key.seal(&unbound)), Some(unbound));
        assert_eq!(SealKey::from_bytes(&[8; 32]).open(&sealed), None);
        let mut raw = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert_eq!(key.open(&URL_SAFE_NO_PAD.encode(raw)), None);
        assert_eq!(key.open("not base64 ***"), None);
        assert_eq!(key.open(""), None);
    }
}
