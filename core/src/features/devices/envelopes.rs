//! Key envelopes: how a new epoch's key of the private space reaches the
//! person's other devices after an unlink.
//!
//! An envelope goes from one device to another, both in the person's
//! devices document. It is encrypted and authenticated between the two
//! devices' static X25519 keys (`crypto_box`'s XChaCha20-Poly1305 box), so
//! opening it proves which device sealed it; it starts with a hash of the
//! space, the epoch and both devices (the box takes no associated data), so
//! an envelope moved to another epoch or device does not count. It is stored as a snapshot covering
//! no records under a name only the two can compute: a keyed hash of their
//! X25519 shared secret, the space and the epoch. Nobody else (a lost
//! phone, whoever holds a token) can predict a name to squat it.
//!
//! A device takes an epoch's key only from a device that its devices
//! document lists as linked, the server lists as a current device of the
//! account *and* the device log certifies with that box key (see
//! `super::log`), and seals keys only to such a device: a phone unlinked
//! before the epoch began cannot hand out the epoch's key, even with an
//! envelope planted before its unlink, and a device the server lists but
//! the log does not certify (a server's own, one a lost phone made) gets
//! none.
//!
//! A device's box key is the one first seen in its devices-document record
//! (pinned: a device never changes its own, while anyone holding the
//! private space's key, a lost phone included, can rewrite the record).
//! Each device also sets its box key on the server once, with its own
//! token ([`publish_box_key`]); the server's must be the same, so a
//! server cannot slip in a key of its own either, and a device that has
//! not set one yet gets and sends no envelope until it has.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use crypto_box::aead::{Aead, AeadCore};
use sha2::{Digest, Sha256};
use tandem_protocol::{DeviceInfo, SnapshotUpload};
use zeroize::Zeroizing;

use super::linking::{DeviceView, list};
use crate::error::{Error, Result};
use crate::store::{SpaceRole, Store};
use crate::sync::Client;
use crate::sync::seal::SpaceKey;

/// Every key of a space this device holds, by epoch, and where each epoch
/// began (its fence, see `sync::fences`): what an envelope carries.
#[derive(Default)]
pub(crate) struct KeySet {
    /// `(epoch, key)`, oldest first.
    pub(crate) keys: Vec<(u32, SpaceKey)>,
    /// `(epoch, after_seq)`: no record sealed under an earlier epoch counts
    /// past `after_seq`.
    pub(crate) fences: Vec<(u32, i64)>,
    /// Device-log entries the sender carries (see `super::log`): its
    /// answers to removals of it, which a receiver that saw the removal
    /// needs before it takes keys from the sender.
    pub(crate) log: Vec<Vec<u8>>,
}

/// The first byte of a packed [`KeySet`] that carries fences. Envelopes
/// from before hold keys only, 36 bytes each, the first byte an epoch's
/// high byte (0 for every epoch below 2^24); a packed set with fences is
/// 3 + 36 n + 12 m bytes long, never a multiple of 36.
const WITH_FENCES: u8 = 2;

/// The first byte of a packed [`KeySet`] that also carries device-log
/// entries: the fences counted, then the entries, each with its length.
/// Sent only when there are entries to carry, so devices of the build
/// before still read every other envelope.
const WITH_LOG: u8 = 3;

impl KeySet {
    /// Every key and fence this device holds for `space_id`.
    pub(crate) fn of(store: &Store, space_id: &str) -> Result<KeySet> {
        Ok(KeySet {
            keys: store.space_keys(space_id)?,
            fences: store.fences(space_id)?,
            log: Vec::new(),
        })
    }

    /// Keys only (for tests of what others can plant).
    pub(crate) fn keys(keys: &[(u32, SpaceKey)]) -> KeySet {
        KeySet {
            keys: keys.to_vec(),
            fences: Vec::new(),
            log: Vec::new(),
        }
    }

