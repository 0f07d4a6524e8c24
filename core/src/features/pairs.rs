//! Pairs: a mentee invites a mentor, the mentor joins, either ends it; the
//! mentee reaches out when it is hard.

use zeroize::Zeroizing;

use crate::error::Result;

mod epochs;
mod logs;
mod pairing;
mod pins;
mod reach_outs;

pub(crate) use epochs::{
    fetch_missing_keys, move_on_when_stuck, next_epoch_key, rotate_after_unlink,
    set_aside_planted_keys,
};
pub(crate) use logs::take_own_entries;
#[doc(hidden)]
pub use logs::{plant_in_pair, write_in_pair};
pub use pairing::{PairView, end, get, invite, join, list, resolve, share_clean_time};
pub(crate) use pairing::{has_live_pairs, note_pair_spaces, publish_to_pairs, refuse_known_space};
pub(crate) use pins::pin_identities;
pub use reach_outs::{acknowledge, reach_out};

/// Confirms the identity the other side of `pair_id` shows now (see
/// [`Pairs::confirm_identity`]).
pub fn confirm_identity(
    store: &mut crate::store::Store,
    pair_id: &str,
    code: &str,
) -> Result<PairView> {
    let pair = resolve(store, Some(pair_id))?;
    pins::confirm(store, &pair.pair_id, pair.side, code)?;
    get(store, &pair.pair_id)
}

super::handle!(
    /// This person's pairs.
    Pairs
);

impl Pairs<'_> {
    /// Creates a pair and its invite; returns the code to show the mentor
    /// (text, and the same payload for a QR code). Reaches the server; the
    /// store is held only between its answers.
    pub fn invite(&self) -> Result<Zeroizing<String>> {
        self.app.on_network(|steps| invite(steps))
    }

    /// Joins a mentee's pair with the code they showed, then syncs.
    pub fn join(&self, code: &str) -> Result<PairView> {
        self.app.on_network(|steps| join(steps, code))
    }

    /// Every pair.
    pub fn list(&self) -> Result<Vec<PairView>> {
        self.app.read(list)
    }

    /// The pair meant by `given` (an id or a unique prefix; with none, the
    /// only live pair).
    pub fn resolve(&self, given: Option<&str>) -> Result<PairView> {
        self.app.read(|s| resolve(s, given))
    }

    /// Ends a pair (the mentee removes the mentor, or the mentor leaves).
    pub fn end(&self, pair_id: &str) -> Result<PairView> {
        self.app.on_network(|steps| end(steps, pair_id))
    }

    /// Confirms the identity the other side of `pair_id` shows now, after
    /// the two compared its safety code (`code`, the pair's
    /// `pending_safety_code`); any other code is refused.
    pub fn confirm_identity(&self, pair_id: &str, code: &str) -> Result<PairView> {
        self.app.write(|s| confirm_identity(s, pair_id, code))
    }

    /// Asks the mentor of `pair_id` (or the only pair) to reach out;
    /// returns the reach-out's id.
    pub fn reach_out(&self, pair_id: Option<&str>, text: &str) -> Result<String> {
        self.app.write(|s| reach_out(s, pair_id, text))
    }
}
