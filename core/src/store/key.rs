//! The key that encrypts a store at rest.
//!
//! A store is a SQLCipher database opened with a random 256-bit raw key: no
//! password stretching on open, because the key itself is random. The shells
//! keep the key in Android Keystore / iOS Keychain; the terminal client keeps
//! it in a key file readable only by its user (see [`crate::keyfile`]).
//! The key's bytes are wiped from memory when the value is dropped.

use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

/// A 256-bit store key. `Debug` never prints it.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(bytes.as_mut());
        StoreKey(bytes)
    }

    /// The key from its 64 hex digits (surrounding whitespace is ignored).
    pub fn from_hex(text: &str) -> Result<Self> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut())
            .map_err(|_| Error::invalid("store key", "expected 64 hexadecimal digits"))?;
        Ok(StoreKey(bytes))
    }

    /// The key from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut bytes = bytes;
        let key = StoreKey(Zeroizing::new(bytes));
        bytes.zeroize();
        key
    }

    /// The key from a slice that must hold exactly 32 bytes (what a shell
    /// unwraps from Android Keystore or iOS Keychain).
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != key.len() {
            return Err(Error::invalid(
                "store key",
                format!("expected 32 bytes, got {}", bytes.len()),
            ));
        }
        key.copy_from_slice(bytes);
        Ok(StoreKey(key))
    }

    /// The key's 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 lowercase hex digits, wiped when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// SQLCipher's raw-key literal, `"x'…'"`, wiped when dropped.
    pub(crate) fn sql_literal(&self) -> Zeroizing<String> {
        let hex = self.to_hex();
        Zeroizing::new(format!("\"x'{}'\"", hex.as_str()))
    }
}

impl PartialEq for StoreKey {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_ref().ct_eq(other.0.as_ref()).into()
    }
}

impl Eq for StoreKey {}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_bad_text_is_refused() {
        let key = StoreKey::generate();
        assert_eq!(StoreKey::from_hex(&key.to_hex()).unwrap(), key);
        assert_ne!(StoreKey::generate(), key);
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(66)] {
            let err = StoreKey::from_hex(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Validation, "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = StoreKey::from_bytes([0xab; 32]);
        assert!(!format!("{key:?}").contains("ab"));
    }
}