    /// Packed for an envelope: a version byte, the number of keys, each
    /// key as its epoch and 32 bytes, then each fence as its epoch and
    /// `after_seq`.
    pub(crate) fn pack(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(
            5 + self.keys.len() * 36 + self.fences.len() * 12,
        ));
        out.push(if self.log.is_empty() {
            WITH_FENCES
        } else {
            WITH_LOG
        });
        out.extend_from_slice(&(self.keys.len().min(u16::MAX as usize) as u16).to_be_bytes());
        for (epoch, key) in self.keys.iter().take(u16::MAX as usize) {
            out.extend_from_slice(&epoch.to_be_bytes());
            out.extend_from_slice(key.as_bytes());
        }
        if !self.log.is_empty() {
            let n = self.fences.len().min(u16::MAX as usize);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        for (epoch, after) in self.fences.iter().take(u16::MAX as usize) {
            out.extend_from_slice(&epoch.to_be_bytes());
            out.extend_from_slice(&after.to_be_bytes());
        }
        if !self.log.is_empty() {
            let entries: Vec<&Vec<u8>> = self
                .log
                .iter()
                .filter(|e| e.len() <= u16::MAX as usize)
                .take(u16::MAX as usize)
                .collect();
            out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
            for e in entries {
                out.extend_from_slice(&(e.len() as u16).to_be_bytes());
                out.extend_from_slice(e);
            }
        }
        out
    }

    /// The inverse of [`pack`](Self::pack), and of the keys-only form of
    /// envelopes from before; `None` for anything else.
    pub(crate) fn unpack(bytes: &[u8]) -> Option<KeySet> {
        if bytes.is_empty() {
            return None;
        }
        // Keys only, 36 bytes each, starting with an epoch's high byte (0);
        // the packed forms start with their version.
        if bytes[0] == 0 && bytes.len().is_multiple_of(36) {
            return Some(KeySet {
                keys: keys_in(bytes),
                fences: Vec::new(),
                log: Vec::new(),
            });
        }
        let (&[version, a, b], rest) = bytes.split_first_chunk::<3>()?;
        let n = usize::from(u16::from_be_bytes([a, b]));
        let (keys, rest) = rest.split_at_checked(n * 36)?;
        if n == 0 {
            return None;
        }
        let fences_of = |bytes: &[u8]| -> Vec<(u32, i64)> {
            bytes
                .chunks(12)
                .map(|c| {
                    (
                        u32::from_be_bytes(c[..4].try_into().expect("sized")),
                        i64::from_be_bytes(c[4..].try_into().expect("sized")),
                    )
                })
                .collect()
        };
        match version {
            WITH_FENCES if rest.len().is_multiple_of(12) => Some(KeySet {
                keys: keys_in(keys),
                fences: fences_of(rest),
                log: Vec::new(),
            }),
            WITH_LOG => {
                let (m, rest) = rest.split_first_chunk::<2>()?;
                let (fences, rest) =
                    rest.split_at_checked(usize::from(u16::from_be_bytes(*m)) * 12)?;
                let (k, mut rest) = rest.split_first_chunk::<2>()?;
                let mut log = Vec::new();
                for _ in 0..u16::from_be_bytes(*k) {
                    let (len, more) = rest.split_first_chunk::<2>()?;
                    let (entry, more) =
                        more.split_at_checked(usize::from(u16::from_be_bytes(*len)))?;
                    log.push(entry.to_vec());
                    rest = more;
                }
                rest.is_empty().then(|| KeySet {
                    keys: keys_in(keys),
                    fences: fences_of(fences),
                    log,
                })
            }
            _ => None,
        }
    }

    /// Keeps every key and fence for the private space `space_id` here.
    pub(crate) fn keep_private(&self, store: &Store, space_id: &str) -> Result<()> {
        for (epoch, key) in &self.keys {
            store.add_space(space_id, SpaceRole::Private, *epoch, key)?;
        }
        for (epoch, after) in &self.fences {
            store.set_fence(space_id, *epoch, *after)?;
        }
        Ok(())
    }
}

/// Keys packed 36 bytes each: the epoch, then the key.
fn keys_in(bytes: &[u8]) -> Vec<(u32, SpaceKey)> {
    bytes
        .chunks_exact(36)
        .map(|c| {
            let epoch = u32::from_be_bytes(c[..4].try_into().expect("sized"));
            let key: [u8; 32] = c[4..].try_into().expect("sized");
            (epoch, SpaceKey::from_bytes(key))
        })
        .collect()
}

