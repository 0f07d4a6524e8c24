//! What a change touched: the [`Area`]s of the app a write or a sync
//! altered, named from the documents it changed. The store records them as
//! it writes; the app's screens map each area to what they redraw. Knows
//! documents, not screens.

use serde::{Deserialize, Serialize};

use crate::document::{DocId, DocKind};

/// A part of the app's data that a write or a sync can change. After each
/// call the store is asked which areas changed
/// ([`Store::take_changed`](crate::Store::take_changed)); only the screens
/// that show them are redrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// The Today screen (clean time, today's counts and check-in).
    Today,
    /// The journal list.
    Journal,
    /// The craving log.
    Cravings,
    /// The insights charts.
    Insights,
    /// Goals and milestones.
    Goals,
    /// Shared notes.
    Notes,
    /// A pair's meeting schedules and the record of each meeting.
    Meetings,
    /// Pairs and what each side shows the other.
    Pairs,
    /// The mentor's overview (what mentees shared, reach-outs).
    Overview,
    /// This person's devices.
    Devices,
    /// Device settings.
    Settings,
    /// The sync status.
    Sync,
}

impl Area {
    /// Every area: what a listener is told first, to draw the current state.
    pub const ALL: &'static [Area] = &[
        Area::Today,
        Area::Journal,
        Area::Cravings,
        Area::Insights,
        Area::Goals,
        Area::Notes,
        Area::Meetings,
        Area::Pairs,
        Area::Overview,
        Area::Devices,
        Area::Settings,
        Area::Sync,
    ];

    /// The areas a change to document `doc_id` can alter.
    pub fn of(doc_id: &DocId) -> &'static [Area] {
        let in_pair = doc_id.pair_space().is_some();
        match doc_id.kind() {
            Ok(DocKind::Profile) => &[Area::Today],
            Ok(DocKind::Journal) => &[Area::Today, Area::Journal],
            Ok(DocKind::Cravings) => &[Area::Today, Area::Cravings, Area::Insights],
            Ok(DocKind::CheckIns) => &[Area::Today, Area::Insights],
            Ok(DocKind::Goals) if in_pair => &[Area::Today, Area::Goals, Area::Overview],
            Ok(DocKind::Goals) => &[Area::Today, Area::Goals],
            Ok(DocKind::Note) if in_pair => &[Area::Notes, Area::Overview],
            Ok(DocKind::Note) => &[Area::Notes],
            Ok(DocKind::Keyring) => &[Area::Pairs, Area::Overview],
            Ok(DocKind::Shared | DocKind::ReachOuts) => &[Area::Overview],
            Ok(DocKind::People) => &[Area::Pairs, Area::Overview],
            Ok(DocKind::Devices) => &[Area::Devices],
            Ok(DocKind::Meetings) => &[Area::Today, Area::Meetings, Area::Overview],
            Err(_) => &[],
        }
    }
}
