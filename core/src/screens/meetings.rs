//! The Meetings screens: a pair's schedules with the meetings ahead and
//! behind, and one meeting's record (marks, note, request to reschedule).

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::App;
use crate::domain::meeting::{MeetingKind, MeetingStatus};
use crate::domain::pair::Side;
use crate::error::Result;
use crate::features::meetings::{MeetingView, PlanView};

/// How many days ahead the Meetings screen lists.
pub const MEETINGS_AHEAD_DAYS: i64 = 28;
/// How many days back the Meetings screen lists (to mark what happened).
pub const MEETINGS_BEHIND_DAYS: i64 = 28;

/// A pair the person can schedule meetings in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingPair {
    /// The pair.
    pub pair_id: String,
    /// This person's side.
    pub side: Side,
    /// The other person's name, once known.
    pub other_name: Option<String>,
}

/// The Meetings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingsScreen {
    /// Live pairs the other person has joined (a schedule is set up in
    /// one of them).
    pub pairs: Vec<MeetingPair>,
    /// The schedules, oldest first.
    pub plans: Vec<PlanView>,
    /// Meetings in the next [`MEETINGS_AHEAD_DAYS`] days, soonest first.
    pub upcoming: Vec<MeetingView>,
    /// Meetings of the last [`MEETINGS_BEHIND_DAYS`] days, newest first.
    pub recent: Vec<MeetingView>,
    /// The kinds a meeting can be, in the order to offer them.
    pub kinds: Vec<MeetingKind>,
    /// The zone to offer for a new schedule: this person's own.
    pub default_zone: String,
    /// No pair yet: nothing can be scheduled (the screen says why).
    pub no_pair: bool,
}

impl MeetingsScreen {
    pub(crate) fn load(app: &App, pair: Option<&str>) -> Result<MeetingsScreen> {
        let pairs: Vec<MeetingPair> = app
            .pairs()
            .list()?
            .into_iter()
            // A pair nobody joined yet has no one to meet.
            .filter(|p| !p.ended && p.other_name.is_some())
            .map(|p| MeetingPair {
                pair_id: p.pair_id,
                side: p.side,
                other_name: p.other_name,
            })
            .collect();
        let now = app.read(|s| Ok(s.now()))?;
        let meetings = app.meetings();
        let (plans, upcoming, mut recent) = if pairs.is_empty() {
            (vec![], vec![], vec![])
        } else {
            (
                meetings.plans(pair)?,
                meetings.list(pair, now, now + Duration::days(MEETINGS_AHEAD_DAYS))?,
                meetings.list(pair, now - Duration::days(MEETINGS_BEHIND_DAYS), now)?,
            )
        };
        recent.reverse();
        Ok(MeetingsScreen {
            no_pair: pairs.is_empty(),
            pairs,
            plans,
            upcoming,
            recent,
            kinds: MeetingKind::ALL.to_vec(),
            default_zone: app.read(|s| Ok(s.person()?.timezone))?,
        })
    }
}

/// One meeting's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingScreen {
    /// The meeting.
    pub meeting: MeetingView,
    /// It has started: it can be marked held or missed.
    pub can_mark: bool,
    /// It is ahead and nobody asked to move it yet: "ask to reschedule".
    pub can_ask_reschedule: bool,
    /// The two marked it differently: the screen shows both marks.
    pub conflict: bool,
    /// This person's side in the meeting's pair (which mark is "yours").
    pub my_side: Side,
}

impl MeetingScreen {
    pub(crate) fn load(app: &App, id: &str) -> Result<MeetingScreen> {
        let meeting = app.meetings().get(id)?;
        let now = app.read(|s| Ok(s.now()))?;
        let my_side = app.pairs().resolve(Some(&meeting.pair_id))?.side;
        Ok(MeetingScreen {
            my_side,
            can_mark: meeting.starts_at <= now,
            can_ask_reschedule: meeting.starts_at > now && !meeting.reschedule_asked,
            conflict: meeting.status == MeetingStatus::Conflict,
            meeting,
        })
    }
}