/// The name of the envelope between this device (`secret`) and the device
/// whose public key is `other` for `epoch` of `space_id`: the same from
/// either end, unknown to anyone else.
pub(crate) fn name(
    secret: &crypto_box::SecretKey,
    other: &[u8; 32],
    space_id: &str,
    epoch: u32,
) -> String {
    let mine = x25519_dalek::StaticSecret::from(secret.to_bytes());
    let shared = mine.diffie_hellman(&x25519_dalek::PublicKey::from(*other));
    let mut h = Sha256::new();
    h.update(b"tandem key envelope name v2\0");
    h.update(shared.as_bytes());
    h.update(space_id.as_bytes());
    h.update([0]);
    h.update(epoch.to_be_bytes());
    hex::encode(&h.finalize()[..16])
}

/// What an envelope is bound to: a hash of the space, the epoch and both
/// devices, which the sealed message starts with.
fn bound_to(space_id: &str, epoch: u32, from: &str, to: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tandem key envelope v2\0");
    for part in [space_id, from, to] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(epoch.to_be_bytes());
    h.finalize().into()
}

/// A device's public key as its record in the devices document gives it.
fn public_key(d: &DeviceView) -> Option<[u8; 32]> {
    hex_key(&d.public_key)
}

/// 64 hex characters as a 32-byte key.
fn hex_key(text: &str) -> Option<[u8; 32]> {
    let mut pk = [0u8; 32];
    hex::decode_to_slice(text, &mut pk).ok().map(|_| pk)
}

/// The box key each device set on the server itself, by device id.
fn keys_on_server(devices: &[DeviceInfo]) -> HashMap<&str, [u8; 32]> {
    devices
        .iter()
        .filter_map(|d| Some((d.device_id.as_str(), hex_key(d.box_key.as_deref()?)?)))
        .collect()
}

/// The key to seal to, and open from, device `d` (as [`list`] gives it,
/// with the key first seen for it): the key the device set on the server
/// itself, when it is the one first seen or the one the device's record
/// holds now (the device wrote its record back after someone rewrote it).
/// Where the server lists none (the device has not synced since it was
/// linked or upgraded: every device of protocol 4 sets its key at its
/// first sync), there is none yet: the key first seen alone could be a
/// lost phone's rewrite that this device saw before the real one. Neither
/// a lost phone rewriting the record nor a server listing a key of its own
/// can make a device seal to, or take keys from, another key: where they
/// disagree there is no key, and nothing moves.
fn key_of(
    store: &Store,
    d: &DeviceView,
    on_server: &HashMap<&str, [u8; 32]>,
) -> Result<Option<[u8; 32]>> {
    let pinned = public_key(d);
    let Some(listed) = on_server.get(d.device_id.as_str()) else {
        return Ok(None);
    };
    if pinned == Some(*listed) {
        return Ok(pinned);
    }
    let now = store
        .device_records_read()?
        .into_iter()
        .find(|r| r.device_id == d.device_id)
        .and_then(|r| hex_key(&r.public_key));
    if now != Some(*listed) {
        return Ok(None);
    }
    // The device's own record and its own word to the server agree: the
    // key first seen here was someone's rewrite, seen before the device
    // wrote its record back (a device linked during the attack).
    store.repin_box_key(&d.device_id, &hex::encode(listed))?;
    Ok(Some(*listed))
}

/// Whether device `device_id`, known by box key `pk`, may get keys from
/// this device and send it some: the device log certifies it with that
/// box key (`peers`, see [`super::log::envelope_peers`]; `None`: the log
/// does not decide yet).
fn certified(
    peers: Option<&std::collections::BTreeMap<String, [u8; 32]>>,
    device_id: &str,
    pk: &[u8; 32],
) -> bool {
    peers.is_none_or(|p| p.get(device_id) == Some(pk))
}

