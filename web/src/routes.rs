//! One handler per page and per form. A page is one core call (or a few
//! reads) rendered by [`render`]; a form is one core write followed by a
//! redirect to the page that shows it (so a reload never posts twice).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_core::checkin::CheckInInput;
use tandem_core::craving::{CravingInput, Outcome};
use tandem_core::features::sharing::ShareKind;
use tandem_core::goal::GoalInput;
use tandem_core::journal::JournalInput;
use tandem_core::{Error, ErrorKind, Page};

use crate::guard::{self, Posted};
use crate::{App, render, screens};

/// A core error as a page, with a status that fits its kind.
#[derive(Debug)]
pub struct WebError(pub Error);

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        WebError(e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match self.0.kind() {
            ErrorKind::Validation => StatusCode::BAD_REQUEST,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::NotInitialized | ErrorKind::AlreadyInitialized | ErrorKind::NoServer => {
                StatusCode::CONFLICT
            }
            ErrorKind::Locked => StatusCode::LOCKED,
            ErrorKind::Network | ErrorKind::Server => StatusCode::BAD_GATEWAY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Html(render::error(&self.0.to_string()))).into_response()
    }
}

type PageResult = Result<Html<String>, WebError>;
type Done = Result<Redirect, WebError>;

/// Every route, behind the guard.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(today))
        .route("/style.css", get(style))
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
        .route("/pair", get(pair))
        .route("/pair/invite", post(invite))
        .route("/pair/join", post(join))
        .route("/mentor", get(mentor))
        .route("/mentor/ack/{id}", post(acknowledge))
        .route("/mentor/seen", post(seen))
        .route("/settings", get(settings))
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

async fn today(State(app): State<App>) -> PageResult {
    Ok(Html(app.with(screens::today).await?))
}

/// The journal's page query: `before=<ms>:<id>` of the last entry shown.
#[derive(Deserialize)]
struct JournalQuery {
    before: Option<String>,
}

async fn journal(State(app): State<App>, Query(q): Query<JournalQuery>) -> PageResult {
    let before = match q.before.as_deref().and_then(|b| b.split_once(':')) {
        Some((ms, id)) => Some((number("before", ms)?, id.to_owned())),
        None => None,
    };
    let csrf = app.guard.csrf().to_owned();
    Ok(Html(
        app.with(move |s| screens::journal(s, before, &csrf))
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
    app.with(move |s| s.add_journal(input)).await?;
    Ok(Redirect::to("/journal"))
}

async fn journal_entry(State(app): State<App>, Path(id): Path<String>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| {
            let e = s.journal_entry(&id)?;
            let shared = !s.shared_in(&id)?.is_empty();
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
    app.with(move |s| s.edit_journal(&id, input)).await?;
    Ok(Redirect::to("/journal"))
}

/// A form with a button and nothing else.
#[derive(Deserialize)]
struct Button {}

async fn share_journal(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.with(move |s| tandem_core::features::sharing::share(s, ShareKind::Journal, &id, None))
        .await?;
    Ok(Redirect::to("/journal"))
}

async fn unshare_journal(
    State(app): State<App>,
    Path(id): Path<String>,
    _: Posted<Button>,
) -> Done {
    app.with(move |s| tandem_core::features::sharing::unshare(s, ShareKind::Journal, &id, None))
        .await?;
    Ok(Redirect::to("/journal"))
}

async fn craving(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| {
            let recent = s.cravings_page(&Page::first(10))?;
            Ok(render::craving(
                &recent,
                tandem_core::features::sharing::can_share(&s)?,
                &csrf,
            ))
        })
        .await?;
    Ok(Html(html))
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
    app.with(move |s| s.add_craving(input)).await?;
    Ok(Redirect::to("/"))
}

async fn share_craving(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.with(move |s| tandem_core::features::sharing::share(s, ShareKind::Craving, &id, None))
        .await?;
    Ok(Redirect::to("/craving"))
}

async fn checkin(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| {
            Ok(render::checkin(
                tandem_core::view::today(&s)?.checkin.as_ref(),
                &csrf,
            ))
        })
        .await?;
    Ok(Html(html))
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
    app.with(move |s| s.check_in(input)).await?;
    Ok(Redirect::to("/"))
}

async fn goals(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| {
            let goals = s.goals()?;
            let shared = s.shared_among(goals.iter().map(|g| g.id.as_str()))?;
            let rows: Vec<_> = goals
                .into_iter()
                .map(|g| {
                    let is_shared = shared.contains(&g.id);
                    (tandem_core::view::GoalView::from(&g), is_shared)
                })
                .collect();
            Ok(render::goals(
                &rows,
                tandem_core::features::sharing::can_share(&s)?,
                &csrf,
            ))
        })
        .await?;
    Ok(Html(html))
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
    app.with(move |s| s.add_goal(input)).await?;
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
    app.with(move |s| s.add_milestone(&id, &f.title)).await?;
    Ok(Redirect::to("/goals"))
}

