//! `tandem`: the terminal client. Drives the same core the phone shells use,
//! so the whole flow can be tried and scripted from a terminal.
//!
//! Global flags: `--home DIR` (or `TANDEM_HOME`) selects the device's store,
//! `--json` prints machine-readable JSON. `TANDEM_NOW` (RFC 3339) pins the
//! clock, for demos and scripted tests. Errors go to stderr as one line and
//! the exit code is non-zero.

mod args;
mod output;
mod run;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
