//! `note …`: notes, private or shared with a pair.

use serde_json::json;
use tandem_core::Store;

use crate::args::NoteCommand;
use crate::home::err;
use crate::output::{Reply, lines};

/// Runs one `note` command.
pub fn run(s: &mut Store, cmd: NoteCommand) -> Result<Reply, String> {
    match cmd {
        NoteCommand::New { pair, title, text } => new(s, pair, &title, &text),
        NoteCommand::Edit { id, text } => {
            let n = s.edit_note(&id, &text).map_err(err)?;
            Reply::new(&n, format!("Saved note {}", n.id))
        }
        NoteCommand::Show { id } => {
            let n = s.note(&id).map_err(err)?;
            Reply::new(&n, format!("{}\n\n{}", n.title, n.body))
        }
        NoteCommand::List => {
            let ns = s.notes().map_err(err)?;
            Reply::new(&ns, lines(&ns, |n| format!("{}  {}", n.id, n.title)))
        }
    }
}

/// `note new`: in the pair named, or in the only live pair, else private.
fn new(s: &mut Store, pair: Option<String>, title: &str, text: &str) -> Result<Reply, String> {
    let live = s
        .pairs()
        .map_err(err)?
        .into_iter()
        .filter(|p| !p.ended)
        .count();
    let pair = match (pair, live) {
        (Some(p), _) => Some(s.resolve_pair(Some(&p)).map_err(err)?.pair_id),
        (None, 1) => Some(s.resolve_pair(None).map_err(err)?.pair_id),
        (None, _) => None,
    };
    let n = s
        .create_note_in(pair.as_deref(), title, text)
        .map_err(err)?;
    let mut out = serde_json::to_value(&n).map_err(|e| e.to_string())?;
    out["pair"] = json!(pair);
    let said = match &pair {
        Some(p) => format!("Created note {} shared with pair {}", n.id, &p[..8]),
        None => format!("Created note {}", n.id),
    };
    Ok(Reply::json(out, said))
}
