//! Pairing a mentee with a mentor: invites, joining, the keyring, ending,
//! and what each side shows the other.
//!
//! The mentee makes a pair space (they own it), a fresh key, and an invite
//! whose code carries the key; only the hash of a secret derived from the
//! key reaches the server. The mentor redeems it and keeps the key. Both
//! record the pair's keys in the keyring document of their private space,
//! so every one of their devices can read the pair. Each side pins the
//! other's identity (see [`super::pins`]).

use tandem_protocol::SpaceList;
use zeroize::Zeroizing;

use crate::document::{DocId, shard};
use crate::domain::pair::{PairPerson, SharedTrack, Side};
use crate::error::{Error, Result};
use crate::features::codes::{InviteCode, invite_secret};
use crate::features::identity::{self, fingerprint};
use crate::store::Store;
use crate::sync::StoreAccess;
use crate::sync::seal::SpaceKey;

/// A pair as the Pair screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PairView {
    /// The pair space's id (what `--pair` takes; a unique prefix will do).
    pub pair_id: String,
    /// This person's side.
    pub side: Side,
    /// The other person's display name, once their device has synced.
    pub other_name: Option<String>,
    /// Ended: no longer synced; what is on this device stays.
    pub ended: bool,
    /// Accounts the server lists as members beyond the two people of the
    /// pair: someone this pair never admitted (an invite the app did not
    /// show, or a server adding members). Anything above 0 is a warning to
    /// show; the partner and this person can end the pair.
    pub unadmitted_members: u32,
    /// The pair's safety code (four groups of five digits), the same on
    /// both phones once both identities are known and the other's is the
    /// one this pair pinned: comparing it in person or on a call shows that
    /// each phone holds the other person's identity, so any identity
    /// swapped in later shows as a warning. (It does not yet tell apart
    /// what someone else who saw the invite code might write.)
    pub safety_code: Option<String>,
    /// The other side shows an identity that is not the one this pair
    /// pinned (from the invite code, or the first one that proved it held
    /// the invite): someone other than the person who was invited may be
    /// writing. A warning to show; nothing more of the pair is trusted
    /// until the two compare safety codes or end the pair.
    pub identity_mismatch: bool,
    /// While `identity_mismatch`: the safety code of the identity the other
    /// side shows now. If the other person's phone shows the same code (on
    /// a call or in person), confirming it (`Pairs::confirm_identity`)
    /// makes that identity the pair's and clears the warning.
    pub pending_safety_code: Option<String>,
}

/// Creates a pair space and an invite through `access`; returns the code to
/// show the mentor (text, and the same payload for a QR code). The store is
/// held only between the server's answers.
pub fn invite(access: &mut impl StoreAccess) -> Result<Zeroizing<String>> {
    let client = access.with(|s| s.account()?.ok_or(Error::NoServer)?.client())?;
    let info = client.create_space()?;
    let key = SpaceKey::generate();
    let space_id = identity::from_hex::<16>(&info.space_id).ok_or_else(|| Error::Server {
        status: 200,
        message: "the space id is malformed".into(),
    })?;
    let public = access.with(|s| {
        refuse_known_space(s, &info.space_id)?;
        let public = identity::get_or_make(s)?.public_key();
        remember_pair(s, &info.space_id, Side::Mentee, info.epoch, &key)?;
        crate::features::signing::decide(s, &info.space_id, 0)?;
        publish_self(s, &info.space_id, Side::Mentee)?;
        Ok(public)
    })?;
    let invite = client.create_invite(&info.space_id, &invite_secret(&key))?;
    let mut invite_id = [0u8; 16];
    hex::decode_to_slice(&invite.invite_id, &mut invite_id).map_err(|_| Error::Server {
        status: 200,
        message: "the invite id is malformed".into(),
    })?;
    Ok(InviteCode {
        invite_id,
        key,
        space_id: Some(space_id),
        identity: Some(fingerprint(&public)),
        signed: true,
    }
    .to_text())
}

