//! Pinning the other side's identity in a pair (see
//! [`crate::features::identity`]): what each side publishes about itself,
//! when a pin is taken, and what a pair shows of it (the safety code, or
//! a warning).

use crate::document::{DocId, shard};
use crate::domain::pair::{PairPerson, Side};
use crate::error::{Error, Result};
use crate::features::identity::{self, fingerprint, from_hex, join_mac, join_mac_holds};
use crate::store::Store;
use crate::sync::seal::SpaceKey;

/// Records in the keyring that pair `space_id` pins the identity whose
/// fingerprint is `pin`. Pins are a set (one key per fingerprint, never
/// overwritten): a pair whose devices ever pinned two identities shows a
/// mismatch on every device of the person (see the keyring projection).
pub(crate) fn pin(store: &mut Store, space_id: &str, pin: &[u8; 16]) -> Result<()> {
    let key = format!("{space_id}.pin.{}", hex::encode(pin));
    store.write_whole(&DocId::keyring(), |tx| {
        shard::put(tx, &key, &"pinned".to_owned())
    })
}

/// What a pair pinned of the other side's identity.
enum Pinned {
    /// Nothing yet.
    Nothing,
    /// This fingerprint.
    One([u8; 16]),
    /// More than one: someone pinned another identity at some point.
    Several,
}

fn pinned(store: &Store, space_id: &str) -> Result<Pinned> {
    Ok(match store.pair_pin(space_id)? {
        None => Pinned::Nothing,
        Some(p) => match from_hex::<16>(&p) {
            Some(fp) => Pinned::One(fp),
            None => Pinned::Several,
        },
    })
}

/// The key an invite to `space_id` carried: the pair's first key. Both
/// sides hold it (the mentor from the code, the mentee from making it).
fn invite_key(store: &Store, space_id: &str) -> Result<Option<SpaceKey>> {
    Ok(store
        .space_keys(space_id)?
        .into_iter()
        .min_by_key(|(epoch, _)| *epoch)
        .map(|(_, key)| key))
}

/// What this account publishes about its identity in pair `space_id` on
/// `side`: the public key, and for the mentor the MAC that proves they
/// held the invite.
/// `None` while this device does not know the account's identity yet (a
/// device that is behind publishes none rather than making a second one).
pub(crate) fn published(
    store: &mut Store,
    space_id: &str,
    side: Side,
) -> Result<Option<(String, Option<String>)>> {
    let Some(identity) = identity::get(store)? else {
        return Ok(None);
    };
    let public = identity.public_key();
    let mac = match (side, invite_key(store, space_id)?) {
        (Side::Mentor, Some(key)) => Some(hex::encode(join_mac(&key, space_id, &public))),
        _ => None,
    };
    Ok(Some((hex::encode(public), mac)))
}

/// Takes the pins a pair can take now (after a pull): the mentee pins the
/// mentor whose identity carries a MAC under the invite's key; a mentor
/// whose code named no identity (a `TP1-` code) pins the first one the
/// mentee publishes. A pair that pinned already keeps its pin.
/// A store from before identities that has a live pair makes the
/// account's identity here, once a sync has pulled everything.
pub(crate) fn pin_identities(store: &mut Store) -> Result<()> {
    if super::has_live_pairs(store)? && identity::get(store)?.is_none() {
        identity::get_or_make(store)?;
    }
    for space in store.spaces()? {
        let (Some(side), false) = (space.side, space.ended) else {
            continue;
        };
        if !matches!(pinned(store, &space.space_id)?, Pinned::Nothing) {
            continue;
        }
        let other = store.pair_person(&space.space_id, side.other())?;
        let Some(public) = other.identity.as_deref().and_then(from_hex::<32>) else {
            continue;
        };
        let admitted = match side {
            Side::Mentor => true,
            Side::Mentee => proves_the_invite(store, &space.space_id, &other, &public)?,
        };
        if admitted {
            pin(store, &space.space_id, &fingerprint(&public))?;
        }
    }
    Ok(())
}

/// Whether the mentor's published identity carries a MAC under the
/// invite's key.
fn proves_the_invite(
    store: &Store,
    space_id: &str,
    mentor: &PairPerson,
    public: &[u8; 32],
) -> Result<bool> {
    let Some(key) = invite_key(store, space_id)? else {
        return Ok(false);
    };
    let tag = mentor
        .identity_mac
        .as_deref()
        .and_then(|t| hex::decode(t).ok())
        .unwrap_or_default();
    Ok(join_mac_holds(&key, space_id, public, &tag))
}

/// What a pair shows of the other side's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Shown {
    /// The safety code both sides show, once both identities are known and
    /// the other's is the pinned one.
    pub(crate) safety_code: Option<String>,
    /// The other side shows an identity that is not the one pinned (or,
    /// before any pin, one that could not prove it held the invite).
    pub(crate) mismatch: bool,
    /// While there is a mismatch: the safety code of the identity the
    /// other side shows now, to compare before confirming it.
    pub(crate) pending_code: Option<String>,
}

