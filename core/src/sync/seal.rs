//! Sealing records for the server, and opening them again.
//!
//! Every record is XChaCha20-Poly1305 under its space's key for one key
//! epoch, with a fresh random 192-bit nonce. What the server sees of a record
//! is its space, an **opaque document name** (a keyed hash of the real one),
//! an **opaque change hash** (a keyed hash of the automerge change hash, so
//! retries still de-duplicate), the epoch, the nonce and a padded ciphertext.
//!
//! The associated data binds space, opaque document name, opaque change hash
//! and epoch: a record moved to another space or document, or replayed under
//! another epoch, fails to open. Inside the ciphertext sit the real document
//! id (so what kind of item a record holds is hidden), the writing device,
//! and the change; after opening, the reader checks that the document id
//! hashes to the opaque name, the change to the opaque hash, and that the
//! change's author is the writing device.
//!
//! From format 2 on, the writing device also signs what it seals (see
//! [`signature`](super::signature)): its certificate and signature sit
//! inside the ciphertext, after the writer, and cover the place and
//! everything inside. Format 1 records carry no signature; a reader takes
//! them only where the space's rules still allow unsigned records.
//!
//! Plaintexts are padded with Padmé (at most 12 % overhead) so that sizes
//! say little about content.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::signature::{SIGNED_LEN, Signed, Signer};
use crate::error::{Error, Result};

/// The record format this build writes (the first byte inside the
/// ciphertext): signed. A record of a higher one is refused as
/// [`Refusal::Newer`] and pulled again once the device upgrades.
pub const VERSION: u8 = 2;
/// The format of records from before signatures, still read.
pub const UNSIGNED: u8 = 1;
/// The nonce's length in bytes.
pub const NONCE_LEN: usize = 24;

/// A space's key for one epoch. Wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct SpaceKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SpaceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpaceKey(…)")
    }
}

impl SpaceKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(bytes.as_mut());
        SpaceKey(bytes)
    }

    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SpaceKey(Zeroizing::new(bytes))
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A keyed hash of `label` and `data`, hex: opaque names the server may see.
    fn keyed_hex(&self, label: &[u8], data: &[u8]) -> String {
        let mut h = Sha256::new();
        h.update(b"tandem keyed name v1\0");
        h.update(self.0.as_ref());
        h.update(label);
        h.update([0]);
        h.update(data);
        hex::encode(h.finalize())
    }

    /// The opaque name of document `doc_id` on the wire.
    pub fn wire_doc_id(&self, doc_id: &str) -> String {
        self.keyed_hex(b"doc", doc_id.as_bytes())[..32].to_owned()
    }

    /// The opaque hash of a change of document `doc_id` on the wire (64
    /// hex). The document is part of it: two documents can hold
    /// byte-identical changes (a goal moved into a pair's goals document
    /// starts with the same change its private document did), and the
    /// server de-duplicates by this hash within a space.
    pub fn wire_change_hash(&self, doc_id: &str, change_hash: &[u8]) -> String {
        let mut data = Vec::with_capacity(doc_id.len() + 1 + change_hash.len());
        data.extend_from_slice(doc_id.as_bytes());
        data.push(0);
        data.extend_from_slice(change_hash);
        self.keyed_hex(b"change", &data)
    }
}

/// Where a record belongs: everything the associated data binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'a> {
    /// The space's server id.
    pub space_id: &'a str,
    /// The opaque document name.
    pub wire_doc_id: &'a str,
    /// The opaque change hash.
    pub wire_change_hash: &'a str,
    /// The key epoch.
    pub epoch: u32,
}

impl Place<'_> {
    fn associated_data(&self) -> Vec<u8> {
        let mut ad = Vec::with_capacity(160);
        ad.extend_from_slice(b"tandem record v1\0");
        for part in [self.space_id, self.wire_doc_id, self.wire_change_hash] {
            ad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            ad.extend_from_slice(part.as_bytes());
        }
        ad.extend_from_slice(&self.epoch.to_be_bytes());
        ad
    }
}

/// What a record holds once opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The real document id.
    pub doc_id: String,
    /// The writing device (its automerge actor id).
    pub writer: Vec<u8>,
    /// The identity that certified the writing device, whose signature
    /// over the record held; `None` for an unsigned record (format 1).
    pub signer: Option<[u8; 32]>,
    /// Whether the writer is the id bound to the signing device's key
    /// (see [`bound_writer`](super::signature::bound_writer)): a writer
    /// no other device can sign as.
    pub bound: bool,
    /// The record's payload (an encoded automerge change, or a snapshot).
    pub payload: Vec<u8>,
}

