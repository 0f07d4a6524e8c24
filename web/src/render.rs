//! The pages: the core's screen records as HTML (maud). Structure and
//! words only; every number, date, list, page size, empty state and mark
//! comes from the core's record as it is.
//!
//! Accessibility: one `h1` per page, labels on every field, a skip link,
//! landmarks (`nav`, `main`), status messages in `role=status`, charts with
//! a text alternative, and a layout that reflows on a phone-sized window
//! and at 200% zoom (no fixed widths).

use chrono::{DateTime, NaiveDate};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use tandem_core::checkin::CheckIn;
use tandem_core::clean_time::Rung;
use tandem_core::craving::Outcome;
use tandem_core::features::meetings::{KEPT_WINDOW_DAYS, MeetingSummary};
use tandem_core::features::sharing::SHARED_COPY_WARNING;
use tandem_core::goal::GoalStatus;
use tandem_core::journal::JournalEntry;
use tandem_core::note::SharedNote;
use tandem_core::pair::Side;
use tandem_core::screens::{
    CravingsScreen, FirstRunStep, GoalsScreen, InsightsScreen, JournalScreen, MentorOverviewScreen,
    NotesScreen, PageCursor, PairsScreen, RecoveryKeyStep, SettingsScreen, SyncStatusScreen,
    SyncSummary, TodayScreen,
};
use tandem_core::settings::MEETING_LEAD_MAX_MINUTES;
use tandem_core::sync::SyncStatus;
use tandem_core::words::{count, since_last_look};

use crate::charts;

pub mod meetings;

pub use meetings::{kind_label, meeting, meetings};

/// What the mentor and the server can and cannot see (Settings).
pub const WHAT_OTHERS_SEE: [(&str, &str); 2] = [
    (
        "Your mentor",
        "sees only what you share: goals you share (with their milestones), journal entries and cravings you share, your clean time, reach-outs, and the notes you write together. Your journal and craving log stay private. Anything you stop sharing may still be on your mentor's phone: their copy is not taken back.",
    ),
    (
        "The sync server",
        "stores only encrypted data it cannot read: no names, entries, goals or notes. It learns that your device syncs, roughly when and how much, and which accounts share a pair.",
    ),
];

/// The screens, in the order the navigation lists them.
const NAV: [(&str, &str); 10] = [
    ("/", "Today"),
    ("/journal", "Journal"),
    ("/craving", "Log a craving"),
    ("/goals", "Goals"),
    ("/insights", "Insights"),
    ("/notes", "Shared notes"),
    ("/meetings", "Meetings"),
    ("/pair", "Pair"),
    ("/mentor", "Mentor overview"),
    ("/settings", "Settings"),
];

fn page(title: &str, current: &str, body: Markup) -> String {
    shell(title, Some(current), body)
}

/// A page without the screens' navigation (the first run: there is nothing
/// to navigate to before the person is set up).
fn bare_page(title: &str, body: Markup) -> String {
    shell(title, None, body)
}

