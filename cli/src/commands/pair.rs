//! `pair …`: pairs of mentee and mentor.

use serde_json::json;
use tandem_core::Store;
use tandem_core::pair::Side;

use crate::args::PairCommand;
use crate::commands::sync::ensure_connected;
use crate::home::err;
use crate::output::{Reply, lines};

/// Runs one `pair` command.
pub fn run(s: &mut Store, cmd: PairCommand) -> Result<Reply, String> {
    match cmd {
        PairCommand::Invite { server } => invite(s, server.as_deref()),
        PairCommand::Join { code, server } => {
            ensure_connected(s, server.as_deref())?;
            let p = s.pair_join(&code).map_err(err)?;
            let text = format!(
                "You now mentor {} (pair {}).",
                p.other_name.as_deref().unwrap_or("your mentee"),
                &p.pair_id[..8]
            );
            Reply::new(&p, text)
        }
        PairCommand::List => {
            let ps = s.pairs().map_err(err)?;
            let text = lines(&ps, |p| {
                format!(
                    "{}  {} of {}{}",
                    p.pair_id,
                    match p.side {
                        Side::Mentee => "mentee",
                        Side::Mentor => "mentor",
                    },
                    p.other_name.as_deref().unwrap_or("(not synced yet)"),
                    if p.ended { " (ended)" } else { "" }
                )
            });
            Reply::new(&ps, text)
        }
        PairCommand::End { id } => {
            let p = s.end_pair(&id).map_err(err)?;
            Reply::new(
                &p,
                "The pair has ended. What is on this device stays; \
                 the other phone keeps what it already synced.",
            )
        }
    }
}

/// `pair invite`: a code for the mentor, sent to the server before it is shown.
fn invite(s: &mut Store, server: Option<&str>) -> Result<Reply, String> {
    ensure_connected(s, server)?;
    let code = s.pair_invite().map_err(err)?;
    s.sync().map_err(err)?;
    let text = format!(
        "{}\nGive this code to your mentor (read it out, or show it as a QR code). \
         It works once, for 72 hours. It carries the key to what you share: \
         give it to no one else.",
        code.as_str()
    );
    Ok(Reply::json(json!({ "code": code.as_str() }), text))
}