async fn milestone_done(
    State(app): State<App>,
    Path((id, mid)): Path<(String, String)>,
    _: Posted<Button>,
) -> Done {
    app.with(move |s| s.set_milestone_done(&id, &mid, true))
        .await?;
    Ok(Redirect::to("/goals"))
}

async fn milestone_undo(
    State(app): State<App>,
    Path((id, mid)): Path<(String, String)>,
    _: Posted<Button>,
) -> Done {
    app.with(move |s| s.set_milestone_done(&id, &mid, false))
        .await?;
    Ok(Redirect::to("/goals"))
}

async fn share_goal(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.with(move |s| tandem_core::features::sharing::share(s, ShareKind::Goal, &id, None))
        .await?;
    Ok(Redirect::to("/goals"))
}

/// How many days the Insights page covers.
pub const INSIGHT_DAYS: u32 = 90;

async fn insights(State(app): State<App>) -> PageResult {
    let html = app
        .with(|s| Ok(render::insights(&s.insights(INSIGHT_DAYS)?)))
        .await?;
    Ok(Html(html))
}

async fn notes(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| {
            Ok(render::notes(
                &s.notes()?,
                &tandem_core::features::pairs::list(&s)?,
                &csrf,
            ))
        })
        .await?;
    Ok(Html(html))
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
        .with(move |s| {
            let pair = (!f.pair.is_empty()).then_some(f.pair.as_str());
            s.create_note_in(pair, &f.title, &f.body)
        })
        .await?;
    Ok(Redirect::to(&format!("/notes/{}", note.id)))
}

async fn note(State(app): State<App>, Path(id): Path<String>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| Ok(render::note(&s.note(&id)?, &csrf)))
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
    app.with(move |s| s.edit_note(&id, &f.body)).await?;
    Ok(Redirect::to(&path))
}

async fn pair(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| {
            let connected = s.account()?.is_some();
            Ok(render::pair(
                &tandem_core::features::pairs::list(&s)?,
                connected,
                None,
                &csrf,
            ))
        })
        .await?;
    Ok(Html(html))
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
            Ok(render::pair(
                &core.pairs().list()?,
                true,
                Some((&code, &svg)),
                &csrf,
            ))
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
    let html = app
        .with(move |s| {
            Ok(render::mentor(
                &tandem_core::features::mentor::overview(s, false)?,
                &csrf,
            ))
        })
        .await?;
    Ok(Html(html))
}

async fn acknowledge(State(app): State<App>, Path(id): Path<String>, _: Posted<Button>) -> Done {
    app.with(move |s| tandem_core::features::pairs::acknowledge(s, &id))
        .await?;
    Ok(Redirect::to("/mentor"))
}

async fn seen(State(app): State<App>, _: Posted<Button>) -> Done {
    app.with(|s| tandem_core::features::mentor::overview(s, true))
        .await?;
    Ok(Redirect::to("/mentor"))
}

async fn settings(State(app): State<App>) -> PageResult {
    let csrf = app.guard.csrf().to_owned();
    let html = app
        .with(move |s| {
            Ok(render::settings(
                &s.settings()?,
                &tandem_core::sync::engine::status(&s)?,
                &csrf,
            ))
        })
        .await?;
    Ok(Html(html))
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
    let json = app.with(|s| s.export()?.to_json()).await?;
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
