//! Web Push message encryption (RFC 8291) in the `aes128gcm` content
//! coding (RFC 8188): ECDH on P-256 with the subscriber's key, HKDF-SHA-256
//! keyed by the subscriber's authentication secret, one AES-128-GCM record.
//!
//! Every wake-up carries the same plaintext, [`WAKEUP`], padded to
//! [`RECORD_PLAINTEXT`] bytes: the push service and anyone on the way see a
//! body of one fixed size, and the device learns only that something
//! changed.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::RngCore;
use sha2::Sha256;

/// What a wake-up says: nothing but that the device should sync.
pub const WAKEUP: &[u8] = br#"{"v":1}"#;

/// The plaintext of every wake-up's one record: [`WAKEUP`], the final
/// record's delimiter (2) and zero padding up to this length.
pub const RECORD_PLAINTEXT: usize = 128;

/// The record size written into the header (RFC 8188 `rs`).
pub const RECORD_SIZE: u32 = 4096;

/// Length of an uncompressed P-256 point.
pub const POINT_LEN: usize = 65;

/// Length of a subscriber's authentication secret.
pub const AUTH_LEN: usize = 16;

/// Why a message could not be encrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The subscriber's key is not an uncompressed point on P-256.
    #[error("p256dh must be an uncompressed P-256 point (65 bytes starting with 4)")]
    BadPublicKey,
    /// The authentication secret is not 16 bytes.
    #[error("auth must be 16 bytes")]
    BadAuth,
    /// The plaintext does not fit one record.
    #[error("the plaintext is too long for one record")]
    TooLong,
}

/// A subscriber's keys as its push service handed them out.
#[derive(Debug, Clone)]
pub struct Subscriber {
    public: PublicKey,
    public_bytes: [u8; POINT_LEN],
    auth: [u8; AUTH_LEN],
}

impl Subscriber {
    /// Checks `p256dh` (an uncompressed point on the curve) and `auth` (16 bytes).
    pub fn new(p256dh: &[u8], auth: &[u8]) -> Result<Self, CryptoError> {
        let public_bytes: [u8; POINT_LEN] =
            p256dh.try_into().map_err(|_| CryptoError::BadPublicKey)?;
        if public_bytes[0] != 4 {
            return Err(CryptoError::BadPublicKey);
        }
        let public =
            PublicKey::from_sec1_bytes(&public_bytes).map_err(|_| CryptoError::BadPublicKey)?;
        let auth = auth.try_into().map_err(|_| CryptoError::BadAuth)?;
        Ok(Subscriber {
            public,
            public_bytes,
            auth,
        })
    }
}

/// A wake-up for `to`: [`WAKEUP`] padded to [`RECORD_PLAINTEXT`] bytes,
/// sealed under a fresh key pair and salt.
pub fn seal_wakeup(to: &Subscriber) -> Vec<u8> {
    let mut record = Vec::with_capacity(RECORD_PLAINTEXT);
    record.extend_from_slice(WAKEUP);
    record.push(2);
    record.resize(RECORD_PLAINTEXT, 0);
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    // The record is short and fixed: it always fits.
    seal_record(to, &record, &fresh_secret(), &salt).unwrap_or_default()
}

/// Seals one record whose plaintext is `record` (already delimited and
/// padded) for `to`, with the sender's key pair `sender` and `salt`: the
/// whole `aes128gcm` body, header (salt, record size, sender's public key)
/// and ciphertext. Fresh keys and salt for every message; fixed ones only
/// to check against published examples.
pub fn seal_record(
    to: &Subscriber,
    record: &[u8],
    sender: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, CryptoError> {
    if record.len() + 16 > RECORD_SIZE as usize {
        return Err(CryptoError::TooLong);
    }
    let sender_public = sender.public_key().to_encoded_point(false);
    let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), to.public.as_affine());
    // RFC 8291 section 3.3: the input keying material from the shared
    // secret, keyed by the subscriber's authentication secret.
    let mut key_info = Vec::with_capacity(14 + 2 * POINT_LEN);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(&to.public_bytes);
    key_info.extend_from_slice(sender_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&to.auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| CryptoError::TooLong)?;
    // RFC 8188 section 2.2 and 2.3: the content-encryption key and nonce.
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .and_then(|()| prk.expand(b"Content-Encoding: nonce\0", &mut nonce))
        .map_err(|_| CryptoError::TooLong)?;
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| CryptoError::TooLong)?;
    // The first (and only) record: its sequence number 0 leaves the nonce as is.
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), record)
        .map_err(|_| CryptoError::TooLong)?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + POINT_LEN + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(POINT_LEN as u8);
    body.extend_from_slice(sender_public.as_bytes());
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// A new random P-256 secret key.
pub(crate) fn fresh_secret() -> SecretKey {
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        // Fails only for zero or a value past the group order: about
        // once in 2^32 tries.
        if let Ok(key) = SecretKey::from_slice(&bytes) {
            return key;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn b64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    /// RFC 8291 Appendix A: fixed keys and salt give exactly the published body.
    #[test]
    fn the_rfc_8291_example_gives_its_body() {
        let to = Subscriber::new(
            &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &b64("BTBZMqHH6r4Tts7J_aSIgg"),
        )
        .unwrap();
        let sender =
            SecretKey::from_slice(&b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).unwrap();
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let mut record = b"When I grow up, I want to be a watermelon".to_vec();
        record.push(2);
        let body = seal_record(&to, &record, &sender, &salt).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml\
             mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT\
             pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn every_wakeup_has_one_size_and_fresh_keys() {
        let ua = fresh_secret();
        let point = ua.public_key().to_encoded_point(false);
        let to = Subscriber::new(point.as_bytes(), &[7; 16]).unwrap();
        let (a, b) = (seal_wakeup(&to), seal_wakeup(&to));
        assert_eq!(a.len(), 16 + 4 + 1 + 65 + RECORD_PLAINTEXT + 16);
        assert_eq!(a.len(), b.len());
        assert_ne!(a[..16], b[..16], "a fresh salt");
        assert_ne!(a[21..86], b[21..86], "a fresh sender key");
    }

    #[test]
    fn subscriber_keys_are_checked() {
        let point = fresh_secret().public_key().to_encoded_point(false);
        let good = point.as_bytes();
        assert!(Subscriber::new(good, &[0; 16]).is_ok());
        assert_eq!(
            Subscriber::new(good, &[0; 15]).unwrap_err(),
            CryptoError::BadAuth
        );
        let compressed = fresh_secret().public_key().to_encoded_point(true);
        assert_eq!(
            Subscriber::new(compressed.as_bytes(), &[0; 16]).unwrap_err(),
            CryptoError::BadPublicKey
        );
        let mut off_curve = good.to_vec();
        off_curve[64] ^= 1;
        assert_eq!(
            Subscriber::new(&off_curve, &[0; 16]).unwrap_err(),
            CryptoError::BadPublicKey
        );
        assert!(Subscriber::new(&[4; 65], &[0; 16]).is_err());
    }
}
