//! Who a person is to the other side of a pair: an account **identity
//! key** (Ed25519), and what the two sides do with each other's.
//!
//! Each account has one identity key, made by its first device and kept
//! in the private space's keyring document, so every device of the person
//! holds it and a restore from the recovery key brings it back with the
//! rest of the private space. A pair pins the other side's identity:
//!
//! - the mentee's invite code carries the fingerprint of the mentee's
//!   identity, so the mentor's device checks the identity the mentee
//!   publishes in the pair against the code that came from the mentee's
//!   hand;
//! - the mentor publishes their identity with a MAC under a key derived
//!   from the invite's key (which only the two know), so the mentee's
//!   device pins the identity of whoever held the code it showed.
//!
//! From then on each side keeps the pinned fingerprint (in its keyring, as
//! a set, so its other devices agree and a second pin shows) and flags a
//! pair whose other side shows a different identity. Both sides show the
//! same **safety code**, made from both identities, to compare in person
//! or on a call.

use ed25519_dalek::{SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::document::{DocId, shard};
use crate::error::Result;
use crate::store::Store;
use crate::sync::seal::SpaceKey;

/// The keyring field that holds the account's identity key (hex seed).
const FIELD: &str = "identity";

/// An account's identity key.
pub struct Identity(SigningKey);

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(…)")
    }
}

impl Identity {
    /// A fresh random identity.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut seed = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(&mut *seed);
        Identity(SigningKey::from_bytes(&seed))
    }

    /// The identity whose secret is `seed` (as the keyring holds it).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Identity(SigningKey::from_bytes(seed))
    }

    /// The identity's public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.0.sign(message).to_bytes()
    }
}

/// Whether `signature` is `public_key`'s over `message` (strict
/// verification: no malleable or small-order forms).
pub fn verify(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(public_key).is_ok_and(|k| {
        k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok()
    })
}

/// The fingerprint of an identity's public key: what an invite code
/// carries and a pair pins (128 bits).
pub fn fingerprint(public_key: &[u8; 32]) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(b"tandem identity fingerprint v1\0");
    h.update(public_key);
    h.finalize()[..16].try_into().expect("sized")
}

/// The safety code of a pair: the same on both sides (the order of the two
/// identities does not matter), four groups of five digits (66 bits).
pub fn safety_code(a: &[u8; 32], b: &[u8; 32]) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut h = Sha256::new();
    h.update(b"tandem safety code v1\0");
    h.update(lo);
    h.update(hi);
    digit_groups(&h.finalize().into())
}

/// Four groups of five digits from a digest: a code people read out and
/// compare (about 66 bits).
pub(crate) fn digit_groups(digest: &[u8; 32]) -> String {
    digest
        .chunks_exact(8)
        .map(|c| {
            let n = u64::from_be_bytes(c.try_into().expect("sized"));
            format!("{:05}", n % 100_000)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `typed` is `code` give or take spaces and dashes (and nothing
/// but digits, spaces and dashes).
pub(crate) fn same_code(typed: &str, code: &str) -> bool {
    let digits = |c: &str| c.chars().filter(char::is_ascii_digit).collect::<String>();
    typed
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        && digits(typed) == digits(code)
}

/// The MAC with which the mentor publishes their identity in a pair: keyed
/// by a key derived from the invite's key, over the space and the
/// identity.
pub fn join_mac(invite_key: &SpaceKey, space_id: &str, public_key: &[u8; 32]) -> [u8; 32] {
    let mut mac = mac_for(invite_key);
    mac.update(space_id.as_bytes());
    mac.update(&[0]);
    mac.update(public_key);
    mac.finalize().into_bytes().into()
}

/// Whether `tag` is [`join_mac`] of these (compared in constant time).
pub fn join_mac_holds(
    invite_key: &SpaceKey,
    space_id: &str,
    public_key: &[u8; 32],
    tag: &[u8],
) -> bool {
    let mut mac = mac_for(invite_key);
    mac.update(space_id.as_bytes());
    mac.update(&[0]);
    mac.update(public_key);
    mac.verify_slice(tag).is_ok()
}

fn mac_for(invite_key: &SpaceKey) -> Hmac<Sha256> {
    let mut h = Sha256::new();
    h.update(b"tandem pair join mac key v1\0");
    h.update(invite_key.as_bytes());
    let key = Zeroizing::new(<[u8; 32]>::from(h.finalize()));
    Hmac::<Sha256>::new_from_slice(&*key).expect("HMAC takes any key length")
}

/// This account's identity, if one is known on this device yet (made by
/// the account's first device, or arrived with the private space). A
/// value that is not a key counts as none, as the projection treats it.
pub(crate) fn get(store: &mut Store) -> Result<Option<Identity>> {
    let Some(hex_seed) =
        store.read_doc(&DocId::keyring(), |d| shard::get::<_, String>(d, FIELD))?
    else {
        return Ok(None);
    };
    let hex_seed = Zeroizing::new(hex_seed);
    let mut seed = Zeroizing::new([0u8; 32]);
    if hex::decode_to_slice(&*hex_seed, &mut *seed).is_err() {
        return Ok(None);
    }
    Ok(Some(Identity(SigningKey::from_bytes(&seed))))
}

/// This account's identity, made now if it has none yet. New accounts get
/// theirs when their first device registers; a store from before
/// identities makes one when the person invites or joins, or after a sync
/// has pulled everything (so a device that is behind does not make a
/// second one beside the account's). Two devices that still do so at once
/// settle on one when they sync; a partner who pinned the other one sees
/// a warning.
pub(crate) fn get_or_make(store: &mut Store) -> Result<Identity> {
    if let Some(identity) = get(store)? {
        return Ok(identity);
    }
    let identity = Identity::generate();
    let seed = Zeroizing::new(hex::encode(identity.0.to_bytes()));
    store.write_whole(&DocId::keyring(), |tx| shard::put(tx, FIELD, &*seed))?;
    Ok(identity)
}

/// Parses a public key or fingerprint written in hex by the other side.
pub(crate) fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).ok().map(|_| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_safety_code_is_the_same_on_both_sides_and_differs_per_pair() {
        let (a, b, c) = (
            Identity::generate().public_key(),
            Identity::generate().public_key(),
            Identity::generate().public_key(),
        );
        let code = safety_code(&a, &b);
        assert_eq!(code, safety_code(&b, &a));
        assert_ne!(code, safety_code(&a, &c));
        assert_eq!(code.len(), 4 * 5 + 3);
        assert!(code.split(' ').all(|g| g.len() == 5));
    }

    #[test]
    fn a_join_mac_holds_only_for_its_key_space_and_identity() {
        let key = SpaceKey::generate();
        let other_key = SpaceKey::generate();
        let me = Identity::generate().public_key();
        let someone = Identity::generate().public_key();
        let tag = join_mac(&key, "s1", &me);
        assert!(join_mac_holds(&key, "s1", &me, &tag));
        assert!(!join_mac_holds(&other_key, "s1", &me, &tag));
        assert!(!join_mac_holds(&key, "s2", &me, &tag));
        assert!(!join_mac_holds(&key, "s1", &someone, &tag));
        assert!(!join_mac_holds(&key, "s1", &me, &tag[..16]));
    }

    #[test]
    fn signatures_verify_only_for_their_key_and_message() {
        let id = Identity::generate();
        let sig = id.sign(b"hello");
        assert!(verify(&id.public_key(), b"hello", &sig));
        assert!(!verify(&id.public_key(), b"hellp", &sig));
        assert!(!verify(&Identity::generate().public_key(), b"hello", &sig));
        assert!(!verify(&[0; 32], b"hello", &sig));
    }
}
