//! `meet …`: a pair's meetings: the schedule the two agree on, the record
//! of each meeting, calendar export.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde_json::json;
use tandem_core::App;
use tandem_core::domain::meeting::{MeetingKind, Recurrence, parse_local, parse_time, parse_zone};
use tandem_core::features::meetings::{MarkAs, MeetingView, PlanChange, PlanView};

use crate::args::MeetCommand;
use crate::home::{err, write_private};
use crate::output::{Reply, lines};

/// Runs one `meet` command.
pub fn run(app: &App, cmd: MeetCommand) -> Result<Reply, String> {
    match cmd {
        MeetCommand::Schedule {
            pair,
            every,
            on,
            at,
            zone,
            kind,
            place,
            from,
        } => {
            let zone = parse_zone(&zone).map_err(err)?;
            let from = match from {
                Some(d) => d,
                None => today_in(app, zone)?,
            };
            let change = PlanChange {
                recurrence: Some(recurrence(&every, on.as_deref(), from)?),
                time: Some(parse_time(&at).map_err(err)?),
                zone: Some(zone),
                kind: Some(MeetingKind::parse(&kind).map_err(err)?),
                place,
            };
            let plan = app
                .meetings()
                .schedule(pair.as_deref(), change)
                .map_err(err)?;
            Reply::new(&plan, format!("Scheduled {}", plan_line(&plan)))
        }
        MeetCommand::Once {
            pair,
            at,
            zone,
            kind,
            place,
        } => {
            let local = parse_local(&at).map_err(err)?;
            let change = PlanChange {
                recurrence: Some(Recurrence::Once { date: local.date() }),
                time: Some(local.time()),
                zone: Some(parse_zone(&zone).map_err(err)?),
                kind: Some(MeetingKind::parse(&kind).map_err(err)?),
                place,
            };
            let plan = app
                .meetings()
                .schedule(pair.as_deref(), change)
                .map_err(err)?;
            Reply::new(&plan, format!("Scheduled {}", plan_line(&plan)))
        }
        MeetCommand::List { pair, days, past } => {
            let now = app.read(|s| Ok(s.now())).map_err(err)?;
            let list = app
                .meetings()
                .list(
                    pair.as_deref(),
                    now - Duration::days(i64::from(past)),
                    now + Duration::days(i64::from(days)),
                )
                .map_err(err)?;
            let text = if list.is_empty() {
                "No meetings in that time.".to_owned()
            } else {
                lines(&list, meeting_line)
            };
            Reply::new(&list, text)
        }
        MeetCommand::Show { id } => {
            let m = app.meetings().get(&id).map_err(err)?;
            Reply::new(&m, meeting_text(&m))
        }
        MeetCommand::Mark {
            id,
            held,
            missed,
            moved_to,
            note,
        } => {
            let mark_as = match (held, missed, moved_to) {
                (true, _, _) => MarkAs::Held,
                (_, true, _) => MarkAs::Missed,
                (_, _, Some(to)) => MarkAs::MovedTo(parse_local(&to).map_err(err)?),
                _ => return Err("say --held, --missed or --moved-to DATETIME".into()),
            };
            let m = app
                .meetings()
                .mark(&id, mark_as, note.as_deref())
                .map_err(err)?;
            Reply::new(&m, meeting_text(&m))
        }
        MeetCommand::Note { id, text } => {
            let m = app.meetings().set_note(&id, &text).map_err(err)?;
            Reply::new(&m, format!("Saved the note of {}", m.id))
        }
        MeetCommand::Ask { id, text } => {
            let m = app.meetings().ask_reschedule(&id, &text).map_err(err)?;
            Reply::new(&m, "Asked to meet at another time.")
        }
        MeetCommand::Plans { pair } => {
            let plans = app.meetings().plans(pair.as_deref()).map_err(err)?;
            let text = if plans.is_empty() {
                "No meetings agreed yet.".to_owned()
            } else {
                lines(&plans, |p| format!("{}  {}", p.id, plan_line(p)))
            };
            Reply::new(&plans, text)
        }
        MeetCommand::Edit {
            id,
            every,
            on,
            at,
            zone,
            kind,
            place,
        } => {
            let current = app
                .meetings()
                .plans(None)
                .map_err(err)?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| format!("not found: meeting schedule {id}"))?;
            let from = current.recurrence.first_day();
            let recurrence = match (every, on) {
                (Some(every), on) => Some(recurrence(&every, on.as_deref(), from)?),
                (None, Some(on)) => Some(Recurrence::weekly(&on, from).map_err(err)?),
                (None, None) => None,
            };
            let change = PlanChange {
                recurrence,
                time: at.as_deref().map(parse_time).transpose().map_err(err)?,
                zone: zone.as_deref().map(parse_zone).transpose().map_err(err)?,
                kind: kind
                    .as_deref()
                    .map(MeetingKind::parse)
                    .transpose()
                    .map_err(err)?,
                place,
            };
            let plan = app.meetings().edit(&id, change).map_err(err)?;
            Reply::new(&plan, format!("Changed: {}", plan_line(&plan)))
        }
        MeetCommand::End { id } => {
            let plan = app.meetings().end(&id).map_err(err)?;
            Reply::new(&plan, "Ended: no meetings after today.")
        }
        MeetCommand::Ics { out } => {
            let text = app.meetings().ics().map_err(err)?;
            write_private(&out, &text)?;
            let done = json!({ "path": out, "bytes": text.len() });
            Ok(Reply::json(
                done,
                format!("Wrote the calendar to {}.", out.display()),
            ))
        }
    }
}

