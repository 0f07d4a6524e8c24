//! `settings` and `notifications`: this device's settings, and the discreet
//! notifications they shape.

use tandem_core::settings::{AppName, Settings};
use tandem_core::{App, notify};

use crate::home::err;
use crate::output::{Reply, lines};

/// The settings `settings` was asked to change.
pub struct Changes {
    /// `--lock-after`.
    pub lock_after: Option<u32>,
    /// `--app-name`.
    pub app_name: Option<String>,
    /// `--reminder-hour`.
    pub reminder_hour: Option<String>,
    /// `--meeting-lead`.
    pub meeting_lead: Option<u32>,
    /// `--pair-activity`.
    pub pair_activity: Option<String>,
}

/// `settings`: shows the settings, changing those given first.
pub fn settings(app: &App, changes: Changes) -> Result<Reply, String> {
    let Changes {
        lock_after,
        app_name,
        reminder_hour,
        meeting_lead,
        pair_activity,
    } = changes;
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
    if let Some(on) = pair_activity {
        settings.pair_activity_notices = match on.as_str() {
            "on" => true,
            "off" => false,
            _ => return Err("invalid pair activity: on or off".into()),
        };
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

/// `notifications`: those due now, worded as the phone would show them
/// (with `announce`, remembered as shown).
pub fn notifications(app: &App, announce: bool) -> Result<Reply, String> {
    let name = app.settings().get().map_err(err)?.app_name;
    let due = if announce {
        app.settings().announce()
    } else {
        app.settings().due_notices()
    };
    let due: Vec<_> = due
        .map_err(err)?
        .into_iter()
        .map(|n| notify::text(n, name))
        .collect();
    Reply::new(&due, lines(&due, |n| format!("{}: {}", n.title, n.body)))
}
