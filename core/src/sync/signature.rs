//! Who wrote a record: every record and snapshot a device seals carries
//! its **device certificate** and its **signature**, inside the
//! ciphertext.
//!
//! Each device has its own Ed25519 signing key. Its certificate is the
//! account identity's signature over the device's id (its automerge actor
//! id, the writer a record names) and that key, so a reader that knows
//! which identities belong in a space can tell, from the record alone,
//! that one of their devices wrote it:
//!
//! - the certificate verifies under the identity it names, and binds the
//!   record's writer to the signing key;
//! - the record's signature verifies under that key, over the place the
//!   record is sealed for (space, opaque names, epoch) and everything
//!   inside it.
//!
//! Whoever holds a space's key but not the identity of a member (a pair
//! partner writing as the other person, a server handed a key) cannot make
//! a record that passes as another person's device. The space key still
//! decides who reads; the signature decides whose writing counts.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::seal::Refusal;
use crate::error::Result;
use crate::features::identity::{self, Identity, fingerprint};
use crate::store::{Space, SpaceRole, Store};

/// Bytes a signed record adds inside the ciphertext: the identity, the
/// device's signing key, the certificate and the record's signature.
pub const SIGNED_LEN: usize = 32 + 32 + 64 + 64;

/// What a writing device signs with: its key and its certificate.
pub struct Signer {
    identity: [u8; 32],
    writer: Vec<u8>,
    key: SigningKey,
    certificate: [u8; 64],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("writer", &hex::encode(&self.writer))
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// The signer of device `writer` (its actor id) with signing key
    /// `seed`, certified now by the account's `identity`.
    pub fn new(identity: &Identity, writer: &[u8], seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let certificate = identity.sign(&certificate_message(
            writer,
            &key.verifying_key().to_bytes(),
        ));
        Signer {
            identity: identity.public_key(),
            writer: writer.to_vec(),
            key,
            certificate,
        }
    }

    /// The device this signer writes as.
    pub fn writer(&self) -> &[u8] {
        &self.writer
    }

    /// The identity that certified the device.
    pub fn identity(&self) -> [u8; 32] {
        self.identity
    }

    /// Appends the identity, the device's key and the certificate: what a
    /// reader needs to check the signature that follows them.
    pub(crate) fn write_credentials(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.identity);
        out.extend_from_slice(&self.key.verifying_key().to_bytes());
        out.extend_from_slice(&self.certificate);
    }

    /// The device's signature over `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// The writer id (automerge actor id) bound to the device signing key
/// `device_key`: a hash of the key, so a record whose writer is
/// this id and whose signature holds under that key can only come from the
/// device that holds the key's secret. A device made since writes under
/// this id; no one else (a lost phone holding the person's identity, a
/// partner, a devices-document entry) can claim it for another identity.
pub fn bound_writer(device_key: &[u8; 32]) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(b"tandem bound writer v1\0")
        .chain_update(device_key)
        .finalize();
    digest[..16].try_into().expect("sized")
}

/// The writer id bound to the signing key made from `seed` (see
/// [`bound_writer`]).
pub fn bound_writer_of_seed(seed: &[u8; 32]) -> [u8; 16] {
    bound_writer(&SigningKey::from_bytes(seed).verifying_key().to_bytes())
}

/// A fresh signing key seed for a device.
pub fn generate_seed() -> Zeroizing<[u8; 32]> {
    use rand::RngCore;
    let mut seed = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(&mut *seed);
    seed
}

/// This device's signer, once the account's identity is known here (a
/// device linked a moment ago learns it from the keyring at its first
/// pull).
pub(crate) fn device_signer(store: &mut Store) -> Result<Option<Signer>> {
    let Some(identity) = identity::get(store)? else {
        return Ok(None);
    };
    let seed = store.signing_seed()?;
    let writer = hex::decode(store.device_id()).unwrap_or_default();
    Ok(Some(Signer::new(&identity, &writer, &seed)))
}

