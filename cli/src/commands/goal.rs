//! `goal …`: goals and their milestones.

use serde_json::json;
use tandem_core::App;
use tandem_core::goal::{GoalInput, GoalStatus};
use tandem_core::view::GoalView;

use crate::args::{GoalCommand, MilestoneCommand};
use crate::commands::share::with_sharing;
use crate::home::err;
use crate::output::{Reply, with_id};

/// Runs one `goal` command. All but `list` and `milestone add` answer with
/// the goal as it is now.
pub fn run(app: &App, cmd: GoalCommand) -> Result<Reply, String> {
    let view = match cmd {
        GoalCommand::Add { title, why, target } => app
            .goals()
            .add(GoalInput { title, why, target })
            .map_err(err)?,
        GoalCommand::List => return list(app),
        GoalCommand::Done { id } => app.goals().set_status(&id, GoalStatus::Done).map_err(err)?,
        GoalCommand::Drop { id } => app
            .goals()
            .set_status(&id, GoalStatus::Dropped)
            .map_err(err)?,
        GoalCommand::Reopen { id } => app
            .goals()
            .set_status(&id, GoalStatus::Active)
            .map_err(err)?,
        GoalCommand::Milestone(MilestoneCommand::Add { goal_id, title }) => {
            return add_milestone(app, &goal_id, &title);
        }
        GoalCommand::Milestone(MilestoneCommand::Done {
            goal_id,
            milestone_id,
        }) => app
            .goals()
            .set_milestone_done(&goal_id, &milestone_id, true)
            .map_err(err)?,
        GoalCommand::Milestone(MilestoneCommand::Undo {
            goal_id,
            milestone_id,
        }) => app
            .goals()
            .set_milestone_done(&goal_id, &milestone_id, false)
            .map_err(err)?,
    };
    Reply::new(&view, goal_text(&view))
}

/// `goal list`: each goal with where it is shared.
fn list(app: &App) -> Result<Reply, String> {
    let gs = app.goals().list().map_err(err)?;
    let mut out = Vec::with_capacity(gs.len());
    let mut text = Vec::with_capacity(gs.len());
    for g in &gs {
        let (v, notice) = with_sharing(app, g, &g.id)?;
        out.push(v);
        text.push(format!("{}{notice}", goal_text(g)));
    }
    Reply::new(&out, text.join("\n"))
}

/// `goal milestone add`: the new milestone.
fn add_milestone(app: &App, goal_id: &str, title: &str) -> Result<Reply, String> {
    let (g, mid) = app.goals().add_milestone(goal_id, title).map_err(err)?;
    let title = g
        .milestones
        .iter()
        .find(|m| m.id == mid)
        .map(|m| m.title.clone());
    let out = with_id(
        &mid,
        json!({ "goal_id": g.id, "title": title, "done": false }),
    );
    Ok(Reply::json(
        out,
        format!("Added milestone {mid} to {}", g.title),
    ))
}

/// A goal and its milestones, for people.
fn goal_text(g: &GoalView) -> String {
    let mut s = format!(
        "{}  [{}] {}{}  ({}/{} milestones)",
        g.id,
        g.status.as_str(),
        g.title,
        g.target.map(|t| format!(" (by {t})")).unwrap_or_default(),
        g.milestones_done,
        g.milestones.len()
    );
    for m in &g.milestones {
        s.push_str(&format!(
            "\n    {} [{}] {}",
            m.id,
            if m.done { "x" } else { " " },
            m.title
        ));
    }
    s
}
