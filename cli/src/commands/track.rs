//! `track …`: recovery tracks and their clean time.

use tandem_core::App;

use crate::args::TrackCommand;
use crate::home::err;
use crate::output::{Reply, lines, track_line};

/// Runs one `track` command.
pub fn run(app: &App, cmd: TrackCommand) -> Result<Reply, String> {
    match cmd {
        TrackCommand::Add { name, since } => {
            let t = app.tracks().add(&name, since).map_err(err)?;
            Reply::new(&t, track_line(&t))
        }
        TrackCommand::Reset { id, date, note } => {
            let t = app.tracks().reset(&id, date, &note).map_err(err)?;
            Reply::new(&t, track_line(&t))
        }
        TrackCommand::List => {
            let ts = app.tracks().list().map_err(err)?;
            Reply::new(&ts, lines(&ts, track_line))
        }
    }
}
