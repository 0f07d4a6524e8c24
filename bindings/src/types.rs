//! The core's view-state and input types as the shells see them.
//!
//! Most are the core's own types, declared here field for field with
//! `#[uniffi::remote]` so that uniffi can carry them: no copy, no
//! conversion. The few core types uniffi cannot carry as they are (machine
//! sizes, arrays, file paths) have a mirror in [`crate::mirror`].
//! Dates cross as ISO-8601 text (`2026-11-25`), local date-times as
//! `2026-11-25T19:00`, instants as UTC milliseconds and weekdays as their
//! English names (`monday`); the Kotlin bindings turn them into
//! `java.time.LocalDate`, `LocalDateTime`, `Instant` and `DayOfWeek` (see
//! `uniffi.toml`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};

use crate::error::TandemError;
use tandem_core::Area;
use tandem_core::Error;
use tandem_core::checkin::{CheckIn, CheckInInput};
use tandem_core::clean_time::{MilestoneDate, Rung};
use tandem_core::craving::{CravingEntry, Outcome};
use tandem_core::features::devices::{DeviceOnServer, DeviceView};
use tandem_core::features::meetings::MeetingSummary;
use tandem_core::features::mentor::{Changes, MenteeOverview, SharedCleanTime};
use tandem_core::features::pairs::PairView;
use tandem_core::features::sharing::ShareKind;
use tandem_core::features::wakeups::GatewayProvider;
use tandem_core::goal::{GoalInput, GoalStatus};
use tandem_core::insights::{MoodPoint, StrategyOutcome, TriggerCount, WeeklyIntensity};
use tandem_core::journal::{JournalEntry, JournalInput};
use tandem_core::note::SharedNote;
use tandem_core::notify::{Notice, NotificationText};
use tandem_core::pair::{ReachOut, SharedItem, Side};
use tandem_core::person::Person;
use tandem_core::settings::{AppName, Settings};
use tandem_core::sync::SyncStatus;
use tandem_core::track::TrackStats;
use tandem_core::view::{GoalView, MilestoneView, TodayView};

uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |date| date.format("%Y-%m-%d").to_string(),
    try_lift: |text| NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
        TandemError::Validation(format!("invalid date: {text:?} is not a date (YYYY-MM-DD)")).into()
    }),
});

/// An instant, crossing as milliseconds since 1970-01-01 UTC (the name
/// [`uniffi::custom_type!`] needs for `DateTime<Utc>`).
pub type UtcTime = DateTime<Utc>;

uniffi::custom_type!(UtcTime, i64, {
    remote,
    lower: |at| at.timestamp_millis(),
    try_lift: |ms| DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| TandemError::from(Error::invalid("time", "out of range")).into()),
});

/// The form local date-times cross in: `YYYY-MM-DDTHH:MM`.
const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M";

uniffi::custom_type!(NaiveDateTime, String, {
    remote,
    lower: |local| local.format(LOCAL_FORMAT).to_string(),
    try_lift: |text| NaiveDateTime::parse_from_str(&text, LOCAL_FORMAT).map_err(|_| {
        TandemError::Validation(format!(
            "invalid date and time: {text:?} is not a local date and time (YYYY-MM-DDTHH:MM)"
        ))
        .into()
    }),
});

uniffi::custom_type!(Weekday, String, {
    remote,
    lower: |day| weekday_name(day).to_owned(),
    try_lift: |text| text.parse::<Weekday>().map_err(|_| {
        TandemError::Validation(format!("invalid weekday: {text:?} is not a weekday")).into()
    }),
});

/// A weekday's English name in lower case, as weekdays cross the FFI.
fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// The person using this device.
#[uniffi::remote(Record)]
pub struct Person {
    pub name: String,
    pub timezone: String,
}

/// A rung of the clean-time ladder: 1, 7, 30 days; 2, 3, 6, 9 months; years.
#[uniffi::remote(Enum)]
pub enum Rung {
    Days(u32),
    Months(u32),
    Years(u32),
}

/// A clean-time milestone and the date it falls on.
#[uniffi::remote(Record)]
pub struct MilestoneDate {
    pub rung: Rung,
    pub date: NaiveDate,
}

/// Clean time on one track (one substance or behaviour).
#[uniffi::remote(Record)]
pub struct TrackStats {
    pub id: String,
    pub name: String,
    pub current_start: NaiveDate,
    pub clean_days: i64,
    pub attempts: u32,
    pub longest_streak_days: i64,
    pub total_clean_days: i64,
    pub last_milestone: Option<MilestoneDate>,
    pub next_milestone: Option<MilestoneDate>,
    pub days_to_next_milestone: Option<i64>,
}

