//! `note …`: notes, private or shared with a pair.

use serde_json::json;
use tandem_core::App;

use crate::args::NoteCommand;
use crate::home::err;
use crate::output::{Reply, lines};

/// Runs one `note` command.
pub fn run(app: &App, cmd: NoteCommand) -> Result<Reply, String> {
    match cmd {
        NoteCommand::New { pair, title, text } => new(app, pair, &title, &text),
        NoteCommand::Edit { id, text } => {
            let n = app.notes().edit(&id, &text).map_err(err)?;
            Reply::new(&n, format!("Saved note {}", n.id))
        }
        NoteCommand::Show { id } => {
            let n = app.notes().get(&id).map_err(err)?;
            Reply::new(&n, format!("{}\n\n{}", n.title, n.body))
        }
        NoteCommand::List => {
            let ns = app.notes().list().map_err(err)?;
            Reply::new(&ns, lines(&ns, |n| format!("{}  {}", n.id, n.title)))
        }
    }
}

/// `note new`: in the pair named, or in the only live pair, else private.
fn new(app: &App, pair: Option<String>, title: &str, text: &str) -> Result<Reply, String> {
    let live = app
        .pairs()
        .list()
        .map_err(err)?
        .into_iter()
        .filter(|p| !p.ended)
        .count();
    let pair = match (pair, live) {
        (Some(p), _) => Some(app.pairs().resolve(Some(&p)).map_err(err)?.pair_id),
        (None, 1) => Some(app.pairs().resolve(None).map_err(err)?.pair_id),
        (None, _) => None,
    };
    let n = app
        .notes()
        .create(pair.as_deref(), title, text)
        .map_err(err)?;
    let mut out = serde_json::to_value(&n).map_err(|e| e.to_string())?;
    out["pair"] = json!(pair);
    let said = match &pair {
        Some(p) => format!("Created note {} shared with pair {}", n.id, &p[..8]),
        None => format!("Created note {}", n.id),
    };
    Ok(Reply::json(out, said))
}
