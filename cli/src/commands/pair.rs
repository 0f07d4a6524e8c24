//! `pair …`: pairs of mentee and mentor.

use serde_json::json;
use tandem_core::App;
use tandem_core::pair::Side;

use crate::args::PairCommand;
use crate::home::err;
use crate::output::{Reply, lines};

/// Runs one `pair` command.
pub fn run(app: &App, cmd: PairCommand) -> Result<Reply, String> {
    match cmd {
        PairCommand::Invite { server } => invite(app, server.as_deref()),
        PairCommand::Join { code, server } => {
            let code = crate::secret::from_arg("invite code", code)?;
            app.ensure_connected(server.as_deref()).map_err(err)?;
            let p = app.pairs().join(&code).map_err(err)?;
            let text = format!(
                "You now mentor {} (pair {}).",
                p.other_name.as_deref().unwrap_or("your mentee"),
                &p.pair_id[..8]
            );
            Reply::new(&p, text)
        }
        PairCommand::List => {
            let ps = app.pairs().list().map_err(err)?;
            let text = lines(&ps, |p| {
                let mut warning = if p.unadmitted_members > 0 {
                    format!(
                        "  (WARNING: the server lists {} more member(s) than the two of you; \
                         end this pair if you did not invite them)",
                        p.unadmitted_members
                    )
                } else {
                    String::new()
                };
                if p.identity_mismatch {
                    warning.push_str(
                        "  (WARNING: the other side's identity is not the one this pair \
                         started with; compare safety codes in person or end the pair)",
                    );
                }
                if let Some(code) = &p.safety_code {
                    warning.push_str(&format!("  safety code {code}"));
                }
                format!(
                    "{}  {} of {}{}{}",
                    p.pair_id,
                    match p.side {
                        Side::Mentee => "mentee",
                        Side::Mentor => "mentor",
                    },
                    p.other_name.as_deref().unwrap_or("(not synced yet)"),
                    if p.ended { " (ended)" } else { "" },
                    warning
                )
            });
            Reply::new(&ps, text)
        }
        PairCommand::Verify { id, code } => {
            let p = app.pairs().confirm_identity(&id, &code).map_err(err)?;
            Reply::new(
                &p,
                "Confirmed: this pair trusts the identity you compared. A different one later shows a warning again.",
            )
        }
        PairCommand::End { id } => {
            let p = app.pairs().end(&id).map_err(err)?;
            Reply::new(
                &p,
                "The pair has ended. What is on this device stays; \
                 the other phone keeps what it already synced.",
            )
        }
    }
}

/// `pair invite`: a code for the mentor, sent to the server before it is shown.
fn invite(app: &App, server: Option<&str>) -> Result<Reply, String> {
    app.ensure_connected(server).map_err(err)?;
    let code = app.pairs().invite().map_err(err)?;
    app.sync_now().map_err(err)?;
    let text = format!(
        "{}\nGive this code to your mentor (read it out, or show it as a QR code). \
         It works once, for 72 hours. It carries the key to what you share: \
         give it to no one else.",
        code.as_str()
    );
    Ok(Reply::json(json!({ "code": code.as_str() }), text))
}
