//! One handler per page and per form. A page is one screen record of the
//! core rendered ([`screens`]); a form is one core action followed by a
//! redirect to the page that shows it (so a reload never posts twice).
//!
//! The first run's forms (`/first-run/…`) each take one step of the core's
//! [`FirstRun`] flow, kept in [`App`] between requests; `/` then shows the
//! step the flow stands at. A refused answer shows the same step again
//! with the reason, and the flow stays where it was.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use tandem_core::checkin::CheckInInput;
use tandem_core::craving::{CravingInput, Outcome};
use tandem_core::domain::meeting::{
    MeetingKind, Recurrence, parse_date, parse_local, parse_time, parse_zone,
};
use tandem_core::features::meetings::{MarkAs, PlanChange};
use tandem_core::features::sharing::ShareKind;
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::screens::{FirstRun, FirstRunStep, FirstTrack, PageCursor};
use tandem_core::{Error, ErrorKind};

use crate::guard::{self, Posted};
use crate::render::meetings::WEEKDAYS;
use crate::{App, render, screens};

/// A core error as a page, with a status that fits its kind.
#[derive(Debug)]
pub struct WebError(pub Error);

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        WebError(e)
    }
}

/// The status that fits an error's kind.
fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Validation => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::NotInitialized | ErrorKind::AlreadyInitialized | ErrorKind::NoServer => {
            StatusCode::CONFLICT
        }
        ErrorKind::Locked => StatusCode::LOCKED,
        ErrorKind::Network | ErrorKind::Server => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.0.kind() == ErrorKind::NotInitialized {
            // Nobody set up yet (a fresh home): the first run, which `/` opens on.
            return Redirect::to("/").into_response();
        }
        (
            status(self.0.kind()),
            Html(render::error(&self.0.to_string())),
        )
            .into_response()
    }
}

type PageResult = Result<Html<String>, WebError>;
type Done = Result<Redirect, WebError>;
type Answer = Result<Response, WebError>;

/// Every route, behind the guard.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/style.css", get(style))
        .route("/first-run/profile", post(first_run_profile))
        .route("/first-run/track", post(first_run_track))
        .route("/first-run/no-track", post(first_run_no_track))
        .route("/first-run/server", post(first_run_server))
        .route("/first-run/not-now", post(first_run_not_now))
        .route("/first-run/key-kept", post(first_run_key_kept))
        .route("/first-run/show-key", post(first_run_show_key))
        .route("/first-run/confirm-key", post(first_run_confirm_key))
        .route("/journal", get(journal).post(add_journal))
        .route("/journal/{id}", get(journal_entry).post(edit_journal))
        .route("/journal/{id}/share", post(share_journal))
        .route("/journal/{id}/unshare", post(unshare_journal))
        .route("/craving", get(craving).post(add_craving))
        .route("/craving/{id}/share", post(share_craving))
        .route("/checkin", get(checkin).post(save_checkin))
        .route("/goals", get(goals).post(add_goal))
        .route("/goals/{id}/milestones", post(add_milestone))
        .route("/goals/{id}/milestones/{mid}/done", post(milestone_done))
        .route("/goals/{id}/milestones/{mid}/undo", post(milestone_undo))
        .route("/goals/{id}/share", post(share_goal))
        .route("/insights", get(insights))
        .route("/notes", get(notes).post(add_note))
        .route("/notes/{id}", get(note).post(edit_note))
        .route("/meetings", get(meetings).post(schedule_meetings))
        .route("/meetings.ics", get(meetings_ics))
        .route("/meetings/plans/{id}", post(edit_plan))
        .route("/meetings/plans/{id}/end", post(end_plan))
        .route("/meetings/{id}", get(meeting))
        .route("/meetings/{id}/mark", post(mark_meeting))
        .route("/meetings/{id}/note", post(meeting_note))
        .route("/meetings/{id}/ask", post(ask_reschedule))
        .route("/pair", get(pair))
        .route("/pair/invite", post(invite))
        .route("/pair/join", post(join))
        .route("/mentor", get(mentor))
        .route("/mentor/ack/{id}", post(acknowledge))
        .route("/mentor/seen", post(seen))
        .route("/settings", get(settings))
        .route("/settings/meeting-reminder", post(meeting_reminder))
        .route("/sync", post(sync))
        .route("/export.json", get(export))
        .route("/erase", post(erase))
        .layer(middleware::from_fn_with_state(app.clone(), guard::check))
        .with_state(app)
}

