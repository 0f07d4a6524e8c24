//! The mentor's side: what each mentee shared, and their reach-outs.

use crate::error::Result;
use crate::pair::ReachOut;

mod overview;

pub use overview::{Changes, MenteeOverview, SharedCleanTime, overview};

super::handle!(
    /// The mentor's overview of their mentees.
    Mentor
);

impl Mentor<'_> {
    /// Each mentee, what they shared and what changed since the mentor last
    /// looked (`mark_seen` moves that mark to now).
    pub fn overview(&self, mark_seen: bool) -> Result<Vec<MenteeOverview>> {
        self.app.write(|s| overview(s, mark_seen))
    }

    /// Marks a reach-out as seen to.
    pub fn acknowledge(&self, reach_out_id: &str) -> Result<()> {
        self.app
            .write(|s| super::pairs::acknowledge(s, reach_out_id))
    }

    /// The reach-outs in a pair.
    pub fn reach_outs(&self, pair_id: &str) -> Result<Vec<ReachOut>> {
        self.app.read(|s| s.reach_outs(pair_id))
    }
}
