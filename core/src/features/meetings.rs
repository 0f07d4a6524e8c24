//! Meetings: the schedule a pair agrees on, the record of each meeting, and
//! how regular the meetings have been.
//!
//! Everything lives in the pair's `meetings` document (see
//! [`document::meetings`](crate::document::meetings)), written by either
//! person. Occurrences are computed here, never stored: a meeting's id is
//! its schedule's id and its day in the agreed zone (`PLAN.YYYYMMDD`), the
//! same on both phones.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::document::DocId;
use crate::document::meetings::{self, Meetings as MeetingsDoc};
use crate::domain::meeting::{
    ASK_MAX, Ask, Mark, MarkStatus, MarkView, MeetingKind, MeetingStatus, NOTE_MAX, Plan,
    Recurrence, Schedule, instant, meeting_id, outcome, split_meeting_id,
};
use crate::domain::pair::Side;
use crate::domain::text::bounded;
use crate::error::{Error, Result};
use crate::features::pairs::{self, PairView};
use crate::id::new_id;
use crate::store::Store;

mod calendar;
mod summary;

pub use calendar::ics;
pub use summary::{KEPT_WINDOW_DAYS, MeetingSummary, QUIET_DAYS, summary};

super::handle!(
    /// A pair's meetings.
    Meetings
);

/// One meeting, as this person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    /// Its id (`PLAN.YYYYMMDD`), what `mark` takes.
    pub id: String,
    /// The pair.
    pub pair_id: String,
    /// The schedule it comes from.
    pub plan_id: String,
    /// When it starts (moved: the new time).
    pub starts_at: DateTime<Utc>,
    /// When it was scheduled to start.
    pub scheduled_at: DateTime<Utc>,
    /// When it starts in this person's own zone.
    pub local_time: NaiveDateTime,
    /// The zone the two agreed on.
    pub zone: String,
    /// When it starts in the agreed zone.
    pub zone_time: NaiveDateTime,
    /// How they meet.
    pub kind: MeetingKind,
    /// Where (may be empty).
    pub place: String,
    /// Part of a repeating schedule.
    pub recurring: bool,
    /// What became of it.
    pub status: MeetingStatus,
    /// Each person's latest mark (both are kept when they differ).
    pub marks: Vec<MarkView>,
    /// The meeting's shared note.
    pub note: String,
    /// Someone asked to meet at another time and it has not moved since.
    pub reschedule_asked: bool,
}

/// One schedule, as shells show and edit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    /// Its id.
    pub id: String,
    /// The pair.
    pub pair_id: String,
    /// When it repeats.
    pub recurrence: Recurrence,
    /// The last day it applies.
    pub until: Option<NaiveDate>,
    /// The local time in `zone` (`HH:MM`).
    pub time: String,
    /// The zone the two agreed on.
    pub zone: String,
    /// How they meet.
    pub kind: MeetingKind,
    /// Where.
    pub place: String,
    /// Who set it up.
    pub by: Option<Side>,
    /// Its next meeting, if any.
    pub next: Option<DateTime<Utc>>,
}

/// A new schedule or an edit of one: the fields to set (an edit leaves
/// `None` fields as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanChange {
    /// When it repeats.
    pub recurrence: Option<Recurrence>,
    /// The local time.
    pub time: Option<NaiveTime>,
    /// The agreed zone.
    pub zone: Option<Tz>,
    /// How they meet.
    pub kind: Option<MeetingKind>,
    /// Where.
    pub place: Option<String>,
}

/// What a person marks a meeting as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkAs {
    /// It took place.
    Held,
    /// It did not.
    Missed,
    /// It moves to this local date and time in the agreed zone.
    MovedTo(NaiveDateTime),
}

