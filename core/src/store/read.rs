//! Reads from the read model: what screens show. Nothing here loads a document.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::de::DeserializeOwned;

use super::schema::READ_MODEL_TABLES;
use crate::domain::checkin::CheckIn;
use crate::domain::craving::{CravingEntry, Outcome};
use crate::domain::goal::{Goal, GoalMilestone, GoalStatus};
use crate::domain::insights::{CravingPoint, MoodPoint};
use crate::domain::journal::JournalEntry;
use crate::domain::note::SharedNote;
use crate::domain::person::Person;
use crate::domain::track::Track;
use crate::error::Result;

/// One page of a list, newest first. Pass the last item's `(instant, id)`
/// as `before` to get the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Most items on the page.
    pub limit: u32,
    /// Start after this `(instant ms, id)`.
    pub before: Option<(i64, String)>,
}

impl Page {
    /// The first page of `limit` items.
    pub fn first(limit: u32) -> Self {
        Page {
            limit,
            before: None,
        }
    }
}

fn bad(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

fn json<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    serde_json::from_str(&s).map_err(|e| bad(idx, e))
}

fn date(row: &Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = row.get(idx)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| bad(idx, e))
}

pub(crate) fn person(conn: &Connection) -> Result<Option<Person>> {
    Ok(conn
        .prepare_cached("SELECT name, timezone FROM person WHERE id = 1")?
        .query_row([], |r| {
            Ok(Person {
                name: r.get(0)?,
                timezone: r.get(1)?,
            })
        })
        .optional()?)
}

