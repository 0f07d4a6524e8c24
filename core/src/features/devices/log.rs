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
//! space, can no longer write there at all (see `sync::fences`). Entries
//! the person's side of a pair holds come into the log only when a device
//! the log certifies now signed them (see `features::pairs::logs`), so a
//! pair is no way round that fence.
//!
//! A removal of a device made at the same moment as that device's removal
//! of its remover (neither seeing the other) counts, and so does the other:
//! the device answers it once, by removing the remover again having seen
//! it (a lost phone's removal of the phone held back until the phone had
//! unlinked it).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::document::{DocId, shard};
use crate::error::{Error, Result};
use crate::store::Store;

mod entry;
mod rules;

pub use entry::device_code;
pub(crate) use entry::stored;
pub(crate) use entry::{Change, Entry};
pub(crate) use rules::Log;
pub use rules::synthetic_build;

/// Where entries live in the devices document: under `log.<hash>`, each
/// as hex. (Builds from before the log skip keys that are not device ids.)
pub(crate) const KEY_PREFIX: &str = "log.";

/// The code of this device's own keys (see [`device_code`]).
pub(crate) fn own_code(store: &Store) -> Result<String> {
    Ok(device_code(
        &own_key(store)?.verifying_key().to_bytes(),
        store.box_secret()?.public_key().as_bytes(),
    ))
}

/// The log as this device has seen it.
pub(crate) fn load(store: &Store) -> Result<std::sync::Arc<Log>> {
    let version = store.device_log_version()?;
    let log = cached(store, "", &version, || {
        Ok(Log::build(
            store
                .device_log_entries()?
                .iter()
                .filter_map(|bytes| Entry::from_bytes(bytes)),
        ))
    })?;
    if let Some(log) = log.fresh {
        // What the devices the log certifies, and this device, sign is
        // kept past the cap: entries nobody certified cannot crowd them
        // out.
        let mut trusted = trusted_authors(&log);
        trusted.push(hex::encode(own_key(store)?.verifying_key().to_bytes()));
        store.trust_log_authors(&trusted)?;
        return Ok(log);
    }
    Ok(log.log)
}

/// The signing keys (hex) of the devices `log` certifies now.
pub(crate) fn trusted_authors(log: &Log) -> Vec<String> {
    log.live_devices()
        .values()
        .map(|c| hex::encode(c.signing))
        .collect()
}

/// A log from [`cached`]: `fresh` when it was built just now (its caller
/// may have more to do once per build).
pub(crate) struct Cached {
    /// The log.
    pub(crate) log: std::sync::Arc<Log>,
    /// The same log, when it was built by this call.
    pub(crate) fresh: Option<std::sync::Arc<Log>>,
}

/// The log named `name` (`""` for this account's; a pair's side for the
/// other person's) last built for `store` on this thread if it was built
/// from the entries at `version`, else the one `build` makes now.
pub(crate) fn cached(
    store: &Store,
    name: &str,
    version: &str,
    build: impl FnOnce() -> Result<Log>,
) -> Result<Cached> {
    type Built = HashMap<(std::path::PathBuf, String), (String, std::sync::Arc<Log>)>;
    thread_local! {
        /// The logs last built for each store on this thread, with the
        /// version of the entries each was built from.
        static BUILT: std::cell::RefCell<Built> = std::cell::RefCell::new(HashMap::new());
    }
    let key = (store.path().to_path_buf(), name.to_owned());
    if let Some(log) = BUILT.with(|b| {
        b.borrow()
            .get(&key)
            .filter(|(v, _)| v == version)
            .map(|(_, log)| log.clone())
    }) {
        return Ok(Cached { log, fresh: None });
    }
    let log = std::sync::Arc::new(build()?);
    BUILT.with(|b| {
        b.borrow_mut()
            .insert(key, (version.to_owned(), log.clone()))
    });
    Ok(Cached {
        log: log.clone(),
        fresh: Some(log),
    })
}

