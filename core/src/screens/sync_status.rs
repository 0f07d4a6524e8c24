//! The Sync status screen, and the summary of it that Today shows.

use serde::{Deserialize, Serialize};

use crate::App;
use crate::error::Result;
use crate::sync::SyncStatus;

/// The sync status in brief, for a badge on Today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    /// Whether this device syncs with a server at all.
    pub connected: bool,
    /// When the last sync succeeded (UTC ms).
    pub last_success_ms: Option<i64>,
    /// Local changes the server has not acknowledged yet.
    pub pending_changes: u64,
    /// Whether the last try failed (the full screen has the details).
    pub failing: bool,
}

impl From<&SyncStatus> for SyncSummary {
    fn from(s: &SyncStatus) -> Self {
        SyncSummary {
            connected: s.server.is_some(),
            last_success_ms: s.last_success_ms,
            pending_changes: s.pending_changes,
            failing: s.failures > 0,
        }
    }
}

/// The Sync status screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatusScreen {
    /// Whether this device syncs with a server (if not, the screen offers
    /// the connect flow).
    pub connected: bool,
    /// The full status: server, last success and try, failures, pending
    /// and refused changes, the next automatic try.
    pub status: SyncStatus,
}

impl SyncStatusScreen {
    pub(crate) fn load(app: &App) -> Result<SyncStatusScreen> {
        let status = app.sync_status()?;
        Ok(SyncStatusScreen {
            connected: status.server.is_some(),
            status,
        })
    }
}