/// Sets this device's box key on the server, once (remembered here): from
/// then on the other devices check the key its record gives against it.
/// Best effort: a server from before (no such call), or one that fails or
/// refuses now, is asked again at the next sync, and nothing else waits on
/// it (the devices then go by the key first seen, as before).
pub(crate) fn publish_box_key(store: &mut Store, client: &Client) -> Result<()> {
    let public = *store.box_secret()?.public_key().as_bytes();
    let text = hex::encode(public);
    if store.box_key_on_server()?.as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    if client.set_keys(&public).is_ok() {
        store.note_box_key_on_server(&text)?;
    }
    Ok(())
}

/// The envelope from this device (`secret`, `from`) to device `to` (id,
/// public key) carrying `packed` keys for `epoch` of `space_id`.
pub(crate) fn seal(
    secret: &crypto_box::SecretKey,
    from: &str,
    to: (&str, &[u8; 32]),
    space_id: &str,
    epoch: u32,
    packed: &[u8],
) -> Result<SnapshotUpload> {
    let sealer = crypto_box::ChaChaBox::new(&crypto_box::PublicKey::from(*to.1), secret);
    let nonce = crypto_box::ChaChaBox::generate_nonce(&mut crypto_box::aead::OsRng);
    let mut message = Zeroizing::new(bound_to(space_id, epoch, from, to.0).to_vec());
    message.extend_from_slice(packed);
    let sealed = sealer
        .encrypt(&nonce, message.as_slice())
        .map_err(|_| Error::invalid("device key", "could not be sealed"))?;
    Ok(SnapshotUpload {
        doc_id: name(secret, to.1, space_id, epoch),
        upto_seq: 0,
        key_epoch: epoch,
        nonce: URL_SAFE_NO_PAD.encode(nonce),
        ciphertext: URL_SAFE_NO_PAD.encode(sealed),
    })
}

/// The envelope `store`'s device would send to device `to` with `keys`
/// for `epoch` of the private space, without sending it: what a device
/// can plant (for tests of what a lost phone can do).
#[doc(hidden)]
pub fn seal_envelope_for(
    store: &Store,
    to: &str,
    epoch: u32,
    keys: &[(u32, SpaceKey)],
) -> Result<SnapshotUpload> {
    let account = store.account()?.ok_or(Error::NoServer)?;
    seal_envelope_as(store, &account.device_id, to, epoch, keys)
}

/// [`seal_envelope_for`], naming device `from` as its sender (sealed
/// with `store`'s own box key all the same): what a lost phone plants
/// after rewriting `from`'s key in the devices document.
#[doc(hidden)]
pub fn seal_envelope_as(
    store: &Store,
    from: &str,
    to: &str,
    epoch: u32,
    keys: &[(u32, SpaceKey)],
) -> Result<SnapshotUpload> {
    let space = store.private_space()?.ok_or(Error::NoServer)?;
    let d = list(store)?
        .into_iter()
        .find(|d| d.device_id == to)
        .ok_or_else(|| Error::not_found("device", to))?;
    let pk = public_key(&d).ok_or_else(|| Error::not_found("device key", to))?;
    seal(
        &store.box_secret()?,
        from,
        (to, &pk),
        &space.space_id,
        epoch,
        &KeySet::keys(keys).pack(),
    )
}

/// An envelope sealed with any box `secret` as from device `from` to
/// device `to` (id, public key): what a server that lists a box key of
/// its own for `from` would plant (for tests of what it can do).
#[doc(hidden)]
pub fn seal_envelope_with(
    secret: &[u8; 32],
    from: &str,
    to: (&str, &[u8; 32]),
    space_id: &str,
    epoch: u32,
    keys: &[(u32, SpaceKey)],
) -> Result<SnapshotUpload> {
    seal(
        &crypto_box::SecretKey::from(*secret),
        from,
        to,
        space_id,
        epoch,
        &KeySet::keys(keys).pack(),
    )
}

