//! The device log: which devices are the person's, signed by the devices
//! themselves, append-only.
//!
//! Every entry is signed by whoever made it and names the entries its
//! author had seen (its parents), so the log is a small DAG, merged like
//! any other document of the private space and kept on each device in a
//! table no later change can shrink. Three kinds of entry:
//!
//! - **Add** a device (its server id, signing key and box key). Made by a
//!   device already in the log, or by an **invite key**: the one-time key
//!   a link code carries, or the key derived from the recovery key. A
//!   device's own, parentless Add is a **founding** entry: the account's
//!   first device at set-up, and each device that was linked before the
//!   log existed, on its first sync after the upgrade.
//! - **Remove** a device (an unlink). What the removed device signed and
//!   that the removal had not seen counts for nothing: a lost phone cannot
//!   add a device, hand out an invite or use one of its link codes after
//!   (or beside) its unlink. A founding entry counts only if every removal
//!   had seen it, so no device can found itself after an unlink.
//! - **Invite**: an invite key, made by a device in the log, good for one
//!   Add. A recovery invite is replaced by the next one (a new recovery
//!   key): what the old key adds afterwards counts for nothing.
//!
//! A device counts as the person's only while the log certifies it: a
//! key envelope goes to, and is taken from, certified devices only, sealed
//! to the box key the log gives. A server that lists a device of its own,
//! or one a lost phone made, hands it nothing.
//!
//! Anyone holding the private space's key can write into the log, but
//! only entries whose signatures hold, by authors the log itself admits,
//! count; a lost phone, once its unlink starts a new epoch of the private
//! space, can no longer write there at all (see `sync::fences`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::document::{DocId, shard};
use crate::error::Result;
use crate::store::Store;

/// The version byte every entry starts with.
const VERSION: u8 = 1;

/// An entry names at most this many parents (a device sees the log's
/// heads, which concurrent writers keep few).
const MAX_PARENTS: usize = 64;

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
        let entry = Entry {
            change,
            author: *author,
            parents,
            signature,
        };
        let key = VerifyingKey::from_bytes(author).ok()?;
        key.verify_strict(&entry.signed_part(), &Signature::from_bytes(&signature))
            .ok()?;
        Some(entry)
    }

    /// The entry's hash: how other entries name it.
    pub(crate) fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.to_bytes()).into()
    }

    /// Whether this is a founding entry: a device adding itself, having
    /// seen nothing.
    fn founding(&self) -> bool {
        matches!(self.change, Change::Add { signing, .. } if signing == self.author)
            && self.parents.is_empty()
    }
}

/// A device the log certifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Certified {
    /// Its Ed25519 signing key.
    pub signing: [u8; 32],
    /// Its X25519 box key: what key envelopes are sealed to.
    pub box_key: [u8; 32],
    /// The device that added it (directly or by an invite it made);
    /// `None` for a founding device.
    pub added_by: Option<[u8; 16]>,
}

/// The log as one device knows it, and what it certifies.
#[derive(Debug, Default)]
pub(crate) struct Log {
    /// Every entry whose parents are all known, by hash.
    entries: BTreeMap<[u8; 32], Entry>,
    /// Those that count.
    valid: BTreeSet<[u8; 32]>,
    /// The devices the log certifies now, by server id.
    live: BTreeMap<[u8; 16], Certified>,
    /// The devices a valid entry removed.
    removed: BTreeSet<[u8; 16]>,
}