fn shell(title: &str, current: Option<&str>, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · Tandem" }
                link rel="stylesheet" href="/style.css";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                @if let Some(current) = current {
                    nav aria-label="Screens" {
                        ul {
                            @for (href, label) in NAV {
                                li {
                                    @if href == current {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
    .into_string()
}

fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// A small form with one button posting to `action`.
fn button_form(action: &str, csrf: &str, label: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_field(csrf))
            button type="submit" { (label) }
        }
    }
}

fn rung(r: Rung) -> String {
    match r {
        Rung::Days(1) => "1 day".into(),
        Rung::Days(n) => format!("{n} days"),
        Rung::Months(1) => "1 month".into(),
        Rung::Months(n) => format!("{n} months"),
        Rung::Years(1) => "1 year".into(),
        Rung::Years(n) => format!("{n} years"),
    }
}

fn days(n: i64) -> String {
    count(n, "day", "days")
}

/// An instant (UTC ms) in the zone it was written in.
fn at(ms: i64, tz: &str) -> String {
    thread_local! {
        // Entries in a list nearly always share one zone: parse it once.
        static LAST: std::cell::RefCell<Option<(String, chrono_tz::Tz)>> = const { std::cell::RefCell::new(None) };
    }
    let Some(utc) = DateTime::from_timestamp_millis(ms) else {
        return "?".into();
    };
    let zone = LAST.with_borrow_mut(|last| match last {
        Some((name, zone)) if name == tz => Some(*zone),
        _ => {
            let zone = tz.parse::<chrono_tz::Tz>().ok()?;
            *last = Some((tz.to_owned(), zone));
            Some(zone)
        }
    });
    match zone {
        Some(zone) => utc
            .with_timezone(&zone)
            .format("%a %e %b %Y, %H:%M")
            .to_string(),
        None => utc.format("%a %e %b %Y, %H:%M UTC").to_string(),
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%a %e %b %Y").to_string()
}

/// The query that asks for the page after `next` (what a page gave).
pub fn after_query(next: &PageCursor) -> String {
    format!("after={}:{}", next.ms, next.id)
}

/// Today's line about syncing, from the core's summary.
fn sync_summary(s: &SyncSummary) -> Markup {
    html! {
        p role="status" {
            @if !s.connected {
                "Not syncing: this device keeps everything to itself until you connect it (Settings)."
            } @else {
                "Syncs with your server. "
                (count(s.pending_changes as i64, "change", "changes")) " waiting to be sent. "
                @if s.failing { "The last try failed (see Settings)." }
            }
        }
    }
}

fn sync_line(s: &SyncStatus) -> Markup {
    html! {
        p role="status" {
            @match &s.server {
                None => { "Not syncing: this device keeps everything to itself until you connect it (Settings)." }
                Some(server) => {
                    "Syncs with " (server) ". "
                    (s.pending_changes) " changes waiting to be sent. "
                    @if let Some(e) = &s.last_error { "Last try failed: " (e) "." }
                }
            }
        }
    }
}

/// A refusal page (no token, a foreign Host, a form without its CSRF token).
pub fn refused(why: &str) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { "Refused · Tandem" } }
            body { main { h1 { "Refused" } p { (why) } } }
        }
    }
    .into_string()
}

/// An error from the core, as a page.
pub fn error(message: &str) -> String {
    page(
        "Something went wrong",
        "",
        html! {
            p role="alert" { (message) }
            p { a href="/" { "Go to Today" } }
        },
    )
}

/// A short message page (after erasing, say).
pub fn message(title: &str, text: &str) -> String {
    page(title, "", html! { p role="status" { (text) } })
}

/// A first-run question: its heading, why it is asked, and its form. A
/// refused answer comes back as `problem` above the same form.
fn first_run_page(title: &str, problem: Option<&str>, body: Markup) -> String {
    bare_page(
        title,
        html! {
            @if let Some(problem) = problem { p.alert role="alert" { (problem) } }
            (body)
        },
    )
}

