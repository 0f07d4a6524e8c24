//! Ending a pair: a confirmation that says what stays where, then the end.

use serde::Serialize;

use super::not_now;
use crate::App;
use crate::error::{Error, Result};
use crate::features::pairs::PairView;
use crate::pair::Side;

/// What ending a pair does, for the confirmation to word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EndPairConsequence {
    /// The other phone keeps the copies it already synced of the `items`
    /// shared in the pair: ending cannot take them back.
    OtherPhoneKeepsSharedCopies {
        /// Items shared in the pair.
        items: u32,
    },
    /// This phone keeps the copies of the `items` the mentee shared.
    ThisPhoneKeepsSharedCopies {
        /// Items shared in the pair.
        items: u32,
    },
    /// The person's own entries stay on their own phone, untouched.
    OwnEntriesStay,
    /// Nothing more passes between the two phones in this pair.
    SyncStops,
    /// The mentee can no longer reach out in this pair.
    ReachOutsStop,
    /// The other phone shows the pair as ended after its next sync.
    OtherSideSeesItEnded,
}

/// Where ending a pair stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum EndPairStep {
    /// Asks to confirm, saying what happens.
    Confirm {
        /// The pair.
        pair: PairView,
        /// What ending it does.
        consequences: Vec<EndPairConsequence>,
    },
    /// Ended.
    Ended {
        /// The pair, now ended.
        pair: PairView,
    },
}

/// The end-a-pair flow.
#[derive(Debug)]
pub struct EndPair {
    step: EndPairStep,
}

impl EndPair {
    pub(crate) fn start(app: &App, pair_id: &str) -> Result<EndPair> {
        if pair_id.trim().is_empty() {
            return Err(Error::invalid("pair", "no pair given"));
        }
        // Only live pairs resolve: an ended one is not found.
        let pair = app.pairs().resolve(Some(pair_id))?;
        let items = app.read(|s| s.shared_items(&pair.pair_id))?.len() as u32;
        let consequences = match pair.side {
            Side::Mentee => vec![
                EndPairConsequence::OtherPhoneKeepsSharedCopies { items },
                EndPairConsequence::OwnEntriesStay,
                EndPairConsequence::SyncStops,
                EndPairConsequence::ReachOutsStop,
                EndPairConsequence::OtherSideSeesItEnded,
            ],
            Side::Mentor => vec![
                EndPairConsequence::ThisPhoneKeepsSharedCopies { items },
                EndPairConsequence::OwnEntriesStay,
                EndPairConsequence::SyncStops,
                EndPairConsequence::OtherSideSeesItEnded,
            ],
        };
        Ok(EndPair {
            step: EndPairStep::Confirm { pair, consequences },
        })
    }

    /// Where the flow stands.
    pub fn step(&self) -> EndPairStep {
        self.step.clone()
    }

    /// Ends the pair. Reaches the server.
    pub fn confirm(&mut self, app: &App) -> Result<EndPairStep> {
        let EndPairStep::Confirm { pair, .. } = &self.step else {
            return Err(not_now("confirm"));
        };
        let pair = app.pairs().end(&pair.pair_id)?;
        self.step = EndPairStep::Ended { pair };
        Ok(self.step())
    }
}
