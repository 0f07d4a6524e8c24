//! Reaching out: a mentee tells their mentor it is hard right now.

use serde::Serialize;

use super::not_now;
use crate::App;
use crate::error::Result;
use crate::features::pairs::PairView;
use crate::pair::{REACH_OUT_MAX, Side};

/// Where reaching out stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ReachOutStep {
    /// The person has no mentor to reach: the screen says so (and offers
    /// to invite one).
    NoMentor,
    /// Asks for an optional few words, and which mentor if more than one.
    Compose {
        /// The live pairs in which this person is the mentee.
        pairs: Vec<PairView>,
        /// The longest text, in characters (it may be empty).
        text_max: u32,
    },
    /// Sent.
    Sent {
        /// The reach-out's id.
        reach_out_id: String,
        /// The pair it went to.
        pair_id: String,
        /// Whether it already reached the server (if not, the next sync
        /// takes it).
        delivered: bool,
    },
}

/// The reach-out flow.
#[derive(Debug)]
pub struct ReachOut {
    step: ReachOutStep,
}

impl ReachOut {
    pub(crate) fn start(app: &App) -> Result<ReachOut> {
        let pairs: Vec<PairView> = app
            .pairs()
            .list()?
            .into_iter()
            .filter(|p| !p.ended && p.side == Side::Mentee)
            .collect();
        let step = if pairs.is_empty() {
            ReachOutStep::NoMentor
        } else {
            ReachOutStep::Compose {
                pairs,
                text_max: REACH_OUT_MAX as u32,
            }
        };
        Ok(ReachOut { step })
    }

    /// Where the flow stands.
    pub fn step(&self) -> ReachOutStep {
        self.step.clone()
    }

    /// Sends `text` to the mentor of `pair_id` (none: the only pair), then
    /// tries to sync it at once.
    pub fn send(&mut self, app: &App, pair_id: Option<&str>, text: &str) -> Result<ReachOutStep> {
        let ReachOutStep::Compose { .. } = self.step else {
            return Err(not_now("send"));
        };
        let pair = app.pairs().resolve(pair_id)?;
        let reach_out_id = app.pairs().reach_out(Some(&pair.pair_id), text)?;
        // Written locally either way; a failed sync is kept in the status.
        let delivered = app.sync_now().is_ok();
        self.step = ReachOutStep::Sent {
            reach_out_id,
            pair_id: pair.pair_id,
            delivered,
        };
        Ok(self.step())
    }
}