/// Seals every key of the private space to each linked device (but not
/// unlinked ones), then deletes the envelopes this device sent for
/// earlier epochs (the new ones hold every key) and those it sent to a
/// device since unlinked, so the space keeps only live snapshots.
pub(crate) fn send_epoch_keys(store: &mut Store, client: &Client) -> Result<()> {
    let account = store.account()?.ok_or(Error::NoServer)?;
    let space = store.private_space()?.ok_or(Error::NoServer)?;
    // Keys of earlier epochs this device has not got (two devices unlinked
    // others at once) are read first: the envelopes below carry them, and
    // the clearing up (names are the same from either end) loses none.
    fetch_missing_keys(store, client, &space.space_id, space.epoch)?;
    let mut set = KeySet::of(store, &space.space_id)?;
    set.log = super::log::answers(store)?;
    let packed = set.pack();
    let secret = store.box_secret()?;
    let devices = list(store)?;
    let listed = client.devices()?.devices;
    let on_server = keys_on_server(&listed);
    let peers = super::log::envelope_peers(store)?;
    for d in devices.iter().filter(|d| !d.unlinked && !d.this_device) {
        let Some(pk) = key_of(store, d, &on_server)? else {
            continue;
        };
        if !certified(peers.as_ref(), &d.device_id, &pk) {
            continue;
        }
        send_to(
            store,
            client,
            &account,
            &space,
            &packed,
            (&d.device_id, &pk),
        )?;
    }
    // Clearing up is best effort: an envelope left behind only counts
    // against the quota until the next epoch tries again. An unlinked
    // device is no longer listed: its envelopes are named by the key
    // first seen for it (deleting trusts nothing).
    for d in &devices {
        let Some(pk) = key_of(store, d, &on_server)?.or_else(|| public_key(d)) else {
            continue;
        };
        let last = if d.unlinked {
            space.epoch + 1
        } else {
            space.epoch
        };
        for epoch in 0..last {
            let old = name(&secret, &pk, &space.space_id, epoch);
            // A failure here leaves one envelope that opens only for its
            // device; the unlink itself is done.
            let _ = client.delete_snapshot(&space.space_id, &old);
        }
    }
    Ok(())
}

/// Seals every key of the private space to each linked device this device
/// has not sent them to at the current epoch: a device linked after the
/// space moved on holds only the epoch its link code carried, and reads
/// what was written before with these. Returns how many were sent.
pub(crate) fn send_keys_to_new_devices(store: &mut Store, client: &Client) -> Result<usize> {
    let (Some(account), Some(space)) = (store.account()?, store.private_space()?) else {
        return Ok(0);
    };
    if space.epoch == 0 {
        return Ok(0);
    }
    let mut waiting = Vec::new();
    for d in list(store)? {
        if d.unlinked || d.this_device || store.keys_sent(&d.device_id)? >= Some(space.epoch) {
            continue;
        }
        waiting.push(d);
    }
    if waiting.is_empty() {
        return Ok(0);
    }
    // Only to a device the server lists as current too, as keys are only
    // taken from one, sealed to the key it set there.
    let listed = client.devices()?.devices;
    let on_server = keys_on_server(&listed);
    let mut set = KeySet::of(store, &space.space_id)?;
    set.log = super::log::answers(store)?;
    let packed = set.pack();
    let peers = super::log::envelope_peers(store)?;
    let mut sent = 0;
    for d in waiting {
        if !listed.iter().any(|s| s.device_id == d.device_id) {
            continue;
        }
        let Some(pk) = key_of(store, &d, &on_server)? else {
            continue;
        };
        if !certified(peers.as_ref(), &d.device_id, &pk) {
            continue;
        }
        send_to(
            store,
            client,
            &account,
            &space,
            &packed,
            (&d.device_id, &pk),
        )?;
        sent += 1;
    }
    Ok(sent)
}

/// Seals `packed` keys of the private `space` (at its epoch) to device
/// `to` (id, public key), stores the envelope and notes it was sent.
fn send_to(
    store: &Store,
    client: &Client,
    account: &crate::sync::Account,
    space: &crate::store::Space,
    packed: &[u8],
    to: (&str, &[u8; 32]),
) -> Result<()> {
    let upload = seal(
        &store.box_secret()?,
        &account.device_id,
        to,
        &space.space_id,
        space.epoch,
        packed,
    )?;
    client.put_snapshot(&space.space_id, &upload)?;
    store.note_keys_sent(to.0, space.epoch)
}

