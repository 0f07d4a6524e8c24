//! A pair's meetings for the shells: the core's meeting types declared for
//! uniffi, and the calls that schedule, mark and export meetings.
//!
//! Times of day cross as `HH:MM` text and zones as IANA names, parsed by
//! the core; local date-times, instants and weekdays cross as the custom
//! types of [`crate::types`]. The screens that show meetings are in
//! [`crate::screens`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};
use tandem_core::domain::meeting::{
    MarkStatus, MarkView, MeetingKind, MeetingStatus, Recurrence, parse_time, parse_zone,
};
use tandem_core::features::meetings::{MarkAs, MeetingSummary, MeetingView, PlanChange, PlanView};
use tandem_core::pair::Side;

use crate::app::Tandem;
use crate::error::Result;

/// How the two meet.
#[uniffi::remote(Enum)]
pub enum MeetingKind {
    /// A phone call.
    Call,
    /// A video call.
    Video,
    /// Face to face.
    InPerson,
}

/// When a schedule repeats. Dates are local dates in the agreed zone.
#[uniffi::remote(Enum)]
pub enum Recurrence {
    /// Once, on `date`.
    Once { date: NaiveDate },
    /// Every week on `days`, from `from` on.
    Weekly { days: Vec<Weekday>, from: NaiveDate },
    /// Every `n` days (1–365), the first on `from`.
    Days { n: u32, from: NaiveDate },
}

/// A meeting's state, from both people's marks and the clock.
#[uniffi::remote(Enum)]
pub enum MeetingStatus {
    /// Still ahead.
    Scheduled,
    /// Started, and nobody marked it yet.
    Unmarked,
    /// Held.
    Held,
    /// Missed.
    Missed,
    /// Moved to another time (and not marked since).
    Moved,
    /// The two marked it differently: both marks are shown.
    Conflict,
}

/// What happened to a meeting, as one person marked it.
#[uniffi::remote(Enum)]
pub enum MarkStatus {
    /// It took place.
    Held,
    /// It did not.
    Missed,
    /// It moved to another time.
    Moved,
}

/// One person's latest mark on a meeting.
#[uniffi::remote(Record)]
pub struct MarkView {
    pub by: Side,
    pub status: MarkStatus,
    pub moved_to: Option<DateTime<Utc>>,
    pub at_ms: i64,
}

/// One meeting, as this person sees it: `local_time` in their own zone,
/// `zone_time` in the zone the two agreed on.
#[uniffi::remote(Record)]
pub struct MeetingView {
    pub id: String,
    pub pair_id: String,
    pub plan_id: String,
    pub starts_at: DateTime<Utc>,
    pub scheduled_at: DateTime<Utc>,
    pub local_time: NaiveDateTime,
    pub zone: String,
    pub zone_time: NaiveDateTime,
    pub kind: MeetingKind,
    pub place: String,
    pub recurring: bool,
    pub status: MeetingStatus,
    pub marks: Vec<MarkView>,
    pub note: String,
    pub reschedule_asked: bool,
}

/// One schedule, as shells show and edit it (`time` is `HH:MM` in `zone`).
#[uniffi::remote(Record)]
pub struct PlanView {
    pub id: String,
    pub pair_id: String,
    pub recurrence: Recurrence,
    pub until: Option<NaiveDate>,
    pub time: String,
    pub zone: String,
    pub kind: MeetingKind,
    pub place: String,
    pub by: Option<Side>,
    pub next: Option<DateTime<Utc>>,
}

/// How regular a pair's meetings have been, and the next one.
#[uniffi::remote(Record)]
pub struct MeetingSummary {
    pub scheduled: bool,
    pub next: Option<MeetingView>,
    pub last_held: Option<DateTime<Utc>>,
    pub last_held_local: Option<NaiveDateTime>,
    pub days_since_held: Option<i64>,
    pub kept_recently: u32,
    pub missed_twice: bool,
    pub quiet: bool,
    pub open_asks: u32,
}

