//! `tandem`: the terminal client. Drives the same core the phone shells use,
//! so the whole flow can be tried and scripted from a terminal.
//!
//! Global flags: `--home DIR` (or `TANDEM_HOME`) selects the device's store,
//! `--json` prints machine-readable JSON. `TANDEM_NOW` (RFC 3339) pins the
//! clock, for demos and scripted tests. `TANDEM_CA_FILE` names a PEM file
//! of certificate authorities to trust beside the built-in web roots for
//! the server whose host `TANDEM_CA_HOST` names (a self-hosted server's
//! own authority). Errors go to stderr as one line and the exit
//! code is non-zero.
//!
//! - [`args`]: the command line (a contract: scripts drive it);
//! - [`commands`]: one module per command group, each command handing back
//!   a [`output::Reply`];
//! - [`output`]: the one renderer deciding text or JSON;
//! - [`home`]: the home folder, its key file and lock marker, the app.
//!
//! `tandem ui` links the browser shell (`tandem-web`) only with the `ui`
//! feature, on by default.

mod args;
mod commands;
mod home;
mod output;
mod secret;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    if let Some(path) = std::env::var_os("TANDEM_CA_FILE") {
        let host = std::env::var("TANDEM_CA_HOST").unwrap_or_default();
        let trusted = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|pem| {
                tandem_core::sync::tls::trust_pem(&host, &pem)
                    .map_err(|e| format!("{e} (TANDEM_CA_HOST names the server it is for)"))
            });
        if let Err(e) = trusted {
            eprintln!(
                "error: TANDEM_CA_FILE {}: {e}",
                std::path::Path::new(&path).display()
            );
            return ExitCode::FAILURE;
        }
    }
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