impl Log {
    /// The log made of `entries` (each already checked by
    /// [`Entry::from_bytes`]); an entry whose parents are not all known
    /// waits, uncounted.
    pub(crate) fn build(entries: impl IntoIterator<Item = Entry>) -> Log {
        let all: BTreeMap<[u8; 32], Entry> = entries.into_iter().map(|e| (e.hash(), e)).collect();
        // Causal order (parents first, ties by hash), with each entry's
        // ancestors.
        let mut order: Vec<[u8; 32]> = Vec::with_capacity(all.len());
        let mut anc: HashMap<[u8; 32], HashSet<[u8; 32]>> = HashMap::new();
        loop {
            let ready: Vec<[u8; 32]> = all
                .iter()
                .filter(|(h, e)| {
                    !anc.contains_key(*h) && e.parents.iter().all(|p| anc.contains_key(p))
                })
                .map(|(h, _)| *h)
                .collect();
            if ready.is_empty() {
                break;
            }
            for h in ready {
                let mut seen = HashSet::new();
                for p in &all[&h].parents {
                    seen.insert(*p);
                    seen.extend(anc[p].iter().copied());
                }
                anc.insert(h, seen);
                order.push(h);
            }
        }
        let entries: BTreeMap<[u8; 32], Entry> = all
            .into_iter()
            .filter(|(h, _)| anc.contains_key(h))
            .collect();
        let walk = Walk {
            entries: &entries,
            order: &order,
            anc: &anc,
        };
        let first = walk.pass(&HashSet::new());
        let void = walk.void(&first);
        let valid = walk.pass(&void);
        let (live, removed) = walk.certified(&valid);
        Log {
            entries,
            valid: valid.into_iter().collect(),
            live,
            removed,
        }
    }

    /// Whether the log holds no entry at all (no device has written one
    /// yet: every device is still from before the log).
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The device `device` (server id) if the log certifies it now.
    pub(crate) fn live(&self, device: &[u8; 16]) -> Option<&Certified> {
        self.live.get(device)
    }

    /// Every device the log certifies now, by server id.
    pub(crate) fn live_devices(&self) -> &BTreeMap<[u8; 16], Certified> {
        &self.live
    }

    /// Whether a valid entry removed device `device`.
    pub(crate) fn was_removed(&self, device: &[u8; 16]) -> bool {
        self.removed.contains(device)
    }

    /// Whether a device may still found itself: no removal has been
    /// written yet.
    pub(crate) fn founding_open(&self) -> bool {
        !self
            .entries
            .values()
            .any(|e| matches!(e.change, Change::Remove { .. }))
    }

    /// Whether a valid invite for `key` is in the log.
    pub(crate) fn has_invite(&self, key: &[u8; 32]) -> bool {
        self.valid
            .iter()
            .any(|h| matches!(self.entries[h].change, Change::Invite { key: k, .. } if k == *key))
    }

    /// Whether the log holds a valid recovery invite.
    pub(crate) fn has_recovery_invite(&self) -> bool {
        self.valid.iter().any(|h| {
            matches!(
                self.entries[h].change,
                Change::Invite { recovery: true, .. }
            )
        })
    }

    /// The entries no other entry names as a parent: what a new entry
    /// names.
    pub(crate) fn heads(&self) -> Vec<[u8; 32]> {
        let named: HashSet<&[u8; 32]> = self.entries.values().flat_map(|e| &e.parents).collect();
        self.entries
            .keys()
            .filter(|h| !named.contains(h))
            .copied()
            .collect()
    }
}

/// Where entries live in the devices document: under `log.<hash>`, each
/// as hex. (Builds from before the log skip keys that are not device ids.)
pub(crate) const KEY_PREFIX: &str = "log.";

/// The log as this device has seen it.
pub(crate) fn load(store: &Store) -> Result<Log> {
    Ok(Log::build(
        store
            .device_log_entries()?
            .iter()
            .filter_map(|bytes| Entry::from_bytes(bytes)),
    ))
}

/// Appends `change`, signed by `author`, naming the heads of the log as
/// this device knows it; the entry goes out with the devices document.
pub(crate) fn append(store: &mut Store, change: Change, author: &SigningKey) -> Result<Entry> {
    let entry = Entry::sign(change, &load(store)?.heads(), author);
    let key = format!("{KEY_PREFIX}{}", hex::encode(entry.hash()));
    let value = hex::encode(entry.to_bytes());
    store.write_whole(&DocId::devices(), |tx| shard::put(tx, &key, &value))?;
    Ok(entry)
}

/// A server id (32 hex) as bytes.
pub(crate) fn device_bytes(device_id: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    hex::decode_to_slice(device_id, &mut out).ok()?;
    Some(out)
}

/// This device's signing key.
fn own_key(store: &Store) -> Result<SigningKey> {
    Ok(SigningKey::from_bytes(&*store.signing_seed()?))
}