/// Signers for the writer ids this device wrote under before its id was
/// bound (see `Store::former_writers`): what it wrote then and had not
/// pushed yet goes out signed under the id it was written as.
pub(crate) fn former_signers(store: &mut Store) -> Result<Vec<Signer>> {
    let Some(identity) = identity::get(store)? else {
        return Ok(Vec::new());
    };
    let seed = store.signing_seed()?;
    Ok(store
        .former_writers()?
        .iter()
        .filter_map(|w| hex::decode(w).ok())
        .map(|w| Signer::new(&identity, &w, &seed))
        .collect())
}

/// Whether this device writes under the id bound to its signing key (every
/// device does once its store was opened by this build).
#[doc(hidden)]
pub fn writes_bound(store: &Store) -> Result<bool> {
    let seed = store.signing_seed()?;
    Ok(hex::encode(bound_writer_of_seed(&seed)) == store.device_id())
}

/// Whose writing one space takes, and from which epoch only signed.
#[derive(Debug, Clone)]
pub(crate) struct Members {
    /// The last record that may be unsigned (`None`: undecided, a space
    /// from before signatures not pulled since the upgrade).
    signed_after: Option<i64>,
    /// Fingerprints of the identities whose devices may write here;
    /// `None` for any (the private space; a pair before it pinned the
    /// other side, or one whose pins conflict, which the pair shows).
    identities: Option<Vec<[u8; 16]>>,
    /// For the private space: this person's identity, which every writer
    /// there belongs to (only the person's devices hold its key).
    owner: Option<[u8; 16]>,
    /// Where each later epoch began: what an earlier key may still seal.
    fences: super::fences::Fences,
}

impl Members {
    /// What this device knows of `space`'s members.
    pub(crate) fn of(store: &Store, space: &Space) -> Result<Members> {
        let own = store.identity_public()?.map(|p| fingerprint(&p));
        let identities = match space.role {
            // Whoever holds the private space's key can read the identity
            // in its key ring, so naming one identity adds nothing there;
            // and two devices from before identities that each made one
            // must read each other's key ring to settle on one.
            SpaceRole::Private => None,
            SpaceRole::Pair => {
                let pinned = store
                    .pair_pin(&space.space_id)?
                    .and_then(|p| identity::from_hex::<16>(&p));
                match (own, pinned) {
                    (Some(o), Some(p)) => Some(vec![o, p]),
                    _ => None,
                }
            }
        };
        Ok(Members {
            signed_after: store.signed_after(&space.space_id)?,
            identities,
            owner: own.filter(|_| space.role == SpaceRole::Private),
            fences: super::fences::Fences::of(store, &space.space_id)?,
        })
    }

    /// Whether a record sealed under `key_epoch` may sit at `seq` (for a
    /// snapshot: the last record it covers): not once a later epoch had
    /// begun before it.
    pub(crate) fn admit_epoch(&self, key_epoch: u32, seq: i64) -> Result<(), Refusal> {
        self.fences.admit(key_epoch, seq)
    }

    /// Whether a snapshot sealed under `key_epoch` is taken (see
    /// `Fences::admit_snapshot`).
    pub(crate) fn admit_snapshot_epoch(&self, key_epoch: u32) -> Result<(), Refusal> {
        self.fences.admit_snapshot(key_epoch)
    }

    /// Whether a snapshot signed by `signer` (`None`: unsigned) is taken,
    /// `sealed_upto` being the bound sealed with it (none: one only the
    /// server claims). Once the space's unsigned records have an end, an
    /// unsigned snapshot counts only with a sealed bound within it (a
    /// snapshot is a whole document, which no claimed `seq` limits).
    pub(crate) fn admit_snapshot(
        &self,
        signer: Option<[u8; 32]>,
        sealed_upto: Option<i64>,
    ) -> Result<(), Refusal> {
        match (signer, self.signed_after) {
            (None, Some(after)) if sealed_upto.is_none_or(|u| u > after) => Err(Refusal::Unsigned),
            _ => self.admit(0, signer),
        }
    }