pub(crate) fn tracks(conn: &Connection) -> Result<Vec<Track>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM tracks ORDER BY created_ms, id")?;
    let rows = stmt.query_map([], |r| json::<Track>(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const JOURNAL_COLS: &str = "id, text, mood, tags, created_ms, edited_ms, tz";

fn journal_row(r: &Row<'_>) -> rusqlite::Result<JournalEntry> {
    Ok(JournalEntry {
        id: r.get(0)?,
        text: r.get(1)?,
        mood: r.get(2)?,
        tags: json(r, 3)?,
        created_ms: r.get(4)?,
        edited_ms: r.get(5)?,
        tz: r.get(6)?,
        deleted: false,
    })
}

pub(crate) fn journal_page(conn: &Connection, page: &Page) -> Result<Vec<JournalEntry>> {
    let (ms, id) = page.before.clone().unwrap_or((i64::MAX, String::from("~")));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {JOURNAL_COLS} FROM journal
         WHERE created_ms < ?1 OR (created_ms = ?1 AND id < ?2)
         ORDER BY created_ms DESC, id DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![ms, id, page.limit], journal_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An item together with the document that holds it.
pub(crate) type Located<T> = (T, String);

pub(crate) fn journal(conn: &Connection, id: &str) -> Result<Option<Located<JournalEntry>>> {
    Ok(conn
        .query_row(
            &format!("SELECT {JOURNAL_COLS}, doc_id FROM journal WHERE id = ?1"),
            [id],
            |r| Ok((journal_row(r)?, r.get(7)?)),
        )
        .optional()?)
}

const CRAVING_COLS: &str =
    "id, at_ms, tz, trigger, intensity, situation, helped, outcome, note, created_ms";

fn outcome(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Outcome>> {
    let s: Option<String> = r.get(idx)?;
    s.map(|s| s.parse::<Outcome>().map_err(|e| bad(idx, e)))
        .transpose()
}

fn craving_row(r: &Row<'_>) -> rusqlite::Result<CravingEntry> {
    Ok(CravingEntry {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        tz: r.get(2)?,
        trigger: r.get(3)?,
        intensity: r.get(4)?,
        situation: json(r, 5)?,
        helped: json(r, 6)?,
        outcome: outcome(r, 7)?,
        note: r.get(8)?,
        created_ms: r.get(9)?,
        deleted: false,
    })
}

pub(crate) fn cravings_page(conn: &Connection, page: &Page) -> Result<Vec<CravingEntry>> {
    let (ms, id) = page.before.clone().unwrap_or((i64::MAX, String::from("~")));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CRAVING_COLS} FROM cravings
         WHERE at_ms < ?1 OR (at_ms = ?1 AND id < ?2)
         ORDER BY at_ms DESC, id DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![ms, id, page.limit], craving_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn craving(conn: &Connection, id: &str) -> Result<Option<Located<CravingEntry>>> {
    Ok(conn
        .query_row(
            &format!("SELECT {CRAVING_COLS}, doc_id FROM cravings WHERE id = ?1"),
            [id],
            |r| Ok((craving_row(r)?, r.get(10)?)),
        )
        .optional()?)
}

fn checkin_row(r: &Row<'_>) -> rusqlite::Result<CheckIn> {
    Ok(CheckIn {
        id: r.get(0)?,
        day: date(r, 1)?,
        mood: r.get(2)?,
        craving: r.get(3)?,
        used: r.get(4)?,
        note: r.get(5)?,
        created_ms: r.get(6)?,
        edited_ms: r.get(7)?,
    })
}

/// The check-in shown for `day`: the one edited last (ties by id).
pub(crate) fn checkin_for_day(
    conn: &Connection,
    day: NaiveDate,
) -> Result<Option<Located<CheckIn>>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, day, mood, craving, used, note, created_ms, edited_ms, doc_id FROM checkins
             WHERE day = ?1 ORDER BY edited_ms DESC, id DESC LIMIT 1",
        )?
        .query_row([day.to_string()], |r| Ok((checkin_row(r)?, r.get(8)?)))
        .optional()?)
}

pub(crate) fn checkins_between(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CheckIn>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, day, mood, craving, used, note, created_ms, edited_ms FROM checkins
         WHERE day BETWEEN ?1 AND ?2 ORDER BY day, edited_ms, id",
    )?;
    let rows = stmt.query_map([from.to_string(), to.to_string()], checkin_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Journal entries and cravings on the local day `day`.
/// What was logged on one local day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// Journal entries written that day.
    pub journal: u32,
    /// Cravings logged for that day.
    pub cravings: u32,
}

pub(crate) fn counts_on(conn: &Connection, day: NaiveDate) -> Result<(u32, u32)> {
    let (from, to) = super::projection::utc_window(day, day);
    let day = day.to_string();
    let journal = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM journal
             WHERE created_ms >= ?2 AND created_ms < ?3 AND local_date = ?1",
        )?
        .query_row(params![&day, from, to], |r| r.get(0))?;
    let cravings = conn
        .prepare_cached("SELECT COUNT(*) FROM cravings WHERE local_date = ?1")?
        .query_row([&day], |r| r.get(0))?;
    Ok((journal, cravings))
}

/// The person's own goals: in their private space, and those they shared
/// into a pair as its mentee. Goals a mentee shared with this device's
/// person as mentor are not theirs: see [`goals_of_doc`].
pub(crate) fn goals(conn: &Connection) -> Result<Vec<Goal>> {
    goals_where(
        conn,
        "doc_id = 'goals' OR doc_id IN
             (SELECT 'pair/' || space_id || '/goals' FROM spaces WHERE side = 'mentee')",
        "",
    )
}

/// The goals of one goals document.
pub(crate) fn goals_of_doc(conn: &Connection, doc_id: &str) -> Result<Vec<Goal>> {
    goals_where(conn, "doc_id = ?1", doc_id)
}

