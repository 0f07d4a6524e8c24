//! Shell-side shapes of the few core types uniffi cannot carry as they are
//! (machine-sized counts, fixed arrays, file paths), of the craving input
//! (its time as UTC milliseconds), and their conversions. Nothing here
//! decides anything: each `From` copies fields.

use chrono::{DateTime, NaiveDate};
use tandem_core::craving::{self, Outcome};
use tandem_core::erase::{EraseReport, ServerErasure};
use tandem_core::export::ImportSummary;
use tandem_core::features::devices::DeviceView;
use tandem_core::insights::{self, MoodPoint, StrategyOutcome, TriggerCount, WeeklyIntensity};
use tandem_core::sync::SyncReport;
use tandem_core::{Error, Page};

use crate::error::TandemError;

/// A craving as the person logs it. `at_ms` (UTC milliseconds) is when it
/// happened; none means now.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CravingInput {
    /// What set it off.
    pub trigger: String,
    /// How strong, 1–10.
    pub intensity: i64,
    /// Where, with whom, doing what (labels).
    pub situation: Vec<String>,
    /// What helped (labels).
    pub helped: Vec<String>,
    /// How it ended, if known.
    pub outcome: Option<Outcome>,
    /// Anything else.
    pub note: String,
    /// When it happened (UTC ms); none for now.
    pub at_ms: Option<i64>,
}

impl TryFrom<CravingInput> for craving::CravingInput {
    type Error = TandemError;

    fn try_from(c: CravingInput) -> Result<Self, TandemError> {
        let at = match c.at_ms {
            None => None,
            Some(ms) => Some(
                DateTime::from_timestamp_millis(ms)
                    .ok_or_else(|| TandemError::from(Error::invalid("time", "out of range")))?,
            ),
        };
        Ok(craving::CravingInput {
            trigger: c.trigger,
            intensity: c.intensity,
            situation: c.situation,
            helped: c.helped,
            outcome: c.outcome,
            note: c.note,
            at,
        })
    }
}

/// Where the next page of a list starts: the last item's instant and id.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PageCursor {
    /// The last item's instant (UTC ms): `created_ms` of a journal entry,
    /// `at_ms` of a craving.
    pub at_ms: i64,
    /// The last item's id.
    pub id: String,
}

/// The core's page request for `limit` items after `cursor`.
pub(crate) fn page(limit: u32, cursor: Option<PageCursor>) -> Page {
    Page {
        limit,
        before: cursor.map(|c| (c.at_ms, c.id)),
    }
}

/// The Insights screen's series.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Insights {
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: NaiveDate,
    /// Cravings in the period.
    pub cravings: u32,
    /// Cravings per local hour, 24 values from midnight.
    pub by_hour: Vec<u32>,
    /// Cravings per weekday, 7 values from Monday.
    pub by_weekday: Vec<u32>,
    /// Count and average intensity per week.
    pub weekly_intensity: Vec<WeeklyIntensity>,
    /// The most frequent triggers.
    pub top_triggers: Vec<TriggerCount>,
    /// What helped and how often the craving was resisted with it.
    pub what_helped: Vec<StrategyOutcome>,
    /// Mood per day from check-ins.
    pub mood: Vec<MoodPoint>,
}

impl From<insights::Insights> for Insights {
    fn from(i: insights::Insights) -> Self {
        Insights {
            from: i.from,
            to: i.to,
            cravings: i.cravings,
            by_hour: i.by_hour.to_vec(),
            by_weekday: i.by_weekday.to_vec(),
            weekly_intensity: i.weekly_intensity,
            top_triggers: i.top_triggers,
            what_helped: i.what_helped,
            mood: i.mood,
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncReportView {
    /// Changes sent.
    pub pushed: u64,
    /// Records received.
    pub pulled: u64,
    /// New changes applied here.
    pub applied: u64,
    /// Records refused (tampered, misplaced or unreadable).
    pub refused: u64,
    /// Documents installed from snapshots.
    pub from_snapshots: u64,
    /// Spaces whose keys have not arrived yet.
    pub waiting_for_keys: Vec<String>,
}

impl From<SyncReport> for SyncReportView {
    fn from(r: SyncReport) -> Self {
        SyncReportView {
            pushed: r.pushed as u64,
            pulled: r.pulled as u64,
            applied: r.applied as u64,
            refused: r.refused.len() as u64,
            from_snapshots: r.from_snapshots as u64,
            waiting_for_keys: r.waiting_for_keys,
        }
    }
}

/// What an import restored.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ImportSummaryView {
    /// Documents restored.
    pub documents: u64,
    /// Changes applied across them.
    pub changes: u64,
}

impl From<ImportSummary> for ImportSummaryView {
    fn from(s: ImportSummary) -> Self {
        ImportSummaryView {
            documents: s.documents as u64,
            changes: s.changes as u64,
        }
    }
}

/// What the server did when asked to delete the account.
#[uniffi::remote(Enum)]
pub enum ServerErasure {
    /// The account is gone, with every space it alone owned.
    Deleted {
        server: String,
        spaces_deleted: u32,
        spaces_left: u32,
    },
    /// The server could not be asked; the account is still there.
    Failed { server: String, reason: String },
}

/// What erasing removed.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EraseReportView {
    /// Files removed.
    pub removed: Vec<String>,
    /// Files that could not be removed, with why.
    pub not_removed: Vec<String>,
    /// The server's part, if this device synced.
    pub server: Option<ServerErasure>,
}

impl From<EraseReport> for EraseReportView {
    fn from(r: EraseReport) -> Self {
        EraseReportView {
            removed: r.removed.iter().map(|p| p.display().to_string()).collect(),
            not_removed: r
                .not_removed
                .iter()
                .map(|(p, why)| format!("{}: {why}", p.display()))
                .collect(),
            server: r.server,
        }
    }
}

/// A device that was unlinked, and the person's new recovery key (the old
/// one was replaced so that the unlinked device cannot use it).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Unlinked {
    /// The device.
    pub device: DeviceView,
    /// The new recovery key: show it once.
    pub recovery_key: String,
}

/// What a restore from a recovery key brought back.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Restored {
    /// The sync that brought the data.
    pub report: SyncReportView,
    /// The new recovery key (the one used is spent): show it once.
    pub recovery_key: String,
}
