//! Projection: how items in documents become read-model rows.
//!
//! A local action projects just the item it changed; changes from another
//! device, and a rebuild, project a whole document with [`document`]. Both
//! paths go through the same per-item functions, so they agree.

use automerge::Automerge;
use chrono::{NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::document::{self, DocId, DocKind, profile_keys, shard};
use crate::domain::checkin::CheckIn;
use crate::domain::craving::CravingEntry;
use crate::domain::goal::Goal;
use crate::domain::journal::JournalEntry;
use crate::domain::note::SharedNote;
use crate::domain::pair::{PairPerson, ReachOut, SharedItem, Side};
use crate::domain::person::Person;
use crate::domain::track::Track;
use crate::error::{Error, Result};
use crate::id::is_well_formed;
use crate::store::SpaceRole;

/// The local date and hour of an instant in the zone named `tz`.
pub(crate) fn local_parts(ms: i64, tz: &str) -> (NaiveDate, u32) {
    let tz: Tz = tz.parse().unwrap_or(Tz::UTC);
    let at = Utc
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz);
    (at.date_naive(), at.hour())
}

/// The UTC milliseconds `[from, to)` that hold every instant whose local
/// date, in any time zone, falls in `first..=last`. Zones sit less than a
/// day from UTC, so a day on either side covers them all; callers filter
/// on `local_date` within the window.
pub(crate) fn utc_window(first: NaiveDate, last: NaiveDate) -> (i64, i64) {
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc().timestamp_millis();
    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    (midnight(first) - DAY_MS, midnight(last) + 2 * DAY_MS)
}

pub(crate) fn person(tx: &Transaction<'_>, p: &Person) -> Result<()> {
    tx.execute(
        "INSERT INTO person (id, name, timezone) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone",
        params![p.name, p.timezone],
    )?;
    Ok(())
}

pub(crate) fn track(tx: &Transaction<'_>, t: &Track) -> Result<()> {
    if t.deleted {
        tx.execute("DELETE FROM tracks WHERE id = ?1", [&t.id])?;
    } else {
        tx.execute(
            "INSERT OR REPLACE INTO tracks (id, created_ms, body) VALUES (?1, ?2, ?3)",
            params![t.id, t.created_ms, serde_json::to_string(t)?],
        )?;
    }
    Ok(())
}

pub(crate) fn journal(tx: &Transaction<'_>, doc_id: &DocId, e: &JournalEntry) -> Result<()> {
    if e.deleted {
        tx.execute("DELETE FROM journal WHERE id = ?1", [&e.id])?;
        return Ok(());
    }
    let (day, _) = local_parts(e.created_ms, &e.tz);
    tx.prepare_cached(
        "INSERT OR REPLACE INTO journal (id, doc_id, created_ms, edited_ms, local_date, tz, text, mood, tags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.id,
        doc_id.as_str(),
        e.created_ms,
        e.edited_ms,
        day.to_string(),
        e.tz,
        e.text,
        e.mood,
        serde_json::to_string(&e.tags)?
    ])?;
    Ok(())
}

pub(crate) fn craving(tx: &Transaction<'_>, doc_id: &DocId, c: &CravingEntry) -> Result<()> {
    if c.deleted {
        tx.execute("DELETE FROM cravings WHERE id = ?1", [&c.id])?;
        return Ok(());
    }
    let (day, hour) = local_parts(c.at_ms, &c.tz);
    tx.prepare_cached(
        "INSERT OR REPLACE INTO cravings (id, doc_id, at_ms, local_date, local_hour, tz, trigger, intensity,
             situation, helped, outcome, note, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        c.id,
        doc_id.as_str(),
        c.at_ms,
        day.to_string(),
        hour,
        c.tz,
        c.trigger,
        c.intensity,
        serde_json::to_string(&c.situation)?,
        serde_json::to_string(&c.helped)?,
        c.outcome.map(|o| o.as_str()),
        c.note,
        c.created_ms
    ])?;
    Ok(())
}

pub(crate) fn checkin(tx: &Transaction<'_>, doc_id: &DocId, c: &CheckIn) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO checkins (id, doc_id, day, mood, craving, used, note, created_ms, edited_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        c.id,
        doc_id.as_str(),
        c.day.to_string(),
        c.mood,
        c.craving,
        c.used,
        c.note,
        c.created_ms,
        c.edited_ms
    ])?;
    Ok(())
}