/// The document a live goal sits in.
pub(crate) fn goal_doc(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT doc_id FROM goals WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

fn goals_where(conn: &Connection, filter: &str, param: &str) -> Result<Vec<Goal>> {
    let mut milestones: BTreeMap<String, BTreeMap<String, GoalMilestone>> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT goal_id, id, title, done, done_ms, created_ms, position FROM goal_milestones",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            GoalMilestone {
                title: r.get(2)?,
                done: r.get(3)?,
                done_ms: r.get(4)?,
                created_ms: r.get(5)?,
                position: r.get(6)?,
            },
        ))
    })?;
    for row in rows {
        let (goal, id, m) = row?;
        milestones.entry(goal).or_default().insert(id, m);
    }
    let sql = format!(
        "SELECT id, title, why, target, status, created_ms, edited_ms FROM goals
         WHERE {filter} ORDER BY created_ms, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let params: Vec<&dyn rusqlite::ToSql> = if filter.contains("?1") {
        vec![&param]
    } else {
        vec![]
    };
    let rows = stmt.query_map(params.as_slice(), |r| {
        let target: Option<String> = r.get(3)?;
        let status: String = r.get(4)?;
        Ok(Goal {
            id: r.get(0)?,
            title: r.get(1)?,
            why: r.get(2)?,
            target: target
                .map(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|e| bad(3, e)))
                .transpose()?,
            status: GoalStatus::parse(&status).map_err(|e| bad(4, e))?,
            created_ms: r.get(5)?,
            edited_ms: r.get(6)?,
            milestones: BTreeMap::new(),
            deleted: false,
        })
    })?;
    let mut goals: Vec<Goal> = rows.collect::<Result<_, _>>()?;
    for g in &mut goals {
        g.milestones = milestones.remove(&g.id).unwrap_or_default();
    }
    Ok(goals)
}

fn note_row(r: &Row<'_>) -> rusqlite::Result<SharedNote> {
    Ok(SharedNote {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        created_ms: r.get(3)?,
        edited_ms: r.get(4)?,
        deleted: false,
    })
}

pub(crate) fn notes(conn: &Connection) -> Result<Vec<SharedNote>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, title, body, created_ms, edited_ms FROM notes ORDER BY edited_ms DESC, id",
    )?;
    let rows = stmt.query_map([], note_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The document a live note sits in.
pub(crate) fn note_doc(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT doc_id FROM notes WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

pub(crate) fn note(conn: &Connection, id: &str) -> Result<Option<SharedNote>> {
    Ok(conn
        .query_row(
            "SELECT id, title, body, created_ms, edited_ms FROM notes WHERE id = ?1",
            [id],
            note_row,
        )
        .optional()?)
}

/// The craving rows the insights need for `from..=to`.
pub(crate) fn craving_points(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CravingPoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT local_date, local_hour, intensity, trigger, helped, outcome FROM cravings
         WHERE local_date BETWEEN ?1 AND ?2",
    )?;
    let rows = stmt.query_map([from.to_string(), to.to_string()], |r| {
        Ok(CravingPoint {
            local_date: date(r, 0)?,
            local_hour: r.get(1)?,
            intensity: r.get(2)?,
            trigger: r.get(3)?,
            helped: json(r, 4)?,
            outcome: outcome(r, 5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One mood per day (the check-in shown for that day) in `from..=to`.
pub(crate) fn mood_points(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MoodPoint>> {
    let mut by_day: BTreeMap<NaiveDate, u8> = BTreeMap::new();
    // Ordered by edit time and id, so the last one per day wins, as on Today.
    for c in checkins_between(conn, from, to)? {
        by_day.insert(c.day, c.mood);
    }
    Ok(by_day
        .into_iter()
        .map(|(day, mood)| MoodPoint { day, mood })
        .collect())
}

/// Every read-model row, as text.
pub(crate) fn dump(conn: &Connection) -> Result<String> {
    let mut out = String::new();
    for (table, order) in READ_MODEL_TABLES {
        let _ = writeln!(out, "[{table}]");
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..n {
                let v: rusqlite::types::Value = row.get(i)?;
                let _ = write!(out, "{v:?}|");
            }
            out.push('\n');
        }
    }
    Ok(out)
}