/// Joins the pair whose invite code the mentee showed, as their mentor,
/// through `access`, then syncs. The store is held only between the
/// server's answers.
pub fn join(access: &mut impl StoreAccess, code: &str) -> Result<PairView> {
    let code = InviteCode::parse(code)?;
    let client = access.with(|s| s.account()?.ok_or(Error::NoServer)?.client())?;
    let joined = client.redeem(&hex::encode(code.invite_id), &code.secret())?;
    // The server lets the mentor into a space; it must be the one the
    // mentee's code names, or the server would choose what the mentor's
    // device records as this pair (and seal under the pair's key).
    if let Some(named) = code.space_id
        && hex::encode(named) != joined.space_id
    {
        return Err(Error::Server {
            status: 200,
            message: "the server answered the invite with another space than the code names".into(),
        });
    }
    access.with(|s| {
        refuse_known_space(s, &joined.space_id)?;
        remember_pair(s, &joined.space_id, Side::Mentor, joined.epoch, &code.key)?;
        // A pair invited by a build that signs is signed from its start;
        // for one invited before, where its unsigned records end is
        // decided after the first full pull.
        if code.signed {
            crate::features::signing::decide(s, &joined.space_id, 0)?;
        }
        if let Some(mentee) = code.identity {
            super::pins::pin(s, &joined.space_id, &mentee)?;
        }
        identity::get_or_make(s)?;
        publish_self(s, &joined.space_id, Side::Mentor)
    })?;
    crate::sync::run::sync(access)?;
    access.with(|s| get(s, &joined.space_id))
}

