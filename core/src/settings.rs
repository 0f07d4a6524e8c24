//! This device's settings: how soon the app locks, the name it shows on the
//! home screen and in notifications, and when the check-in reminder comes.
//!
//! Settings belong to one device (a shared tablet may want a different app
//! name than the person's phone), so they live in the store's `meta` table,
//! encrypted with the rest of the store, and are never synced.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The name (and icon) the app shows on the home screen and in notifications.
/// Each value has a matching Android activity-alias and iOS alternate icon
/// (see `docs/privacy.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AppName {
    /// "Tandem".
    #[default]
    Tandem,
    /// "Notes": looks like a notes app.
    Notes,
    /// "Daily": looks like a planner.
    Daily,
    /// "Steps": looks like a fitness app.
    Steps,
}

impl AppName {
    /// Every choice, in the order a settings screen lists them.
    pub const ALL: [AppName; 4] = [
        AppName::Tandem,
        AppName::Notes,
        AppName::Daily,
        AppName::Steps,
    ];

    /// The name as shown.
    pub fn label(self) -> &'static str {
        match self {
            AppName::Tandem => "Tandem",
            AppName::Notes => "Notes",
            AppName::Daily => "Daily",
            AppName::Steps => "Steps",
        }
    }

    /// The name from its label or id, ignoring case.
    pub fn parse(text: &str) -> Result<Self> {
        AppName::ALL
            .into_iter()
            .find(|n| n.label().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| Error::invalid("app name", "choose one of Tandem, Notes, Daily, Steps"))
    }
}

/// A device's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Seconds in the background after which the app locks (0: at once).
    pub lock_after_secs: u32,
    /// The name shown on the home screen and in notifications.
    pub app_name: AppName,
    /// Local hour (0–23) of the daily check-in reminder; `None` turns it off.
    pub reminder_hour: Option<u8>,
    /// How long before a meeting its reminder is due, in minutes (0: none).
    pub meeting_lead_minutes: u32,
    /// Tell of anything new the other side of a pair wrote (a reach-out is
    /// always told of, to a mentor).
    pub pair_activity_notices: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lock_after_secs: 60,
            app_name: AppName::Tandem,
            reminder_hour: Some(20),
            meeting_lead_minutes: MEETING_LEAD_DEFAULT_MINUTES,
            pair_activity_notices: false,
        }
    }
}

/// The longest lock delay a person can choose: one hour.
pub const LOCK_AFTER_MAX_SECS: u32 = 3_600;

/// The meeting reminder's lead time unless the person chose another.
pub const MEETING_LEAD_DEFAULT_MINUTES: u32 = 30;

/// The longest meeting reminder lead time: a day.
pub const MEETING_LEAD_MAX_MINUTES: u32 = 1_440;

impl Settings {
    /// Checks every field's bounds.
    pub fn validate(&self) -> Result<()> {
        if self.lock_after_secs > LOCK_AFTER_MAX_SECS {
            return Err(Error::invalid(
                "lock after",
                format!("at most {LOCK_AFTER_MAX_SECS} seconds"),
            ));
        }
        if self.meeting_lead_minutes > MEETING_LEAD_MAX_MINUTES {
            return Err(Error::invalid(
                "meeting reminder",
                format!("at most {MEETING_LEAD_MAX_MINUTES} minutes before"),
            ));
        }
        if self.reminder_hour.is_some_and(|h| h > 23) {
            return Err(Error::invalid("reminder hour", "an hour from 0 to 23"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_and_names_parse() {
        assert!(Settings::default().validate().is_ok());
        let long = Settings {
            lock_after_secs: LOCK_AFTER_MAX_SECS + 1,
            ..Settings::default()
        };
        assert!(long.validate().is_err());
        let hour = Settings {
            reminder_hour: Some(24),
            ..Settings::default()
        };
        assert!(hour.validate().is_err());
        assert_eq!(AppName::parse("notes").unwrap(), AppName::Notes);
        assert!(AppName::parse("Sober").is_err());
    }
}