/// Opens the envelope among `snapshots` that device `from` (id, public
/// key) sealed to this device (`secret`, id `to`) for `epoch` of
/// `space_id`, if there is one that opens and is bound to all of these.
fn open(
    secret: &crypto_box::SecretKey,
    from: (&str, &[u8; 32]),
    to: &str,
    space_id: &str,
    epoch: u32,
    snapshots: &[tandem_protocol::Snapshot],
) -> Option<KeySet> {
    let wanted = name(secret, from.1, space_id, epoch);
    let snap = snapshots.iter().find(|s| s.doc_id == wanted)?;
    let nonce = URL_SAFE_NO_PAD.decode(&snap.nonce).ok()?;
    let sealed = URL_SAFE_NO_PAD.decode(&snap.ciphertext).ok()?;
    if nonce.len() != 24 {
        return None;
    }
    let opener = crypto_box::ChaChaBox::new(&crypto_box::PublicKey::from(*from.1), secret);
    let opened = opener
        .decrypt(crypto_box::Nonce::from_slice(&nonce), sealed.as_slice())
        .map(Zeroizing::new)
        .ok()?;
    let bound = bound_to(space_id, epoch, from.0, to);
    opened
        .strip_prefix(bound.as_slice())
        .and_then(KeySet::unpack)
}

/// Fetches an envelope for `epoch` of the private space sent to this
/// device by another of the person's devices, and keeps the keys in it.
/// Only a device that is linked in the devices document and that the
/// server lists now may send one, opened with its box key as [`key_of`]
/// trusts it. Returns whether the epoch's key is now known.
pub(crate) fn receive_epoch_keys(
    store: &mut Store,
    client: &Client,
    space_id: &str,
    epoch: u32,
) -> Result<bool> {
    let Some(account) = store.account()? else {
        return Ok(false);
    };
    let listed = client.devices()?.devices;
    let on_server = keys_on_server(&listed);
    let peers = super::log::envelope_peers(store)?;
    let mut senders: Vec<(String, [u8; 32])> = Vec::new();
    let mut others: Vec<(String, [u8; 32])> = Vec::new();
    for d in list(store)? {
        if d.unlinked || d.this_device || !listed.iter().any(|s| s.device_id == d.device_id) {
            continue;
        }
        if let Some(pk) = key_of(store, &d, &on_server)? {
            if certified(peers.as_ref(), &d.device_id, &pk) {
                senders.push((d.device_id, pk));
            } else {
                others.push((d.device_id, pk));
            }
        }
    }
    if let Some(set) = keys_from(store, client, &account.device_id, space_id, epoch, &senders)? {
        set.keep_private(store, space_id)?;
    } else {
        // A sender the log here does not certify may carry the entries
        // that show it still is: a device a lost phone took out of the
        // log, that took the lost phone out under the new epoch (which
        // this device cannot read until it has the key). The entries
        // count only by the log's own rules.
        for sender in others {
            let Some(set) = keys_from(
                store,
                client,
                &account.device_id,
                space_id,
                epoch,
                std::slice::from_ref(&sender),
            )?
            else {
                continue;
            };
            if set.log.is_empty() || !super::log::take_answers(store, &sender.0, &set.log)? {
                continue;
            }
            let peers = super::log::envelope_peers(store)?;
            if certified(peers.as_ref(), &sender.0, &sender.1) {
                set.keep_private(store, space_id)?;
                break;
            }
        }
    }
    Ok(store.space_key(space_id, epoch)?.is_some())
}

/// How many epochs a device looks back for keys it lacks, at most, at
/// one time: each look is a request, and a space moved on many times over
/// (by a lost phone, a hostile server) must not make a sync endless.
pub(crate) const LOOK_BACK: u32 = 8;

