//! Notification texts. Discreet by construction: a [`Notice`] carries no
//! content at all, so a lock screen, a smartwatch or a shared tablet never
//! shows an entry, a trigger, a goal, a person's name or what they are
//! recovering from — only the app name the person chose and a neutral line.

use chrono::Timelike;
use serde::{Deserialize, Serialize};

use crate::clean_time::local_date;
use crate::error::Result;
use crate::settings::AppName;
use crate::store::Store;

/// Something the app tells the person about. Deliberately without payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// Today's check-in is not done yet and the reminder hour has come.
    CheckInReminder,
    /// A track reached a milestone today.
    MilestoneReached,
    /// Something new arrived from the other person of a pair.
    PairActivity,
    /// A mentee reached out and is waiting for an answer.
    ReachOut,
    /// Sync has failed for a while.
    SyncTrouble,
    /// A meeting of a pair starts within the person's chosen lead time.
    MeetingSoon,
}

/// What a notification shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationText {
    /// The title: the app name the person chose.
    pub title: String,
    /// One neutral line.
    pub body: String,
}

/// The text of `notice` under the chosen app name.
pub fn text(notice: Notice, app: AppName) -> NotificationText {
    let body = match notice {
        Notice::CheckInReminder => "Time for your check-in",
        Notice::MilestoneReached => "You reached something worth a look",
        Notice::PairActivity => "There is something new for you",
        Notice::ReachOut => "Someone would like to hear from you",
        Notice::SyncTrouble => "Open the app to bring it up to date",
        Notice::MeetingSoon => "Something on your calendar starts soon",
    };
    NotificationText {
        title: app.label().to_owned(),
        body: body.to_owned(),
    }
}

/// The notices due now from what `store` holds: the check-in reminder
/// once the reminder hour has come and today's check-in is not done, a
/// milestone reached today on any track, and a meeting that starts within
/// the chosen lead time.
pub fn due_notices(store: &Store) -> Result<Vec<Notice>> {
    let now = store.now();
    let settings = store.settings()?;
    let person = store.person()?;
    let local = now.with_timezone(&person.tz());
    let today = local_date(now, person.tz());
    let view = crate::view::today(store)?;
    let mut due = Vec::new();
    if let Some(hour) = settings.reminder_hour
        && local.hour() >= u32::from(hour)
        && view.date == today
        && view.checkin.is_none()
    {
        due.push(Notice::CheckInReminder);
    }
    if view
        .tracks
        .iter()
        .any(|t| t.last_milestone.is_some_and(|m| m.date == today))
    {
        due.push(Notice::MilestoneReached);
    }
    if settings.meeting_lead_minutes > 0
        && !crate::features::meetings::starting_within(
            store,
            chrono::Duration::minutes(i64::from(settings.meeting_lead_minutes)),
        )?
        .is_empty()
    {
        due.push(Notice::MeetingSoon);
    }
    Ok(due)
}