/// A comma-separated field as labels; the core trims them, drops empty
/// ones and duplicates, and checks their bounds.
fn labels(text: &str) -> Vec<String> {
    text.split(',').map(str::to_owned).collect()
}

/// A whole number from a form field, or a validation error naming it.
fn number(field: &'static str, text: &str) -> Result<i64, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid(field, format!("{text:?} is not a whole number")))
}

fn optional_number(field: &'static str, text: &str) -> Result<Option<i64>, Error> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        number(field, text).map(Some)
    }
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        render::STYLE,
    )
}

async fn home(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.with_first_run(move |core, flow| screens::home(core, flow, &csrf))
            .await?,
    ))
}

// --- First run ---------------------------------------------------------------

/// Takes one step of the first run with `act`, resuming the flow from the
/// store if none is kept (the UI restarted). Done: back to `/`, which shows
/// the next step. Refused: the same step again with the reason.
async fn first_run_step(
    app: App,
    act: impl FnOnce(&tandem_core::App, &mut FirstRun) -> tandem_core::Result<FirstRunStep>
    + Send
    + 'static,
) -> Result<Response, WebError> {
    let csrf = app.guard.csrf().to_owned();
    let answer = app
        .with_first_run(move |core, kept| {
            let flow = match kept {
                Some(flow) => flow,
                None => kept.insert(core.screens().first_run()?),
            };
            match act(core, flow) {
                Ok(_) => Ok(Redirect::to("/").into_response()),
                Err(Error::AlreadyInitialized) => {
                    // Set up meanwhile (`tandem init`): start over from the store.
                    *kept = None;
                    Ok(Redirect::to("/").into_response())
                }
                Err(e) if answerable(e.kind()) => Ok((
                    status(e.kind()),
                    Html(render::first_run(&flow.step(), Some(&e.to_string()), &csrf)),
                )
                    .into_response()),
                Err(e) => Err(e),
            }
        })
        .await?;
    Ok(answer)
}

/// Whether an error is about the answer given (shown beside the question),
/// rather than the app failing.
fn answerable(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Validation | ErrorKind::Network | ErrorKind::Server | ErrorKind::NoServer
    )
}

#[derive(Deserialize)]
struct ProfileForm {
    name: String,
    timezone: String,
}

async fn first_run_profile(State(app): State<App>, Posted(f): Posted<ProfileForm>) -> Answer {
    first_run_step(app, move |core, flow| {
        flow.profile(core, &f.name, f.timezone.trim())
    })
    .await
}

#[derive(Deserialize)]
struct TrackForm {
    name: String,
    since: String,
}

async fn first_run_track(State(app): State<App>, Posted(f): Posted<TrackForm>) -> Answer {
    first_run_step(app, move |core, flow| {
        let since = NaiveDate::parse_from_str(f.since.trim(), "%Y-%m-%d").map_err(|_| {
            Error::invalid("first clean day", format!("{:?} is not a date", f.since))
        })?;
        let track = FirstTrack {
            name: f.name,
            since,
        };
        flow.first_track(core, Some(&track))
    })
    .await
}

async fn first_run_no_track(State(app): State<App>, _: Posted<Button>) -> Answer {
    first_run_step(app, |core, flow| flow.first_track(core, None)).await
}

#[derive(Deserialize)]
struct ServerForm {
    server: String,
}

async fn first_run_server(State(app): State<App>, Posted(f): Posted<ServerForm>) -> Answer {
    first_run_step(app, move |core, flow| flow.connect(core, f.server.trim())).await
}

async fn first_run_not_now(State(app): State<App>, _: Posted<Button>) -> Answer {
    first_run_step(app, |_, flow| flow.not_now()).await
}

async fn first_run_key_kept(State(app): State<App>, _: Posted<Button>) -> Answer {
    first_run_step(app, |_, flow| flow.key_kept()).await
}

async fn first_run_show_key(State(app): State<App>, _: Posted<Button>) -> Answer {
    first_run_step(app, |_, flow| flow.show_key_again()).await
}

#[derive(Deserialize)]
struct GroupForm {
    group: String,
}