/// Looks for the keys of the private space's last [`LOOK_BACK`] epochs
/// before `current` that this device does not hold (records of them were
/// refused for want of one, or it moved on without them): in the envelope
/// for `current` first (which carries every key its sender held), then in
/// those for the missing epochs, newest first.
pub(crate) fn fetch_missing_keys(
    store: &mut Store,
    client: &Client,
    space_id: &str,
    current: u32,
) -> Result<()> {
    let mut missing = Vec::new();
    for e in (current.saturating_sub(LOOK_BACK)..current).rev() {
        if store.space_key(space_id, e)?.is_none() {
            missing.push(e);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    for epoch in std::iter::once(current).chain(missing.clone()) {
        receive_epoch_keys(store, client, space_id, epoch)?;
        let mut still = false;
        for e in &missing {
            still |= store.space_key(space_id, *e)?.is_none();
        }
        if !still {
            break;
        }
    }
    Ok(())
}

/// The keys (and fences) in the first envelope of `space_id` that one of
/// `senders` (id, public key) sealed to this device (`to`) for `epoch` and
/// that holds that epoch's key; `None` when no sender left one.
pub(crate) fn keys_from(
    store: &Store,
    client: &Client,
    to: &str,
    space_id: &str,
    epoch: u32,
    senders: &[(String, [u8; 32])],
) -> Result<Option<KeySet>> {
    if senders.is_empty() {
        return Ok(None);
    }
    let secret = store.box_secret()?;
    let snapshots = client.snapshots(space_id)?.snapshots;
    let found = senders.iter().find_map(|(sender, public)| {
        open(&secret, (sender, public), to, space_id, epoch, &snapshots)
            .filter(|set| set.keys.iter().any(|(e, _)| *e == epoch))
    });
    // An envelope for an epoch carries keys up to it: one for a later epoch
    // would be a key planted ahead of it.
    Ok(found.map(|mut set| {
        set.keys.retain(|(e, _)| *e <= epoch);
        set.fences.retain(|(e, _)| *e <= epoch);
        set
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_set_packs_with_its_fences_and_envelopes_from_before_still_open() {
        let set = KeySet {
            keys: vec![
                (0, SpaceKey::from_bytes([1; 32])),
                (3, SpaceKey::from_bytes([2; 32])),
            ],
            fences: vec![(3, 41)],
            log: Vec::new(),
        };
        let packed = set.pack();
        assert_ne!(packed.len() % 36, 0);
        let back = KeySet::unpack(&packed).unwrap();
        assert_eq!(back.fences, vec![(3, 41)]);
        let epochs = |s: &KeySet| -> Vec<(u32, [u8; 32])> {
            s.keys.iter().map(|(e, k)| (*e, *k.as_bytes())).collect()
        };
        assert_eq!(epochs(&back), epochs(&set));
        // Keys only, 36 bytes each, as envelopes were sealed before.
        let mut before = Vec::new();
        for (e, k) in &set.keys {
            before.extend_from_slice(&e.to_be_bytes());
            before.extend_from_slice(k.as_bytes());
        }
        let old = KeySet::unpack(&before).unwrap();
        assert_eq!((epochs(&old), old.fences.len()), (epochs(&set), 0));
        // With device-log entries, which only then change the form.
        let with_log = KeySet {
            log: vec![vec![7; 40], vec![8; 3]],
            ..KeySet {
                keys: set.keys.clone(),
                fences: set.fences.clone(),
                log: Vec::new(),
            }
        };
        let packed_log = with_log.pack();
        assert_eq!(packed_log[0], WITH_LOG);
        let back = KeySet::unpack(&packed_log).unwrap();
        assert_eq!(
            (epochs(&back), back.fences.clone()),
            (epochs(&set), vec![(3, 41)])
        );
        assert_eq!(back.log, with_log.log);
        assert!(KeySet::unpack(&packed_log[..packed_log.len() - 1]).is_none());
        // Whatever its length, one with entries is never taken for the
        // keys-only form (some lengths are multiples of 36).
        for n in 1..80 {
            let set = KeySet {
                log: vec![vec![9; n]],
                ..KeySet {
                    keys: with_log.keys.clone(),
                    fences: with_log.fences.clone(),
                    log: Vec::new(),
                }
            };
            assert_eq!(KeySet::unpack(&set.pack()).unwrap().log, set.log, "{n}");
        }
        // Cut short, or with no key, it is nothing.
        assert!(KeySet::unpack(&packed[..packed.len() - 1]).is_none());
        assert!(KeySet::unpack(&[WITH_FENCES, 0, 0]).is_none());
        assert!(KeySet::unpack(&[]).is_none());
    }
}