/// What a person marks a meeting as.
#[uniffi::remote(Enum)]
pub enum MarkAs {
    /// It took place.
    Held,
    /// It did not.
    Missed,
    /// It moves to this local date and time in the agreed zone.
    MovedTo(NaiveDateTime),
}

/// An edit of a schedule: the fields to change; none leaves a field as it
/// is. `time` is `HH:MM`, `zone` an IANA name (`Europe/Berlin`).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct MeetingPlanEdit {
    /// When it repeats.
    #[uniffi(default)]
    pub recurrence: Option<Recurrence>,
    /// The local time in the agreed zone, `HH:MM`.
    #[uniffi(default)]
    pub time: Option<String>,
    /// The agreed zone.
    #[uniffi(default)]
    pub zone: Option<String>,
    /// How they meet.
    #[uniffi(default)]
    pub kind: Option<MeetingKind>,
    /// Where.
    #[uniffi(default)]
    pub place: Option<String>,
}

impl TryFrom<MeetingPlanEdit> for PlanChange {
    type Error = crate::TandemError;

    fn try_from(e: MeetingPlanEdit) -> Result<Self> {
        Ok(PlanChange {
            recurrence: e.recurrence,
            time: e.time.as_deref().map(parse_time).transpose()?,
            zone: e.zone.as_deref().map(parse_zone).transpose()?,
            kind: e.kind,
            place: e.place,
        })
    }
}

#[uniffi::export]
impl Tandem {
    /// Sets up a meeting schedule in the pair `pair_id` (or, with none, the
    /// only pair): `time` is `HH:MM` in `zone`, the IANA zone the two
    /// agreed on; `place` may be empty.
    pub fn schedule_meeting(
        &self,
        pair_id: Option<String>,
        recurrence: Recurrence,
        time: String,
        zone: String,
        kind: MeetingKind,
        place: String,
    ) -> Result<PlanView> {
        let change = PlanChange {
            recurrence: Some(recurrence),
            time: Some(parse_time(&time)?),
            zone: Some(parse_zone(&zone)?),
            kind: Some(kind),
            place: Some(place),
        };
        Ok(self.app().meetings().schedule(pair_id.as_deref(), change)?)
    }

    /// Edits a schedule: only the fields `edit` names change, so the other
    /// person's edit of another field survives.
    pub fn edit_meeting_plan(&self, plan_id: String, edit: MeetingPlanEdit) -> Result<PlanView> {
        let change = PlanChange::try_from(edit)?;
        Ok(self.app().meetings().edit(&plan_id, change)?)
    }

    /// Ends a schedule: no meetings after today; what was recorded stays.
    /// A schedule that has not begun yet is removed.
    pub fn end_meeting_plan(&self, plan_id: String) -> Result<PlanView> {
        Ok(self.app().meetings().end(&plan_id)?)
    }

    /// Marks a meeting held, missed (once it has started) or moved to a
    /// local date and time in the agreed zone, with an optional note that
    /// replaces the meeting's note. If the two mark it differently, both
    /// marks stay and the meeting's status is `Conflict`.
    pub fn mark_meeting(
        &self,
        id: String,
        mark_as: MarkAs,
        note: Option<String>,
    ) -> Result<MeetingView> {
        Ok(self.app().meetings().mark(&id, mark_as, note.as_deref())?)
    }

    /// Replaces a meeting's shared note (the two people's edits merge).
    pub fn set_meeting_note(&self, id: String, text: String) -> Result<MeetingView> {
        Ok(self.app().meetings().set_note(&id, &text)?)
    }

    /// Asks the other person to meet at another time; `text` may be empty.
    pub fn ask_to_reschedule(&self, id: String, text: String) -> Result<MeetingView> {
        Ok(self.app().meetings().ask_reschedule(&id, &text)?)
    }

    /// Every live schedule as an iCalendar file (RFC 5545) for the person's
    /// own calendar app: kinds and places only, no names or notes.
    pub fn meetings_ics(&self) -> Result<String> {
        Ok(self.app().meetings().ics()?)
    }
}