async fn first_run_confirm_key(State(app): State<App>, Posted(f): Posted<GroupForm>) -> Answer {
    first_run_step(app, move |_, flow| flow.confirm_key(&f.group)).await
}

// --- Screens -----------------------------------------------------------------

/// A list's page query: `after=<ms>:<id>`, the cursor the previous page
/// gave (none: the first page).
#[derive(Deserialize)]
struct AfterQuery {
    after: Option<String>,
}

impl AfterQuery {
    fn cursor(&self) -> Result<Option<PageCursor>, Error> {
        let Some(after) = self.after.as_deref().filter(|a| !a.is_empty()) else {
            return Ok(None);
        };
        let (ms, id) = after
            .split_once(':')
            .ok_or_else(|| Error::invalid("after", "expected <ms>:<id>"))?;
        Ok(Some(PageCursor {
            ms: number("after", ms)?,
            id: id.to_owned(),
        }))
    }
}

async fn journal(State(app): State<App>, Query(q): Query<AfterQuery>) -> PageResult {
    let after = q.cursor()?;
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::journal(core, after.as_ref(), &csrf))
            .await?,
    ))
}

#[derive(Deserialize)]
struct JournalForm {
    text: String,
    #[serde(default)]
    mood: String,
    #[serde(default)]
    tags: String,
}

impl JournalForm {
    fn input(&self) -> Result<JournalInput, Error> {
        Ok(JournalInput {
            text: self.text.clone(),
            mood: optional_number("mood", &self.mood)?,
            tags: labels(&self.tags),
        })
    }
}

async fn add_journal(State(app): State<App>, Posted(f): Posted<JournalForm>) -> Done {
    let input = f.input()?;
    app.run(move |core| core.journal().add(input)).await?;
    Ok(Redirect::to("/journal"))
}

async fn journal_entry(State(app): State<App>, Path(id): Path<String>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .run(move |core| {
            let e = core.journal().get(&id)?;
            let shared = !core.sharing().shared_in(&id)?.is_empty();
            Ok(render::journal_edit(&e, shared, &csrf))
        })
        .await?;
    Ok(Html(html))
}

async fn edit_journal(
    State(app): State<App>,
    Path(id): Path<String>,
    Posted(f): Posted<JournalForm>,
) -> Done {
    let input = f.input()?;
    app.run(move |core| core.journal().edit(&id, input)).await?;
    Ok(Redirect::to("/journal"))
}

/// A form with a button and nothing else.
#[derive(Deserialize)]
struct Button {}

async fn share_journal(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.run(move |core| core.sharing().share(ShareKind::Journal, &id, None))
        .await?;
    Ok(Redirect::to("/journal"))
}

async fn unshare_journal(
    State(app): State<App>,
    Path(id): Path<String>,
    _: Posted<Button>,
) -> Done {
    app.run(move |core| core.sharing().unshare(ShareKind::Journal, &id, None))
        .await?;
    Ok(Redirect::to("/journal"))
}

async fn craving(State(app): State<App>, Query(q): Query<AfterQuery>) -> PageResult {
    let after = q.cursor()?;
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::cravings(core, after.as_ref(), &csrf))
            .await?,
    ))
}

#[derive(Deserialize)]
struct CravingForm {
    trigger: String,
    intensity: String,
    #[serde(default)]
    situation: String,
    #[serde(default)]
    helped: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

async fn add_craving(State(app): State<App>, Posted(f): Posted<CravingForm>) -> Done {
    let input = CravingInput {
        trigger: f.trigger,
        intensity: number("intensity", &f.intensity)?,
        situation: labels(&f.situation),
        helped: labels(&f.helped),
        outcome: match f.outcome.as_str() {
            "resisted" => Some(Outcome::Resisted),
            "used" => Some(Outcome::Used),
            _ => None,
        },
        note: f.note,
        at: None,
    };
    app.run(move |core| core.cravings().add(input)).await?;
    Ok(Redirect::to("/"))
}

async fn share_craving(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.run(move |core| core.sharing().share(ShareKind::Craving, &id, None))
        .await?;
    Ok(Redirect::to("/craving"))
}

async fn checkin(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::checkin(core, &csrf)).await?,
    ))
}

#[derive(Deserialize)]
struct CheckinForm {
    mood: String,
    craving: String,
    #[serde(default)]
    used: Option<String>,
    #[serde(default)]
    note: String,
}

