//! `tandem`: the terminal client. Drives the same core the phone shells use,
//! so the whole flow can be tried and scripted from a terminal.
//!
//! Global flags: `--home DIR` (or `TANDEM_HOME`) selects the device's store,
//! `--json` prints machine-readable JSON. `TANDEM_NOW` (RFC 3339) pins the
//! clock, for demos and scripted tests. Errors go to stderr as one line and
//! the exit code is non-zero.
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
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