    /// The identity a record's writer belongs to, once the record is
    /// admitted: the signer's, or in the private space the person's own
    /// (unsigned records from before signatures included).
    pub(crate) fn writer_identity(&self, signer: Option<[u8; 32]>) -> Option<[u8; 16]> {
        self.owner.or(signer.map(|s| fingerprint(&s)))
    }

    /// Whether these members' rules take record `seq` (for a snapshot:
    /// the last record it covers) signed by `signer` (`None`: unsigned).
    pub(crate) fn admit(&self, seq: i64, signer: Option<[u8; 32]>) -> Result<(), Refusal> {
        let Some(id) = signer else {
            return match self.signed_after {
                Some(after) if seq > after => Err(Refusal::Unsigned),
                _ => Ok(()),
            };
        };
        if self
            .identities
            .as_ref()
            .is_some_and(|members| !members.contains(&fingerprint(&id)))
        {
            return Err(Refusal::BadSignature);
        }
        Ok(())
    }
}

/// Which identity each writing device belongs to, as far as this device
/// knows.
///
/// A **bound** writer (a device made since writer ids are bound to signing
/// keys, see [`bound_writer`]) belongs to whichever identity certified the
/// key its id is bound to: only that device can sign as it, so nothing
/// else (a devices-document entry, an earlier claim) counts against it,
/// and once seen bound, no unbound claim to its id is taken.
///
/// An **unbound** writer (a device from before) is its own person's from
/// the start, and every other device's from the first signed record it
/// wrote (the person's other devices show up first in the private space,
/// which only the person's identity signs); the person's own devices
/// recorded in the devices document are the person's whatever was learned
/// before. A record whose unbound writer belongs to one identity but is
/// certified by another is a member certifying someone else's device as
/// their own to write in that person's name: refused.
#[derive(Debug, Default)]
pub(crate) struct Writers {
    known: std::collections::HashMap<String, [u8; 16]>,
    bound: std::collections::HashSet<String>,
    learned: Vec<Learned>,
}

/// A writer learned while pulling, to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Learned {
    /// The writer's actor id, as hex.
    pub writer: String,
    /// The fingerprint of the identity it belongs to.
    pub identity: [u8; 16],
    /// Whether the writer is bound to its key (the identity is then
    /// certain, and replaces any kept before).
    pub bound: bool,
}

impl Writers {
    /// What this device has learned so far.
    pub(crate) fn load(store: &Store) -> Result<Writers> {
        let mut known = store.writer_identities()?;
        if let Some(own) = store.identity_public()? {
            let own = fingerprint(&own);
            known.insert(store.device_id(), own);
            for former in store.former_writers()? {
                known.insert(former, own);
            }
            for record in store.device_records_read()? {
                if let Some(actor) = record.actor {
                    known.insert(actor, own);
                }
                // Another device's former ids are a hint only: whoever
                // holds the private space's key can write them, so they
                // never move a writer already seen signing for another.
                for former in record.former {
                    known.entry(former).or_insert(own);
                }
            }
        }
        // Last: what a key proved beats every claim above.
        let bound = store.bound_writers()?;
        let mut ids = std::collections::HashSet::with_capacity(bound.len());
        for (writer, identity) in bound {
            known.insert(writer.clone(), identity);
            ids.insert(writer);
        }
        Ok(Writers {
            known,
            bound: ids,
            learned: Vec::new(),
        })
    }

    /// Whether `writer` may write as a device of the identity whose
    /// fingerprint is `signed_by`, `bound` telling whether the writer is
    /// the id bound to the signing key; a writer seen for the first time
    /// (or bound for the first time) is learned as that identity's.
    pub(crate) fn admit(
        &mut self,
        writer: &[u8],
        signed_by: [u8; 16],
        bound: bool,
    ) -> Result<(), Refusal> {
        let writer = hex::encode(writer);
        if bound {
            let changed = self.known.insert(writer.clone(), signed_by) != Some(signed_by);
            if self.bound.insert(writer.clone()) || changed {
                self.learned.push(Learned {
                    writer,
                    identity: signed_by,
                    bound: true,
                });
            }
            return Ok(());
        }
        match self.known.get(&writer) {
            Some(owner) if *owner != signed_by => Err(Refusal::BadSignature),
            // A bound writer's id is taken only with its key.
            Some(_) if self.bound.contains(&writer) => Err(Refusal::BadSignature),
            Some(_) => Ok(()),
            None => {
                self.known.insert(writer.clone(), signed_by);
                self.learned.push(Learned {
                    writer,
                    identity: signed_by,
                    bound: false,
                });
                Ok(())
            }
        }
    }

