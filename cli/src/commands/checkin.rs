//! `checkin`: today's check-in, saved again to edit it the same day.

use tandem_core::App;
use tandem_core::checkin::CheckInInput;

use crate::home::err;
use crate::output::Reply;

/// `checkin`.
pub fn check_in(
    app: &App,
    mood: i64,
    craving: i64,
    used: bool,
    note: String,
) -> Result<Reply, String> {
    let c = app
        .checkins()
        .check_in(CheckInInput {
            mood,
            craving,
            used,
            note,
        })
        .map_err(err)?;
    Reply::new(&c, format!("Checked in for {}", c.day))
}
