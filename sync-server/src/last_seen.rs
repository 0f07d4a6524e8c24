//! When each device last called, to the day: remembered in memory so that
//! the database is written at most once a day per device and process.

use std::collections::HashSet;
use std::sync::Mutex;

/// The devices already recorded as seen today.
#[derive(Debug, Default)]
pub struct LastSeen {
    today: Mutex<(i64, HashSet<String>)>,
}

impl LastSeen {
    /// Whether `device_id` should be written as seen on the day starting at
    /// `day_ms`: true the first time each day (the caller then writes it).
    /// The set starts over when the day changes, so it holds at most the
    /// devices seen in one day.
    pub fn first_today(&self, device_id: &str, day_ms: i64) -> bool {
        let mut today = self.today.lock().unwrap_or_else(|e| e.into_inner());
        if today.0 != day_ms {
            *today = (day_ms, HashSet::new());
        }
        today.1.insert(device_id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_written_once_a_day() {
        let seen = LastSeen::default();
        assert!(seen.first_today("a", 0));
        assert!(!seen.first_today("a", 0));
        assert!(seen.first_today("b", 0));
        assert!(seen.first_today("a", 86_400_000));
        assert!(!seen.first_today("a", 86_400_000));
    }
}