/// What pair `space_id` (this person on `side`) shows of identities. Once
/// a pair pinned an identity, anything but that one shown for the other
/// side (another key, an unreadable one, none at all) is a mismatch.
pub(crate) fn shown(store: &Store, space_id: &str, side: Side) -> Result<Shown> {
    let other = store.pair_person(space_id, side.other())?;
    let theirs = other.identity.as_deref().and_then(from_hex::<32>);
    let pinned = pinned(store, space_id)?;
    let mismatch = match (&pinned, theirs) {
        (Pinned::Several, _) => true,
        (Pinned::One(pin), Some(theirs)) => fingerprint(&theirs) != *pin,
        (Pinned::One(_), None) => true,
        (Pinned::Nothing, Some(theirs)) if side == Side::Mentee => {
            !proves_the_invite(store, space_id, &other, &theirs)?
        }
        (Pinned::Nothing, _) => false,
    };
    let safety_code = match (store.identity_public()?, theirs, &pinned) {
        (Some(mine), Some(theirs), Pinned::One(_)) if !mismatch => {
            Some(identity::safety_code(&mine, &theirs))
        }
        _ => None,
    };
    let pending_code = match (store.identity_public()?, theirs) {
        (Some(mine), Some(theirs)) if mismatch => Some(identity::safety_code(&mine, &theirs)),
        _ => None,
    };
    Ok(Shown {
        safety_code,
        mismatch,
        pending_code,
    })
}

/// The person compared the safety code with the other person, in person
/// or on a call, and it is the one this pair shows now: the identity the
/// other side shows becomes the pair's pin on every device of the person
/// (a keyring entry that outranks the pins taken before, the newest
/// confirmation winning), and the warning clears. `code` must be that
/// code (spaces and dashes aside); any other is refused and nothing
/// changes. A later identity swap still shows as a warning.
pub(crate) fn confirm(store: &mut Store, space_id: &str, side: Side, code: &str) -> Result<()> {
    let other = store.pair_person(space_id, side.other())?;
    let (Some(mine), Some(theirs)) = (
        store.identity_public()?,
        other.identity.as_deref().and_then(from_hex::<32>),
    ) else {
        return Err(Error::invalid(
            "pair",
            "the other person's identity is not known yet: sync, then compare the code",
        ));
    };
    let expected = identity::safety_code(&mine, &theirs);
    if !identity::same_code(code, &expected) {
        return Err(Error::invalid(
            "code",
            "this is not the safety code the pair shows now: compare again, or end the pair",
        ));
    }
    let at = store.now().timestamp_millis();
    let key = format!("{space_id}.verified.{}", hex::encode(fingerprint(&theirs)));
    store.write_whole(&DocId::keyring(), |tx| {
        shard::put(tx, &key, &at.to_string())
    })
}

/// What an identity signs to vouch for one of its account's devices in a
/// pair.
fn device_message(space_id: &str, device_id: &str, public_key: &str) -> Vec<u8> {
    let mut m = b"tandem pair device v1\0".to_vec();
    for part in [space_id, device_id, public_key] {
        m.extend_from_slice(part.as_bytes());
        m.push(0);
    }
    m
}

/// This account's linked devices as published in pair `space_id`: by
/// device id, `KEY.SIGNATURE` (hex) with its identity's signature; and the
/// devices this device knows are unlinked, whose entries go. `None` while
/// the identity is not known here.
pub(crate) fn published_devices(
    store: &mut Store,
    space_id: &str,
) -> Result<Option<PublishedDevices>> {
    let Some(identity) = identity::get(store)? else {
        return Ok(None);
    };
    let mut out = PublishedDevices::default();
    for d in crate::features::devices::list(store)? {
        if d.unlinked {
            out.gone.push(d.device_id);
        } else if from_hex::<32>(&d.public_key).is_some() {
            let signature = identity.sign(&device_message(space_id, &d.device_id, &d.public_key));
            let value = format!("{}.{}", d.public_key, hex::encode(signature));
            out.linked.insert(d.device_id, value);
        }
    }
    Ok(Some(out))
}

/// What [`published_devices`] gives.
#[derive(Debug, Default)]
pub(crate) struct PublishedDevices {
    /// Linked devices: id to `KEY.SIGNATURE`.
    pub(crate) linked: std::collections::BTreeMap<String, String>,
    /// Devices known to be unlinked.
    pub(crate) gone: Vec<String>,
}

/// The other side's devices in pair `space_id` (this person on `side`),
/// as their pinned identity vouches for each and their published device
/// log certifies (see [`super::logs`]): where a new epoch's key is sealed
/// to, and whom it is taken from. Empty until the pair pinned the
/// identity that signed them.
pub(crate) fn partner_devices(
    store: &Store,
    space_id: &str,
    side: Side,
) -> Result<Vec<(String, [u8; 32])>> {
    let other = store.pair_person(space_id, side.other())?;
    let (Some(public), Pinned::One(pin)) = (
        other.identity.as_deref().and_then(from_hex::<32>),
        pinned(store, space_id)?,
    ) else {
        return Ok(Vec::new());
    };
    if fingerprint(&public) != pin {
        return Ok(Vec::new());
    }
    let vouched = other
        .devices
        .iter()
        .filter_map(|(id, value)| {
            let (key, signature) = value.split_once('.')?;
            let signature = from_hex::<64>(signature)?;
            identity::verify(&public, &device_message(space_id, id, key), &signature)
                .then_some(())?;
            Some((id.clone(), from_hex::<32>(key)?))
        })
        .collect();
    super::logs::certified(store, space_id, side.other(), vouched)
}
