//! Sharing: which of a mentee's items a pair sees.

use crate::error::Result;
use crate::sync::sharing::ShareKind;

super::handle!(
    /// What is shared into which pair.
    Sharing
);

impl Sharing<'_> {
    /// Shares an item into the pair `pair_id` (or the only pair).
    pub fn share(&self, kind: ShareKind, id: &str, pair_id: Option<&str>) -> Result<()> {
        self.app.write(|s| s.share(kind, id, pair_id))
    }

    /// Stops sharing an item from now on (the other phone may keep the
    /// copy it already synced).
    pub fn unshare(&self, kind: ShareKind, id: &str, pair_id: Option<&str>) -> Result<()> {
        self.app.write(|s| s.unshare(kind, id, pair_id))
    }

    /// The pairs an item is shared in.
    pub fn shared_in(&self, id: &str) -> Result<Vec<String>> {
        self.app.read(|s| s.shared_in(id))
    }

    /// Whether this person has a pair to share into.
    pub fn can_share(&self) -> Result<bool> {
        self.app.read(|s| s.can_share())
    }

    /// Shows (or stops showing) this person's clean time in a pair.
    pub fn share_clean_time(&self, pair_id: &str, on: bool) -> Result<()> {
        self.app.write(|s| s.share_clean_time(pair_id, on))
    }
}
