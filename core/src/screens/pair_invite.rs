//! A mentee inviting a mentor: a code to show, then waiting for the mentor
//! to join.

use serde::Serialize;
use zeroize::Zeroizing;

use super::not_now;
use super::shown_code::ShownCode;
use crate::App;
use crate::error::Result;
use crate::features::pairs::PairView;

/// Where inviting stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PairInviteStep {
    /// This device does not sync: connect it first.
    NeedsServer,
    /// Ready to make an invite.
    Ready,
    /// The invite, to type or scan on the mentor's phone; good once.
    ShowingCode(ShownCode),
    /// The mentor joined.
    Joined {
        /// The new pair, with the mentor's name.
        pair: PairView,
    },
}

#[derive(Debug)]
enum State {
    NeedsServer,
    Ready,
    Showing {
        code: Zeroizing<String>,
        /// The pairs there were before this invite: the new one is the other.
        before: Vec<String>,
    },
    Joined(PairView),
}

/// The invite flow (the mentee's side of pairing).
#[derive(Debug)]
pub struct PairInvite {
    state: State,
}

impl PairInvite {
    pub(crate) fn start(app: &App) -> Result<PairInvite> {
        app.person()?;
        let state = if app.sync_status()?.server.is_some() {
            State::Ready
        } else {
            State::NeedsServer
        };
        Ok(PairInvite { state })
    }

    /// Where the flow stands.
    pub fn step(&self) -> PairInviteStep {
        match &self.state {
            State::NeedsServer => PairInviteStep::NeedsServer,
            State::Ready => PairInviteStep::Ready,
            State::Showing { code, .. } => PairInviteStep::ShowingCode(ShownCode::new(code)),
            State::Joined(pair) => PairInviteStep::Joined { pair: pair.clone() },
        }
    }

    /// Makes the pair and its invite, and syncs so the mentor will see who
    /// invited them. Reaches the server.
    pub fn invite(&mut self, app: &App) -> Result<PairInviteStep> {
        let State::Ready = self.state else {
            return Err(not_now("invite"));
        };
        let before = app.pairs().list()?.into_iter().map(|p| p.pair_id).collect();
        let code = app.pairs().invite()?;
        self.state = State::Showing { code, before };
        // The code works without this sync; a failure is kept in the sync
        // status, and `check` syncs again.
        let _ = app.sync_now();
        Ok(self.step())
    }

    /// Syncs and looks whether the mentor joined; the code stays on screen
    /// until they have.
    pub fn check(&mut self, app: &App) -> Result<PairInviteStep> {
        let State::Showing { before, .. } = &self.state else {
            return Err(not_now("check"));
        };
        app.sync_now()?;
        let joined = app
            .pairs()
            .list()?
            .into_iter()
            .find(|p| !before.contains(&p.pair_id) && p.other_name.is_some());
        if let Some(pair) = joined {
            self.state = State::Joined(pair);
        }
        Ok(self.step())
    }
}
