//! `settings` and `notifications`: this device's settings, and the discreet
//! notifications they shape.

use tandem_core::settings::{AppName, Settings};
use tandem_core::{App, notify};

use crate::home::err;
use crate::output::{Reply, lines};

/// `settings`: shows the settings, changing those given first.
pub fn settings(
    app: &App,
    lock_after: Option<u32>,
    app_name: Option<String>,
    reminder_hour: Option<String>,
    meeting_lead: Option<u32>,
) -> Result<Reply, String> {
    let mut settings = app.settings().get().map_err(err)?;
    if let Some(secs) = lock_after {
        settings.lock_after_secs = secs;
    }
    if let Some(name) = app_name {
        settings.app_name = AppName::parse(&name).map_err(err)?;
    }
    if let Some(hour) = reminder_hour {
        settings.reminder_hour =
            match hour.as_str() {
                "off" => None,
                h => Some(h.parse().map_err(|_| {
                    "invalid reminder hour: an hour from 0 to 23, or off".to_string()
                })?),
            };
    }
    if let Some(minutes) = meeting_lead {
        settings.meeting_lead_minutes = minutes;
    }
    let settings = app.settings().set(&settings).map_err(err)?;
    Reply::new(&settings, settings_text(&settings))
}

fn settings_text(settings: &Settings) -> String {
    format!(
        "Locks after {} s in the background; shown as {}; check-in reminder {}; meeting reminder {}.",
        settings.lock_after_secs,
        settings.app_name.label(),
        settings
            .reminder_hour
            .map_or("off".to_string(), |h| format!("at {h}:00")),
        match settings.meeting_lead_minutes {
            0 => "off".to_string(),
            m => format!("{m} min before"),
        }
    )
}

/// `notifications`: those due now, worded as the phone would show them.
pub fn notifications(app: &App) -> Result<Reply, String> {
    let name = app.settings().get().map_err(err)?.app_name;
    let due: Vec<_> = app
        .settings()
        .due_notices()
        .map_err(err)?
        .into_iter()
        .map(|n| notify::text(n, name))
        .collect();
    Reply::new(&due, lines(&due, |n| format!("{}: {}", n.title, n.body)))
}