async fn save_checkin(State(app): State<App>, Posted(f): Posted<CheckinForm>) -> Done {
    let input = CheckInInput {
        mood: number("mood", &f.mood)?,
        craving: number("craving", &f.craving)?,
        used: f.used.is_some(),
        note: f.note,
    };
    app.run(move |core| core.checkins().check_in(input)).await?;
    Ok(Redirect::to("/"))
}

async fn goals(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::goals(core, &csrf)).await?,
    ))
}

#[derive(Deserialize)]
struct GoalForm {
    title: String,
    #[serde(default)]
    why: String,
}

async fn add_goal(State(app): State<App>, Posted(f): Posted<GoalForm>) -> Done {
    let input = GoalInput {
        title: f.title,
        why: f.why,
        target: None,
    };
    app.run(move |core| core.goals().add(input)).await?;
    Ok(Redirect::to("/goals"))
}

#[derive(Deserialize)]
struct TitleForm {
    title: String,
}

async fn add_milestone(
    State(app): State<App>,
    Path(id): Path<String>,
    Posted(f): Posted<TitleForm>,
) -> Done {
    app.run(move |core| core.goals().add_milestone(&id, &f.title))
        .await?;
    Ok(Redirect::to("/goals"))
}

async fn milestone_done(
    State(app): State<App>,
    Path((id, mid)): Path<(String, String)>,
    _: Posted<Button>,
) -> Done {
    app.run(move |core| core.goals().set_milestone_done(&id, &mid, true))
        .await?;
    Ok(Redirect::to("/goals"))
}

async fn milestone_undo(
    State(app): State<App>,
    Path((id, mid)): Path<(String, String)>,
    _: Posted<Button>,
) -> Done {
    app.run(move |core| core.goals().set_milestone_done(&id, &mid, false))
        .await?;
    Ok(Redirect::to("/goals"))
}

async fn share_goal(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.run(move |core| core.sharing().share(ShareKind::Goal, &id, None))
        .await?;
    Ok(Redirect::to("/goals"))
}

async fn insights(State(app): State<App>) -> PageResult {
    Ok(Html(app.run(screens::insights).await?))
}

async fn notes(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::notes(core, &csrf)).await?,
    ))
}

#[derive(Deserialize)]
struct NoteForm {
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    pair: String,
}

async fn add_note(State(app): State<App>, Posted(f): Posted<NoteForm>) -> Done {
    let note = app
        .run(move |core| {
            let pair = (!f.pair.is_empty()).then_some(f.pair.as_str());
            core.notes().create(pair, &f.title, &f.body)
        })
        .await?;
    Ok(Redirect::to(&format!("/notes/{}", note.id)))
}

async fn note(State(app): State<App>, Path(id): Path<String>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .run(move |core| Ok(render::note(&core.notes().get(&id)?, &csrf)))
        .await?;
    Ok(Html(html))
}

#[derive(Deserialize)]
struct BodyForm {
    body: String,
}

async fn edit_note(
    State(app): State<App>,
    Path(id): Path<String>,
    Posted(f): Posted<BodyForm>,
) -> Done {
    let path = format!("/notes/{id}");
    app.run(move |core| core.notes().edit(&id, &f.body)).await?;
    Ok(Redirect::to(&path))
}

/// The Meetings page's query: `pair=<id>` shows one pair's meetings only.
#[derive(Deserialize)]
struct PairQuery {
    pair: Option<String>,
}

async fn meetings(State(app): State<App>, Query(q): Query<PairQuery>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let pair = q.pair.filter(|p| !p.is_empty());
    Ok(Html(
        app.run(move |core| screens::meetings(core, pair.as_deref(), &csrf))
            .await?,
    ))
}

/// A schedule as the Meetings page's form sends it: how often (`once`,
/// `weekly` with the ticked weekdays, `days` with `n`), the date (once) or
/// first day, the local time in the agreed zone, the zone, the kind, the
/// place, and (setting one up, with several pairs) the pair.
#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    pair: String,
    every: String,
    #[serde(default)]
    n: String,
    #[serde(default)]
    mon: Option<String>,
    #[serde(default)]
    tue: Option<String>,
    #[serde(default)]
    wed: Option<String>,
    #[serde(default)]
    thu: Option<String>,
    #[serde(default)]
    fri: Option<String>,
    #[serde(default)]
    sat: Option<String>,
    #[serde(default)]
    sun: Option<String>,
    date: String,
    time: String,
    zone: String,
    kind: String,
    #[serde(default)]
    place: String,
}

