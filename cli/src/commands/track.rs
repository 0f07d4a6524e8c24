//! `track …`: recovery tracks and their clean time.

use tandem_core::Store;

use crate::args::TrackCommand;
use crate::home::err;
use crate::output::{Reply, lines, track_line};

/// Runs one `track` command.
pub fn run(s: &mut Store, cmd: TrackCommand) -> Result<Reply, String> {
    match cmd {
        TrackCommand::Add { name, since } => {
            let t = s.add_track(&name, since).map_err(err)?;
            Reply::new(&t, track_line(&t))
        }
        TrackCommand::Reset { id, date, note } => {
            let t = s.reset_track(&id, date, &note).map_err(err)?;
            Reply::new(&t, track_line(&t))
        }
        TrackCommand::List => {
            let ts = s.tracks().map_err(err)?;
            Reply::new(&ts, lines(&ts, track_line))
        }
    }
}