/// A daily check-in.
#[uniffi::remote(Record)]
pub struct CheckIn {
    pub id: String,
    pub day: NaiveDate,
    pub mood: u8,
    pub craving: u8,
    pub used: bool,
    pub note: String,
    pub created_ms: i64,
    pub edited_ms: i64,
}

/// What the person enters for today's check-in (mood 1–5, craving 0–10).
#[uniffi::remote(Record)]
pub struct CheckInInput {
    pub mood: i64,
    pub craving: i64,
    pub used: bool,
    pub note: String,
}

/// The Today screen.
#[uniffi::remote(Record)]
pub struct TodayView {
    pub date: NaiveDate,
    pub name: String,
    pub timezone: String,
    pub tracks: Vec<TrackStats>,
    pub checkin: Option<CheckIn>,
    pub journal_today: u32,
    pub cravings_today: u32,
    pub active_goals: u32,
}

/// A journal entry.
#[uniffi::remote(Record)]
pub struct JournalEntry {
    pub id: String,
    pub text: String,
    pub mood: Option<u8>,
    pub tags: Vec<String>,
    pub created_ms: i64,
    pub edited_ms: i64,
    pub tz: String,
    pub deleted: bool,
}

/// What the person writes in a journal entry (mood 1–5 or none).
#[uniffi::remote(Record)]
pub struct JournalInput {
    pub text: String,
    pub mood: Option<i64>,
    pub tags: Vec<String>,
}

/// How a craving ended.
#[uniffi::remote(Enum)]
pub enum Outcome {
    Resisted,
    Used,
}

/// A logged craving.
#[uniffi::remote(Record)]
pub struct CravingEntry {
    pub id: String,
    pub at_ms: i64,
    pub tz: String,
    pub trigger: String,
    pub intensity: u8,
    pub situation: Vec<String>,
    pub helped: Vec<String>,
    pub outcome: Option<Outcome>,
    pub note: String,
    pub created_ms: i64,
    pub deleted: bool,
}

/// Where a goal stands.
#[uniffi::remote(Enum)]
pub enum GoalStatus {
    Active,
    Done,
    Dropped,
}

/// A new goal.
#[uniffi::remote(Record)]
pub struct GoalInput {
    pub title: String,
    pub why: String,
    pub target: Option<NaiveDate>,
}

/// One milestone of a goal.
#[uniffi::remote(Record)]
pub struct MilestoneView {
    pub id: String,
    pub title: String,
    pub done: bool,
}

/// A goal as the Goals screen lists it.
#[uniffi::remote(Record)]
pub struct GoalView {
    pub id: String,
    pub title: String,
    pub why: String,
    pub target: Option<NaiveDate>,
    pub status: GoalStatus,
    pub milestones: Vec<MilestoneView>,
    pub milestones_done: u32,
}

/// A shared note (both sides of a pair edit it).
#[uniffi::remote(Record)]
pub struct SharedNote {
    pub id: String,
    pub title: String,
    pub body: String,
    pub created_ms: i64,
    pub edited_ms: i64,
    pub deleted: bool,
}

/// Cravings and their average intensity in one week.
#[uniffi::remote(Record)]
pub struct WeeklyIntensity {
    pub week_start: NaiveDate,
    pub count: u32,
    pub average: f64,
}

/// How often a trigger came up.
#[uniffi::remote(Record)]
pub struct TriggerCount {
    pub trigger: String,
    pub count: u32,
}

/// How often a strategy was tried and how often the craving was resisted.
#[uniffi::remote(Record)]
pub struct StrategyOutcome {
    pub strategy: String,
    pub uses: u32,
    pub resisted: u32,
    pub resisted_share: f64,
}

/// One day's mood from its check-in.
#[uniffi::remote(Record)]
pub struct MoodPoint {
    pub day: NaiveDate,
    pub mood: u8,
}

/// Which side of a pair a person is on.
#[uniffi::remote(Enum)]
pub enum Side {
    Mentee,
    Mentor,
}

/// A pair as the Pair screen lists it.
#[uniffi::remote(Record)]
pub struct PairView {
    pub pair_id: String,
    pub side: Side,
    pub other_name: Option<String>,
    pub ended: bool,
    pub unadmitted_members: u32,
    pub safety_code: Option<String>,
    pub identity_mismatch: bool,
    pub pending_safety_code: Option<String>,
}

