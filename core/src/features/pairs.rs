//! Pairs: a mentee invites a mentor, the mentor joins, either ends it; the
//! mentee reaches out when it is hard.

use zeroize::Zeroizing;

use crate::error::Result;
use crate::sync::pairing::{self, PairView};

super::handle!(
    /// This person's pairs.
    Pairs
);

impl Pairs<'_> {
    /// Creates a pair and its invite; returns the code to show the mentor
    /// (text, and the same payload for a QR code). Reaches the server; the
    /// store is held only between its answers.
    pub fn invite(&self) -> Result<Zeroizing<String>> {
        self.app.on_network(|steps| pairing::invite(steps))
    }

    /// Joins a mentee's pair with the code they showed, then syncs.
    pub fn join(&self, code: &str) -> Result<PairView> {
        self.app.on_network(|steps| pairing::join(steps, code))
    }

    /// Every pair.
    pub fn list(&self) -> Result<Vec<PairView>> {
        self.app.read(|s| s.pairs())
    }

    /// The pair meant by `given` (an id or a unique prefix; with none, the
    /// only live pair).
    pub fn resolve(&self, given: Option<&str>) -> Result<PairView> {
        self.app.read(|s| s.resolve_pair(given))
    }

    /// Ends a pair (the mentee removes the mentor, or the mentor leaves).
    pub fn end(&self, pair_id: &str) -> Result<PairView> {
        self.app.on_network(|steps| pairing::end(steps, pair_id))
    }

    /// Asks the mentor of `pair_id` (or the only pair) to reach out;
    /// returns the reach-out's id.
    pub fn reach_out(&self, pair_id: Option<&str>, text: &str) -> Result<String> {
        self.app.write(|s| s.reach_out(pair_id, text))
    }
}