impl Meetings<'_> {
    /// Sets up a schedule in `pair` (or the only pair); see [`schedule`].
    pub fn schedule(&self, pair: Option<&str>, change: PlanChange) -> Result<PlanView> {
        self.app.write(|s| schedule(s, pair, change))
    }

    /// Edits a schedule; see [`edit`].
    pub fn edit(&self, plan_id: &str, change: PlanChange) -> Result<PlanView> {
        self.app.write(|s| edit(s, plan_id, change))
    }

    /// Ends a schedule after today; see [`end`].
    pub fn end(&self, plan_id: &str) -> Result<PlanView> {
        self.app.write(|s| end(s, plan_id))
    }

    /// Marks a meeting; see [`mark`].
    pub fn mark(&self, id: &str, mark_as: MarkAs, note: Option<&str>) -> Result<MeetingView> {
        self.app.write(|s| mark(s, id, mark_as, note))
    }

    /// Replaces a meeting's note; see [`set_note`].
    pub fn set_note(&self, id: &str, text: &str) -> Result<MeetingView> {
        self.app.write(|s| set_note(s, id, text))
    }

    /// Asks the other person to meet at another time; see [`ask_reschedule`].
    pub fn ask_reschedule(&self, id: &str, text: &str) -> Result<MeetingView> {
        self.app.write(|s| ask_reschedule(s, id, text))
    }

    /// One meeting.
    pub fn get(&self, id: &str) -> Result<MeetingView> {
        self.app.read(|s| get(s, id))
    }

    /// Meetings of `pair` (or every live pair) starting in `[from, to)`.
    pub fn list(
        &self,
        pair: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MeetingView>> {
        self.app.read(|s| list(s, pair, from, to))
    }

    /// The schedules of `pair` (or every live pair).
    pub fn plans(&self, pair: Option<&str>) -> Result<Vec<PlanView>> {
        self.app.read(|s| plans(s, pair))
    }

    /// Every live schedule as an iCalendar file (RFC 5545).
    pub fn ics(&self) -> Result<String> {
        self.app.read(ics)
    }
}

/// The pairs meant by `pair`: that one, or every live one.
fn pairs_of(store: &Store, pair: Option<&str>) -> Result<Vec<PairView>> {
    Ok(match pair {
        Some(p) => vec![pairs::resolve(store, Some(p))?],
        None => pairs::list(store)?
            .into_iter()
            .filter(|p| !p.ended)
            .collect(),
    })
}

/// Finds the live pair whose meetings hold the plan `plan_id`.
fn find_plan(store: &Store, plan_id: &str) -> Result<(PairView, Plan, MeetingsDoc)> {
    for pair in pairs_of(store, None)? {
        let doc = store.meetings(&pair.pair_id)?;
        if let Some(plan) = doc.plans.get(plan_id).filter(|p| !p.deleted) {
            return Ok((pair, plan.clone(), doc));
        }
    }
    Err(Error::not_found("meeting schedule", plan_id))
}

fn meetings_doc(pair_id: &str) -> DocId {
    DocId::in_pair(pair_id, "meetings")
}

/// Sets up a schedule in `pair` (or the only pair). `change` must name the
/// recurrence, the time and the zone; the kind defaults to a call.
pub fn schedule(store: &mut Store, pair: Option<&str>, change: PlanChange) -> Result<PlanView> {
    let pair = pairs::resolve(store, pair)?;
    let missing = |f: &'static str| Error::invalid(f, "must be given for a new schedule");
    let s = Schedule::new(
        change.recurrence.ok_or_else(|| missing("every"))?,
        change.time.ok_or_else(|| missing("time"))?,
        change.zone.ok_or_else(|| missing("zone"))?,
        change.kind.unwrap_or(MeetingKind::Call),
        change.place.as_deref().unwrap_or(""),
    )?;
    let now_ms = store.now().timestamp_millis();
    let mut plan = Plan {
        id: new_id(),
        every: String::new(),
        days: String::new(),
        interval: 0,
        start: String::new(),
        until: None,
        time: String::new(),
        zone: String::new(),
        kind: String::new(),
        place: String::new(),
        by: pair.side.as_str().to_owned(),
        created_ms: now_ms,
        edited_ms: now_ms,
        deleted: false,
    };
    s.fill(&mut plan);
    store.write_whole(&meetings_doc(&pair.pair_id), |tx| {
        meetings::put_plan(tx, &plan)
    })?;
    plan_view(store, &pair.pair_id, &plan)
}

