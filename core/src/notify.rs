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
/// milestone reached today on any track, a meeting that starts within the
/// chosen lead time, and, not yet announced (see [`announce`]), a mentee's
/// reach-out waiting for this mentor and (when the person asked for it)
/// something new from the other side of a pair.
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
    if newest_open_reach_out(store)? > store.announced(REACH_OUT)? {
        due.push(Notice::ReachOut);
    }
    if settings.pair_activity_notices && store.pair_activity_ms()? > store.announced(ACTIVITY)? {
        due.push(Notice::PairActivity);
    }
    Ok(due)
}

const REACH_OUT: &str = "reach_out";
const ACTIVITY: &str = "pair_activity";

/// The notices due now, as [`due_notices`], remembered as announced: a
/// reach-out or pair activity is told of once (the next call tells only of
/// what arrived since). What a shell calls after a wake-up's sync.
pub fn announce(store: &mut Store) -> Result<Vec<Notice>> {
    let due = due_notices(store)?;
    if due.contains(&Notice::ReachOut) {
        store.set_announced(REACH_OUT, newest_open_reach_out(store)?)?;
    }
    if due.contains(&Notice::PairActivity) {
        store.set_announced(ACTIVITY, store.pair_activity_ms()?)?;
    }
    Ok(due)
}

/// When the newest reach-out waiting for this person as a mentor was sent
/// (UTC ms; 0: none waiting).
fn newest_open_reach_out(store: &Store) -> Result<i64> {
    let mut newest = 0;
    for space in store.spaces()? {
        if space.side != Some(crate::domain::pair::Side::Mentor) || space.ended {
            continue;
        }
        for r in store.reach_outs(&space.space_id)? {
            if r.acknowledged_ms.is_none() {
                newest = newest.max(r.at_ms);
            }
        }
    }
    Ok(newest)
}