/// Projects a goal of the goals document `doc_id`. A goal moved between
/// the private and a pair document leaves a tombstone behind, which must
/// not remove the live copy: deletions are scoped to the document.
pub(crate) fn goal(tx: &Transaction<'_>, doc_id: &DocId, g: &Goal) -> Result<()> {
    let owned: bool = tx
        .query_row(
            "SELECT count(*) FROM goals WHERE id = ?1 AND doc_id <> ?2",
            params![g.id, doc_id.as_str()],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)?;
    if g.deleted {
        if !owned {
            tx.execute("DELETE FROM goal_milestones WHERE goal_id = ?1", [&g.id])?;
        }
        tx.execute(
            "DELETE FROM goals WHERE id = ?1 AND doc_id = ?2",
            params![g.id, doc_id.as_str()],
        )?;
        return Ok(());
    }
    tx.execute("DELETE FROM goal_milestones WHERE goal_id = ?1", [&g.id])?;
    tx.execute(
        "INSERT OR REPLACE INTO goals (id, title, why, target, status, created_ms, edited_ms, doc_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            g.id,
            g.title,
            g.why,
            g.target.map(|d| d.to_string()),
            g.status.as_str(),
            g.created_ms,
            g.edited_ms,
            doc_id.as_str()
        ],
    )?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO goal_milestones (goal_id, id, title, done, done_ms, created_ms, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (id, m) in &g.milestones {
        stmt.execute(params![
            g.id,
            id,
            m.title,
            m.done,
            m.done_ms,
            m.created_ms,
            m.position
        ])?;
    }
    Ok(())
}

pub(crate) fn note(tx: &Transaction<'_>, doc_id: &DocId, n: &SharedNote) -> Result<()> {
    if n.deleted {
        tx.execute("DELETE FROM notes WHERE id = ?1", [&n.id])?;
        return Ok(());
    }
    tx.execute(
        "INSERT OR REPLACE INTO notes (id, doc_id, title, body, created_ms, edited_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            n.id,
            doc_id.as_str(),
            n.title,
            n.body,
            n.created_ms,
            n.edited_ms
        ],
    )?;
    Ok(())
}

/// Projects a shared item (an unshared one disappears).
pub(crate) fn shared_item(tx: &Transaction<'_>, doc_id: &DocId, item: &SharedItem) -> Result<()> {
    if item.deleted {
        tx.execute(
            "DELETE FROM shared_items WHERE doc_id = ?1 AND id = ?2",
            params![doc_id.as_str(), item.id],
        )?;
        return Ok(());
    }
    tx.execute(
        "INSERT OR REPLACE INTO shared_items (doc_id, id, kind, at_ms, shared_ms, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            doc_id.as_str(),
            item.id,
            item.kind,
            item.at_ms,
            item.shared_ms,
            serde_json::to_string(item)?
        ],
    )?;
    Ok(())
}

/// Projects a reach-out.
pub(crate) fn reach_out(tx: &Transaction<'_>, doc_id: &DocId, r: &ReachOut) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO reach_outs (doc_id, id, text, at_ms, acknowledged_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![doc_id.as_str(), r.id, r.text, r.at_ms, r.acknowledged_ms],
    )?;
    Ok(())
}

/// Reads what one side shows the other out of a pair's `people` document.
pub(crate) fn read_pair_person<D: automerge::ReadDoc + autosurgeon::ReadDoc>(
    doc: &D,
    side: Side,
) -> Result<PairPerson> {
    let get = |field: &str| -> Result<Option<String>> {
        shard::get::<_, String>(doc, &format!("{}.{field}", side.as_str()))
    };
    Ok(PairPerson {
        name: get("name")?,
        account_id: get("account_id")?,
        timezone: get("timezone")?,
        clean_time: get("clean_time")?.and_then(|t| serde_json::from_str(&t).ok()),
        identity: get("identity")?,
        identity_mac: get("identity_mac")?,
        devices: {
            let prefix = format!("{}.device.", side.as_str());
            let mut devices = std::collections::BTreeMap::new();
            for key in automerge::ReadDoc::keys(doc, automerge::ROOT) {
                if let Some(id) = key.strip_prefix(&prefix)
                    && let Some(value) = shard::get::<_, String>(doc, &key)?
                {
                    devices.insert(id.to_owned(), value);
                }
            }
            devices
        },
    })
}

