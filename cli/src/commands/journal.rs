//! `journal …`: the private journal.

use serde_json::json;
use tandem_core::journal::{JournalEntry, JournalInput};
use tandem_core::{App, Page};

use crate::args::JournalCommand;
use crate::commands::share::with_sharing;
use crate::home::err;
use crate::output::{Reply, lines, local_time, with_id};

/// Runs one `journal` command.
pub fn run(app: &App, cmd: JournalCommand) -> Result<Reply, String> {
    match cmd {
        JournalCommand::Add { text, mood, tags } => {
            let j = app
                .journal()
                .add(JournalInput { text, mood, tags })
                .map_err(err)?;
            Reply::new(&j, format!("Saved {}", j.id))
        }
        JournalCommand::List(l) => {
            let js = app.journal().page(&Page::first(l.limit)).map_err(err)?;
            let text = lines(&js, |j| {
                let first = j.text.lines().next().unwrap_or_default();
                format!("{}  {}  {}", j.id, local_time(j.created_ms, &j.tz), first)
            });
            Reply::new(&js, text)
        }
        JournalCommand::Show { id } => {
            let j = app.journal().get(&id).map_err(err)?;
            let (out, notice) = with_sharing(app, &j, &j.id)?;
            Ok(Reply::json(out, format!("{}{notice}", entry_text(&j))))
        }
        JournalCommand::Edit {
            id,
            text,
            mood,
            tags,
        } => {
            let j = app
                .journal()
                .edit(&id, JournalInput { text, mood, tags })
                .map_err(err)?;
            Reply::new(&j, format!("Saved {}", j.id))
        }
        JournalCommand::Delete { id } => {
            app.journal().delete(&id).map_err(err)?;
            let out = with_id(&id, json!({ "deleted": true }));
            Ok(Reply::json(out, format!("Deleted {id}")))
        }
    }
}

/// One entry for people: when, mood and tags, then the text.
fn entry_text(j: &JournalEntry) -> String {
    format!(
        "{}{}{}\n\n{}",
        local_time(j.created_ms, &j.tz),
        j.mood.map(|m| format!("  mood {m}/5")).unwrap_or_default(),
        if j.tags.is_empty() {
            String::new()
        } else {
            format!("  #{}", j.tags.join(" #"))
        },
        j.text
    )
}