/// What can be shared with a mentor.
#[uniffi::remote(Enum)]
pub enum ShareKind {
    Goal,
    Journal,
    Craving,
}

/// A platform push service reached through a wake-up gateway.
#[uniffi::remote(Enum)]
pub enum GatewayProvider {
    Fcm,
    Apns,
}

/// A journal entry or craving a mentee shared (a copy in the pair space).
#[uniffi::remote(Record)]
pub struct SharedItem {
    pub id: String,
    pub kind: String,
    pub at_ms: i64,
    pub shared_ms: i64,
    pub tz: String,
    pub text: String,
    pub level: Option<u8>,
    pub labels: Vec<String>,
    pub detail: String,
    pub deleted: bool,
}

/// A mentee's "I could use a call".
#[uniffi::remote(Record)]
pub struct ReachOut {
    pub id: String,
    pub text: String,
    pub at_ms: i64,
    pub acknowledged_ms: Option<i64>,
}

/// Clean time a mentee shows their mentor.
#[uniffi::remote(Record)]
pub struct SharedCleanTime {
    pub name: String,
    pub since: NaiveDate,
    pub clean_days: i64,
    pub attempts: u32,
    pub next_milestone: Option<MilestoneDate>,
}

/// What changed in a pair since the mentor last looked.
#[uniffi::remote(Record)]
pub struct Changes {
    pub new_shared: u32,
    pub milestones_done: u32,
    pub goals_changed: u32,
    pub notes_edited: u32,
    pub new_reach_outs: u32,
}

/// One mentee in the mentor's overview.
#[uniffi::remote(Record)]
pub struct MenteeOverview {
    pub pair_id: String,
    pub name: Option<String>,
    pub ended: bool,
    pub open_reach_outs: Vec<ReachOut>,
    pub clean_time: Vec<SharedCleanTime>,
    pub goals: Vec<GoalView>,
    pub shared: Vec<SharedItem>,
    pub changes: Changes,
    pub meetings: MeetingSummary,
}

/// The sync status the Settings screen shows.
#[uniffi::remote(Record)]
pub struct SyncStatus {
    pub server: Option<String>,
    pub last_success_ms: Option<i64>,
    pub last_attempt_ms: Option<i64>,
    pub last_error: Option<String>,
    pub failures: u32,
    pub pending_changes: u64,
    pub refused_records: u64,
    pub quarantined: u64,
    pub next_attempt_ms: Option<i64>,
}

/// One of the person's devices.
#[uniffi::remote(Record)]
pub struct DeviceView {
    pub device_id: String,
    pub public_key: String,
    pub unlinked: bool,
    pub this_device: bool,
    pub server: Option<DeviceOnServer>,
    pub uncertified: bool,
    pub actor: Option<String>,
    pub unlink_unfinished: bool,
    pub code: Option<String>,
}

/// What the server says of one of the person's devices.
#[uniffi::remote(Record)]
pub struct DeviceOnServer {
    pub created_at_ms: i64,
    pub last_seen_ms: Option<i64>,
    pub linked_by: Option<String>,
}

/// The name the app shows in notifications (and as its launcher alias).
#[uniffi::remote(Enum)]
pub enum AppName {
    Tandem,
    Notes,
    Daily,
    Steps,
}

/// Device settings.
#[uniffi::remote(Record)]
pub struct Settings {
    pub lock_after_secs: u32,
    pub app_name: AppName,
    pub reminder_hour: Option<u8>,
    // The core's `MEETING_LEAD_DEFAULT_MINUTES` (uniffi takes a literal
    // only); the Kotlin tests check that the two agree.
    #[uniffi(default = 30)]
    pub meeting_lead_minutes: u32,
    #[uniffi(default = false)]
    pub pair_activity_notices: bool,
}

/// A notification the app may show: a kind only, never content.
#[uniffi::remote(Enum)]
pub enum Notice {
    CheckInReminder,
    MilestoneReached,
    PairActivity,
    ReachOut,
    SyncTrouble,
    MeetingSoon,
}

/// The neutral words of a notification.
#[uniffi::remote(Record)]
pub struct NotificationText {
    pub title: String,
    pub body: String,
}

/// A part of the view state that changed: the screens showing it redraw.
#[uniffi::remote(Enum)]
pub enum Area {
    Today,
    Journal,
    Cravings,
    Insights,
    Goals,
    Notes,
    Meetings,
    Pairs,
    Overview,
    Devices,
    Settings,
    Sync,
}
