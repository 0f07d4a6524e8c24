//! Erasing everything: a confirmation that says what goes and what stays
//! elsewhere, then the erase.

use std::path::PathBuf;

use serde::Serialize;

use super::not_now;
use crate::App;
use crate::erase::EraseReport;
use crate::error::Result;
use crate::pair::Side;

/// What erasing does, for the confirmation to word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EraseConsequence {
    /// Everything on this device is deleted; it cannot be undone.
    DeletesThisDevice,
    /// The account at the sync server is deleted, with what it relays.
    DeletesServerAccount,
    /// The person's `devices` other devices stop syncing.
    OtherDevicesStopSyncing {
        /// Other linked devices.
        devices: u32,
    },
    /// The mentors in `pairs` pairs keep the copies they already synced of
    /// what was shared.
    MentorsKeepSharedCopies {
        /// Live pairs as mentee.
        pairs: u32,
    },
    /// An export first keeps a copy (the screen offers it).
    ExportFirst,
}

/// Where erasing stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum EraseStep {
    /// Asks to confirm, saying what happens.
    Confirm {
        /// What erasing does.
        consequences: Vec<EraseConsequence>,
    },
    /// Erased: the app stays locked for good.
    Erased {
        /// What was removed, and what could not be.
        report: EraseReport,
    },
}

/// The erase flow.
#[derive(Debug)]
pub struct Erase {
    step: EraseStep,
}

impl Erase {
    pub(crate) fn start(app: &App) -> Result<Erase> {
        let mut consequences = vec![EraseConsequence::DeletesThisDevice];
        if app.sync_status()?.server.is_some() {
            consequences.push(EraseConsequence::DeletesServerAccount);
            let others = app
                .devices()
                .list()?
                .iter()
                .filter(|d| !d.unlinked && !d.this_device)
                .count() as u32;
            if others > 0 {
                consequences.push(EraseConsequence::OtherDevicesStopSyncing { devices: others });
            }
        }
        let mentored = app
            .pairs()
            .list()?
            .iter()
            .filter(|p| !p.ended && p.side == Side::Mentee)
            .count() as u32;
        if mentored > 0 {
            consequences.push(EraseConsequence::MentorsKeepSharedCopies { pairs: mentored });
        }
        consequences.push(EraseConsequence::ExportFirst);
        Ok(Erase {
            step: EraseStep::Confirm { consequences },
        })
    }

    /// Where the flow stands.
    pub fn step(&self) -> EraseStep {
        self.step.clone()
    }

    /// Erases everything, and also the files `also` (the wrapped key file,
    /// say). Reaches the server if the device syncs.
    pub fn confirm(&mut self, app: &App, also: &[PathBuf]) -> Result<EraseStep> {
        let EraseStep::Confirm { .. } = self.step else {
            return Err(not_now("confirm"));
        };
        let report = app.erase(also)?;
        self.step = EraseStep::Erased { report };
        Ok(self.step())
    }
}
