//! `craving …`: the trigger and craving log.

use serde_json::json;
use tandem_core::craving::{CravingEntry, CravingInput, Outcome};
use tandem_core::{App, Page};

use crate::args::CravingCommand;
use crate::commands::share::with_sharing;
use crate::home::err;
use crate::output::{Reply, lines, local_time, with_id};

/// Runs one `craving` command.
pub fn run(app: &App, cmd: CravingCommand) -> Result<Reply, String> {
    match cmd {
        CravingCommand::Add {
            trigger,
            intensity,
            situation,
            helped,
            outcome,
            note,
            at,
        } => {
            let outcome = outcome
                .map(|o| o.parse::<Outcome>())
                .transpose()
                .map_err(err)?;
            let c = app
                .cravings()
                .add(CravingInput {
                    trigger,
                    intensity,
                    situation,
                    helped,
                    outcome,
                    note,
                    at,
                })
                .map_err(err)?;
            Reply::new(&c, format!("Logged {}", c.id))
        }
        CravingCommand::List(l) => {
            let cs = app.cravings().page(&Page::first(l.limit)).map_err(err)?;
            Reply::new(&cs, lines(&cs, list_line))
        }
        CravingCommand::Show { id } => {
            let c = app.cravings().get(&id).map_err(err)?;
            let (out, notice) = with_sharing(app, &c, &c.id)?;
            Ok(Reply::json(out, format!("{}{notice}", craving_text(&c))))
        }
        CravingCommand::Delete { id } => {
            app.cravings().delete(&id).map_err(err)?;
            let out = with_id(&id, json!({ "deleted": true }));
            Ok(Reply::json(out, format!("Deleted {id}")))
        }
    }
}

/// One craving in a list.
fn list_line(c: &CravingEntry) -> String {
    format!(
        "{}  {}  {}/10  {}{}",
        c.id,
        local_time(c.at_ms, &c.tz),
        c.intensity,
        c.trigger,
        c.outcome
            .map(|o| format!("  ({})", o.as_str()))
            .unwrap_or_default()
    )
}

/// One craving whole.
fn craving_text(c: &CravingEntry) -> String {
    format!(
        "{}  intensity {}/10\ntrigger: {}\nsituation: {}\nhelped: {}\noutcome: {}\n{}",
        local_time(c.at_ms, &c.tz),
        c.intensity,
        c.trigger,
        c.situation.join(", "),
        c.helped.join(", "),
        c.outcome.map(|o| o.as_str()).unwrap_or("-"),
        c.note
    )
}