/// Projects a pair's `people` document.
fn people(tx: &Transaction<'_>, doc_id: &DocId, doc: &Automerge) -> Result<()> {
    let body = serde_json::json!({
        "mentee": read_pair_person(doc, Side::Mentee)?,
        "mentor": read_pair_person(doc, Side::Mentor)?,
    });
    tx.execute(
        "INSERT OR REPLACE INTO pair_people (doc_id, body) VALUES (?1, ?2)",
        params![doc_id.as_str(), body.to_string()],
    )?;
    if let Some(space_id) = doc_id.pair_space() {
        for side in [Side::Mentee, Side::Mentor] {
            pair_log(tx, doc, space_id, side)?;
        }
    }
    Ok(())
}

/// Keeps the device-log entries side `side` published in pair
/// `space_id`'s `people` document (`mentee.log.<hash>`), each once its
/// signature holds and its name is its hash; never drops one (an entry
/// kept already is not checked again). Past [`super::pairs::PAIR_LOG_SOFT`]
/// entries only what that side's certified devices sign, or this
/// account's own log holds, is kept; past [`super::pairs::PAIR_LOG_HARD`]
/// nothing, and the side is marked full (see `features::pairs::logs`).
/// Whether an entry could be kept is settled before its signature is
/// checked, so a flood costs a count, not a check each.
fn pair_log(tx: &Transaction<'_>, doc: &Automerge, space_id: &str, side: Side) -> Result<()> {
    use super::pairs::{PAIR_LOG_HARD, PAIR_LOG_SOFT};
    use crate::features::devices::log::Entry;
    let prefix = format!("{}.log.", side.as_str());
    let mut kept = tx.prepare_cached(
        "SELECT COUNT(*) > 0 FROM pair_logs WHERE space_id = ?1 AND side = ?2 AND hash = ?3",
    )?;
    let mut held: i64 = tx.query_row(
        "SELECT COUNT(*) FROM pair_logs WHERE space_id = ?1 AND side = ?2",
        params![space_id, side.as_str()],
        |r| r.get(0),
    )?;
    for key in automerge::ReadDoc::keys(doc, automerge::ROOT) {
        let Some(hash) = key.strip_prefix(&prefix) else {
            continue;
        };
        if kept.query_row(params![space_id, side.as_str(), hash], |r| {
            r.get::<_, bool>(0)
        })? {
            continue;
        }
        if held >= PAIR_LOG_HARD {
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, 'yes')",
                [super::pairs::pair_log_full_key(space_id, side)],
            )?;
            break;
        }
        let Some(bytes) = crate::features::devices::log::stored(doc, &key) else {
            continue;
        };
        if held >= PAIR_LOG_SOFT {
            let Some(author) = Entry::author_unchecked(&bytes) else {
                continue;
            };
            let wanted: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM pair_log_trusted
                                    WHERE space_id = ?1 AND side = ?2 AND author = ?3)
                         OR EXISTS (SELECT 1 FROM device_log WHERE hash = ?4)",
                )?
                .query_row(
                    params![space_id, side.as_str(), hex::encode(author), hash],
                    |r| r.get(0),
                )?;
            if !wanted {
                continue;
            }
        }
        let Some(entry) = Entry::from_bytes(&bytes) else {
            continue;
        };
        if hex::encode(entry.hash()) != hash {
            continue;
        }
        tx.execute(
            "INSERT OR IGNORE INTO pair_logs (space_id, side, hash, entry) VALUES (?1, ?2, ?3, ?4)",
            params![space_id, side.as_str(), hash, bytes],
        )?;
        held += 1;
    }
    Ok(())
}

/// Keeps the public half of the account's identity where reads find it.
fn identity(tx: &Transaction<'_>, doc: &Automerge) -> Result<()> {
    let Some(seed) = shard::get::<_, String>(doc, "identity")?.map(zeroize::Zeroizing::new) else {
        return Ok(());
    };
    let Some(seed) = crate::features::identity::from_hex::<32>(&seed).map(zeroize::Zeroizing::new)
    else {
        return Ok(());
    };
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('identity_public', ?1)",
        [hex::encode(public)],
    )?;
    Ok(())
}