/// The first run at `step` (the core's flow): name and time zone, a first
/// track or none, a sync server or not now, the recovery key shown once and
/// then one of its groups asked back. `problem` is why the last answer was
/// refused, if it was. [`FirstRunStep::Done`] has no page: Today follows.
pub fn first_run(step: &FirstRunStep, problem: Option<&str>, csrf: &str) -> String {
    match step {
        FirstRunStep::Profile { name_max } => first_run_page(
            "Welcome to Tandem",
            problem,
            html! {
                p { "Tandem keeps your clean time, journal and cravings on this device, and shares only what you choose with a mentor." }
                form method="post" action="/first-run/profile" {
                    (csrf_field(csrf))
                    label for="name" { "Your name, as your mentor will see it" }
                    input #name name="name" type="text" required maxlength=(name_max) autocomplete="nickname" autofocus;
                    label for="timezone" { "Your time zone (for example Europe/Berlin)" }
                    input #timezone name="timezone" type="text" required list="zones" autocomplete="off";
                    datalist #zones {
                        @for zone in chrono_tz::TZ_VARIANTS { option value=(zone.name()) {} }
                    }
                    button.primary type="submit" { "Continue" }
                }
            },
        ),
        FirstRunStep::FirstTrack {
            name,
            latest_since,
            name_max,
            ..
        } => first_run_page(
            "Your clean time",
            problem,
            html! {
                p { "Hi " (name) ". Tandem can count your clean time from the first clean day." }
                form method="post" action="/first-run/track" {
                    (csrf_field(csrf))
                    label for="track" { "What you stay away from (for example alcohol)" }
                    input #track name="name" type="text" required maxlength=(name_max);
                    label for="since" { "Your first clean day" }
                    input #since name="since" type="date" required max=(latest_since.format("%Y-%m-%d").to_string());
                    button.primary type="submit" { "Start counting" }
                }
                form method="post" action="/first-run/no-track" {
                    (csrf_field(csrf))
                    button type="submit" { "Skip for now" }
                }
            },
        ),
        FirstRunStep::SyncChoice => first_run_page(
            "Sync and pairing",
            problem,
            html! {
                p { "A sync server keeps your devices up to date and lets you pair with a mentor. It stores only encrypted data it cannot read. You can connect later in Settings." }
                form method="post" action="/first-run/server" {
                    (csrf_field(csrf))
                    label for="server" { "Sync server address" }
                    input #server name="server" type="url" required placeholder="http://127.0.0.1:8787";
                    button.primary type="submit" { "Use this server" }
                }
                form method="post" action="/first-run/not-now" {
                    (csrf_field(csrf))
                    button type="submit" { "Not now" }
                }
            },
        ),
        FirstRunStep::RecoveryKey(RecoveryKeyStep::Show { key, groups }) => first_run_page(
            "Your recovery key",
            problem,
            html! {
                p { "If this device is lost, this key brings everything back on a new one. Write it down and keep it somewhere safe. It is shown only now: Tandem does not keep it." }
                p.code { code aria-label={ "Recovery key, " (groups) " groups" } { (key) } }
                form method="post" action="/first-run/key-kept" {
                    (csrf_field(csrf))
                    button.primary type="submit" { "I wrote it down" }
                }
            },
        ),
        FirstRunStep::RecoveryKey(RecoveryKeyStep::Confirm { group, groups }) => first_run_page(
            "Check your recovery key",
            problem,
            html! {
                p { "The key is hidden now. To check you have it, type one group from what you wrote down." }
                form method="post" action="/first-run/confirm-key" {
                    (csrf_field(csrf))
                    label for="group" { "Group " (group) " of " (groups) ", counted after the key's prefix" }
                    input #group name="group" type="text" required autocomplete="off" spellcheck="false";
                    button.primary type="submit" { "Confirm" }
                }
                form method="post" action="/first-run/show-key" {
                    (csrf_field(csrf))
                    button type="submit" { "Show the key again" }
                }
            },
        ),
        FirstRunStep::Done => first_run_page(
            "You are set up",
            problem,
            html! { p { a.button.primary href="/" { "Go to Today" } } },
        ),
    }
}

/// Today: clean time per track, the next milestone, today's check-in, the
/// next meeting (with "ask to reschedule" when the core offers it).
pub fn today(screen: &TodayScreen, csrf: &str) -> String {
    let v = &screen.today;
    page(
        "Today",
        "/",
        html! {
            p.lead { "Hi " (v.name) ". It is " (date(v.date)) "." }
            section aria-labelledby="clean" {
                h2 #clean { "Clean time" }
                @if v.tracks.is_empty() { p { "No tracks yet." } }
                ul.cards {
                    @for t in &v.tracks {
                        li.card {
                            h3 { (t.name) }
                            p.big { (days(t.clean_days)) }
                            p { "Since " (date(t.current_start)) "." }
                            @if let (Some(next), Some(d)) = (&t.next_milestone, t.days_to_next_milestone) {
                                p { "Next milestone: " (rung(next.rung)) " on " (date(next.date)) " (in " (days(d)) ")." }
                            }
                            @if let Some(last) = &t.last_milestone {
                                p { "Reached " (rung(last.rung)) " on " (date(last.date)) "." }
                            }
                        }
                    }
                }
            }
            @if let Some(m) = &screen.next_meeting {
                section aria-labelledby="meeting" {
                    h2 #meeting { "Next meeting" }
                    p {
                        a href={ "/meetings/" (m.id) } { (meetings::when(m)) }
                        " · " (kind_label(m.kind))
                        @if !m.place.is_empty() { " · " (m.place) }
                    }
                    @if screen.can_ask_reschedule {
                        form.inline method="post" action={ "/meetings/" (m.id) "/ask" } {
                            (csrf_field(csrf))
                            input type="hidden" name="back" value="today";
                            button type="submit" { "Ask to reschedule" }
                        }
                    } @else if m.reschedule_asked {
                        p.meta { "Another time was asked for." }
                    }
                }
            }
            p.actions {
                a.button.primary href="/craving" { "Log a craving" }
                a.button href="/checkin" {
                    @if v.checkin.is_some() { "Edit today's check-in" } @else { "Check in for today" }
                }
                a.button href="/journal#write" { "Write in the journal" }
            }
            section aria-labelledby="day" {
                h2 #day { "Today so far" }
                ul {
                    li { (count(v.journal_today, "journal entry", "journal entries")) }
                    li { (count(v.cravings_today, "craving logged", "cravings logged")) }
                    li { (count(v.active_goals, "goal in progress", "goals in progress")) }
                    @if let Some(c) = &v.checkin {
                        li { "Checked in: mood " (c.mood) " of 5, craving " (c.craving) " of 10" @if c.used { ", used" } "." }
                    } @else {
                        li { "Not checked in yet." }
                    }
                }
            }
            (sync_summary(&screen.sync))
        },
    )
}