/// The Add that certifies this device (server id `device_id`) with its
/// own keys.
fn own_add(store: &Store, device: [u8; 16]) -> Result<Change> {
    Ok(Change::Add {
        device,
        signing: own_key(store)?.verifying_key().to_bytes(),
        box_key: *store.box_secret()?.public_key().as_bytes(),
    })
}

/// This device's server id, as bytes (`None` before it has an account).
fn own_device(store: &Store) -> Result<Option<[u8; 16]>> {
    Ok(store.account()?.and_then(|a| device_bytes(&a.device_id)))
}

/// Whether the log certifies this device now.
pub(crate) fn certifies_this_device(store: &Store) -> Result<bool> {
    let Some(me) = own_device(store)? else {
        return Ok(false);
    };
    Ok(load(store)?.live(&me).is_some())
}

/// After a pull: this device joins the log if it is not in it (with the
/// invite its link code or recovery key brought, or founding itself while
/// no unlink has closed the log to that), and every entry this device has
/// seen goes back into the devices document if it is missing there
/// (whoever holds the private space's key can delete one; a device linked
/// later must still see it).
pub(crate) fn keep(store: &mut Store) -> Result<()> {
    if own_device(store)?.is_none() {
        return Ok(());
    }
    let invite = store
        .link_invite()?
        .map(|seed| SigningKey::from_bytes(&seed));
    let certified = join(store, invite.as_ref())?;
    if certified && invite.is_some() {
        store.keep_link_invite(None)?;
    }
    // A recovery key made before this device had an account (shown at
    // set-up), or before the log: entered once the log certifies the
    // device, unless another device entered one (this device's record
    // may be older than theirs, and would replace it).
    if certified
        && !load(store)?.has_recovery_invite()
        && let Some(record) = store.recovery_record()?
    {
        let mut wrap = [0u8; 32];
        if hex::decode_to_slice(&record.wrap, &mut wrap).is_ok() {
            register_recovery(store, &wrap)?;
        }
    }
    let present: HashSet<String> = store.read_doc(&DocId::devices(), |doc| {
        Ok(automerge::ReadDoc::keys(doc, automerge::ROOT)
            .filter_map(|k| k.strip_prefix(KEY_PREFIX).map(str::to_owned))
            .collect())
    })?;
    let missing: Vec<Vec<u8>> = store
        .device_log_entries()?
        .into_iter()
        .filter(|bytes| {
            Entry::from_bytes(bytes).is_some_and(|e| !present.contains(&hex::encode(e.hash())))
        })
        .collect();
    if !missing.is_empty() {
        store.write_whole(&DocId::devices(), |tx| {
            for bytes in &missing {
                let hash = hex::encode(Sha256::digest(bytes));
                shard::put(tx, &format!("{KEY_PREFIX}{hash}"), &hex::encode(bytes))?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// A fresh one-time invite key for a link code, entered in the log by
/// this device: the device that redeems the code adds itself with it.
/// `None` while the log does not certify this device (its invite would
/// count for nothing; the code then carries none).
pub(crate) fn new_link_invite(store: &mut Store) -> Result<Option<Zeroizing<[u8; 32]>>> {
    if !certifies_this_device(store)? {
        return Ok(None);
    }
    let seed = crate::sync::signature::generate_seed();
    let key = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
    let author = own_key(store)?;
    append(
        store,
        Change::Invite {
            key,
            recovery: false,
        },
        &author,
    )?;
    Ok(Some(seed))
}

/// The seed of the invite key of the recovery key whose wrap key is
/// `wrap`: every device that keeps the recovery record can enter it in
/// the log, and a device restored with the key can add itself with it.
pub(crate) fn recovery_invite_seed(wrap: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(
        Sha256::new()
            .chain_update(b"tandem recovery invite v1\0")
            .chain_update(wrap)
            .finalize()
            .into(),
    )
}

/// Enters the recovery key whose wrap key is `wrap` in the log (it
/// replaces the one before), when the log certifies this device.
pub(crate) fn register_recovery(store: &mut Store, wrap: &[u8; 32]) -> Result<()> {
    if !certifies_this_device(store)? {
        return Ok(());
    }
    let key = SigningKey::from_bytes(&recovery_invite_seed(wrap))
        .verifying_key()
        .to_bytes();
    let author = own_key(store)?;
    append(
        store,
        Change::Invite {
            key,
            recovery: true,
        },
        &author,
    )?;
    Ok(())
}

/// Adds this device to the log with `invite` (a link code's, or the
/// recovery key's), once the log holds the invite; otherwise, while the
/// log is still open to it, the device founds itself. Whether the log
/// certifies this device now.
pub(crate) fn join(store: &mut Store, invite: Option<&SigningKey>) -> Result<bool> {
    let Some(me) = own_device(store)? else {
        return Ok(false);
    };
    let log = load(store)?;
    if log.live(&me).is_some() {
        return Ok(true);
    }
    let add = own_add(store, me)?;
    match invite {
        Some(invite) if log.has_invite(&invite.verifying_key().to_bytes()) => {
            append(store, add, invite)?;
        }
        _ if log.founding_open() && !log.was_removed(&me) => {
            let key = own_key(store)?;
            append(store, add, &key)?;
        }
        _ => {}
    }
    certifies_this_device(store)
}

/// Removes devices `devices` (server ids) from the log, with every device
/// the log says one of them added (and so on), but never this device:
/// what an unlink writes. Nothing while the log does not certify this
/// device.
pub(crate) fn remove(store: &mut Store, devices: &[String]) -> Result<()> {
    let Some(me) = own_device(store)? else {
        return Ok(());
    };
    let log = load(store)?;
    if log.live(&me).is_none() {
        return Ok(());
    }
    let mut gone: BTreeSet<[u8; 16]> = devices.iter().filter_map(|d| device_bytes(d)).collect();
    loop {
        let more: Vec<[u8; 16]> = log
            .live_devices()
            .iter()
            .filter(|(d, c)| !gone.contains(*d) && c.added_by.is_some_and(|by| gone.contains(&by)))
            .map(|(d, _)| *d)
            .collect();
        if more.is_empty() {
            break;
        }
        gone.extend(more);
    }
    gone.remove(&me);
    let author = own_key(store)?;
    for device in gone {
        if !log.was_removed(&device) {
            append(store, Change::Remove { device }, &author)?;
        }
    }
    Ok(())
}

/// The devices key envelopes may go to and come from, by server id with
/// the box key the log gives each: those the log certifies. `None` while
/// the log does not certify this device itself (a device from before the
/// log, or one no invite reached): the log then decides nothing here, as
/// before it existed.
pub(crate) fn envelope_peers(store: &Store) -> Result<Option<BTreeMap<String, [u8; 32]>>> {
    let Some(me) = own_device(store)? else {
        return Ok(None);
    };
    let log = load(store)?;
    if log.live(&me).is_none() {
        return Ok(None);
    }
    Ok(Some(
        log.live_devices()
            .iter()
            .map(|(d, c)| (hex::encode(d), c.box_key))
            .collect(),
    ))
}

/// One evaluation of a log's entries.
struct Walk<'a> {
    entries: &'a BTreeMap<[u8; 32], Entry>,
    order: &'a [[u8; 32]],
    anc: &'a HashMap<[u8; 32], HashSet<[u8; 32]>>,
}

impl Walk<'_> {
    /// The entries that count, in causal order, leaving out `void`: a
    /// founding entry every removal saw; anything else by a device the
    /// entry's own past certifies, or an Add by an invite in its past
    /// (used once, and for a recovery invite, not replaced by then).
    fn pass(&self, void: &HashSet<[u8; 32]>) -> HashSet<[u8; 32]> {
        let removals: Vec<&[u8; 32]> = self
            .order
            .iter()
            .filter(|h| matches!(self.entries[*h].change, Change::Remove { .. }))
            .collect();
        let mut valid = HashSet::new();
        for h in self.order {
            if void.contains(h) {
                continue;
            }
            let e = &self.entries[h];
            let ok = if e.founding() {
                removals.iter().all(|r| self.anc[*r].contains(h))
            } else {
                self.device_at(h, &valid, &e.author).is_some()
                    || (matches!(e.change, Change::Add { .. })
                        && self.invite_at(h, &valid).is_some())
            };
            if ok {
                valid.insert(*h);
            }
        }
        valid
    }

    /// The device (server id) with signing key `key` that the past of
    /// entry `at` certifies, among `valid` entries.
    fn device_at(
        &self,
        at: &[u8; 32],
        valid: &HashSet<[u8; 32]>,
        key: &[u8; 32],
    ) -> Option<[u8; 16]> {
        let past = &self.anc[at];
        let mut found = None;
        for h in past.iter().filter(|h| valid.contains(*h)) {
            if let Change::Add {
                device, signing, ..
            } = self.entries[h].change
                && signing == *key
            {
                found = Some(device);
            }
        }
        let device = found?;
        let removed = past
            .iter()
            .filter(|h| valid.contains(*h))
            .any(|h| matches!(self.entries[h].change, Change::Remove { device: d } if d == device));
        (!removed).then_some(device)
    }

    /// The invite in the past of Add `at` that signed it, among `valid`
    /// entries: used by no other Add, and for a recovery invite, not
    /// replaced by another in that past.
    fn invite_at(&self, at: &[u8; 32], valid: &HashSet<[u8; 32]>) -> Option<[u8; 32]> {
        let author = self.entries[at].author;
        let past = &self.anc[at];
        let invite = past.iter().find(|h| {
            valid.contains(*h)
                && matches!(self.entries[*h].change, Change::Invite { key, .. } if key == author)
        })?;
        let uses = self
            .entries
            .values()
            .filter(|e| e.author == author && matches!(e.change, Change::Add { .. }))
            .count();
        if uses != 1 {
            return None;
        }
        if let Change::Invite { recovery: true, .. } = self.entries[invite].change {
            let replaced = past.iter().any(|h| {
                valid.contains(h)
                    && matches!(
                        self.entries[h].change,
                        Change::Invite { recovery: true, .. }
                    )
                    && self.anc[h].contains(invite)
            });
            if replaced {
                return None;
            }
        }
        Some(*invite)
    }

    /// The device (signing key) an entry counts as made by: its author,
    /// or for an Add by an invite, the device that made the invite.
    fn made_by(&self, h: &[u8; 32]) -> [u8; 32] {
        let e = &self.entries[h];
        self.entries
            .values()
            .find(|i| matches!(i.change, Change::Invite { key, .. } if key == e.author))
            .map_or(e.author, |i| i.author)
    }

    /// What `valid` removals and recovery invites take back: everything
    /// (but removals) made by a removed device that its removal had not
    /// seen, and every Add by a recovery invite that its replacement had
    /// not seen.
    fn void(&self, valid: &HashSet<[u8; 32]>) -> HashSet<[u8; 32]> {
        let mut void = HashSet::new();
        for r in self.order.iter().filter(|h| valid.contains(*h)) {
            match self.entries[r].change {
                Change::Remove { device } => {
                    let keys: HashSet<[u8; 32]> = valid
                        .iter()
                        .filter_map(|h| match self.entries[h].change {
                            Change::Add {
                                device: d, signing, ..
                            } if d == device => Some(signing),
                            _ => None,
                        })
                        .collect();
                    for h in self.order {
                        if h != r
                            && !self.anc[r].contains(h)
                            && !matches!(self.entries[h].change, Change::Remove { .. })
                            && keys.contains(&self.made_by(h))
                        {
                            void.insert(*h);
                        }
                    }
                }
                Change::Invite { recovery: true, .. } => {
                    for old in self.anc[r].iter().filter(|h| valid.contains(*h)) {
                        let Change::Invite {
                            key,
                            recovery: true,
                        } = self.entries[old].change
                        else {
                            continue;
                        };
                        for h in self.order {
                            if self.entries[h].author == key && !self.anc[r].contains(h) {
                                void.insert(*h);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        void
    }

    /// The devices `valid` entries certify (added, not removed, and never
    /// added with two sets of keys), and the devices they removed.
    fn certified(
        &self,
        valid: &HashSet<[u8; 32]>,
    ) -> (BTreeMap<[u8; 16], Certified>, BTreeSet<[u8; 16]>) {
        let mut added: BTreeMap<[u8; 16], Option<Certified>> = BTreeMap::new();
        let mut removed = BTreeSet::new();
        let device_of = |signing: &[u8; 32]| {
            valid.iter().find_map(|h| match self.entries[h].change {
                Change::Add {
                    device, signing: s, ..
                } if s == *signing => Some(device),
                _ => None,
            })
        };
        for h in self.order.iter().filter(|h| valid.contains(*h)) {
            let e = &self.entries[h];
            match e.change {
                Change::Add {
                    device,
                    signing,
                    box_key,
                } => {
                    let added_by = if e.founding() {
                        None
                    } else {
                        device_of(&self.made_by(h)).filter(|d| *d != device)
                    };
                    let this = Certified {
                        signing,
                        box_key,
                        added_by,
                    };
                    added
                        .entry(device)
                        .and_modify(|known| {
                            if known
                                .as_ref()
                                .is_some_and(|k| (k.signing, k.box_key) != (signing, box_key))
                            {
                                *known = None;
                            }
                        })
                        .or_insert(Some(this));
                }
                Change::Remove { device } => {
                    removed.insert(device);
                }
                Change::Invite { .. } => {}
            }
        }
        let live = added
            .into_iter()
            .filter(|(d, _)| !removed.contains(d))
            .filter_map(|(d, c)| Some((d, c?)))
            .collect();
        (live, removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device for the tests: its server id and keys.
    struct Dev {
        id: [u8; 16],
        key: SigningKey,
        box_key: [u8; 32],
    }

    fn dev(n: u8) -> Dev {
        Dev {
            id: [n; 16],
            key: SigningKey::from_bytes(&[n; 32]),
            box_key: [n.wrapping_add(100); 32],
        }
    }

    impl Dev {
        fn add(&self) -> Change {
            Change::Add {
                device: self.id,
                signing: self.key.verifying_key().to_bytes(),
                box_key: self.box_key,
            }
        }
        fn found(&self) -> Entry {
            Entry::sign(self.add(), &[], &self.key)
        }
    }

    fn heads(entries: &[Entry]) -> Vec<[u8; 32]> {
        Log::build(entries.to_vec()).heads()
    }

    fn live(entries: &[Entry]) -> Vec<[u8; 16]> {
        Log::build(entries.to_vec())
            .live_devices()
            .keys()
            .copied()
            .collect()
    }

    #[test]
    fn entries_round_trip_and_a_changed_byte_is_refused() {
        let a = dev(1);
        let e = Entry::sign(
            Change::Invite {
                key: [9; 32],
                recovery: true,
            },
            &[[3; 32], [2; 32]],
            &a.key,
        );
        let bytes = e.to_bytes();
        assert_eq!(Entry::from_bytes(&bytes), Some(e.clone()));
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 1;
            assert_eq!(Entry::from_bytes(&bad), None, "byte {i}");
        }
        assert_eq!(Entry::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Entry::from_bytes(&[]), None);
    }

    #[test]
    fn devices_come_in_by_founding_by_a_certified_device_or_by_an_invite_used_once() {
        let (a, b, c, d, stranger) = (dev(1), dev(2), dev(3), dev(4), dev(5));
        let mut log = vec![a.found()];
        log.push(Entry::sign(b.add(), &heads(&log), &a.key));
        let invite = SigningKey::from_bytes(&[7; 32]);
        log.push(Entry::sign(
            Change::Invite {
                key: invite.verifying_key().to_bytes(),
                recovery: false,
            },
            &heads(&log),
            &b.key,
        ));
        log.push(Entry::sign(c.add(), &heads(&log), &invite));
        // Someone the log does not know adds a device: nothing.
        log.push(Entry::sign(d.add(), &heads(&log), &stranger.key));
        assert_eq!(live(&log), vec![a.id, b.id, c.id]);
        let built = Log::build(log.clone());
        assert_eq!(built.live(&b.id).unwrap().added_by, Some(a.id));
        assert_eq!(built.live(&c.id).unwrap().added_by, Some(b.id));
        assert_eq!(built.live(&a.id).unwrap().added_by, None);
        // The same invite used again: neither use counts.
        log.push(Entry::sign(d.add(), &heads(&log), &invite));
        assert_eq!(live(&log), vec![a.id, b.id]);
    }

    #[test]
    fn what_a_removed_device_made_that_its_removal_had_not_seen_counts_for_nothing() {
        let (phone, lost, tablet, sleeper, late) = (dev(1), dev(2), dev(3), dev(4), dev(6));
        let mut log = vec![phone.found(), lost.found()];
        // While still the person's, the lost phone adds the tablet and
        // makes an invite: both seen by the unlink below.
        log.push(Entry::sign(tablet.add(), &heads(&log), &lost.key));
        let invite = SigningKey::from_bytes(&[8; 32]);
        log.push(Entry::sign(
            Change::Invite {
                key: invite.verifying_key().to_bytes(),
                recovery: false,
            },
            &heads(&log),
            &lost.key,
        ));
        let before_unlink = heads(&log);
        log.push(Entry::sign(
            Change::Remove { device: lost.id },
            &before_unlink,
            &phone.key,
        ));
        // Beside the unlink (not seen by it): an Add by the lost phone, a
        // device founding itself, and the invite used.
        log.push(Entry::sign(sleeper.add(), &before_unlink, &lost.key));
        log.push(Entry::sign(late.found().change, &[], &late.key));
        let used = Entry::sign(dev(7).add(), &before_unlink, &invite);
        log.push(used);
        assert_eq!(live(&log), vec![phone.id, tablet.id]);
        let built = Log::build(log.clone());
        assert!(built.was_removed(&lost.id));
        assert!(!built.founding_open());
        // After the unlink the lost phone is no author at all.
        log.push(Entry::sign(sleeper.add(), &heads(&log), &lost.key));
        assert_eq!(live(&log), vec![phone.id, tablet.id]);
    }

    #[test]
    fn a_new_recovery_key_takes_back_what_the_old_one_adds_after_it() {
        let (phone, restored, thief_device) = (dev(1), dev(2), dev(3));
        let old = SigningKey::from_bytes(&[20; 32]);
        let new = SigningKey::from_bytes(&[21; 32]);
        let recovery = |k: &SigningKey| Change::Invite {
            key: k.verifying_key().to_bytes(),
            recovery: true,
        };
        let mut log = vec![phone.found()];
        log.push(Entry::sign(recovery(&old), &heads(&log), &phone.key));
        let with_old = heads(&log);
        log.push(Entry::sign(recovery(&new), &with_old, &phone.key));
        // Someone who knew the old key uses it beside the new one.
        log.push(Entry::sign(thief_device.add(), &with_old, &old));
        assert_eq!(live(&log), vec![phone.id]);
        // The new key restores the person onto a new device.
        log.push(Entry::sign(restored.add(), &heads(&log), &new));
        assert_eq!(live(&log), vec![phone.id, restored.id]);
        assert!(Log::build(log).has_recovery_invite());
    }

    #[test]
    fn an_entry_waits_for_its_parents_and_a_device_with_two_sets_of_keys_is_not_certified() {
        let (a, b) = (dev(1), dev(2));
        let founded = a.found();
        let orphan = Entry::sign(b.add(), &[[42; 32]], &a.key);
        assert_eq!(live(&[founded.clone(), orphan]), vec![a.id]);
        let mut log = vec![founded];
        log.push(Entry::sign(b.add(), &heads(&log), &a.key));
        let other_keys = Change::Add {
            device: b.id,
            signing: [55; 32],
            box_key: [56; 32],
        };
        log.push(Entry::sign(other_keys, &heads(&log), &a.key));
        assert_eq!(live(&log), vec![a.id]);
    }

    #[test]
    fn a_founding_entry_every_removal_saw_still_counts() {
        let (phone, tablet, lost) = (dev(1), dev(2), dev(3));
        let mut log = vec![phone.found(), tablet.found(), lost.found()];
        log.push(Entry::sign(
            Change::Remove { device: lost.id },
            &heads(&log),
            &phone.key,
        ));
        assert_eq!(live(&log), vec![phone.id, tablet.id]);
        assert!(!Log::build(log).is_empty());
        assert!(Log::build(Vec::new()).is_empty());
    }
}