/// Takes where a space's unsigned records end from the keyring (the
/// private space's when `space` is `None`): the earliest decision any of
/// the person's devices made holds.
fn signed_after(tx: &Transaction<'_>, space: Option<&str>, seq: i64) -> Result<()> {
    let space_id: Option<String> = match space {
        Some(s) => Some(s.to_owned()),
        None => tx
            .query_row(
                "SELECT space_id FROM spaces WHERE role = 'private'",
                [],
                |r| r.get(0),
            )
            .optional()?,
    };
    if let Some(space_id) = space_id {
        super::meta::decide_signed_after(tx, &space_id, seq)?;
    }
    Ok(())
}

/// Projects the keyring: every pair space and key it names becomes known to
/// the sync client (keys are never removed: old epochs still open old records).
///
/// What a device with an old key or a link code (a lost phone) could write
/// here is bounded: an entry never names a space that is not a pair (the
/// private space's keys come only from the link code, the recovery
/// envelope or a device's envelope), and a key already known for an epoch
/// is never replaced.
fn keyring(tx: &Transaction<'_>, doc: &Automerge) -> Result<()> {
    let mut pins: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    // Identities the person confirmed by comparing safety codes: by space,
    // the newest confirmation (time, fingerprint).
    let mut confirmed: std::collections::BTreeMap<String, (i64, String)> = Default::default();
    for key in automerge::ReadDoc::keys(doc, automerge::ROOT) {
        if key == "identity" {
            identity(tx, doc)?;
            continue;
        }
        if key == crate::features::signing::PRIVATE_FIELD {
            if let Some(seq) = shard::get::<_, String>(doc, &key)?.and_then(|v| v.parse().ok()) {
                signed_after(tx, None, seq)?;
            }
            continue;
        }
        let Some((space, field)) = key.split_once('.') else {
            continue;
        };
        if !is_well_formed(space) {
            continue;
        }
        let role: Option<String> = tx
            .query_row(
                "SELECT role FROM spaces WHERE space_id = ?1",
                [space],
                |r| r.get(0),
            )
            .optional()?;
        if role.is_some_and(|r| r != SpaceRole::Pair.as_str()) {
            continue;
        }
        let Some(value) = shard::get::<_, String>(doc, &key)? else {
            continue;
        };
        if field == "side" {
            // The side a pair was made on is kept: a later entry (a lost
            // phone's) cannot turn a mentee into a mentor.
            tx.execute(
                "INSERT INTO spaces (space_id, role, epoch, side) VALUES (?1, 'pair', 0, ?2)
                 ON CONFLICT (space_id) DO UPDATE SET side = coalesce(spaces.side, excluded.side)",
                params![space, value],
            )?;
        } else if let Some(fp) = field.strip_prefix("pin.") {
            if crate::features::identity::from_hex::<16>(fp).is_some() {
                pins.entry(space.to_owned())
                    .or_default()
                    .insert(fp.to_owned());
            }
        } else if let Some(fp) = field.strip_prefix("verified.") {
            if let (Some(_), Ok(at)) = (
                crate::features::identity::from_hex::<16>(fp),
                value.parse::<i64>(),
            ) {
                let newest = confirmed
                    .entry(space.to_owned())
                    .or_insert((at, fp.to_owned()));
                *newest = (*newest).clone().max((at, fp.to_owned()));
            }
        } else if field == "signed_after" {
            if let Ok(seq) = value.parse::<i64>() {
                signed_after(tx, Some(space), seq)?;
            }
        } else if field == "ended" {
            // Another of the person's devices says the pair ended: taken
            // once the server agrees (see `pairs::note_pair_spaces`), so a
            // lost phone's entry cannot stop a live pair syncing.
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, 'yes') ON CONFLICT DO NOTHING",
                params![format!("ended_claimed:{space}")],
            )?;
        } else if let Some(epoch) = field.strip_prefix("fence.") {
            // Where a pair's epoch began, from the device of the person's
            // that started it (see `sync::fences`).
            if let (Ok(epoch), Ok(after)) = (epoch.parse::<u32>(), value.parse::<i64>()) {
                super::fences::set(tx, space, epoch, after)?;
            }
        } else if let Ok(epoch) = field.parse::<u32>() {
            let mut bytes = [0u8; 32];
            if hex::decode_to_slice(&value, &mut bytes).is_err() {
                continue;
            }
            // The device that wrote it (its writer id): a key set aside
            // as written by a device since removed from the device log
            // is not taken again.
            let writer = match automerge::ReadDoc::get(doc, automerge::ROOT, &key)? {
                Some((_, automerge::ObjId::Id(_, actor, _))) => actor.to_hex_string(),
                _ => String::new(),
            };
            let set_aside: bool = tx
                .prepare_cached(
                    "SELECT COUNT(*) > 0 FROM keyring_writers
                     WHERE space_id = ?1 AND epoch = ?2 AND writer = ?3 AND set_aside = 1",
                )?
                .query_row(params![space, epoch, writer], |r| r.get(0))?;
            if set_aside {
                continue;
            }
            // Sealed under only once the server reports the epoch (a key
            // planted ahead for an epoch to come is never used).
            let made = tx.execute(
                "INSERT INTO spaces (space_id, role, epoch, server_epoch) VALUES (?1, 'pair', ?2, ?2)
                 ON CONFLICT (space_id) DO NOTHING",
                params![space, epoch],
            )?;
            if made > 0 {
                tx.execute(
                    "INSERT OR IGNORE INTO pairs_unheard (space_id) VALUES (?1)",
                    [space],
                )?;
            }
            let taken = tx.execute(
                "INSERT INTO space_keys (space_id, epoch, key) VALUES (?1, ?2, ?3)
                 ON CONFLICT (space_id, epoch) DO NOTHING",
                params![space, epoch, &bytes[..]],
            )?;
            if taken > 0 {
                tx.execute(
                    "INSERT OR IGNORE INTO keyring_writers (space_id, epoch, writer) VALUES (?1, ?2, ?3)",
                    params![space, epoch, writer],
                )?;
            }
            super::fences::raise_sealing_epoch(tx, space)?;
        }
    }
    // Pins are a set: one fingerprint is the pin; more than one (someone
    // pinned another identity at some point), or one that differs from
    // what this device pinned before, is a conflict that stays.
    for (space, fps) in pins {
        let before: Option<Option<String>> = tx
            .query_row(
                "SELECT pin FROM spaces WHERE space_id = ?1",
                [&space],
                |r| r.get(0),
            )
            .optional()?;
        let Some(before) = before else { continue };
        let pin = match (fps.len(), before) {
            (1, None) => fps.into_iter().next().expect("one"),
            (1, Some(b)) if fps.contains(&b) => b,
            _ => "conflict".to_owned(),
        };
        tx.execute(
            "UPDATE spaces SET pin = ?2 WHERE space_id = ?1",
            params![space, pin],
        )?;
    }
    // A confirmed identity is the pin, whatever was pinned before.
    for (space, (_, fp)) in confirmed {
        tx.execute(
            "UPDATE spaces SET pin = ?2 WHERE space_id = ?1",
            params![space, fp],
        )?;
    }
    Ok(())
}

