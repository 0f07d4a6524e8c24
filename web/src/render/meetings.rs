//! The Meetings pages: a pair's schedules with the meetings ahead and
//! behind, and one meeting's record. Each page draws the core's
//! [`MeetingsScreen`] or [`MeetingScreen`] as it is; the words for kinds,
//! statuses and recurrences are the only thing added here.

use chrono::{DateTime, NaiveDateTime, Utc};
use maud::{Markup, html};
use tandem_core::domain::meeting::{
    ASK_MAX, EVERY_DAYS_MAX, MarkStatus, MarkView, MeetingKind, MeetingStatus, NOTE_MAX, PLACE_MAX,
    Recurrence,
};
use tandem_core::features::meetings::{MeetingView, PlanView};
use tandem_core::pair::Side;
use tandem_core::screens::{MEETINGS_AHEAD_DAYS, MEETINGS_BEHIND_DAYS, MeetingsScreen};
use tandem_core::screens::{MeetingPair, MeetingScreen};

use super::{at, button_form, csrf_field, date, days, page};

/// The weekdays a weekly schedule offers, as the form names them (the
/// core reads these names), Monday first.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
];

/// How a kind of meeting is said.
pub fn kind_label(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::Call => "Call",
        MeetingKind::Video => "Video call",
        MeetingKind::InPerson => "In person",
    }
}

/// A local date and time as pages show it.
pub fn local(t: NaiveDateTime) -> String {
    t.format("%a %e %b %Y, %H:%M").to_string()
}

/// A meeting's time for this person, and, when it differs, the time in the
/// zone the two agreed on: "Wed 3 Mar 2027, 13:00 (19:00 in Europe/Berlin)".
pub fn when(m: &MeetingView) -> Markup {
    html! {
        time datetime=(m.starts_at.to_rfc3339()) { (local(m.local_time)) }
        @if m.zone_time != m.local_time {
            @if m.zone_time.date() == m.local_time.date() {
                " (" (m.zone_time.format("%H:%M")) " in " (m.zone) ")"
            } @else {
                " (" (m.zone_time.format("%a %e %b, %H:%M")) " in " (m.zone) ")"
            }
        }
    }
}

/// A schedule's recurrence in words: "Every week on Sun, Wed at 19:00
/// (Europe/Berlin)".
pub fn recurrence_words(p: &PlanView) -> String {
    let how = match &p.recurrence {
        Recurrence::Once { date: d } => format!("Once, on {}", date(*d)),
        Recurrence::Weekly { days, .. } => format!(
            "Every week on {}",
            days.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Recurrence::Days { n: 1, from } => format!("Every day from {}", date(*from)),
        Recurrence::Days { n, from } => format!("Every {n} days from {}", date(*from)),
    };
    let until = match (&p.recurrence, p.until) {
        (Recurrence::Once { .. }, _) | (_, None) => String::new(),
        (_, Some(u)) => format!(", until {}", date(u)),
    };
    format!("{how} at {} ({}){until}", p.time, p.zone)
}

/// What became of a meeting, in words.
fn status_label(s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Scheduled => "Scheduled",
        MeetingStatus::Unmarked => "Not marked yet",
        MeetingStatus::Held => "Held",
        MeetingStatus::Missed => "Missed",
        MeetingStatus::Moved => "Moved",
        MeetingStatus::Conflict => "Marked differently",
    }
}

fn mark_label(s: MarkStatus) -> &'static str {
    match s {
        MarkStatus::Held => "held",
        MarkStatus::Missed => "missed",
        MarkStatus::Moved => "moved",
    }
}

/// Who made a mark: "You" for this person's side, else the side's name.
fn who(by: Side, me: Option<Side>) -> &'static str {
    match by {
        _ if Some(by) == me => "You",
        Side::Mentee => "Mentee",
        Side::Mentor => "Mentor",
    }
}

