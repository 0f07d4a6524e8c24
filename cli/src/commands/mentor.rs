//! `reach-out` and `mentor …`: a mentee calling on their mentor, and what
//! the mentor sees of their mentees.

use serde_json::json;
use tandem_core::App;
use tandem_core::features::mentor::MenteeOverview;
use tandem_core::words;

use crate::args::MentorCommand;
use crate::home::err;
use crate::output::Reply;

/// `reach-out`: saved, and sent at once when this device is online.
pub fn reach_out(app: &App, pair: Option<&str>, text: &str) -> Result<Reply, String> {
    let id = app.pairs().reach_out(pair, text).map_err(err)?;
    let synced = app.sync_now().is_ok();
    let said = if synced {
        "Your mentor will see this at the top of their list."
    } else {
        "Saved. It goes to your mentor as soon as this phone is online."
    };
    Ok(Reply::json(json!({ "id": id, "synced": synced }), said))
}

/// Runs one `mentor` command.
pub fn run(app: &App, cmd: MentorCommand) -> Result<Reply, String> {
    match cmd {
        MentorCommand::Overview => {
            let o = app.mentor().overview(true).map_err(err)?;
            let text = o.iter().map(overview_text).collect::<Vec<_>>().join("\n");
            Reply::new(&o, text)
        }
        MentorCommand::Ack { id } => {
            app.mentor().acknowledge(&id).map_err(err)?;
            let _ = app.sync_now();
            let out = json!({ "id": id, "acknowledged": true });
            Ok(Reply::json(out, "Acknowledged."))
        }
    }
}

/// One mentee as the mentor sees them: open reach-outs first, then clean
/// time, goals, and what changed since the mentor last looked.
fn overview_text(m: &MenteeOverview) -> String {
    let mut lines = vec![format!(
        "{} (pair {}){}",
        m.name.as_deref().unwrap_or("(not synced yet)"),
        &m.pair_id[..8],
        if m.ended { ", ended" } else { "" }
    )];
    for r in &m.open_reach_outs {
        lines.push(format!("  REACHING OUT ({}): {}", r.id, r.text));
    }
    for t in &m.clean_time {
        lines.push(format!(
            "  {}: {} clean",
            t.name,
            words::count(t.clean_days, "day", "days")
        ));
    }
    for g in &m.goals {
        lines.push(format!(
            "  goal {}: {}/{} milestones",
            g.title,
            g.milestones_done,
            g.milestones.len()
        ));
    }
    lines.push(format!(
        "  {}. {}",
        words::count(m.shared.len() as i64, "shared entry", "shared entries"),
        words::since_last_look(&m.changes)
    ));
    lines.join("\n")
}
