//! The commands, one module per group as [`crate::args`] groups them. Each
//! command does its work against the store and hands back a [`Reply`];
//! [`run`] sends it to the one renderer.

pub mod checkin;
pub mod craving;
pub mod device;
pub mod export;
pub mod goal;
pub mod insights;
pub mod journal;
pub mod lock;
pub mod mentor;
pub mod note;
pub mod pair;
pub mod settings;
pub mod setup;
pub mod share;
pub mod sync;
pub mod today;
pub mod track;
pub mod ui;

use tandem_core::Store;

use crate::args::{Cli, Command};
use crate::home::Home;
use crate::output::{Reply, render};

/// Runs the command and prints what it says.
pub fn run(cli: Cli) -> Result<(), String> {
    let home = Home::find(cli.home)?;
    let reply = dispatch(cli.command, &home)?;
    render(reply, cli.json)
}

/// Runs one command against the store in `home`. Lock, unlock and erase
/// work while locked; every other command is refused then.
fn dispatch(command: Command, home: &Home) -> Result<Reply, String> {
    match command {
        Command::Lock => return lock::lock(home),
        Command::Unlock => return lock::unlock(home),
        Command::Erase { yes: false } => return Err(lock::ERASE_UNCONFIRMED.into()),
        Command::Erase { yes: true } => {}
        _ if home.is_locked() => return Err(tandem_core::Error::Locked.to_string()),
        _ => {}
    }
    if let Command::Ui { listen } = command {
        return ui::serve(home, listen).map(|()| Reply::Quiet);
    }
    let mut store = home.open()?;
    match command {
        Command::Erase { .. } => lock::erase(store, home),
        Command::Rekey => lock::rekey(store, home),
        command => on_store(&mut store, command),
    }
}

/// The commands that work on an open store and leave it open.
fn on_store(s: &mut Store, command: Command) -> Result<Reply, String> {
    match command {
        Command::Init { name, timezone } => setup::init(s, &name, &timezone),
        Command::Timezone { timezone } => setup::timezone(s, &timezone),
        Command::Track(cmd) => track::run(s, cmd),
        Command::Today => today::today(s),
        Command::Journal(cmd) => journal::run(s, cmd),
        Command::Craving(cmd) => craving::run(s, cmd),
        Command::Checkin {
            mood,
            craving,
            used,
            note,
        } => checkin::check_in(s, mood, craving, used, note),
        Command::Goal(cmd) => goal::run(s, cmd),
        Command::Note(cmd) => note::run(s, cmd),
        Command::Insights { days } => insights::insights(s, days),
        Command::Export { format, out } => export::export(s, format, out),
        Command::Import { file } => export::import(s, &file),
        Command::Sync { server } => sync::sync(s, server),
        Command::Device(cmd) => device::run(s, cmd),
        Command::Pair(cmd) => pair::run(s, cmd),
        Command::Share(args) => share::share(s, args, true),
        Command::Unshare(args) => share::share(s, args, false),
        Command::ReachOut { pair, text } => mentor::reach_out(s, pair.as_deref(), &text),
        Command::Mentor(cmd) => mentor::run(s, cmd),
        Command::Settings {
            lock_after,
            app_name,
            reminder_hour,
        } => settings::settings(s, lock_after, app_name, reminder_hour),
        Command::Notifications => settings::notifications(s),
        Command::Lock
        | Command::Unlock
        | Command::Erase { .. }
        | Command::Rekey
        | Command::Ui { .. } => unreachable!("dispatched before the store is lent"),
    }
}