/// Edits a schedule: the fields `change` names, each written on its own so
/// that the other person's edit of another field survives.
pub fn edit(store: &mut Store, plan_id: &str, change: PlanChange) -> Result<PlanView> {
    let (pair, mut plan, _) = find_plan(store, plan_id)?;
    let mut s = Schedule::from_plan(&plan)?;
    if let Some(r) = change.recurrence {
        s.recurrence = r;
    }
    if let Some(t) = change.time {
        s.time = t;
    }
    if let Some(z) = change.zone {
        s.zone = z;
    }
    if let Some(k) = change.kind {
        s.kind = k;
    }
    let place = change.place.unwrap_or_else(|| s.place.clone());
    let s = Schedule {
        until: s.until,
        id: s.id.clone(),
        ..Schedule::new(s.recurrence, s.time, s.zone, s.kind, &place)?
    };
    s.fill(&mut plan);
    plan.edited_ms = store.now().timestamp_millis();
    store.write_whole(&meetings_doc(&pair.pair_id), |tx| {
        meetings::put_plan(tx, &plan)
    })?;
    plan_view(store, &pair.pair_id, &plan)
}

/// Ends a schedule: no meetings after today (in the agreed zone); what was
/// recorded stays. A schedule that has not begun yet is removed.
pub fn end(store: &mut Store, plan_id: &str) -> Result<PlanView> {
    let (pair, mut plan, _) = find_plan(store, plan_id)?;
    let s = Schedule::from_plan(&plan)?;
    let today = store.now().with_timezone(&s.zone).date_naive();
    if s.recurrence.first_day() > today {
        plan.deleted = true;
    } else {
        plan.until = Some(today.to_string());
    }
    plan.edited_ms = store.now().timestamp_millis();
    store.write_whole(&meetings_doc(&pair.pair_id), |tx| {
        meetings::put_plan(tx, &plan)
    })?;
    plan_view(store, &pair.pair_id, &plan)
}

/// Marks a meeting held, missed or moved (to a local time in the agreed
/// zone), with an optional note. Each mark is kept as its own item: if the
/// two people mark a meeting differently, both marks stay and the meeting
/// shows the conflict. Held and missed are for meetings that have started;
/// a move answers any request to reschedule.
pub fn mark(
    store: &mut Store,
    id: &str,
    mark_as: MarkAs,
    note: Option<&str>,
) -> Result<MeetingView> {
    let (pair, schedule, date) = locate(store, id)?;
    let note = note.map(|n| bounded("note", n, 0, NOTE_MAX)).transpose()?;
    let now = store.now();
    let (status, moved_to_ms) = match mark_as {
        MarkAs::Held | MarkAs::Missed => {
            let current = get(store, id)?;
            if current.starts_at > now {
                return Err(Error::invalid(
                    "mark",
                    "a meeting can be marked held or missed once it has started",
                ));
            }
            let status = if mark_as == MarkAs::Held {
                MarkStatus::Held
            } else {
                MarkStatus::Missed
            };
            (status, None)
        }
        MarkAs::MovedTo(local) => (
            MarkStatus::Moved,
            Some(instant(schedule.zone, local).timestamp_millis()),
        ),
    };
    let meeting = meeting_id(&schedule.id, date);
    // A new mark replaces this side's earlier ones: it is stamped after
    // them even when the clock has not moved on (or went back).
    let after = store
        .meetings(&pair.pair_id)?
        .marks
        .iter()
        .filter(|m| m.meeting == meeting && m.by == pair.side.as_str())
        .map(|m| m.at_ms + 1)
        .max()
        .unwrap_or(i64::MIN);
    let m = Mark {
        id: new_id(),
        meeting,
        status: status.as_str().to_owned(),
        moved_to_ms,
        by: pair.side.as_str().to_owned(),
        at_ms: now.timestamp_millis().max(after),
    };
    store.write_whole(&meetings_doc(&pair.pair_id), |tx| {
        meetings::put_mark(tx, &m)?;
        if let Some(text) = &note {
            meetings::set_note(tx, &m.meeting, text)?;
        }
        Ok(())
    })?;
    get(store, id)
}

/// Replaces a meeting's note (both people can edit it; edits merge
/// character by character).
pub fn set_note(store: &mut Store, id: &str, text: &str) -> Result<MeetingView> {
    let (pair, schedule, date) = locate(store, id)?;
    let text = bounded("note", text, 0, NOTE_MAX)?;
    let meeting = meeting_id(&schedule.id, date);
    store.write_whole(&meetings_doc(&pair.pair_id), |tx| {
        meetings::set_note(tx, &meeting, &text)
    })?;
    get(store, id)
}