    /// The writers learned since [`load`](Self::load), to keep.
    pub(crate) fn learned(&self) -> &[Learned] {
        &self.learned
    }
}

/// What the identity signs to certify a device.
fn certificate_message(writer: &[u8], device_key: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(32 + writer.len() + 32);
    m.extend_from_slice(b"tandem device certificate v1\0");
    m.push(writer.len() as u8);
    m.extend_from_slice(writer);
    m.extend_from_slice(device_key);
    m
}

/// The credentials and signature read from inside a record.
pub(crate) struct Signed<'a> {
    /// The identity that certified the writing device.
    pub identity: [u8; 32],
    device_key: &'a [u8],
    certificate: &'a [u8],
    signature: &'a [u8],
}

impl<'a> Signed<'a> {
    /// Splits [`SIGNED_LEN`] bytes into their parts; `None` when too short.
    pub(crate) fn split(bytes: &'a [u8]) -> Option<(Signed<'a>, &'a [u8])> {
        if bytes.len() < SIGNED_LEN {
            return None;
        }
        let (head, rest) = bytes.split_at(SIGNED_LEN);
        Some((
            Signed {
                identity: head[..32].try_into().expect("sized"),
                device_key: &head[32..64],
                certificate: &head[64..128],
                signature: &head[128..],
            },
            rest,
        ))
    }

    /// Whether `writer` is the id bound to the device key (see
    /// [`bound_writer`]): then the key, not any table, says whose it is.
    pub(crate) fn bound(&self, writer: &[u8]) -> bool {
        let device_key: [u8; 32] = self.device_key.try_into().expect("sized");
        bound_writer(&device_key).as_slice() == writer
    }