impl PlanForm {
    /// The ticked weekdays as the core reads them: `wed,sun`.
    fn days(&self) -> String {
        let ticked = [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ];
        WEEKDAYS
            .iter()
            .zip(ticked)
            .filter(|(_, t)| t.is_some())
            .map(|((name, _), _)| *name)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Every field parsed by the core's parsers; the core checks the rest.
    fn change(&self) -> Result<PlanChange, Error> {
        let date = parse_date("date", &self.date)?;
        let recurrence = match self.every.as_str() {
            "once" => Recurrence::Once { date },
            "weekly" => Recurrence::weekly(&self.days(), date)?,
            "days" => {
                let n = u32::try_from(number("every N days", &self.n)?).map_err(|_| {
                    Error::invalid(
                        "every N days",
                        format!("{:?} is not a number of days", self.n),
                    )
                })?;
                Recurrence::every_days(n, date)?
            }
            _ => {
                return Err(Error::invalid(
                    "how often",
                    "once, every week or every N days",
                ));
            }
        };
        Ok(PlanChange {
            recurrence: Some(recurrence),
            time: Some(parse_time(&self.time)?),
            zone: Some(parse_zone(&self.zone)?),
            kind: Some(MeetingKind::parse(&self.kind)?),
            place: Some(self.place.clone()),
        })
    }
}

async fn schedule_meetings(State(app): State<App>, Posted(f): Posted<PlanForm>) -> Done {
    let change = f.change()?;
    app.run(move |core| {
        let pair = Some(f.pair.as_str()).filter(|p| !p.is_empty());
        core.meetings().schedule(pair, change)
    })
    .await?;
    Ok(Redirect::to("/meetings"))
}

async fn edit_plan(
    State(app): State<App>,
    Path(id): Path<String>,
    Posted(f): Posted<PlanForm>,
) -> Done {
    let change = f.change()?;
    app.run(move |core| core.meetings().edit(&id, change))
        .await?;
    Ok(Redirect::to("/meetings"))
}

async fn end_plan(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.run(move |core| core.meetings().end(&id)).await?;
    Ok(Redirect::to("/meetings"))
}

/// Every live schedule as an iCalendar file, to download.
async fn meetings_ics(State(app): State<App>) -> Answer {
    let ics = app.run(|core| core.meetings().ics()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"meetings.ics\"",
            ),
        ],
        ics,
    )
        .into_response())
}

async fn meeting(State(app): State<App>, Path(id): Path<String>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::meeting(core, &id, &csrf))
            .await?,
    ))
}

/// A mark: `as` is `held`, `missed` or `moved` (then `to` is the new local
/// date and time in the agreed zone, as a `datetime-local` field sends it).
#[derive(Deserialize)]
struct MarkForm {
    #[serde(rename = "as")]
    mark_as: String,
    #[serde(default)]
    to: String,
}

async fn mark_meeting(
    State(app): State<App>,
    Path(id): Path<String>,
    Posted(f): Posted<MarkForm>,
) -> Done {
    let mark_as = match f.mark_as.as_str() {
        "held" => MarkAs::Held,
        "missed" => MarkAs::Missed,
        "moved" => MarkAs::MovedTo(parse_local(&f.to)?),
        _ => return Err(Error::invalid("mark", "held, missed or moved").into()),
    };
    let path = format!("/meetings/{id}");
    app.run(move |core| core.meetings().mark(&id, mark_as, None))
        .await?;
    Ok(Redirect::to(&path))
}

#[derive(Deserialize)]
struct MeetingNoteForm {
    note: String,
}

async fn meeting_note(
    State(app): State<App>,
    Path(id): Path<String>,
    Posted(f): Posted<MeetingNoteForm>,
) -> Done {
    let path = format!("/meetings/{id}");
    app.run(move |core| core.meetings().set_note(&id, &f.note))
        .await?;
    Ok(Redirect::to(&path))
}

/// "Ask to reschedule", from a meeting's record (with a message) or from
/// Today (`back=today`: one tap, then back to Today).
#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    back: String,
}