/// Asks the other person to meet at another time: an item in the pair
/// space, shown on their side until the meeting is moved.
pub fn ask_reschedule(store: &mut Store, id: &str, text: &str) -> Result<MeetingView> {
    let (pair, schedule, date) = locate(store, id)?;
    let a = Ask {
        id: new_id(),
        meeting: meeting_id(&schedule.id, date),
        by: pair.side.as_str().to_owned(),
        text: bounded("message", text, 0, ASK_MAX)?,
        at_ms: store.now().timestamp_millis(),
    };
    store.write_whole(&meetings_doc(&pair.pair_id), |tx| meetings::put_ask(tx, &a))?;
    get(store, id)
}

/// The pair, schedule and day a meeting id names; an error if the schedule
/// has no meeting that day.
fn locate(store: &Store, id: &str) -> Result<(PairView, Schedule, NaiveDate)> {
    let (plan_id, date) = split_meeting_id(id)?;
    let (pair, plan, _) = find_plan(store, plan_id)?;
    let schedule = Schedule::from_plan(&plan)?;
    if schedule.on(date).is_none() {
        return Err(Error::not_found("meeting", id));
    }
    Ok((pair, schedule, date))
}

/// One meeting.
pub fn get(store: &Store, id: &str) -> Result<MeetingView> {
    let (plan_id, date) = split_meeting_id(id)?;
    let (pair, plan, doc) = find_plan(store, plan_id)?;
    let schedule = Schedule::from_plan(&plan)?;
    let occurrence = schedule
        .on(date)
        .ok_or_else(|| Error::not_found("meeting", id))?;
    let viewer = store.person()?.tz();
    let index = Index::new(&doc);
    Ok(view(
        &pair.pair_id,
        &schedule,
        occurrence.date,
        occurrence.starts,
        &index,
        viewer,
        store.now(),
    ))
}

/// Meetings of `pair` (or every live pair) whose start (moved ones: their
/// new start) falls in `[from, to)`, in time order.
pub fn list(
    store: &Store,
    pair: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<MeetingView>> {
    let viewer = store.person()?.tz();
    let now = store.now();
    let mut out = Vec::new();
    for p in pairs_of(store, pair)? {
        let doc = store.meetings(&p.pair_id)?;
        out.extend(views_between(&p.pair_id, &doc, from, to, viewer, now));
    }
    out.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
    Ok(out)
}

/// How far a move may take a meeting from its day, for finding moved
/// meetings in a window.
const MOVE_REACH_DAYS: i64 = 366;

/// The meetings of one pair's document starting in `[from, to)`.
pub(crate) fn views_between(
    pair_id: &str,
    doc: &MeetingsDoc,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    viewer: Tz,
    now: DateTime<Utc>,
) -> Vec<MeetingView> {
    let index = Index::new(doc);
    let mut out = Vec::new();
    for plan in doc.plans.values().filter(|p| !p.deleted) {
        let Ok(schedule) = Schedule::from_plan(plan) else {
            continue;
        };
        // Meetings scheduled in the window, and those moved into it.
        let mut seen = std::collections::BTreeSet::new();
        for o in schedule.between(from, to) {
            seen.insert(o.date);
            let v = view(pair_id, &schedule, o.date, o.starts, &index, viewer, now);
            if v.starts_at >= from && v.starts_at < to {
                out.push(v);
            }
        }
        for (meeting, moved_to) in &index.moved {
            let Ok((plan_id, date)) = split_meeting_id(meeting) else {
                continue;
            };
            if plan_id != schedule.id || seen.contains(&date) || *moved_to < from || *moved_to >= to
            {
                continue;
            }
            if (date - moved_to.date_naive()).num_days().abs() > MOVE_REACH_DAYS {
                continue;
            }
            if let Some(o) = schedule.on(date) {
                out.push(view(
                    pair_id, &schedule, o.date, o.starts, &index, viewer, now,
                ));
            }
        }
    }
    out
}

/// A document's marks, asks and moves by meeting.
struct Index<'a> {
    marks: BTreeMap<&'a str, Vec<&'a Mark>>,
    asks: BTreeMap<&'a str, Vec<&'a Ask>>,
    moved: BTreeMap<&'a str, DateTime<Utc>>,
    notes: &'a BTreeMap<String, String>,
}

