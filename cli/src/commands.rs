//! The commands, one module per group as [`crate::args`] groups them. Each
//! command does its work through the core's [`App`] and hands back a
//! [`Reply`]; [`run`] sends it to the one renderer.

pub mod checkin;
pub mod craving;
pub mod device;
pub mod export;
pub mod goal;
pub mod insights;
pub mod journal;
pub mod lock;
pub mod meet;
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
pub mod wakeup;

use tandem_core::App;

use crate::args::{Cli, Command};
use crate::home::Home;
use crate::output::{Reply, render};

/// Runs the command and prints what it says.
pub fn run(cli: Cli) -> Result<(), String> {
    let home = Home::find(cli.home)?;
    let reply = dispatch(cli.command, &home)?;
    render(reply, cli.json)
}

/// Runs one command against the app in `home`. Lock, unlock and erase
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
    if let Command::Rekey = command {
        return lock::rekey(home.open_store()?, home);
    }
    let app = home.open()?;
    match command {
        Command::Erase { .. } => lock::erase(&app, home),
        command => on_app(&app, command),
    }
}

/// The commands that work on the open app and leave it open.
fn on_app(app: &App, command: Command) -> Result<Reply, String> {
    match command {
        Command::Init { name, timezone } => setup::init(app, &name, &timezone),
        Command::Timezone { timezone } => setup::timezone(app, &timezone),
        Command::Track(cmd) => track::run(app, cmd),
        Command::Today => today::today(app),
        Command::Journal(cmd) => journal::run(app, cmd),
        Command::Craving(cmd) => craving::run(app, cmd),
        Command::Checkin {
            mood,
            craving,
            used,
            note,
        } => checkin::check_in(app, mood, craving, used, note),
        Command::Goal(cmd) => goal::run(app, cmd),
        Command::Note(cmd) => note::run(app, cmd),
        Command::Meet(cmd) => meet::run(app, cmd),
        Command::Insights { days } => insights::insights(app, days),
        Command::Export { format, out } => export::export(app, format, out),
        Command::Import { file } => export::import(app, &file),
        Command::Sync { server } => sync::sync(app, server),
        Command::Device(cmd) => device::run(app, cmd),
        Command::Pair(cmd) => pair::run(app, cmd),
        Command::Share(args) => share::share(app, args, true),
        Command::Unshare(args) => share::share(app, args, false),
        Command::ReachOut { pair, text } => mentor::reach_out(app, pair.as_deref(), &text),
        Command::Mentor(cmd) => mentor::run(app, cmd),
        Command::Settings {
            lock_after,
            app_name,
            reminder_hour,
            meeting_lead,
            pair_activity,
        } => settings::settings(
            app,
            settings::Changes {
                lock_after,
                app_name,
                reminder_hour,
                meeting_lead,
                pair_activity,
            },
        ),
        Command::Notifications { announce } => settings::notifications(app, announce),
        Command::Wakeup(cmd) => wakeup::run(app, cmd),
        Command::Lock
        | Command::Unlock
        | Command::Erase { .. }
        | Command::Rekey
        | Command::Ui { .. } => unreachable!("dispatched before the app is lent"),
    }
}