/// Reads the person out of the profile document, if it holds one.
pub(crate) fn read_person(doc: &Automerge) -> Result<Option<Person>> {
    let name: Option<String> = shard::get(doc, profile_keys::NAME)?;
    let timezone: Option<String> = shard::get(doc, profile_keys::TIMEZONE)?;
    Ok(name
        .zip(timezone)
        .map(|(name, timezone)| Person { name, timezone }))
}

/// Replaces every read-model row that comes from `doc_id` with a fresh
/// projection of the whole document.
pub(crate) fn document(tx: &Transaction<'_>, doc_id: &DocId, doc: &Automerge) -> Result<()> {
    let id = doc_id.as_str();
    match doc_id.kind()? {
        DocKind::Profile => {
            tx.execute("DELETE FROM person", [])?;
            tx.execute("DELETE FROM tracks", [])?;
            if let Some(p) = read_person(doc)? {
                person(tx, &p)?;
            }
            for t in shard::all::<_, Track>(doc, is_well_formed)? {
                track(tx, &t)?;
            }
        }
        DocKind::Journal => {
            // The month's window finds every row of the document through the
            // time-ordered key (see `schema::LEAN_WRITES`).
            let (first, last) = doc_id.month().ok_or_else(|| Error::CorruptDocument {
                doc_id: id.to_owned(),
                reason: "a journal document without a month".into(),
            })?;
            let (from, to) = utc_window(first, last);
            tx.prepare_cached(
                "DELETE FROM journal WHERE created_ms >= ?2 AND created_ms < ?3 AND doc_id = ?1",
            )?
            .execute(params![id, from, to])?;
            for e in shard::all::<_, JournalEntry>(doc, is_well_formed)? {
                journal(tx, doc_id, &e)?;
            }
        }
        DocKind::Cravings => {
            tx.execute("DELETE FROM cravings WHERE doc_id = ?1", [id])?;
            for c in shard::all::<_, CravingEntry>(doc, is_well_formed)? {
                craving(tx, doc_id, &c)?;
            }
        }
        DocKind::CheckIns => {
            tx.execute("DELETE FROM checkins WHERE doc_id = ?1", [id])?;
            for c in shard::all::<_, CheckIn>(doc, is_well_formed)? {
                checkin(tx, doc_id, &c)?;
            }
        }
        DocKind::Goals => {
            tx.execute(
                "DELETE FROM goal_milestones WHERE goal_id IN (SELECT id FROM goals WHERE doc_id = ?1)",
                [id],
            )?;
            tx.execute("DELETE FROM goals WHERE doc_id = ?1", [id])?;
            for g in shard::all::<_, Goal>(doc, is_well_formed)? {
                goal(tx, doc_id, &g)?;
            }
        }
        DocKind::Note => {
            tx.execute("DELETE FROM notes WHERE doc_id = ?1", [id])?;
            let note_id = doc_id.inner().trim_start_matches("note/");
            if let Some(n) = document::note::read(doc, note_id)? {
                note(tx, doc_id, &n)?;
            }
        }
        DocKind::Keyring => keyring(tx, doc)?,
        DocKind::Shared => {
            tx.execute("DELETE FROM shared_items WHERE doc_id = ?1", [id])?;
            for item in shard::all::<_, SharedItem>(doc, is_well_formed)? {
                shared_item(tx, doc_id, &item)?;
            }
        }
        DocKind::ReachOuts => {
            tx.execute("DELETE FROM reach_outs WHERE doc_id = ?1", [id])?;
            for r in shard::all::<_, ReachOut>(doc, is_well_formed)? {
                reach_out(tx, doc_id, &r)?;
            }
        }
        DocKind::People => people(tx, doc_id, doc)?,
        DocKind::Meetings => {
            let body = serde_json::to_string(&document::meetings::read(doc)?)?;
            tx.execute(
                "INSERT OR REPLACE INTO meetings (doc_id, body) VALUES (?1, ?2)",
                params![id, body],
            )?;
        }
        DocKind::Devices => {
            tx.execute("DELETE FROM devices", [])?;
            for key in automerge::ReadDoc::keys(doc, automerge::ROOT) {
                if let Some(hash) = key.strip_prefix(crate::features::devices::log::KEY_PREFIX) {
                    // An entry of the device log: kept once its signature
                    // holds and its name is its hash, never dropped (one
                    // kept already is not checked again).
                    let kept: bool = tx
                        .prepare_cached("SELECT COUNT(*) > 0 FROM device_log WHERE hash = ?1")?
                        .query_row([hash], |r| r.get(0))?;
                    if kept {
                        continue;
                    }
                    let entry =
                        crate::features::devices::log::stored(doc, &key).and_then(|bytes| {
                            let e = crate::features::devices::log::Entry::from_bytes(&bytes)?;
                            (hex::encode(e.hash()) == hash).then_some((bytes, e.author))
                        });
                    if let Some((bytes, author)) = entry {
                        tx.execute(
                            super::devices::KEEP_LOG_ENTRY,
                            params![
                                hash,
                                bytes,
                                super::devices::MAX_DEVICE_LOG,
                                hex::encode(author)
                            ],
                        )?;
                    }
                    continue;
                }
                if !is_well_formed(&key) {
                    continue;
                }
                if let Some(body) = shard::get::<_, String>(doc, &key)? {
                    tx.execute(
                        "INSERT OR REPLACE INTO devices (device_id, body) VALUES (?1, ?2)",
                        params![key, body],
                    )?;
                    // A device's box key, pinned when first seen: a device
                    // never changes its own, so a later one in its record
                    // is someone else's rewrite (see `Store::pinned_box_key`).
                    // Only a record filed under its own device's id counts.
                    let public = serde_json::from_str::<super::devices::DeviceRecord>(&body)
                        .ok()
                        .filter(|r| r.device_id == key)
                        .map(|r| r.public_key)
                        .filter(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()));
                    if let Some(public) = public {
                        tx.execute(
                            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                            params![format!("pinned_box:{key}"), public.to_ascii_lowercase()],
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}