impl<'a> Index<'a> {
    fn new(doc: &'a MeetingsDoc) -> Self {
        let mut marks: BTreeMap<&str, Vec<&Mark>> = BTreeMap::new();
        for m in &doc.marks {
            marks.entry(m.meeting.as_str()).or_default().push(m);
        }
        let mut asks: BTreeMap<&str, Vec<&Ask>> = BTreeMap::new();
        for a in &doc.asks {
            asks.entry(a.meeting.as_str()).or_default().push(a);
        }
        let moved = marks
            .iter()
            .filter_map(|(k, ms)| outcome(ms.iter().copied()).moved_to.map(|t| (*k, t)))
            .collect();
        Index {
            marks,
            asks,
            moved,
            notes: &doc.notes,
        }
    }
}

fn view(
    pair_id: &str,
    schedule: &Schedule,
    date: NaiveDate,
    scheduled_at: DateTime<Utc>,
    index: &Index<'_>,
    viewer: Tz,
    now: DateTime<Utc>,
) -> MeetingView {
    let id = meeting_id(&schedule.id, date);
    let marks = index.marks.get(id.as_str()).cloned().unwrap_or_default();
    let o = outcome(marks.iter().copied());
    let starts_at = o.moved_to.unwrap_or(scheduled_at);
    let status = o.status.unwrap_or(if starts_at > now {
        MeetingStatus::Scheduled
    } else {
        MeetingStatus::Unmarked
    });
    let last_move = marks
        .iter()
        .filter(|m| m.status == MarkStatus::Moved.as_str())
        .map(|m| m.at_ms)
        .max()
        .unwrap_or(i64::MIN);
    let reschedule_asked = index
        .asks
        .get(id.as_str())
        .is_some_and(|asks| asks.iter().any(|a| a.at_ms > last_move))
        && matches!(status, MeetingStatus::Scheduled | MeetingStatus::Moved);
    MeetingView {
        note: index.notes.get(&id).cloned().unwrap_or_default(),
        pair_id: pair_id.to_owned(),
        plan_id: schedule.id.clone(),
        starts_at,
        scheduled_at,
        local_time: starts_at.with_timezone(&viewer).naive_local(),
        zone: schedule.zone.name().to_owned(),
        zone_time: starts_at.with_timezone(&schedule.zone).naive_local(),
        kind: schedule.kind,
        place: schedule.place.clone(),
        recurring: schedule.recurring(),
        status,
        marks: o.marks,
        reschedule_asked,
        id,
    }
}

/// The schedules of `pair` (or every live pair), oldest first.
pub fn plans(store: &Store, pair: Option<&str>) -> Result<Vec<PlanView>> {
    let mut out = Vec::new();
    for p in pairs_of(store, pair)? {
        let doc = store.meetings(&p.pair_id)?;
        let mut live: Vec<&Plan> = doc.plans.values().filter(|p| !p.deleted).collect();
        live.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        for plan in live {
            if let Ok(v) = plan_view(store, &p.pair_id, plan) {
                out.push(v);
            }
        }
    }
    Ok(out)
}

fn plan_view(store: &Store, pair_id: &str, plan: &Plan) -> Result<PlanView> {
    let s = Schedule::from_plan(plan)?;
    let now = store.now();
    let next = s
        .between(now, now + Duration::days(MOVE_REACH_DAYS + 7))
        .first()
        .map(|o| o.starts);
    Ok(PlanView {
        id: plan.id.clone(),
        pair_id: pair_id.to_owned(),
        until: s.until,
        time: s.time.format("%H:%M").to_string(),
        zone: s.zone.name().to_owned(),
        kind: s.kind,
        place: s.place,
        by: Side::parse(&plan.by),
        next,
        recurrence: s.recurrence,
    })
}

/// The next meeting of any live pair that has not been marked missed, from
/// `now` on (one that started in the last hour still counts as next).
pub fn next(store: &Store) -> Result<Option<MeetingView>> {
    let now = store.now();
    let from = now - Duration::hours(1);
    Ok(
        list(store, None, from, now + Duration::days(MOVE_REACH_DAYS))?
            .into_iter()
            .find(|m| {
                matches!(
                    m.status,
                    MeetingStatus::Scheduled | MeetingStatus::Moved | MeetingStatus::Unmarked
                )
            }),
    )
}

/// Meetings of live pairs starting within `lead` from now (for reminders).
pub fn starting_within(store: &Store, lead: Duration) -> Result<Vec<MeetingView>> {
    let now = store.now();
    Ok(list(store, None, now, now + lead)?
        .into_iter()
        .filter(|m| matches!(m.status, MeetingStatus::Scheduled | MeetingStatus::Moved))
        .collect())
}