/// Who a record is sealed as written by.
#[derive(Debug, Clone, Copy)]
pub enum Writer<'a> {
    /// A device that signs: the record is format 2 and names the signer's
    /// device as its writer.
    Signed(&'a Signer),
    /// A writer that does not sign (format 1): a record for a space from
    /// before signatures, or a sealed blob whose key alone is the proof
    /// (the recovery envelope).
    Unsigned(&'a [u8]),
}

impl Writer<'_> {
    fn id(&self) -> &[u8] {
        match self {
            Writer::Signed(s) => s.writer(),
            Writer::Unsigned(w) => w,
        }
    }
}

/// What a record's signature covers: the place, and everything inside
/// but the signature itself (`before` it and the payload `after`).
fn signed_message(place: &Place<'_>, before: &[u8], after: &[u8]) -> Vec<u8> {
    let ad = place.associated_data();
    let mut m = Vec::with_capacity(32 + ad.len() + before.len() + after.len());
    m.extend_from_slice(b"tandem record signature v1\0");
    m.extend_from_slice(&(ad.len() as u32).to_be_bytes());
    m.extend_from_slice(&ad);
    m.extend_from_slice(before);
    m.extend_from_slice(after);
    m
}

/// The padded length for `len` bytes (Padmé): at most 12 % more, and
/// lengths leak only about log log of the size.
pub fn padme(len: usize) -> usize {
    if len < 2 {
        return len;
    }
    let e = usize::BITS - 1 - len.leading_zeros(); // floor(log2 len)
    let s = (u32::BITS - e.leading_zeros()) as usize; // floor(log2 e) + 1
    let last_bits = (e as usize).saturating_sub(s);
    let mask = (1usize << last_bits) - 1;
    (len + mask) & !mask
}

/// Seals `payload` of document `doc_id`, written by `writer`, for `place`:
/// format 2 (signed) for a signing device, format 1 otherwise. Returns
/// the nonce and the ciphertext.
pub fn seal(
    key: &SpaceKey,
    place: &Place<'_>,
    doc_id: &str,
    writer: Writer<'_>,
    payload: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let format = match writer {
        Writer::Signed(_) => VERSION,
        Writer::Unsigned(_) => UNSIGNED,
    };
    seal_as(format, key, place, doc_id, writer, payload)
}

/// Seals as [`seal`] does, marked as record format `format`: what a build
/// that writes another format sends (for tests of upgrades).
#[doc(hidden)]
pub fn seal_as(
    format: u8,
    key: &SpaceKey,
    place: &Place<'_>,
    doc_id: &str,
    writer: Writer<'_>,
    payload: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let writer_id = writer.id();
    if doc_id.len() > u8::MAX as usize || writer_id.len() > u8::MAX as usize {
        return Err(Error::invalid("record", "document id or writer too long"));
    }
    let mut plain = Zeroizing::new(Vec::with_capacity(payload.len() + 64 + SIGNED_LEN));
    plain.push(format);
    plain.push(doc_id.len() as u8);
    plain.extend_from_slice(doc_id.as_bytes());
    plain.push(writer_id.len() as u8);
    plain.extend_from_slice(writer_id);
    if let Writer::Signed(signer) = writer {
        signer.write_credentials(&mut plain);
        let signature = signer.sign(&signed_message(place, &plain, payload));
        plain.extend_from_slice(&signature);
    }
    plain.extend_from_slice(payload);
    // ISO/IEC 7816-4 padding: 0x80, then zeros up to the Padmé length.
    let target = padme(plain.len() + 1);
    plain.push(0x80);
    plain.resize(target, 0);

    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let ad = place.associated_data();
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &ad,
            },
        )
        .map_err(|_| Error::invalid("record", "could not be sealed"))?;
    Ok((nonce.to_vec(), sealed))
}

/// Why a record was refused. Refused records are reported, never applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// It does not decrypt under the space's key for its epoch with its
    /// place as associated data: tampered with, moved, or replayed.
    Forged,
    /// No key is known for the record's epoch (for example, a record sealed
    /// after this device's membership ended).
    UnknownEpoch,
    /// It decrypts, but its inside does not match its outside (document,
    /// change or writer).
    Mismatch,
    /// It decrypts but is not a record this build can read.
    Malformed,
    /// It decrypts and is written in a newer format than this build reads
    /// (another of the person's devices, or the partner's, upgraded
    /// first). It is pulled again after this device upgrades.
    Newer,
    /// It carries no signature where the space takes only signed records
    /// (written with a key by someone who is no device of a member).
    Unsigned,
    /// Its signature or certificate does not hold, or the identity that
    /// certified its writer is not one of the space's members (a pair
    /// partner writing as the other person).
    BadSignature,
    /// It is sealed under an epoch that had already ended where it sits: a
    /// later epoch began before it (see `sync::fences`). Only a holder of
    /// an old key, a lost phone after its unlink, makes one, and only a
    /// server that breaks its own rules stores one.
    Superseded,
}