async fn ask_reschedule(
    State(app): State<App>,
    Path(id): Path<String>,
    Posted(f): Posted<AskForm>,
) -> Done {
    let path = if f.back == "today" {
        "/".to_owned()
    } else {
        format!("/meetings/{id}")
    };
    app.run(move |core| core.meetings().ask_reschedule(&id, &f.text))
        .await?;
    Ok(Redirect::to(&path))
}

async fn pair(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::pairs(core, None, &csrf))
            .await?,
    ))
}

/// The invite code as an SVG QR code.
pub fn qr_svg(code: &str) -> Result<String, Error> {
    let qr = qrcode::QrCode::new(code.as_bytes())
        .map_err(|e| Error::invalid("invite code", format!("cannot be drawn as a QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    // Inline in HTML: without the XML declaration.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |at| svg[at..].to_owned())
        .replacen(
            "<svg",
            r#"<svg role="img" aria-label="Invite code as a QR code""#,
            1,
        ))
}

async fn invite(State(app): State<App>, _: Posted<Button>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .run(move |core| {
            let code = core.pairs().invite()?;
            let svg = qr_svg(&code)?;
            screens::pairs(core, Some((&code, &svg)), &csrf)
        })
        .await?;
    Ok(Html(html))
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

async fn join(State(app): State<App>, Posted(f): Posted<CodeForm>) -> Done {
    app.run(move |core| core.pairs().join(&f.code)).await?;
    Ok(Redirect::to("/mentor"))
}

async fn mentor(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::mentor(core, &csrf)).await?,
    ))
}

async fn acknowledge(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.run(move |core| core.mentor().acknowledge(&id)).await?;
    Ok(Redirect::to("/mentor"))
}

async fn seen(State(app): State<App>, _: Posted<Button>) -> Done {
    app.run(|core| core.screens().mentor_overview(true)).await?;
    Ok(Redirect::to("/mentor"))
}

async fn settings(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.run(move |core| screens::settings(core, &csrf)).await?,
    ))
}

#[derive(Deserialize)]
struct MinutesForm {
    minutes: String,
}

/// The meeting reminder's lead time, in minutes (0: none); the core checks
/// its bounds.
async fn meeting_reminder(State(app): State<App>, Posted(f): Posted<MinutesForm>) -> Done {
    let minutes = u32::try_from(number("meeting reminder", &f.minutes)?)
        .map_err(|_| Error::invalid("meeting reminder", "a number of minutes, 0 for none"))?;
    app.run(move |core| {
        let mut settings = core.settings().get()?;
        settings.meeting_lead_minutes = minutes;
        core.settings().set(&settings)
    })
    .await?;
    Ok(Redirect::to("/settings"))
}

#[derive(Deserialize)]
struct SyncForm {
    #[serde(default)]
    server: String,
}

async fn sync(State(app): State<App>, Posted(f): Posted<SyncForm>) -> Done {
    app.run(move |core| {
        let server = Some(f.server.trim()).filter(|s| !s.is_empty());
        if core.read(|s| s.account())?.is_some() {
            core.sync_now()
        } else {
            core.sync_with(server)
        }
    })
    .await?;
    Ok(Redirect::to("/settings"))
}

async fn export(State(app): State<App>) -> Result<Response, WebError> {
    let json = app.run(|core| core.export()?.to_json()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tandem-export.json\"",
            ),
        ],
        json,
    )
        .into_response())
}

#[derive(Deserialize)]
struct EraseForm {
    #[serde(default)]
    confirm: String,
}

async fn erase(State(app): State<App>, Posted(f): Posted<EraseForm>) -> PageResult {
    if f.confirm != "yes" {
        return Err(Error::invalid("confirm", "tick the box to confirm").into());
    }
    let report = app.erase().await?;
    let server = match &report.server {
        None => "This device did not sync, so no server held anything.".to_owned(),
        Some(tandem_core::erase::ServerErasure::Deleted { server, .. }) => {
            format!("{server} deleted the account.")
        }
        Some(tandem_core::erase::ServerErasure::Failed { server, reason }) => {
            format!("{server} could not be asked to delete the account ({reason}).")
        }
    };
    Ok(Html(render::message(
        "Everything was deleted",
        &format!(
            "{} files were removed from this device. {server} You can close this tab.",
            report.removed.len()
        ),
    )))
}
