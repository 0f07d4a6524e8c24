//! The Pairs screen: this person's pairs, and whether they can pair.

use serde::Serialize;

use crate::App;
use crate::error::Result;
use crate::features::pairs::PairView;

/// The Pairs screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairsScreen {
    /// Every pair, live and ended.
    pub pairs: Vec<PairView>,
    /// Whether this device syncs, which inviting and joining need (if not,
    /// the screen offers the connect flow first).
    pub can_pair: bool,
    /// No pair yet: the screen shows its empty state.
    pub empty: bool,
}

impl PairsScreen {
    pub(crate) fn load(app: &App) -> Result<PairsScreen> {
        let pairs = app.pairs().list()?;
        Ok(PairsScreen {
            empty: pairs.is_empty(),
            can_pair: app.sync_status()?.server.is_some(),
            pairs,
        })
    }
}
