//! The recovery key, shown once and confirmed: the step that ends the
//! first run's connection, the connect flow and a restore.
//!
//! The key lives only in this flow's memory (zeroed when dropped): the
//! store never holds it, so once confirmed, or once the app quits, it cannot
//! be shown again; a new one can be made from the Devices screen.
//!
//! How the person confirms they kept it: after the key is hidden they
//! re-enter one of its groups, chosen at random. A bare "I wrote it down"
//! button is tapped through without reading; retyping the whole key (fifteen
//! groups) invites typos at a moment meant to be calm; one group they can no
//! longer see shows the key is written somewhere, and a random group (not
//! always the last) means glancing at the key's end will not do.

use rand::Rng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::not_now;
use crate::error::{Error, Result};

/// Where the recovery key step stands.
///
/// Its `Debug` leaves the key out, so that logs never hold it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum RecoveryKeyStep {
    /// The key on screen, to be written down. Shown while this step lasts,
    /// never after.
    Show {
        /// The key as text, in dash-separated groups after its prefix.
        key: String,
        /// How many groups follow the prefix.
        groups: u32,
    },
    /// The key hidden; the person re-enters group number `group` (1 is the
    /// first group after the prefix).
    Confirm {
        /// Which group to re-enter, from 1.
        group: u32,
        /// How many groups the key has.
        groups: u32,
    },
}

impl std::fmt::Debug for RecoveryKeyStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecoveryKeyStep::Show { groups, .. } => f
                .debug_struct("Show")
                .field("groups", groups)
                .finish_non_exhaustive(),
            RecoveryKeyStep::Confirm { group, groups } => f
                .debug_struct("Confirm")
                .field("group", group)
                .field("groups", groups)
                .finish(),
        }
    }
}

/// The shown-once key and where its confirmation stands.
pub(crate) struct KeyCheck {
    key: Zeroizing<String>,
    /// The group to re-enter, from 1.
    ask: u32,
    hidden: bool,
}

impl std::fmt::Debug for KeyCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCheck")
            .field("ask", &self.ask)
            .field("hidden", &self.hidden)
            .finish_non_exhaustive()
    }
}

impl KeyCheck {
    /// Starts showing `key`.
    pub(crate) fn new(key: Zeroizing<String>) -> KeyCheck {
        let mut check = KeyCheck {
            key,
            ask: 1,
            hidden: false,
        };
        let groups = check.groups().len() as u32;
        check.ask = rand::rng().random_range(1..=groups.max(1));
        check
    }

    /// The groups after the prefix (`TR1-`).
    fn groups(&self) -> Vec<&str> {
        self.key.split('-').skip(1).collect()
    }

    /// Where it stands.
    pub(crate) fn step(&self) -> RecoveryKeyStep {
        let groups = self.groups().len() as u32;
        if self.hidden {
            RecoveryKeyStep::Confirm {
                group: self.ask,
                groups,
            }
        } else {
            RecoveryKeyStep::Show {
                key: self.key.to_string(),
                groups,
            }
        }
    }

    /// The person says they wrote it down: the key is hidden and one group
    /// asked for.
    pub(crate) fn kept(&mut self) -> Result<()> {
        if self.hidden {
            return Err(not_now("key_kept"));
        }
        self.hidden = true;
        Ok(())
    }

    /// Shows the key again (they want to check what they wrote).
    pub(crate) fn show_again(&mut self) -> Result<()> {
        if !self.hidden {
            return Err(not_now("show_key_again"));
        }
        self.hidden = false;
        Ok(())
    }

    /// Checks the group the person re-entered (case, spaces and dashes do
    /// not matter).
    pub(crate) fn confirm(&self, typed: &str) -> Result<()> {
        if !self.hidden {
            return Err(not_now("confirm_key"));
        }
        let typed: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_uppercase)
            .collect();
        if typed.is_empty() {
            return Err(Error::invalid("recovery key group", "it is empty"));
        }
        let wanted = self.groups()[(self.ask - 1) as usize];
        if typed != wanted {
            return Err(Error::invalid(
                "recovery key group",
                "it does not match the key shown",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_hidden_before_a_group_is_asked_and_only_that_group_passes() {
        let mut check = KeyCheck::new(Zeroizing::new("TR1-ABCD-EFGH-IJ".into()));
        assert_eq!(
            check.step(),
            RecoveryKeyStep::Show {
                key: "TR1-ABCD-EFGH-IJ".into(),
                groups: 3
            }
        );
        assert!(check.confirm("ABCD").is_err(), "confirmed while shown");
        check.kept().unwrap();
        let RecoveryKeyStep::Confirm { group, groups: 3 } = check.step() else {
            panic!("not asking: {:?}", check.step());
        };
        assert!((1..=3).contains(&group));
        let right = ["ABCD", "EFGH", "IJ"][group as usize - 1];
        let wrong = ["ABCD", "EFGH", "IJ"][group as usize % 3];
        assert_eq!(
            check.confirm(wrong).unwrap_err().kind(),
            crate::ErrorKind::Validation
        );
        assert!(check.confirm("").is_err());
        check.confirm(&right.to_lowercase()).unwrap();
        check.show_again().unwrap();
        assert!(matches!(check.step(), RecoveryKeyStep::Show { .. }));
    }
}
