//! One entry of the device log: what it says, how it is written down and
//! signed, and the code people compare for a device's keys.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The version byte every entry starts with.
const VERSION: u8 = 1;

/// An entry names at most this many parents (a device sees the log's
/// heads, which concurrent writers keep few).
pub(super) const MAX_PARENTS: usize = 64;

/// What one entry of the log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// Device `device` (its server id) is the person's, with these keys.
    Add {
        /// The device's server id.
        device: [u8; 16],
        /// Its Ed25519 signing key.
        signing: [u8; 32],
        /// Its X25519 box key.
        box_key: [u8; 32],
    },
    /// Device `device` is no longer the person's.
    Remove {
        /// The device's server id.
        device: [u8; 16],
    },
    /// `key` may add one device; `recovery` for the recovery key's.
    Invite {
        /// The invite's Ed25519 key.
        key: [u8; 32],
        /// Whether it is the recovery key's (replaced by the next one).
        recovery: bool,
    },
}

/// One signed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// What it says.
    pub change: Change,
    /// Who signed it: a device's signing key, or an invite key.
    pub author: [u8; 32],
    /// The entries its author had seen (hashes, sorted).
    pub parents: Vec<[u8; 32]>,
    signature: [u8; 64],
}

impl Entry {
    /// `change`, made by `author` having seen `parents`.
    pub(crate) fn sign(change: Change, parents: &[[u8; 32]], author: &SigningKey) -> Entry {
        let mut parents = parents.to_vec();
        parents.sort_unstable();
        parents.dedup();
        parents.truncate(MAX_PARENTS);
        let mut entry = Entry {
            change,
            author: author.verifying_key().to_bytes(),
            parents,
            signature: [0; 64],
        };
        entry.signature = author.sign(&entry.signed_part()).to_bytes();
        entry
    }

    /// The bytes the signature covers: everything but itself.
    fn signed_part(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 1 + 80 + 32 + 1 + 32 * self.parents.len());
        out.push(VERSION);
        match &self.change {
            Change::Add {
                device,
                signing,
                box_key,
            } => {
                out.push(1);
                out.extend_from_slice(device);
                out.extend_from_slice(signing);
                out.extend_from_slice(box_key);
            }
            Change::Remove { device } => {
                out.push(2);
                out.extend_from_slice(device);
            }
            Change::Invite { key, recovery } => {
                out.push(if *recovery { 4 } else { 3 });
                out.extend_from_slice(key);
            }
        }
        out.extend_from_slice(&self.author);
        out.push(self.parents.len() as u8);
        for p in &self.parents {
            out.extend_from_slice(p);
        }
        out
    }

    /// The entry as stored.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.signed_part();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Reads a stored entry whose signature holds; `None` for anything
    /// else.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Entry> {
        let entry = Self::parse(bytes)?;
        let key = VerifyingKey::from_bytes(&entry.author).ok()?;
        key.verify_strict(
            &entry.signed_part(),
            &Signature::from_bytes(&entry.signature),
        )
        .ok()?;
        Some(entry)
    }

    /// Who signed the entry `bytes` (if they read as one), its signature
    /// unchecked: what decides, cheaply, whether it is worth checking.
    pub(crate) fn author_unchecked(bytes: &[u8]) -> Option<[u8; 32]> {
        Self::parse(bytes).map(|e| e.author)
    }

    /// Reads the parts of a stored entry, not checking its signature.
    fn parse(bytes: &[u8]) -> Option<Entry> {
        let (&version, rest) = bytes.split_first()?;
        if version != VERSION {
            return None;
        }
        let (&kind, rest) = rest.split_first()?;
        let (change, rest) = match kind {
            1 => {
                let (device, rest) = rest.split_first_chunk::<16>()?;
                let (signing, rest) = rest.split_first_chunk::<32>()?;
                let (box_key, rest) = rest.split_first_chunk::<32>()?;
                let change = Change::Add {
                    device: *device,
                    signing: *signing,
                    box_key: *box_key,
                };
                (change, rest)
            }
            2 => {
                let (device, rest) = rest.split_first_chunk::<16>()?;
                (Change::Remove { device: *device }, rest)
            }
            3 | 4 => {
                let (key, rest) = rest.split_first_chunk::<32>()?;
                let change = Change::Invite {
                    key: *key,
                    recovery: kind == 4,
                };
                (change, rest)
            }
            _ => return None,
        };
        let (author, rest) = rest.split_first_chunk::<32>()?;
        let (&n, mut rest) = rest.split_first()?;
        let n = usize::from(n);
        if n > MAX_PARENTS {
            return None;
        }
        let mut parents = Vec::with_capacity(n);
        for _ in 0..n {
            let (p, r) = rest.split_first_chunk::<32>()?;
            parents.push(*p);
            rest = r;
        }
        if !parents.is_sorted_by(|a, b| a < b) {
            return None;
        }
        let signature: [u8; 64] = rest.try_into().ok()?;
        Some(Entry {
            change,
            author: *author,
            parents,
            signature,
        })
    }

    /// The entry's hash: how other entries name it.
    pub(crate) fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.to_bytes()).into()
    }

    /// Whether this is a founding entry: a device adding itself, having
    /// seen nothing.
    pub(super) fn founding(&self) -> bool {
        matches!(self.change, Change::Add { signing, .. } if signing == self.author)
            && self.parents.is_empty()
    }
}

/// The code of a device's keys (its signing and box keys): four groups of
/// five digits that the device shows for itself and the person's other
/// devices show for it, to compare before confirming it.
pub fn device_code(signing: &[u8; 32], box_key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"tandem device code v1\0");
    h.update(signing);
    h.update(box_key);
    crate::features::identity::digit_groups(&h.finalize().into())
}

/// The bytes of the entry stored (as hex) under `key` of `doc`, when
/// they read as hex: how every document that carries entries holds them.
pub(crate) fn stored<D: automerge::ReadDoc + autosurgeon::ReadDoc>(
    doc: &D,
    key: &str,
) -> Option<Vec<u8>> {
    crate::document::shard::get::<_, String>(doc, key)
        .ok()
        .flatten()
        .and_then(|text| hex::decode(text).ok())
}