/// Today's date in `zone`, by the app's clock.
fn today_in(app: &App, zone: Tz) -> Result<NaiveDate, String> {
    let now = app.read(|s| Ok(s.now())).map_err(err)?;
    Ok(now.with_timezone(&zone).date_naive())
}

/// `--every`: `week` (with `--on`), `day`, or a number of days (`3`, `3d`,
/// `3days`).
fn recurrence(every: &str, on: Option<&str>, from: NaiveDate) -> Result<Recurrence, String> {
    let every = every.trim().to_ascii_lowercase();
    match every.as_str() {
        "week" | "weekly" => {
            let on = on.ok_or("--every week needs --on with the days, e.g. --on sun,wed")?;
            Recurrence::weekly(on, from).map_err(err)
        }
        _ if on.is_some() => Err("--on goes with --every week".into()),
        "day" | "daily" => Recurrence::every_days(1, from).map_err(err),
        n => {
            let digits = n.trim_end_matches("days").trim_end_matches('d').trim();
            let n: u32 = digits.parse().map_err(|_| {
                format!("--every takes week, day or a number of days (got {every:?})")
            })?;
            Recurrence::every_days(n, from).map_err(err)
        }
    }
}

fn plan_line(p: &PlanView) -> String {
    let when = match &p.recurrence {
        Recurrence::Once { date } => format!("once on {date}"),
        Recurrence::Weekly { days, .. } => format!(
            "every week on {}",
            days.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Recurrence::Days { n: 1, .. } => "every day".to_owned(),
        Recurrence::Days { n, .. } => format!("every {n} days"),
    };
    let place = if p.place.is_empty() {
        String::new()
    } else {
        format!(" at {}", p.place)
    };
    format!("{when}, {} {}, {}{place}", p.time, p.zone, p.kind.as_str())
}

fn meeting_line(m: &MeetingView) -> String {
    format!(
        "{}  {}  ({} {})  {}  {}",
        m.id,
        m.local_time.format("%a %d %b %H:%M"),
        m.zone,
        m.zone_time.format("%H:%M"),
        m.kind.as_str(),
        m.status.as_str()
    )
}

fn meeting_text(m: &MeetingView) -> String {
    let mut out = meeting_line(m);
    for mark in &m.marks {
        out.push_str(&format!(
            "\n  {} marked it {}",
            mark.by.as_str(),
            mark.status.as_str()
        ));
    }
    if !m.note.is_empty() {
        out.push_str(&format!("\n\n{}", m.note));
    }
    out
}