/// Both marks of a meeting the two marked differently: "You: held ·
/// Mentor: missed".
pub fn marks(marks: &[MarkView], me: Option<Side>) -> String {
    marks
        .iter()
        .map(|m| format!("{}: {}", who(m.by, me), mark_label(m.status)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A meeting's status, with both marks when they differ.
fn status(m: &MeetingView, me: Option<Side>) -> String {
    if m.status == MeetingStatus::Conflict {
        marks(&m.marks, me)
    } else {
        status_label(m.status).to_owned()
    }
}

/// An instant in this person's zone (`zone`, the screen's default zone).
fn instant(t: DateTime<Utc>, zone: &str) -> String {
    at(t.timestamp_millis(), zone)
}

/// The other person of a pair, as the Meetings page names them.
fn pair_name(p: &MeetingPair) -> &str {
    p.other_name.as_deref().unwrap_or("your pair")
}

/// One meeting in a list: when, how, where, what became of it, and a link
/// to its record.
fn meeting_row(m: &MeetingView, screen: &MeetingsScreen) -> Markup {
    let me = screen
        .pairs
        .iter()
        .find(|p| p.pair_id == m.pair_id)
        .map(|p| p.side);
    html! {
        li.entry {
            p { a href={ "/meetings/" (m.id) } { (when(m)) } }
            p.meta {
                (kind_label(m.kind))
                @if !m.place.is_empty() { " · " (m.place) }
                " · " (status(m, me))
                @if m.reschedule_asked { " · another time was asked for" }
            }
        }
    }
}

/// The form that sets up a schedule (`plan` none) or changes one, filled
/// in with its fields. Field ids are prefixed so that several forms can
/// share the page.
fn plan_form(screen: &MeetingsScreen, plan: Option<&PlanView>, csrf: &str) -> Markup {
    let (action, id, button) = match plan {
        Some(p) => (
            format!("/meetings/plans/{}", p.id),
            format!("p-{}-", p.id),
            "Save changes",
        ),
        None => ("/meetings".to_owned(), "new-".to_owned(), "Add schedule"),
    };
    let every = match plan.map(|p| &p.recurrence) {
        Some(Recurrence::Once { .. }) => "once",
        Some(Recurrence::Days { .. }) => "days",
        Some(Recurrence::Weekly { .. }) | None => "weekly",
    };
    let interval = match plan.map(|p| &p.recurrence) {
        Some(Recurrence::Days { n, .. }) => n.to_string(),
        _ => String::new(),
    };
    let ticked = |day: &str| match plan.map(|p| &p.recurrence) {
        Some(Recurrence::Weekly { days, .. }) => {
            days.iter().any(|d| d.to_string().eq_ignore_ascii_case(day))
        }
        _ => false,
    };
    let first_day = plan
        .map(|p| p.recurrence.first_day().format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let time = plan.map_or("", |p| p.time.as_str());
    let zone = plan.map_or(screen.default_zone.as_str(), |p| p.zone.as_str());
    let kind = plan.map(|p| p.kind);
    let place = plan.map_or("", |p| p.place.as_str());
    html! {
        form method="post" action=(action) {
            (csrf_field(csrf))
            @if plan.is_none() && screen.pairs.len() > 1 {
                label for={ (id) "pair" } { "With" }
                select id={ (id) "pair" } name="pair" {
                    @for p in &screen.pairs { option value=(p.pair_id) { (pair_name(p)) } }
                }
            } @else if plan.is_none() && let [only] = screen.pairs.as_slice() {
                input type="hidden" name="pair" value=(only.pair_id);
            }
            fieldset {
                legend { "How often" }
                label { input type="radio" name="every" value="once" checked[every == "once"]; " Once" }
                label { input type="radio" name="every" value="weekly" checked[every == "weekly"]; " Every week, on the days ticked below" }
                label { input type="radio" name="every" value="days" checked[every == "days"]; " Every N days (N below)" }
            }
            fieldset {
                legend { "Days of the week (every week)" }
                @for (value, label) in WEEKDAYS {
                    label.day { input type="checkbox" name=(value) value="yes" checked[ticked(value)]; " " (label) }
                }
            }
            label for={ (id) "n" } { "N, for every N days" }
            input id={ (id) "n" } name="n" type="number" min="1" max=(EVERY_DAYS_MAX) value=(interval);
            label for={ (id) "date" } { "Date (once), or the first day (repeating)" }
            input id={ (id) "date" } name="date" type="date" required value=(first_day);
            label for={ (id) "time" } { "Time, in the time zone below" }
            input id={ (id) "time" } name="time" type="time" required value=(time);
            label for={ (id) "zone" } { "Time zone the two of you agreed on (for example Europe/Berlin)" }
            input id={ (id) "zone" } name="zone" type="text" required list="zones" autocomplete="off" value=(zone);
            label for={ (id) "kind" } { "How you meet" }
            select id={ (id) "kind" } name="kind" {
                @for k in &screen.kinds {
                    option value=(k.as_str()) selected[kind == Some(*k)] { (kind_label(*k)) }
                }
            }
            label for={ (id) "place" } { "Where (optional)" }
            input id={ (id) "place" } name="place" type="text" maxlength=(PLACE_MAX) value=(place);
            button type="submit" { (button) }
        }
    }
}

/// The Meetings page: the schedules (each to change or end), a form to add
/// one, the meetings ahead and behind with links to their records, and the
/// calendar export.
pub fn meetings(screen: &MeetingsScreen, csrf: &str) -> String {
    page(
        "Meetings",
        "/meetings",
        html! {
            @if screen.no_pair {
                p { "Meeting times are agreed within a pair: pair up in " a href="/pair" { "Pair" } " first." }
            } @else {
                p { "Times you agree on with your pair. Each of you sees them at your own local time." }
                p { a.button href="/meetings.ics" download="meetings.ics" { "Export to calendar (.ics)" } }
                section aria-labelledby="ahead" {
                    h2 #ahead { "Coming up" }
                    @if screen.upcoming.is_empty() { p { "Nothing in the next " (days(MEETINGS_AHEAD_DAYS)) "." } }
                    ul.entries { @for m in &screen.upcoming { (meeting_row(m, screen)) } }
                }
                section aria-labelledby="recent" {
                    h2 #recent { "Recent" }
                    @if screen.recent.is_empty() { p { "Nothing in the last " (days(MEETINGS_BEHIND_DAYS)) "." } }
                    ul.entries { @for m in &screen.recent { (meeting_row(m, screen)) } }
                }
                section aria-labelledby="plans" {
                    h2 #plans { "Schedules" }
                    @if screen.plans.is_empty() { p { "No meeting times agreed yet." } }
                    @for p in &screen.plans {
                        section.card aria-label=(recurrence_words(p)) {
                            h3 { (recurrence_words(p)) }
                            p.meta {
                                (kind_label(p.kind))
                                @if !p.place.is_empty() { " · " (p.place) }
                                @if screen.pairs.len() > 1 {
                                    @if let Some(pair) = screen.pairs.iter().find(|x| x.pair_id == p.pair_id) {
                                        " · with " (pair_name(pair))
                                    }
                                }
                            }
                            p {
                                @if let Some(next) = p.next { "Next: " (instant(next, &screen.default_zone)) }
                                @else { "No meeting ahead." }
                            }
                            details {
                                summary { "Change" }
                                (plan_form(screen, Some(p), csrf))
                            }
                            (button_form(&format!("/meetings/plans/{}/end", p.id), csrf, "End this schedule"))
                        }
                    }
                }
                section aria-labelledby="new" {
                    h2 #new { "New schedule" }
                    (plan_form(screen, None, csrf))
                }
                datalist #zones {
                    @for zone in chrono_tz::TZ_VARIANTS { option value=(zone.name()) {} }
                }
            }
        },
    )
}

/// One meeting's record: when (here and in the agreed zone), how, where,
/// what became of it (both marks when they differ), the buttons to mark it,
/// a new time, the shared note and the request to meet another time. `me`
/// is this person's side in the meeting's pair.
pub fn meeting(screen: &MeetingScreen, me: Option<Side>, csrf: &str) -> String {
    let m = &screen.meeting;
    let action = format!("/meetings/{}", m.id);
    page(
        "Meeting",
        "/meetings",
        html! {
            dl {
                dt { "When" } dd { (when(m)) }
                @if m.starts_at != m.scheduled_at {
                    dt { "First planned for" } dd { (at(m.scheduled_at.timestamp_millis(), &m.zone)) " (" (m.zone) ")" }
                }
                dt { "How" } dd { (kind_label(m.kind)) }
                @if !m.place.is_empty() { dt { "Where" } dd { (m.place) } }
                dt { "Status" } dd { (status_label(m.status)) }
            }
            @if screen.conflict {
                p.warning role="status" { (marks(&m.marks, me)) }
            }
            @if m.reschedule_asked { p role="status" { "Another time was asked for." } }
            @if screen.can_mark {
                section aria-labelledby="what" {
                    h2 #what { "Did it take place?" }
                    form method="post" action={ (action) "/mark" } {
                        (csrf_field(csrf))
                        button type="submit" name="as" value="held" { "It was held" }
                        button type="submit" name="as" value="missed" { "It was missed" }
                    }
                }
            }
            section aria-labelledby="other" {
                h2 #other { "Another time" }
                form method="post" action={ (action) "/mark" } {
                    (csrf_field(csrf))
                    input type="hidden" name="as" value="moved";
                    label for="to" { "Moved to (date and time in " (m.zone) ")" }
                    input #to name="to" type="datetime-local" required;
                    button type="submit" { "Save the new time" }
                }
                @if screen.can_ask_reschedule {
                    form method="post" action={ (action) "/ask" } {
                        (csrf_field(csrf))
                        label for="text" { "Or ask to meet at another time, with a message (optional)" }
                        input #text name="text" type="text" maxlength=(ASK_MAX);
                        button type="submit" { "Ask to reschedule" }
                    }
                }
            }
            section aria-labelledby="notes" {
                h2 #notes { "Note" }
                form method="post" action={ (action) "/note" } {
                    (csrf_field(csrf))
                    label for="note" { "Note (both of you can edit it)" }
                    textarea #note name="note" rows="6" maxlength=(NOTE_MAX) { (m.note) }
                    button.primary type="submit" { "Save note" }
                }
            }
            p { a href="/meetings" { "All meetings" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Weekday};

    use super::*;

    fn plan(recurrence: Recurrence, until: Option<NaiveDate>) -> PlanView {
        PlanView {
            id: "0".repeat(32),
            pair_id: "p".into(),
            recurrence,
            until,
            time: "19:00".into(),
            zone: "Europe/Berlin".into(),
            kind: MeetingKind::Call,
            place: String::new(),
            by: Some(Side::Mentee),
            next: None,
        }
    }

    #[test]
    fn recurrences_are_worded_with_the_time_and_the_agreed_zone() {
        let from = NaiveDate::from_ymd_opt(2027, 3, 1).expect("date");
        let weekly = Recurrence::Weekly {
            days: vec![Weekday::Wed, Weekday::Sun],
            from,
        };
        assert_eq!(
            recurrence_words(&plan(weekly.clone(), None)),
            "Every week on Wed, Sun at 19:00 (Europe/Berlin)"
        );
        assert_eq!(
            recurrence_words(&plan(weekly, from.succ_opt())),
            "Every week on Wed, Sun at 19:00 (Europe/Berlin), until Tue  2 Mar 2027"
        );
        assert_eq!(
            recurrence_words(&plan(Recurrence::Days { n: 1, from }, None)),
            "Every day from Mon  1 Mar 2027 at 19:00 (Europe/Berlin)"
        );
        assert_eq!(
            recurrence_words(&plan(Recurrence::Days { n: 3, from }, None)),
            "Every 3 days from Mon  1 Mar 2027 at 19:00 (Europe/Berlin)"
        );
        assert_eq!(
            recurrence_words(&plan(Recurrence::Once { date: from }, Some(from))),
            "Once, on Mon  1 Mar 2027 at 19:00 (Europe/Berlin)"
        );
    }

    #[test]
    fn differing_marks_name_this_person_you() {
        let mark = |by, status| MarkView {
            by,
            status,
            moved_to: None,
            at_ms: 0,
        };
        let both = [
            mark(Side::Mentee, MarkStatus::Held),
            mark(Side::Mentor, MarkStatus::Missed),
        ];
        assert_eq!(
            marks(&both, Some(Side::Mentee)),
            "You: held · Mentor: missed"
        );
        assert_eq!(
            marks(&both, Some(Side::Mentor)),
            "Mentee: held · You: missed"
        );
        assert_eq!(marks(&both, None), "Mentee: held · Mentor: missed");
    }
}