    /// Whether the certificate binds `writer` to the device key under the
    /// identity, and the device key signed `message`.
    pub(crate) fn holds(&self, writer: &[u8], message: &[u8]) -> bool {
        let device_key: [u8; 32] = self.device_key.try_into().expect("sized");
        let certificate: [u8; 64] = self.certificate.try_into().expect("sized");
        if !identity::verify(
            &self.identity,
            &certificate_message(writer, &device_key),
            &certificate,
        ) {
            return false;
        }
        let signature =
            ed25519_dalek::Signature::from_bytes(&self.signature.try_into().expect("sized"));
        VerifyingKey::from_bytes(&device_key)
            .is_ok_and(|k| k.verify_strict(message, &signature).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_records_pass_only_up_to_their_end_and_signers_must_be_members() {
        let member = Identity::generate().public_key();
        let stranger = Identity::generate().public_key();
        let members = Members {
            signed_after: Some(3),
            identities: Some(vec![fingerprint(&member)]),
            owner: None,
            fences: Default::default(),
        };
        assert_eq!(members.admit(3, None), Ok(()));
        assert_eq!(members.admit(4, None), Err(Refusal::Unsigned));
        assert_eq!(members.admit(0, Some(member)), Ok(()));
        assert_eq!(members.admit(5, Some(member)), Ok(()));
        assert_eq!(members.admit(5, Some(stranger)), Err(Refusal::BadSignature));
        let undecided = Members {
            signed_after: None,
            identities: None,
            owner: None,
            fences: Default::default(),
        };
        assert_eq!(undecided.admit(9, None), Ok(()));
        assert_eq!(undecided.admit(9, Some(stranger)), Ok(()));
    }

    #[test]
    fn a_writer_belongs_to_the_first_identity_that_signed_for_it() {
        let (a, b) = (
            fingerprint(&Identity::generate().public_key()),
            fingerprint(&Identity::generate().public_key()),
        );
        let mut writers = Writers::default();
        assert_eq!(writers.admit(&[1; 16], a, false), Ok(()));
        assert_eq!(writers.admit(&[1; 16], a, false), Ok(()));
        assert_eq!(
            writers.admit(&[1; 16], b, false),
            Err(Refusal::BadSignature)
        );
        assert_eq!(writers.admit(&[2; 16], b, false), Ok(()));
        assert_eq!(writers.learned().len(), 2);
    }

    #[test]
    fn a_bound_writer_belongs_to_its_keys_identity_whatever_was_claimed() {
        let (a, b) = (
            fingerprint(&Identity::generate().public_key()),
            fingerprint(&Identity::generate().public_key()),
        );
        let seed = generate_seed();
        let writer = bound_writer_of_seed(&seed);
        let mut writers = Writers::default();
        // Someone claimed the id first, unbound, for identity a.
        assert_eq!(writers.admit(&writer, a, false), Ok(()));
        // The key's own record says b: b it is, and it is kept as bound.
        assert_eq!(writers.admit(&writer, b, true), Ok(()));
        let kept = writers.learned().last().unwrap().clone();
        assert_eq!((kept.identity, kept.bound), (b, true));
        // From now on an unbound claim to the id fails, for a and for b.
        assert_eq!(writers.admit(&writer, a, false), Err(Refusal::BadSignature));
        assert_eq!(writers.admit(&writer, b, false), Err(Refusal::BadSignature));
        // Seen bound again: nothing new to keep.
        let n = writers.learned().len();
        assert_eq!(writers.admit(&writer, b, true), Ok(()));
        assert_eq!(writers.learned().len(), n);
    }

    #[test]
    fn only_the_key_a_writer_id_is_bound_to_makes_it_bound() {
        let id = Identity::generate();
        let seed = generate_seed();
        let writer = bound_writer_of_seed(&seed);
        let credentials = |signer: &Signer| {
            let mut bytes = Vec::new();
            signer.write_credentials(&mut bytes);
            bytes.extend_from_slice(&signer.sign(b"message"));
            bytes
        };
        let own = credentials(&Signer::new(&id, &writer, &seed));
        let (signed, _) = Signed::split(&own).unwrap();
        assert!(signed.holds(&writer, b"message") && signed.bound(&writer));
        // Another key certified for the same id signs, but is not bound.
        let other = credentials(&Signer::new(&id, &writer, &generate_seed()));
        let (signed, _) = Signed::split(&other).unwrap();
        assert!(signed.holds(&writer, b"message") && !signed.bound(&writer));
    }

    #[test]
    fn a_certificate_binds_the_writer_and_the_key_to_the_identity() {
        let id = Identity::generate();
        let signer = Signer::new(&id, &[7; 16], &generate_seed());
        let mut bytes = Vec::new();
        signer.write_credentials(&mut bytes);
        bytes.extend_from_slice(&signer.sign(b"message"));
        let (signed, rest) = Signed::split(&bytes).unwrap();
        assert!(rest.is_empty());
        assert_eq!(signed.identity, id.public_key());
        assert!(signed.holds(&[7; 16], b"message"));
        // Another writer, another message.
        assert!(!signed.holds(&[8; 16], b"message"));
        assert!(!signed.holds(&[7; 16], b"messagf"));
        // A certificate made by another identity, claimed for this one.
        let other = Signer::new(&Identity::generate(), &[7; 16], &generate_seed());
        let mut forged = Vec::new();
        forged.extend_from_slice(&id.public_key());
        forged.extend_from_slice(&other.key.verifying_key().to_bytes());
        forged.extend_from_slice(&other.certificate);
        forged.extend_from_slice(&other.sign(b"message"));
        let (signed, _) = Signed::split(&forged).unwrap();
        assert!(!signed.holds(&[7; 16], b"message"));
        assert!(Signed::split(&forged[..SIGNED_LEN - 1]).is_none());
    }
}
