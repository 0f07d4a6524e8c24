//! Daily check-ins: mood and craving level, once a day.

use crate::checkin::{CheckIn, CheckInInput};
use crate::error::Result;

super::handle!(
    /// The daily check-ins of the person on this device.
    CheckIns
);

impl CheckIns<'_> {
    /// Records (or redoes) today's check-in.
    pub fn check_in(&self, input: CheckInInput) -> Result<CheckIn> {
        self.app.write(|s| s.check_in(input))
    }
}