/// Ends a pair through `access`: the mentee removes the mentor (and starts a
/// new key epoch, so nothing written later is readable with the old key),
/// or the mentor leaves. Everything already on this device stays here.
pub fn end(access: &mut impl StoreAccess, pair_id: &str) -> Result<PairView> {
    let (pair, account, leaving) = access.with(|s| {
        let pair = resolve(s, Some(pair_id))?;
        let account = s.account()?.ok_or(Error::NoServer)?;
        let leaving = match pair.side {
            Side::Mentee => s.pair_person(&pair.pair_id, Side::Mentor)?.account_id,
            Side::Mentor => Some(account.account_id.clone()),
        };
        Ok((pair, account, leaving))
    })?;
    let client = account.client()?;
    if let Some(member) = leaving {
        match client.remove_member(&pair.pair_id, &member) {
            Ok(epoch) if pair.side == Side::Mentee => {
                access.with(|s| start_epoch(s, &pair.pair_id, epoch.epoch))?;
            }
            Ok(_) | Err(Error::Server { status: 404, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    access.with(|s| {
        mark_ended(s, &pair.pair_id)?;
        get(s, &pair.pair_id)
    })
}

/// Refuses a space id that the server answered as a new space (made, or
/// joined through an invite) when this device already knows it: a hostile
/// server could otherwise name the private space, or another pair, and have
/// a fresh key recorded for it and shown to the other side as a pair.
pub(crate) fn refuse_known_space(store: &Store, space_id: &str) -> Result<()> {
    if store.spaces()?.iter().any(|s| s.space_id == space_id) {
        return Err(Error::Server {
            status: 200,
            message: "the server answered with a space this device already knows as a new one"
                .into(),
        });
    }
    Ok(())
}

/// Every pair, in the order they were made.
pub fn list(store: &Store) -> Result<Vec<PairView>> {
    let mut out = Vec::new();
    for space in store.spaces()? {
        let Some(side) = space.side else { continue };
        let other = store.pair_person(&space.space_id, side.other())?;
        let members = store.pair_members(&space.space_id)?.unwrap_or(0);
        let shown = super::pins::shown(store, &space.space_id, side)?;
        out.push(PairView {
            pair_id: space.space_id,
            side,
            other_name: other.name,
            ended: space.ended,
            unadmitted_members: members.saturating_sub(2),
            safety_code: shown.safety_code,
            identity_mismatch: shown.mismatch,
            pending_safety_code: shown.pending_code,
        });
    }
    Ok(out)
}

/// One pair.
pub fn get(store: &Store, pair_id: &str) -> Result<PairView> {
    list(store)?
        .into_iter()
        .find(|p| p.pair_id == pair_id)
        .ok_or_else(|| Error::not_found("pair", pair_id))
}

/// The pair meant by `given`: its id or a unique prefix of it, or — when
/// nothing is given — the only live pair.
pub fn resolve(store: &Store, given: Option<&str>) -> Result<PairView> {
    let live: Vec<PairView> = list(store)?.into_iter().filter(|p| !p.ended).collect();
    match given {
        None if live.len() == 1 => Ok(live.into_iter().next().expect("one")),
        None if live.is_empty() => Err(Error::not_found("pair", "(none yet)")),
        None => Err(Error::invalid(
            "pair",
            "there is more than one pair: say which with --pair ID",
        )),
        Some(g) => {
            let mut hits = live.into_iter().filter(|p| p.pair_id.starts_with(g));
            match (hits.next(), hits.next()) {
                (Some(p), None) if !g.is_empty() => Ok(p),
                (Some(_), Some(_)) => Err(Error::invalid(
                    "pair",
                    "that prefix names more than one pair",
                )),
                _ => Err(Error::not_found("pair", g)),
            }
        }
    }
}

/// Shows (or stops showing) this person's own clean time to the other
/// side of a pair. A mentee's clean time is shown from pairing on.
pub fn share_clean_time(store: &mut Store, pair_id: &str, on: bool) -> Result<()> {
    let pair = resolve(store, Some(pair_id))?;
    let doc = DocId::in_pair(&pair.pair_id, "people");
    let key = format!("{}.clean_time", pair.side.as_str());
    let value = if on {
        serde_json::to_string(&clean_time_to_share(store)?)?
    } else {
        String::new()
    };
    store.write_whole(&doc, |tx| shard::put(tx, &key, &value))
}

/// Records a pair's key for `epoch` in the keyring (and so in the spaces
/// this device syncs).
pub(crate) fn remember_pair(
    store: &mut Store,
    space_id: &str,
    side: Side,
    epoch: u32,
    key: &SpaceKey,
) -> Result<()> {
    let doc = DocId::keyring();
    let key_hex = Zeroizing::new(hex::encode(key.as_bytes()));
    store.write_whole(&doc, |tx| {
        shard::put(tx, &format!("{space_id}.{epoch}"), &*key_hex)?;
        shard::put(tx, &format!("{space_id}.side"), &side.as_str().to_owned())?;
        Ok(())
    })
}

/// Records where `epoch` of pair `space_id` began (see `sync::fences`),
/// here and, through the keyring, on the person's other devices.
pub(crate) fn remember_fence(
    store: &mut Store,
    space_id: &str,
    epoch: u32,
    after_seq: i64,
) -> Result<()> {
    store.set_fence(space_id, epoch, after_seq)?;
    store.write_whole(&DocId::keyring(), |tx| {
        shard::put(
            tx,
            &format!("{space_id}.fence.{epoch}"),
            &after_seq.max(0).to_string(),
        )
    })
}

/// Starts sealing a pair space with a new key for `epoch` (after a
/// member was removed). Only the mentee, the space's owner, makes keys.
pub(crate) fn start_epoch(store: &mut Store, space_id: &str, epoch: u32) -> Result<()> {
    let Some(space) = store.spaces()?.into_iter().find(|s| s.space_id == space_id) else {
        return Ok(());
    };
    if space.side != Some(Side::Mentee) || store.space_key(space_id, epoch)?.is_some() {
        return Ok(());
    }
    remember_pair(store, space_id, Side::Mentee, epoch, &SpaceKey::generate())
}

/// Whether this device has a pair that has not ended (and so reason to
/// ask the server who is in it).
pub(crate) fn has_live_pairs(store: &Store) -> Result<bool> {
    Ok(store.spaces()?.iter().any(|s| s.side.is_some() && !s.ended))
}

/// Reads the server's list of this account's spaces into the pairs: marks
/// those it is no longer a member of as ended, and those another of the
/// person's devices ended (the key ring says so) once the server shows
/// the other person gone; records how many members each has (a pair has
/// two; more is flagged on the pair).
pub(crate) fn note_pair_spaces(store: &mut Store, list: &SpaceList) -> Result<()> {
    for space in store.spaces()? {
        if space.side.is_none() || space.ended {
            continue;
        }
        match list.spaces.iter().find(|s| s.space_id == space.space_id) {
            Some(info) => {
                store.set_pair_members(&space.space_id, info.members)?;
                if info.members <= 1 && store.ended_claimed(&space.space_id)? {
                    store.end_space(&space.space_id)?;
                }
            }
            None => mark_ended(store, &space.space_id)?,
        }
    }
    Ok(())
}

/// Ends pair `space_id` on this device, which knows it first-hand (the
/// person ended it here, or the server no longer lists it), and tells the
/// person's other devices through the key ring.
pub(crate) fn mark_ended(store: &mut Store, space_id: &str) -> Result<()> {
    let doc = DocId::keyring();
    store.write_whole(&doc, |tx| {
        shard::put(tx, &format!("{space_id}.ended"), &"yes".to_owned())
    })?;
    store.end_space(space_id)
}

/// Writes what this person shows the other side: name, account, zone,
/// and (for a mentee, or a mentor who chose to) clean time. Writes only
/// what changed, so a sync with nothing new makes no change.
pub(crate) fn publish_self(store: &mut Store, space_id: &str, side: Side) -> Result<()> {
    let person = store.person()?;
    let account = store.account()?.ok_or(Error::NoServer)?;
    let current = store.pair_person(space_id, side)?;
    let share_clean = side == Side::Mentee || current.clean_time.is_some();
    let clean = if share_clean {
        Some(clean_time_to_share(store)?)
    } else {
        None
    };
    let identity = super::pins::published(store, space_id, side)?;
    // Devices are kept one key each: write the ones that are missing or
    // stale, remove the ones this device knows are unlinked, leave the
    // rest (another of the person's devices may know more).
    let devices = super::pins::published_devices(store, space_id)?.unwrap_or_default();
    let put: Vec<(String, String)> = devices
        .linked
        .into_iter()
        .filter(|(id, value)| current.devices.get(id) != Some(value))
        .collect();
    let gone: Vec<String> = devices
        .gone
        .into_iter()
        .filter(|id| current.devices.contains_key(id))
        .collect();
    let entries = super::logs::unpublished(store, space_id, side)?;
    let (public, mac) = match &identity {
        Some((public, mac)) => (Some(public.clone()), mac.clone()),
        // Not known here yet: whatever the document holds stays.
        None => (current.identity.clone(), current.identity_mac.clone()),
    };
    let wanted = PairPerson {
        name: Some(person.name.clone()),
        account_id: Some(account.account_id.clone()),
        timezone: Some(person.timezone.clone()),
        clean_time: clean.clone(),
        identity: public.clone(),
        identity_mac: mac.clone(),
        devices: current.devices.clone(),
    };
    if wanted == current && put.is_empty() && gone.is_empty() && entries.is_empty() {
        return Ok(());
    }
    let doc = DocId::in_pair(space_id, "people");
    let prefix = side.as_str();
    store.write_whole(&doc, |tx| {
        shard::put(tx, &format!("{prefix}.name"), &person.name)?;
        shard::put(tx, &format!("{prefix}.account_id"), &account.account_id)?;
        shard::put(tx, &format!("{prefix}.timezone"), &person.timezone)?;
        if let Some(public) = &public {
            shard::put(tx, &format!("{prefix}.identity"), public)?;
        }
        for (id, value) in &put {
            shard::put(tx, &format!("{prefix}.device.{id}"), value)?;
        }
        for id in &gone {
            automerge::transaction::Transactable::delete(
                tx,
                automerge::ROOT,
                format!("{prefix}.device.{id}"),
            )?;
        }
        // A MAC this side does not make (one a partner wrote for it) goes,
        // or the document would never settle.
        match &mac {
            Some(mac) => shard::put(tx, &format!("{prefix}.identity_mac"), mac)?,
            None if current.identity_mac.is_some() => {
                automerge::transaction::Transactable::delete(
                    tx,
                    automerge::ROOT,
                    format!("{prefix}.identity_mac"),
                )?;
            }
            None => {}
        }
        if let Some(clean) = &clean {
            shard::put(
                tx,
                &format!("{prefix}.clean_time"),
                &serde_json::to_string(clean)?,
            )?;
        }
        Ok(())
    })?;
    // Log entries in changes of their own, each well under what the
    // server takes in one record: a log a lost phone filled before its
    // unlink still goes out.
    for chunk in super::logs::chunks(&entries) {
        store.write_whole(&doc, |tx| {
            for (hash, entry) in chunk {
                shard::put(tx, &format!("{prefix}.log.{hash}"), entry)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Refreshes what this person shows in each live pair (before a push).
pub(crate) fn publish_to_pairs(store: &mut Store) -> Result<()> {
    if store.person().is_err() {
        return Ok(());
    }
    for space in store.spaces()? {
        if let (Some(side), false) = (space.side, space.ended) {
            publish_self(store, &space.space_id, side)?;
        }
    }
    Ok(())
}

fn clean_time_to_share(store: &Store) -> Result<Vec<SharedTrack>> {
    Ok(store
        .tracks()?
        .into_iter()
        .map(|t| SharedTrack {
            name: t.name,
            since: t.current_start,
            attempts: t.attempts,
            longest_streak_days: t.longest_streak_days,
        })
        .collect())
}