/// The journal: the form to write, and a page of entries, newest first.
pub fn journal(screen: &JournalScreen, csrf: &str) -> String {
    page(
        "Journal",
        "/journal",
        html! {
            p { "Private unless you share an entry." }
            form #write method="post" action="/journal" {
                (csrf_field(csrf))
                label for="text" { "New entry" }
                textarea #text name="text" rows="6" required {}
                label for="mood" { "Mood (optional)" }
                select #mood name="mood" {
                    option value="" { "—" }
                    @for m in 1..=5 { option value=(m) { (m) } }
                }
                label for="tags" { "Tags, separated by commas (optional)" }
                input #tags name="tags" type="text";
                button type="submit" { "Save entry" }
            }
            h2 { "Entries" }
            @if screen.empty { p { "Nothing written yet." } }
            ul.entries {
                @for r in &screen.rows {
                    li.entry {
                        p.meta { (at(r.entry.created_ms, &r.entry.tz)) @if let Some(m) = r.entry.mood { " · mood " (m) } }
                        p.text { (r.entry.text) }
                        @if !r.entry.tags.is_empty() { p.meta { "Tags: " (r.entry.tags.join(", ")) } }
                        @if r.shared { p.warning { (SHARED_COPY_WARNING) } }
                        p.actions {
                            a href={ "/journal/" (r.entry.id) } { "Edit" }
                            @if screen.can_share {
                                @if r.shared {
                                    (button_form(&format!("/journal/{}/unshare", r.entry.id), csrf, "Stop sharing"))
                                } @else {
                                    (button_form(&format!("/journal/{}/share", r.entry.id), csrf, "Share with my mentor"))
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = &screen.next { p { a href={ "/journal?" (after_query(next)) } { "Older entries" } } }
        },
    )
}

/// Editing one journal entry.
pub fn journal_edit(e: &JournalEntry, shared: bool, csrf: &str) -> String {
    page(
        "Edit entry",
        "/journal",
        html! {
            p.meta { "Written " (at(e.created_ms, &e.tz)) }
            @if shared { p.warning { (SHARED_COPY_WARNING) } }
            form method="post" action={ "/journal/" (e.id) } {
                (csrf_field(csrf))
                label for="text" { "Entry" }
                textarea #text name="text" rows="8" required { (e.text) }
                label for="mood" { "Mood (optional)" }
                select #mood name="mood" {
                    option value="" { "—" }
                    @for m in 1..=5u8 {
                        @if e.mood == Some(m) { option value=(m) selected { (m) } } @else { option value=(m) { (m) } }
                    }
                }
                label for="tags" { "Tags, separated by commas" }
                input #tags name="tags" type="text" value=(e.tags.join(", "));
                button type="submit" { "Save changes" }
            }
        },
    )
}

/// Log a craving (the form) and a page of the log, newest first.
pub fn craving(screen: &CravingsScreen, csrf: &str) -> String {
    page(
        "Log a craving",
        "/craving",
        html! {
            form method="post" action="/craving" {
                (csrf_field(csrf))
                label for="trigger" { "What set it off?" }
                input #trigger name="trigger" type="text" required maxlength="200" autofocus;
                label for="intensity" { "How strong, 0 (none) to 10 (overwhelming)" }
                input #intensity name="intensity" type="number" min="0" max="10" value="5" required;
                label for="situation" { "Where, with whom, doing what (commas between)" }
                input #situation name="situation" type="text";
                label for="helped" { "What helped (commas between)" }
                input #helped name="helped" type="text";
                fieldset {
                    legend { "How did it end?" }
                    label { input type="radio" name="outcome" value="resisted" checked; " I did not use" }
                    label { input type="radio" name="outcome" value="used"; " I used" }
                    label { input type="radio" name="outcome" value=""; " Rather not say" }
                }
                label for="note" { "Anything else (optional)" }
                textarea #note name="note" rows="3" {}
                button.primary type="submit" { "Save craving" }
            }
            h2 { "Latest" }
            @if screen.empty { p { "No craving logged yet." } }
            ul.entries {
                @for row in &screen.rows {
                    @let c = &row.craving;
                    li.entry {
                        p.meta { (at(c.at_ms, &c.tz)) }
                        p { (c.trigger) " · " (c.intensity) " of 10"
                            @match c.outcome { Some(Outcome::Resisted) => { " · did not use" } Some(Outcome::Used) => { " · used" } None => {} } }
                        @if !c.helped.is_empty() { p.meta { "Helped: " (c.helped.join(", ")) } }
                        @if row.shared { p.warning { (SHARED_COPY_WARNING) } }
                        @else if screen.can_share { (button_form(&format!("/craving/{}/share", c.id), csrf, "Share with my mentor")) }
                    }
                }
            }
            @if let Some(next) = &screen.next { p { a href={ "/craving?" (after_query(next)) } { "Older cravings" } } }
        },
    )
}

/// Today's check-in.
pub fn checkin(current: Option<&CheckIn>, csrf: &str) -> String {
    let (mood, craving, used, note) = current.map_or((3, 0, false, ""), |c| {
        (c.mood, c.craving, c.used, c.note.as_str())
    });
    page(
        "Check-in",
        "/",
        html! {
            form method="post" action="/checkin" {
                (csrf_field(csrf))
                label for="mood" { "Mood, 1 (low) to 5 (good)" }
                input #mood name="mood" type="number" min="1" max="5" value=(mood) required;
                label for="craving" { "Craving today, 0 to 10" }
                input #craving name="craving" type="number" min="0" max="10" value=(craving) required;
                label { input type="checkbox" name="used" value="yes" checked[used]; " I used today" }
                label for="note" { "Note (optional)" }
                textarea #note name="note" rows="3" { (note) }
                button.primary type="submit" { "Save check-in" }
            }
        },
    )
}

/// Goals with their milestones.
pub fn goals(screen: &GoalsScreen, csrf: &str) -> String {
    page(
        "Goals",
        "/goals",
        html! {
            form method="post" action="/goals" {
                (csrf_field(csrf))
                label for="title" { "New goal" }
                input #title name="title" type="text" required maxlength="200";
                label for="why" { "Why it matters (optional)" }
                input #why name="why" type="text";
                button type="submit" { "Add goal" }
            }
            @if screen.empty { p { "No goals yet." } }
            @for row in &screen.rows {
                @let (g, shared) = (&row.goal, row.shared);
                section.card aria-label=(g.title) {
                    h2 { (g.title) }
                    @if !g.why.is_empty() { p { (g.why) } }
                    p.meta { (status(g.status)) " · " (g.milestones_done) " of " (g.milestones.len()) " milestones done"
                        @if let Some(t) = g.target { " · by " (date(t)) } }
                    @if shared { p.warning { (SHARED_COPY_WARNING) } }
                    ul.milestones {
                        @for m in &g.milestones {
                            li {
                                @if m.done { "✓ " s { (m.title) } " " (button_form(&format!("/goals/{}/milestones/{}/undo", g.id, m.id), csrf, "Mark not done")) }
                                @else { (m.title) " " (button_form(&format!("/goals/{}/milestones/{}/done", g.id, m.id), csrf, &format!("Mark “{}” done", m.title))) }
                            }
                        }
                    }
                    form.inline method="post" action={ "/goals/" (g.id) "/milestones" } {
                        (csrf_field(csrf))
                        label for={ "m-" (g.id) } { "New milestone" }
                        input id={ "m-" (g.id) } name="title" type="text" required;
                        button type="submit" { "Add milestone" }
                    }
                    @if screen.can_share && !shared {
                        (button_form(&format!("/goals/{}/share", g.id), csrf, "Share with my mentor"))
                    }
                }
            }
        },
    )
}

fn status(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Active => "in progress",
        GoalStatus::Done => "done",
        GoalStatus::Dropped => "dropped",
    }
}

/// Insights: charts drawn from the core's series over its window.
pub fn insights(screen: &InsightsScreen) -> String {
    let i = &screen.insights;
    page(
        "Insights",
        "/insights",
        html! {
            p { "The last " (days(screen.days.into())) ": " (count(i.cravings, "craving", "cravings")) " from " (date(i.from)) " to " (date(i.to)) "." }
            @if screen.empty {
                p { "Nothing to chart yet: log cravings and check in, and this page fills in." }
            } @else {
            h2 { "By hour of the day" }
            (PreEscaped(charts::by_hour(&i.by_hour)))
            h2 { "By day of the week" }
            (PreEscaped(charts::by_weekday(&i.by_weekday)))
            h2 { "Average strength per week" }
            (PreEscaped(charts::weekly_intensity(&i.weekly_intensity)))
            h2 { "What helped" }
            table {
                thead { tr { th scope="col" { "Strategy" } th scope="col" { "Used" } th scope="col" { "Did not use after" } } }
                tbody {
                    @for s in &i.what_helped {
                        tr { td { (s.strategy) } td { (s.uses) } td { (s.resisted) " (" (format!("{:.0}", s.resisted_share * 100.0)) "%)" } }
                    }
                }
            }
            h2 { "Most frequent triggers" }
            ol { @for t in &i.top_triggers { li { (t.trigger) ": " (t.count) } } }
            }
        },
    )
}

/// Shared notes.
pub fn notes(screen: &NotesScreen, pairs: &PairsScreen, csrf: &str) -> String {
    page(
        "Shared notes",
        "/notes",
        html! {
            p { "Notes in a pair are edited by both of you; edits made offline merge when you sync." }
            @if screen.empty { p { "No notes yet." } }
            ul { @for n in &screen.notes { li { a href={ "/notes/" (n.id) } { (n.title) } } } }
            form method="post" action="/notes" {
                (csrf_field(csrf))
                label for="title" { "New note" }
                input #title name="title" type="text" required maxlength="200";
                label for="body" { "Text" }
                textarea #body name="body" rows="4" {}
                label for="pair" { "Shared with" }
                select #pair name="pair" {
                    @for p in &pairs.pairs { @if !p.ended { option value=(p.pair_id) { (p.other_name.as_deref().unwrap_or("your pair")) } } }
                    option value="" { "Nobody (private)" }
                }
                button type="submit" { "Create note" }
            }
        },
    )
}

/// One note, to edit.
pub fn note(n: &SharedNote, csrf: &str) -> String {
    page(
        &n.title,
        "/notes",
        html! {
            form method="post" action={ "/notes/" (n.id) } {
                (csrf_field(csrf))
                label for="body" { "Text" }
                textarea #body name="body" rows="12" { (n.body) }
                button.primary type="submit" { "Save note" }
            }
            p.meta { "Sync (Settings) to see the other person's edits." }
        },
    )
}

/// Pairing: invite (code and QR) or join.
pub fn pair(screen: &PairsScreen, invite: Option<(&str, &str)>, csrf: &str) -> String {
    let connected = screen.can_pair;
    page(
        "Pair",
        "/pair",
        html! {
            @if !connected {
                p { "Pairing needs a sync server: connect this device in " a href="/settings" { "Settings" } " first." }
            }
            @if let Some((code, svg)) = invite {
                section.card aria-labelledby="invite" {
                    h2 #invite { "Your invite code" }
                    p { "Show it to your mentor, or read it out. It works once." }
                    p.code { code { (code) } }
                    figure {
                        (PreEscaped(svg))
                        figcaption { "The same code as a QR code." }
                    }
                }
            }
            form method="post" action="/pair/invite" {
                (csrf_field(csrf))
                button type="submit" disabled[!connected] { "Invite a mentor" }
            }
            form method="post" action="/pair/join" {
                (csrf_field(csrf))
                label for="code" { "Mentor: the code your mentee showed you" }
                input #code name="code" type="text" required autocomplete="off";
                button type="submit" disabled[!connected] { "Join as mentor" }
            }
            h2 { "Pairs" }
            @if screen.empty { p { "No pair yet." } }
            ul {
                @for p in &screen.pairs {
                    li {
                        (p.other_name.as_deref().unwrap_or("(name not synced yet)"))
                        @match p.side { Side::Mentee => { " — your mentor" } Side::Mentor => { " — your mentee" } }
                        @if p.ended { " (ended)" }
                        @if let Some(code) = &p.safety_code {
                            br;
                            small { "Safety code " code.safety { (code) } ": the same on both phones means each phone holds the other person's identity." }
                        }
                        @if p.identity_mismatch {
                            p.warning role="alert" { "Warning: the other side's identity changed since you paired. Compare safety codes in person, or end this pair." }
                        }
                        @if p.unadmitted_members > 0 {
                            p.warning role="alert" { "Warning: someone besides the two of you is in this pair. End it if you did not invite them." }
                        }
                    }
                }
            }
        },
    )
}

/// The mentor's overview.
pub fn mentor(screen: &MentorOverviewScreen, csrf: &str) -> String {
    page(
        "Mentor overview",
        "/mentor",
        html! {
            @if screen.empty { p { "No mentees yet. A mentee's invite code goes in " a href="/pair" { "Pair" } "." } }
            @if screen.open_reach_outs > 0 {
                p role="status" { (count(screen.open_reach_outs, "reach-out", "reach-outs")) " waiting for you." }
            }
            @for m in &screen.mentees {
                section.card aria-label=(m.name.as_deref().unwrap_or("mentee")) {
                    h2 { (m.name.as_deref().unwrap_or("(name not synced yet)")) @if m.ended { " (ended)" } }
                    p.meta { (since_last_look(&m.changes)) }
                    @for r in &m.open_reach_outs {
                        div.alert role="alert" {
                            p { "Reach-out: " (r.text) }
                            (button_form(&format!("/mentor/ack/{}", r.id), csrf, "I reached out"))
                        }
                    }
                    @for t in &m.clean_time { p { (t.name) ": " (days(t.clean_days)) } }
                    (meeting_summary(&m.meetings))
                    h3 { "Shared goals" }
                    ul {
                        @for g in &m.goals {
                            li { (g.title) ": " (g.milestones_done) " of " (g.milestones.len()) " milestones done"
                                ul { @for ms in &g.milestones { li { @if ms.done { "✓ " } (ms.title) } } } }
                        }
                    }
                    h3 { "Shared entries" }
                    @if m.shared.is_empty() { p { "Nothing shared yet." } }
                    ul.entries {
                        @for s in &m.shared { li.entry { p.meta { (s.kind) " · " (at(s.at_ms, &s.tz)) } p { (s.text) } } }
                    }
                }
            }
            (button_form("/mentor/seen", csrf, "Mark all as seen"))
        },
    )
}

/// How long ago, in whole days: "today", "yesterday", "3 days ago".
fn days_ago(n: i64) -> String {
    match n {
        ..=0 => "today".into(),
        1 => "yesterday".into(),
        n => format!("{} ago", days(n)),
    }
}

/// A mentee's meetings on the mentor overview: the last one held, how many
/// were kept lately, the next one, and a flag when they stopped happening
/// or someone asked to move one.
fn meeting_summary(s: &MeetingSummary) -> Markup {
    html! {
        h3 { "Meetings" }
        @if !s.scheduled && s.last_held.is_none() {
            p { "No meeting times agreed yet." }
        } @else {
            ul {
                li {
                    "Last held: "
                    @match (s.last_held_local, s.days_since_held) {
                        (Some(t), Some(d)) => { (meetings::local(t)) " (" (days_ago(d)) ")" }
                        _ => { "none yet" }
                    }
                }
                li { "Kept in the last " (KEPT_WINDOW_DAYS / 7) " weeks: " (s.kept_recently) }
                @if let Some(next) = &s.next {
                    li { "Next: " (meetings::when(next)) " · " (kind_label(next.kind)) }
                }
            }
            @if s.missed_twice {
                p.warning role="status" { "The last two meetings were missed." }
            }
            @if s.quiet {
                @if let Some(d) = s.days_since_held {
                    p.warning role="status" { "No meeting in " (days(d)) "." }
                }
            }
            @if s.open_asks > 0 {
                p.warning role="status" { "Asked to reschedule: " (count(s.open_asks, "meeting", "meetings")) "." }
            }
        }
    }
}

/// Settings: what others see, sync, export, erase.
pub fn settings(screen: &SettingsScreen, sync: &SyncStatusScreen, csrf: &str) -> String {
    let s = &screen.settings;
    let connected = sync.connected;
    let sync = &sync.status;
    page(
        "Settings",
        "/settings",
        html! {
            section aria-labelledby="see" {
                h2 #see { "What others can see" }
                dl { @for (who, what) in WHAT_OTHERS_SEE { dt { (who) } dd { (what) } } }
            }
            section aria-labelledby="sync" {
                h2 #sync { "Sync" }
                (sync_line(sync))
                form method="post" action="/sync" {
                    (csrf_field(csrf))
                    @if !connected {
                        label for="server" { "Sync server address" }
                        input #server name="server" type="url" required placeholder="http://127.0.0.1:8787";
                    }
                    button.primary type="submit" { "Sync now" }
                }
            }
            section aria-labelledby="device" {
                h2 #device { "This device" }
                p { "Locks after " (s.lock_after_secs) " seconds in the background; notifications say “" (s.app_name.label()) "”." }
                form method="post" action="/settings/meeting-reminder" {
                    (csrf_field(csrf))
                    label for="lead" { "Meeting reminder: minutes before a meeting (0 turns it off)" }
                    input #lead name="minutes" type="number" min="0" max=(MEETING_LEAD_MAX_MINUTES) value=(s.meeting_lead_minutes) required;
                    button type="submit" { "Save reminder" }
                }
                p.meta {
                    @if s.meeting_lead_minutes == 0 { "No meeting reminder." }
                    @else { "Meeting reminder " (count(s.meeting_lead_minutes, "minute", "minutes")) " before." }
                }
            }
            section aria-labelledby="data" {
                h2 #data { "Your data" }
                p { a.button href="/export.json" download="tandem-export.json" { "Export everything (JSON)" } }
                form method="post" action="/erase" {
                    (csrf_field(csrf))
                    label { input type="checkbox" name="confirm" value="yes" required; " I understand: everything on this device and my account on the server are deleted. Copies a mentor's phone already synced stay there." }
                    button.danger type="submit" { "Delete everything" }
                }
            }
        },
    )
}

/// The stylesheet: readable on a phone and at 200% zoom.
pub const STYLE: &str = r#"
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem .75rem; list-style: none; margin: 0; padding: .75rem 1rem; border-bottom: 1px solid #8886; }
nav a[aria-current] { font-weight: bold; }
main { max-width: 48rem; margin: 0 auto; padding: 1rem; }
label, legend { display: block; margin-top: .75rem; font-weight: 600; }
input[type=text], input[type=url], input[type=number], textarea, select { width: 100%; box-sizing: border-box; font: inherit; padding: .4rem; }
input[type=checkbox], input[type=radio] { width: auto; }
fieldset { border: 1px solid #8886; margin-top: .75rem; }
fieldset label { font-weight: normal; }
fieldset label.day { display: inline-block; margin-right: 1rem; }
details { margin-top: .75rem; } summary { cursor: pointer; }
dt { font-weight: 600; } dd { margin: 0 0 .5rem; }
button, .button { display: inline-block; font: inherit; margin: .75rem .5rem 0 0; padding: .5rem 1rem; border: 1px solid #8888; border-radius: .4rem; background: none; color: inherit; text-decoration: none; cursor: pointer; }
.primary { background: #2a6; color: #fff; border-color: #2a6; }
.danger { background: #b33; color: #fff; border-color: #b33; }
form.inline { display: inline; }
form.inline button { margin-top: .25rem; }
.cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; }
.card { border: 1px solid #8886; border-radius: .6rem; padding: .25rem 1rem 1rem; margin-top: 1rem; }
.big { font-size: 2rem; font-weight: bold; margin: 0; }
.entries { list-style: none; padding: 0; } .entry { border-bottom: 1px solid #8884; padding: .5rem 0; }
.meta { color: #777; font-size: .9rem; margin: 0; }
.text { white-space: pre-wrap; }
.warning { border-left: 4px solid #c80; padding-left: .5rem; }
.alert { border-left: 4px solid #b33; padding-left: .5rem; }
.code code { font-size: 1.2rem; word-break: break-all; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; } th, td { text-align: left; padding: .25rem .75rem .25rem 0; }
"#;