/// Appends `change`, signed by `author`, naming as parents what
/// [`Log::parents_for`] gives (none for a founding entry); the entry goes
/// out with the devices document.
pub(crate) fn append(store: &mut Store, change: Change, author: &SigningKey) -> Result<Entry> {
    let founding = matches!(change, Change::Add { signing, .. }
        if signing == author.verifying_key().to_bytes());
    let parents = if founding {
        Vec::new()
    } else {
        load(store)?.parents_for(&author.verifying_key().to_bytes())
    };
    let entry = Entry::sign(change, &parents, author);
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
    answer_removals(store)?;
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
    // What the document holds under each entry's name, as it reads now.
    let present: HashMap<String, Option<Vec<u8>>> = store.read_doc(&DocId::devices(), |doc| {
        let mut out = HashMap::new();
        for key in automerge::ReadDoc::keys(doc, automerge::ROOT) {
            if let Some(hash) = key.strip_prefix(KEY_PREFIX) {
                out.insert(hash.to_owned(), stored(doc, &key));
            }
        }
        Ok(out)
    })?;
    let missing: Vec<Vec<u8>> = store
        .device_log_entries()?
        .into_iter()
        .filter(|bytes| {
            let hash = hex::encode(Sha256::digest(bytes));
            present.get(&hash).and_then(Option::as_ref) != Some(bytes)
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
/// recovery key's) once the log holds the invite; otherwise the device
/// founds itself (which counts while the log is open to it, and is what
/// the person confirms once it is not). Each way is tried once:
/// an Add that does not count (the invite was used, or the log closed
/// first) is not written again. Whether the log certifies this device
/// now.
pub(crate) fn join(store: &mut Store, invite: Option<&SigningKey>) -> Result<bool> {
    let Some(me) = own_device(store)? else {
        return Ok(false);
    };
    let log = load(store)?;
    if log.live(&me).is_some() {
        return Ok(true);
    }
    if log.was_removed(&me) {
        return Ok(false);
    }
    let add = own_add(store, me)?;
    let own = own_key(store)?;
    match invite {
        Some(invite)
            if log.has_invite(&invite.verifying_key().to_bytes())
                && !log.has_add_by(&invite.verifying_key().to_bytes()) =>
        {
            append(store, add, invite)?;
        }
        // Founding itself: counted while the log is open to that; once
        // closed, what the person confirms on a certified device (see
        // [`confirm`]).
        _ if !log.has_add_by(&own.verifying_key().to_bytes()) => {
            append(store, add, &own)?;
        }
        _ => {}
    }
    certifies_this_device(store)
}

/// Answers, once each, a removal of this device made by a device this
/// device had removed at the same moment (neither seeing the other: a
/// lost phone that took this phone out as it was being unlinked, the
/// server holding its entry back until after the unlink). Both removals
/// would count and leave the log certifying no one of the two; this
/// device removes the other again, having seen its removal, which answers
/// it. Once per remover (kept in the store), so two of the person's own
/// devices that each removed the other do not answer each other for ever.
fn answer_removals(store: &mut Store) -> Result<()> {
    let Some(me) = own_device(store)? else {
        return Ok(());
    };
    let log = load(store)?;
    if log.live(&me).is_some() || !log.was_removed(&me) {
        return Ok(());
    }
    let author = own_key(store)?;
    for (remover, removed_it) in log.removed_by(&me) {
        let remover_id = hex::encode(remover);
        if !removed_it || store.answered_removal(&remover_id)? {
            continue;
        }
        store.note_answered_removal(&remover_id)?;
        append(store, Change::Remove { device: remover }, &author)?;
    }
    Ok(())
}

/// Adds device `device_id` to the log with the keys it asked to join
/// with, on the person's word that it is theirs: a device from before the
/// log that first synced with this build after the log had closed to
/// founding (flagged in the list until then). Only a device the log
/// certifies can do it. With `code`, the code the device shows for itself
/// (see [`device_code`]), only if it is the code of the keys it asked with
/// (or is certified with): another device asking under its id, with keys
/// of its own, shows another code.
pub fn confirm(store: &mut Store, device_id: &str, code: Option<&str>) -> Result<()> {
    let not_yours = || {
        Error::invalid(
            "device",
            "this device is not in your device log itself; confirm it from one that is",
        )
    };
    let me = own_device(store)?.ok_or(Error::NoServer)?;
    let device = device_bytes(device_id).ok_or_else(|| Error::not_found("device", device_id))?;
    let log = load(store)?;
    if log.live(&me).is_none() {
        return Err(not_yours());
    }
    if let (Some(typed), Some(expected)) = (code, log.code_of(&device))
        && !crate::features::identity::same_code(typed, &expected)
    {
        return Err(Error::invalid(
            "code",
            "this is not the code the device shows for itself: it may not be your device; \
             compare again, or unlink it",
        ));
    }
    if log.live(&device).is_some() {
        return Ok(());
    }
    if log.was_removed(&device) {
        return Err(Error::invalid(
            "device",
            "it was unlinked; link it again with a new code",
        ));
    }
    let asked = log.asked_with(&device);
    let mut asked = asked.into_iter();
    let (Some((signing, box_key)), None) = (asked.next(), asked.next()) else {
        return Err(Error::invalid(
            "device",
            if log.asked_with(&device).is_empty() {
                "it has not asked to join yet: let it sync once with this version first"
            } else {
                "more than one device asked to join under this id; link it again with a new code"
            },
        ));
    };

    let author = own_key(store)?;
    append(
        store,
        Change::Add {
            device,
            signing,
            box_key,
        },
        &author,
    )?;
    Ok(())
}

/// The entries an envelope from this device carries: its removals, when
/// some device removed it (its answers, which a receiver that saw the
/// removal needs to take keys from it). Empty otherwise.
pub(crate) fn answers(store: &Store) -> Result<Vec<Vec<u8>>> {
    let Some(me) = own_device(store)? else {
        return Ok(Vec::new());
    };
    let log = load(store)?;
    let removed_me = log
        .entries()
        .iter()
        .any(|e| matches!(e.change, Change::Remove { device } if device == me));
    if !removed_me {
        return Ok(Vec::new());
    }
    let key = own_key(store)?.verifying_key().to_bytes();
    Ok(log
        .entries()
        .iter()
        .filter(|e| e.author == key && matches!(e.change, Change::Remove { .. }))
        .map(Entry::to_bytes)
        .collect())
}

/// Takes what an envelope from device `sender` (server id), which this
/// device's log does not certify, carries: only removals the sender
/// signed, and only when, with them, the log certifies the sender (they
/// answer its removal). Whether they were kept.
pub(crate) fn take_answers(store: &Store, sender: &str, entries: &[Vec<u8>]) -> Result<bool> {
    let Some(device) = device_bytes(sender) else {
        return Ok(false);
    };
    let log = load(store)?;
    let Some(signing) = log.entries().iter().find_map(|e| match e.change {
        Change::Add {
            device: d, signing, ..
        } if d == device => Some(signing),
        _ => None,
    }) else {
        return Ok(false);
    };
    let answers: Vec<(Entry, &Vec<u8>)> = entries
        .iter()
        .filter_map(|bytes| Some((Entry::from_bytes(bytes)?, bytes)))
        .filter(|(e, _)| e.author == signing && matches!(e.change, Change::Remove { .. }))
        .collect();
    if answers.is_empty() {
        return Ok(false);
    }
    let tentative = Log::build(
        log.entries()
            .iter()
            .cloned()
            .chain(answers.iter().map(|(e, _)| e.clone())),
    );
    if tentative.live(&device).is_none() {
        return Ok(false);
    }
    for (entry, bytes) in answers {
        store.keep_device_log_entry(
            &hex::encode(entry.hash()),
            bytes,
            &hex::encode(entry.author),
        )?;
    }
    Ok(true)
}

/// Writes `n` entries signed by keys no device has into the log: what a
/// lost phone can flood the log with before its unlink
/// (for tests of what it can do).
#[doc(hidden)]
pub fn write_noise(store: &mut Store, n: usize) -> Result<()> {
    let entries: Vec<Entry> = (0..n)
        .map(|i| {
            let mut seed = [7u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
            let mut device = [0u8; 16];
            device[..8].copy_from_slice(&(i as u64).to_be_bytes());
            Entry::sign(
                Change::Remove { device },
                &[],
                &SigningKey::from_bytes(&seed),
            )
        })
        .collect();
    // A few hundred a change: each change goes out as one record.
    for chunk in entries.chunks(200) {
        store.write_whole(&DocId::devices(), |tx| {
            for e in chunk {
                shard::put(
                    tx,
                    &format!("{KEY_PREFIX}{}", hex::encode(e.hash())),
                    &hex::encode(e.to_bytes()),
                )?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Writes a removal of device `device_id` into the log, signed by this
/// device, and nothing else: what a lost phone can write before its
/// unlink (for tests of what it can do).
#[doc(hidden)]
pub fn write_removal(store: &mut Store, device_id: &str) -> Result<()> {
    let device = device_bytes(device_id).ok_or_else(|| Error::not_found("device", device_id))?;
    let author = own_key(store)?;
    append(store, Change::Remove { device }, &author)?;
    Ok(())
}

/// Removes devices `devices` (server ids) from the log, with every device
/// the log says one of them added (and so on), but never this device:
/// what an unlink writes.
pub(crate) fn remove(store: &mut Store, devices: &[String]) -> Result<()> {
    let Some(me) = own_device(store)? else {
        return Ok(());
    };
    // Written even while the log does not certify this device: a device
    // the lost phone took out of the log may still take the lost phone
    // out (see `Graph::void`); otherwise the entries count for nothing.
    let log = load(store)?;
    // This device and the devices that added it, each at most once: the
    // person is using that line to unlink (as the server keeps it too).
    let mut line = vec![me];
    while let Some(by) = line
        .last()
        .and_then(|d| log.live(d))
        .and_then(|c| c.added_by)
    {
        if line.contains(&by) {
            break;
        }
        line.push(by);
    }
    let mut gone: BTreeSet<[u8; 16]> = devices.iter().filter_map(|d| device_bytes(d)).collect();
    loop {
        let more: Vec<[u8; 16]> = log
            .live_devices()
            .iter()
            .filter(|(d, c)| {
                !gone.contains(*d)
                    && !line.contains(d)
                    && c.added_by.is_some_and(|by| gone.contains(&by))
            })
            .map(|(d, _)| *d)
            .collect();
        if more.is_empty() {
            break;
        }
        gone.extend(more);
    }
    gone.remove(&me);
    let author = own_key(store)?;
    let taken_out = log.live(&me).is_none();
    for device in gone {
        // Once more when this device is itself out of the log: a removal
        // of it made at the same time as its earlier one is answered only
        // by a removal that has seen it.
        if !log.was_removed(&device) || taken_out {
            append(store, Change::Remove { device }, &author)?;
        }
    }
    Ok(())
}

/// The devices key envelopes may go to and come from, by server id with
/// the box key the log gives each: those the log certifies. `None` while
/// the log does not decide (see [`Log::decides`]: none of the person's
/// devices runs a build with the log yet, or founding entries closed each
/// other out), as before it existed. None at all while the log does not
/// certify this device (not yet joined, or taken out), or once removals
/// took every device out.
pub(crate) fn envelope_peers(store: &Store) -> Result<Option<BTreeMap<String, [u8; 32]>>> {
    let log = load(store)?;
    // A log that certifies no one and removed no one (two devices from
    // before it closing each other's founding out) decides nothing.
    if !log.decides() {
        return Ok(None);
    }
    // A device the log does not certify trusts no one: its own view may
    // be what a lost phone made of the log (it took this device out).
    let me = own_device(store)?;
    if me.is_none_or(|me| log.live(&me).is_none()) {
        return Ok(Some(BTreeMap::new()));
    }
    Ok(Some(
        log.live_devices()
            .iter()
            .map(|(d, c)| (hex::encode(d), c.box_key))
            .collect(),
    ))
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

    /// A link invite under `key`.
    fn link_invite(key: &SigningKey) -> Change {
        Change::Invite {
            key: key.verifying_key().to_bytes(),
            recovery: false,
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
        log.push(Entry::sign(link_invite(&invite), &heads(&log), &b.key));
        log.push(Entry::sign(c.add(), &heads(&log), &invite));
        // Someone the log does not know adds a device: nothing.
        log.push(Entry::sign(d.add(), &heads(&log), &stranger.key));
        assert_eq!(live(&log), vec![a.id, b.id, c.id]);
        let built = Log::build(log.clone());
        assert_eq!(built.live(&b.id).unwrap().added_by, Some(a.id));
        assert_eq!(built.live(&c.id).unwrap().added_by, Some(b.id));
        assert_eq!(built.live(&a.id).unwrap().added_by, None);
        // The same invite used again: the first use stands, the second
        // counts for nothing.
        log.push(Entry::sign(d.add(), &heads(&log), &invite));
        assert_eq!(live(&log), vec![a.id, b.id, c.id]);
    }

    #[test]
    fn what_a_removed_device_made_that_its_removal_had_not_seen_counts_for_nothing() {
        let (phone, lost, tablet, sleeper, late) = (dev(1), dev(2), dev(3), dev(4), dev(6));
        let mut log = vec![phone.found(), lost.found()];
        // While still the person's, the lost phone adds the tablet and
        // makes an invite: both seen by the unlink below.
        log.push(Entry::sign(tablet.add(), &heads(&log), &lost.key));
        let invite = SigningKey::from_bytes(&[8; 32]);
        log.push(Entry::sign(link_invite(&invite), &heads(&log), &lost.key));
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
    fn what_a_log_publishes_builds_the_same_log_without_what_counts_for_nothing() {
        let (phone, lost, tablet, stranger) = (dev(1), dev(2), dev(3), dev(5));
        let mut log = vec![phone.found()];
        let invite = SigningKey::from_bytes(&[8; 32]);
        log.push(Entry::sign(link_invite(&invite), &heads(&log), &phone.key));
        log.push(Entry::sign(lost.add(), &heads(&log), &invite));
        // The lost phone adds the tablet while it is the person's: its
        // entry stops counting with the unlink but stays in the unlink's
        // past.
        log.push(Entry::sign(tablet.add(), &heads(&log), &lost.key));
        let by_lost = log.last().unwrap().hash();
        log.push(Entry::sign(
            Change::Remove { device: lost.id },
            &heads(&log),
            &phone.key,
        ));
        log.push(Entry::sign(
            Change::Remove { device: tablet.id },
            &heads(&log),
            &phone.key,
        ));
        let honest = log.len();
        // What counts for nothing: a stranger's entries, the lost phone's
        // after its unlink.
        for n in 0..5u8 {
            log.push(Entry::sign(dev(30 + n).add(), &heads(&log), &stranger.key));
        }
        log.push(Entry::sign(dev(40).add(), &heads(&log), &lost.key));
        let full = Log::build(log.clone());
        let published: Vec<Entry> = full.published().cloned().collect();
        assert_eq!(published.len(), honest);
        assert!(published.iter().any(|e| e.hash() == by_lost));
        let rebuilt = Log::build(published);
        assert_eq!(rebuilt.live_devices(), full.live_devices());
        assert_eq!(live(&log), vec![phone.id]);
        assert!(rebuilt.was_removed(&lost.id) && rebuilt.was_removed(&tablet.id));
    }

    #[test]
    fn two_devices_that_took_each_other_out_stay_out_until_one_answers() {
        let (a, b) = (dev(1), dev(2));
        let mut log = vec![a.found()];
        log.push(Entry::sign(b.add(), &heads(&log), &a.key));
        let before = heads(&log);
        log.push(Entry::sign(
            Change::Remove { device: b.id },
            &before,
            &a.key,
        ));
        log.push(Entry::sign(
            Change::Remove { device: a.id },
            &before,
            &b.key,
        ));
        let out = Log::build(log.clone());
        assert!(out.live_devices().is_empty());
        assert!(out.decides(), "nobody gets keys on such a log's word");
        assert_eq!(out.removed_by(&a.id), vec![(b.id, true)]);
        // A removes B again, having seen B's removal of it: that answers
        // it, and A is back.
        log.push(Entry::sign(
            Change::Remove { device: b.id },
            &heads(&log),
            &a.key,
        ));
        assert_eq!(live(&log), vec![a.id]);
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
        // The keys it was first added with stand: a second Add can
        // neither change them nor take the device out.
        assert_eq!(live(&log), vec![a.id, b.id]);
        let built = Log::build(log);
        assert_eq!(
            built.live(&b.id).unwrap().signing,
            b.key.verifying_key().to_bytes()
        );
    }

    #[test]
    fn what_no_certified_device_signed_closes_nothing_and_steers_nothing() {
        let (phone, lost, tablet, stranger) = (dev(1), dev(2), dev(3), dev(4));
        let mut log = vec![phone.found(), lost.found()];
        // A removal signed by no device of the log: founding stays open.
        log.push(Entry::sign(
            Change::Remove { device: phone.id },
            &[],
            &stranger.key,
        ));
        log.push(tablet.found());
        assert!(Log::build(log.clone()).founding_open());
        assert_eq!(live(&log), vec![phone.id, lost.id, tablet.id]);
        // The lost phone makes an invite; a stranger "makes" the same key
        // too, and an invite naming the phone's own signing key: neither
        // counts, so what the invite adds is still the lost phone's.
        let invite = SigningKey::from_bytes(&[30; 32]);
        let key = invite.verifying_key().to_bytes();
        for (author, k) in [
            (&stranger.key, key),
            (&lost.key, phone.key.verifying_key().to_bytes()),
            (&lost.key, key),
        ] {
            log.push(Entry::sign(
                Change::Invite {
                    key: k,
                    recovery: false,
                },
                &heads(&log),
                author,
            ));
        }
        let before = heads(&log);
        log.push(Entry::sign(
            Change::Remove { device: lost.id },
            &before,
            &phone.key,
        ));
        log.push(Entry::sign(dev(5).add(), &before, &invite));
        assert_eq!(live(&log), vec![phone.id, tablet.id]);
        // The phone still links devices after the unlink.
        let next = SigningKey::from_bytes(&[31; 32]);
        let built = Log::build(log.clone());
        log.push(Entry::sign(
            Change::Invite {
                key: next.verifying_key().to_bytes(),
                recovery: false,
            },
            &built.parents_for(&phone.key.verifying_key().to_bytes()),
            &phone.key,
        ));
        log.push(Entry::sign(dev(6).add(), &heads(&log), &next));
        assert_eq!(live(&log), vec![phone.id, tablet.id, [6; 16]]);
    }

    #[test]
    fn a_device_a_lost_phone_took_out_takes_the_lost_phone_out_and_stays() {
        let (phone, lost, hidden) = (dev(1), dev(2), dev(3));
        let mut log = vec![phone.found(), lost.found()];
        log.push(Entry::sign(hidden.add(), &heads(&log), &lost.key));
        log.push(Entry::sign(
            Change::Remove { device: phone.id },
            &heads(&log),
            &lost.key,
        ));
        assert_eq!(live(&log), vec![lost.id, hidden.id]);
        // The phone saw its removal, and takes the lost phone out (with
        // what it added, as an unlink does): its removal stops counting.
        let seen = heads(&log);
        log.push(Entry::sign(
            Change::Remove { device: lost.id },
            &seen,
            &phone.key,
        ));
        log.push(Entry::sign(
            Change::Remove { device: hidden.id },
            &heads(&log),
            &phone.key,
        ));
        assert_eq!(live(&log), vec![phone.id]);
        // Two of the lost phone's devices take the phone out; it answers
        // both, and stays.
        let (p2, l2, h2) = (dev(7), dev(8), dev(9));
        let mut two = vec![p2.found(), l2.found()];
        two.push(Entry::sign(h2.add(), &heads(&two), &l2.key));
        for author in [&l2.key, &h2.key] {
            two.push(Entry::sign(
                Change::Remove { device: p2.id },
                &heads(&two),
                author,
            ));
        }
        assert_eq!(live(&two), vec![l2.id, h2.id]);
        for device in [l2.id, h2.id] {
            two.push(Entry::sign(
                Change::Remove { device },
                &heads(&two),
                &p2.key,
            ));
        }
        assert_eq!(live(&two), vec![p2.id]);
        // Removals made at once, neither seeing the other: both count.
        let (a, b) = (dev(4), dev(5));
        let mut both = vec![a.found(), b.found()];
        let start = heads(&both);
        both.push(Entry::sign(Change::Remove { device: b.id }, &start, &a.key));
        both.push(Entry::sign(Change::Remove { device: a.id }, &start, &b.key));
        assert_eq!(live(&both), Vec::<[u8; 16]>::new());
    }

    #[test]
    fn founding_entries_that_close_each_other_out_both_stop_counting() {
        let (phone, tablet, fake) = (dev(1), dev(2), dev(3));
        let mut log = vec![phone.found()];
        let invite = SigningKey::from_bytes(&[40; 32]);
        log.push(Entry::sign(link_invite(&invite), &heads(&log), &phone.key));
        log.push(Entry::sign(tablet.add(), &heads(&log), &invite));
        // A key of the lost phone's founds itself, then takes the phone
        // out, naming only its own founding.
        let founded = fake.found();
        let parents = [founded.hash()];
        log.push(founded);
        log.push(Entry::sign(
            Change::Remove { device: phone.id },
            &parents,
            &fake.key,
        ));
        // Neither founding counts: each was missed by the other's closing
        // entry, and nothing signed tells the two apart. A log that
        // certifies no one decides nothing (see `envelope_peers`), so this
        // takes the person no lower than before the log; the fake device
        // gets nothing the phone would not have given it then.
        assert_eq!(live(&log), Vec::<[u8; 16]>::new());
        // A founding the closing entries saw is not taken out this way.
        let mut seen = vec![phone.found(), fake.found()];
        seen.push(Entry::sign(link_invite(&invite), &heads(&seen), &phone.key));
        seen.push(Entry::sign(
            Change::Remove { device: phone.id },
            &[fake.found().hash()],
            &fake.key,
        ));
        assert_eq!(live(&seen), vec![fake.id]);
    }

    #[test]
    fn entries_that_do_not_count_cannot_crowd_out_a_devices_parents() {
        let (phone, lost) = (dev(1), dev(2));
        let mut log = vec![phone.found(), lost.found()];
        for n in 0..200u8 {
            let junk = SigningKey::from_bytes(&[n; 32]);
            log.push(Entry::sign(Change::Remove { device: [n; 16] }, &[], &junk));
        }
        let built = Log::build(log.clone());
        let parents = built.parents_for(&phone.key.verifying_key().to_bytes());
        assert!(parents.len() <= 2, "{}", parents.len());
        log.push(Entry::sign(
            Change::Remove { device: lost.id },
            &parents,
            &phone.key,
        ));
        assert_eq!(live(&log), vec![phone.id]);
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