/// Opens a record sealed for `place`.
pub fn open(
    key: &SpaceKey,
    place: &Place<'_>,
    nonce: &[u8],
    ciphertext: &[u8],
) -> std::result::Result<Opened, Refusal> {
    if nonce.len() != NONCE_LEN {
        return Err(Refusal::Forged);
    }
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let ad = place.associated_data();
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &ad,
                },
            )
            .map_err(|_| Refusal::Forged)?,
    );
    unpack(key, place, &plain)
}

/// Reads a record's plaintext once it is decrypted: the padding, the
/// format version, the document id (which must match the place's opaque
/// name) and the writer. Any bytes at all give an answer, never a panic.
pub fn unpack(
    key: &SpaceKey,
    place: &Place<'_>,
    plain: &[u8],
) -> std::result::Result<Opened, Refusal> {
    let end = plain
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(Refusal::Malformed)?;
    if plain[end] != 0x80 {
        return Err(Refusal::Malformed);
    }
    let body = &plain[..end];
    let (&version, rest) = body.split_first().ok_or(Refusal::Malformed)?;
    if version > VERSION {
        return Err(Refusal::Newer);
    }
    if version != VERSION && version != UNSIGNED {
        return Err(Refusal::Malformed);
    }
    let (&doc_len, rest) = rest.split_first().ok_or(Refusal::Malformed)?;
    let doc_bytes = rest.get(..doc_len as usize).ok_or(Refusal::Malformed)?;
    let rest = &rest[doc_len as usize..];
    let (&writer_len, rest) = rest.split_first().ok_or(Refusal::Malformed)?;
    let writer = rest.get(..writer_len as usize).ok_or(Refusal::Malformed)?;
    let rest = &rest[writer_len as usize..];
    let doc_id = std::str::from_utf8(doc_bytes).map_err(|_| Refusal::Malformed)?;
    if key.wire_doc_id(doc_id) != place.wire_doc_id {
        return Err(Refusal::Mismatch);
    }
    let (signer, bound, payload) = if version == UNSIGNED {
        (None, false, rest)
    } else {
        let (signed, payload) = Signed::split(rest).ok_or(Refusal::Malformed)?;
        // Everything before the signature: the header and credentials.
        let before = &body[..body.len() - payload.len() - 64];
        if !signed.holds(writer, &signed_message(place, before, payload)) {
            return Err(Refusal::BadSignature);
        }
        (Some(signed.identity), signed.bound(writer), payload)
    };
    Ok(Opened {
        doc_id: doc_id.to_owned(),
        writer: writer.to_vec(),
        signer,
        bound,
        payload: payload.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place<'a>(space: &'a str, doc: &'a str, hash: &'a str, epoch: u32) -> Place<'a> {
        Place {
            space_id: space,
            wire_doc_id: doc,
            wire_change_hash: hash,
            epoch,
        }
    }

    #[test]
    fn padme_stays_within_twelve_percent_and_never_shrinks() {
        for len in 1..70_000usize {
            let p = padme(len);
            assert!(p >= len);
            assert!((p - len) as f64 <= len as f64 * 0.12 + 1.0, "{len} -> {p}");
        }
        // Nearby sizes collapse to one.
        assert_eq!(padme(1000), padme(1001));
    }

    #[test]
    fn a_record_opens_only_in_its_place() {
        let key = SpaceKey::generate();
        let doc = key.wire_doc_id("journal/2026-03");
        let hash = key.wire_change_hash("journal/2026-03", &[7; 32]);
        let here = place("s1", &doc, &hash, 0);
        let (nonce, ct) = seal(
            &key,
            &here,
            "journal/2026-03",
            Writer::Unsigned(&[1; 16]),
            b"change",
        )
        .unwrap();
        let opened = open(&key, &here, &nonce, &ct).unwrap();
        assert_eq!(opened.doc_id, "journal/2026-03");
        assert_eq!(opened.payload, b"change");
        assert_eq!(opened.writer, vec![1; 16]);

        // Moved to another space, document or epoch, or under another key.
        let other_doc = key.wire_doc_id("journal/2026-04");
        for moved in [
            place("s2", &doc, &hash, 0),
            place("s1", &other_doc, &hash, 0),
            place(
                "s1",
                &doc,
                &key.wire_change_hash("journal/2026-03", &[8; 32]),
                0,
            ),
            place("s1", &doc, &hash, 1),
        ] {
            assert_eq!(open(&key, &moved, &nonce, &ct), Err(Refusal::Forged));
        }
        assert_eq!(
            open(&SpaceKey::generate(), &here, &nonce, &ct),
            Err(Refusal::Forged)
        );
        // Any flipped bit.
        for i in 0..ct.len() {
            let mut bad = ct.clone();
            bad[i] ^= 0x01;
            assert_eq!(open(&key, &here, &nonce, &bad), Err(Refusal::Forged));
        }
        let mut bad_nonce = nonce.clone();
        bad_nonce[0] ^= 1;
        assert_eq!(open(&key, &here, &bad_nonce, &ct), Err(Refusal::Forged));
    }

    #[test]
    fn a_signed_record_names_who_certified_its_writer_and_holds_only_unchanged() {
        use crate::features::identity::Identity;
        use crate::sync::signature::{Signer, generate_seed};
        let key = SpaceKey::generate();
        let id = Identity::generate();
        let signer = Signer::new(&id, &[3; 16], &generate_seed());
        let doc = key.wire_doc_id("goals");
        let hash = key.wire_change_hash("goals", &[1; 32]);
        let here = place("s1", &doc, &hash, 2);
        let (nonce, ct) = seal(&key, &here, "goals", Writer::Signed(&signer), b"change").unwrap();
        let opened = open(&key, &here, &nonce, &ct).unwrap();
        assert_eq!(opened.signer, Some(id.public_key()));
        assert_eq!(opened.writer, vec![3; 16]);
        assert_eq!(opened.payload, b"change");

        // Whoever holds the key re-seals the same inside with another
        // payload or writer: the signature no longer holds.
        let plain = {
            use chacha20poly1305::aead::{Aead, KeyInit, Payload};
            let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &ct,
                        aad: &here.associated_data(),
                    },
                )
                .unwrap()
        };
        let payload_at = plain.windows(6).position(|w| w == b"change").unwrap();
        let mut changed = plain.clone();
        changed[payload_at] = b'C';
        assert_eq!(unpack(&key, &here, &changed), Err(Refusal::BadSignature));
        let writer_at = 1 + 1 + "goals".len() + 1;
        let mut other_writer = plain.clone();
        other_writer[writer_at] = 4;
        assert_eq!(
            unpack(&key, &here, &other_writer),
            Err(Refusal::BadSignature)
        );
        // The same inside read for another place (epoch) does not hold
        // either, even where the cipher would let it through.
        let moved = place("s1", &doc, &hash, 3);
        assert_eq!(unpack(&key, &moved, &plain), Err(Refusal::BadSignature));
        // Cut short inside the credentials.
        let short = [&plain[..writer_at + 16 + 40], &[0x80][..]].concat();
        assert_eq!(unpack(&key, &here, &short), Err(Refusal::Malformed));
    }

    #[test]
    fn the_inside_must_match_the_outside() {
        let key = SpaceKey::generate();
        // A device that seals a record whose inside names another document.
        let doc = key.wire_doc_id("goals");
        let hash = key.wire_change_hash("x", &[1; 32]);
        let here = place("s1", &doc, &hash, 0);
        let (nonce, ct) = seal(
            &key,
            &here,
            "journal/2026-03",
            Writer::Unsigned(&[1; 16]),
            b"x",
        )
        .unwrap();
        assert_eq!(open(&key, &here, &nonce, &ct), Err(Refusal::Mismatch));
    }

    #[test]
    fn sizes_are_padded_and_names_are_opaque() {
        let key = SpaceKey::generate();
        let doc = key.wire_doc_id("cravings/2026-03");
        assert_eq!(doc.len(), 32);
        assert!(!doc.contains("craving"));
        assert_ne!(doc, SpaceKey::generate().wire_doc_id("cravings/2026-03"));
        let hash = key.wire_change_hash("x", &[1; 32]);
        let here = place("s1", &doc, &hash, 0);
        let (_, a) = seal(
            &key,
            &here,
            "cravings/2026-03",
            Writer::Unsigned(&[1; 16]),
            &[0; 1000],
        )
        .unwrap();
        let (_, b) = seal(
            &key,
            &here,
            "cravings/2026-03",
            Writer::Unsigned(&[1; 16]),
            &[0; 1010],
        )
        .unwrap();
        assert_eq!(a.len(), b.len(), "nearby sizes look the same");
    }
}
