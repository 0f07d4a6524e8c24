//! Clean-time tracks: what a person stays away from, and since when.

use chrono::NaiveDate;

use crate::error::Result;
use crate::person::Person;
use crate::track::TrackStats;

super::handle!(
    /// Clean-time tracks and the person's time zone they count in.
    Tracks
);

impl Tracks<'_> {
    /// Starts counting clean time on a new track from `since`.
    pub fn add(&self, name: &str, since: NaiveDate) -> Result<TrackStats> {
        self.app.write(|s| s.add_track(name, since))
    }

    /// Records a reset: clean time counts again from `date`.
    pub fn reset(&self, id: &str, date: NaiveDate, note: &str) -> Result<TrackStats> {
        self.app.write(|s| s.reset_track(id, date, note))
    }

    /// Every track with its clean time.
    pub fn list(&self) -> Result<Vec<TrackStats>> {
        self.app.read(|s| s.tracks())
    }

    /// Changes the time zone clean time is counted in (after a move).
    pub fn set_timezone(&self, timezone: &str) -> Result<Person> {
        self.app.write(|s| s.set_timezone(timezone))
    }
}
