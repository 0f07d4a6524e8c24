//! Projection: how items in documents become read-model rows.
//!
//! A local action projects just the item it changed; changes from another
//! device, and a rebuild, project a whole document with [`document`]. Both
//! paths go through the same per-item functions, so they agree.

use automerge::Automerge;
use chrono::{NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::{Transaction, params};

use crate::document::{self, DocId, DocKind, profile_keys, shard};
use crate::domain::checkin::CheckIn;
use crate::domain::craving::CravingEntry;
use crate::domain::goal::Goal;
use crate::domain::journal::JournalEntry;
use crate::domain::note::SharedNote;
use crate::domain::person::Person;
use crate::domain::track::Track;
use crate::error::Result;
use crate::id::is_well_formed;

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

pub(crate) fn goal(tx: &Transaction<'_>, g: &Goal) -> Result<()> {
    tx.execute("DELETE FROM goal_milestones WHERE goal_id = ?1", [&g.id])?;
    if g.deleted {
        tx.execute("DELETE FROM goals WHERE id = ?1", [&g.id])?;
        return Ok(());
    }
    tx.execute(
        "INSERT OR REPLACE INTO goals (id, title, why, target, status, created_ms, edited_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            g.id,
            g.title,
            g.why,
            g.target.map(|d| d.to_string()),
            g.status.as_str(),
            g.created_ms,
            g.edited_ms
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
            tx.execute("DELETE FROM journal WHERE doc_id = ?1", [id])?;
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
            tx.execute("DELETE FROM goals", [])?;
            tx.execute("DELETE FROM goal_milestones", [])?;
            for g in shard::all::<_, Goal>(doc, is_well_formed)? {
                goal(tx, &g)?;
            }
        }
        DocKind::Note => {
            tx.execute("DELETE FROM notes WHERE doc_id = ?1", [id])?;
            let note_id = id.trim_start_matches("note/");
            if let Some(n) = document::note::read(doc, note_id)? {
                note(tx, doc_id, &n)?;
            }
        }
    }
    Ok(())
}
