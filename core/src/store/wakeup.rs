//! What the device keeps for wake-ups and discreet notices (in `meta`,
//! never synced): its Web Push subscription, when the other side of a pair
//! last wrote something, and what the notices already announced.

use rusqlite::OptionalExtension;

use super::Store;
use crate::error::{Error, Result};
use crate::features::wakeups::WakeupSubscription;

impl Store {
    /// This device's wake-up subscription, if the shell gave one, and when
    /// the server last took it (UTC ms; `None`: not yet).
    pub fn wakeup_subscription(&self) -> Result<Option<(WakeupSubscription, Option<i64>)>> {
        let Some(text) = self.meta("wakeup")? else {
            return Ok(None);
        };
        let sub: WakeupSubscription = serde_json::from_str(&text).map_err(|e| {
            Error::CorruptStore(format!("the wake-up subscription is damaged: {e}"))
        })?;
        let at = self
            .meta("wakeup_registered_ms")?
            .and_then(|t| t.parse().ok());
        Ok(Some((sub, at)))
    }

    /// Keeps (or, with `None`, forgets) the subscription; either way the
    /// server has not taken it yet.
    pub(crate) fn set_wakeup_subscription(&self, sub: Option<&WakeupSubscription>) -> Result<()> {
        self.conn
            .execute("DELETE FROM meta WHERE key = 'wakeup_registered_ms'", [])?;
        match sub {
            Some(sub) => self.set_meta("wakeup", &serde_json::to_string(sub)?),
            None => {
                self.conn
                    .execute("DELETE FROM meta WHERE key = 'wakeup'", [])?;
                Ok(())
            }
        }
    }

    /// Notes that the server took the subscription at `at_ms`.
    pub(crate) fn wakeup_registered(&self, at_ms: i64) -> Result<()> {
        self.set_meta("wakeup_registered_ms", &at_ms.to_string())
    }

    /// When a pull last brought a change the other side of a pair made
    /// (UTC ms; 0: never).
    pub fn pair_activity_ms(&self) -> Result<i64> {
        self.number("pair_activity_ms")
    }

    /// Notes that a pull brought the other side's changes at `at_ms`.
    pub(crate) fn note_pair_activity(&self, at_ms: i64) -> Result<()> {
        self.set_meta("pair_activity_ms", &at_ms.to_string())
    }

    /// How far the notice `what` (`reach_out`, `pair_activity`) has been
    /// announced: the time of the last thing it told of (UTC ms; 0: none).
    pub(crate) fn announced(&self, what: &str) -> Result<i64> {
        self.number(&format!("announced:{what}"))
    }

    /// Moves the notice `what` on to `at_ms`.
    pub(crate) fn set_announced(&self, what: &str, at_ms: i64) -> Result<()> {
        self.set_meta(&format!("announced:{what}"), &at_ms.to_string())
    }

    /// The automerge actors (writers) of every device the person's devices
    /// document lists, with the ones each wrote under before (`former`),
    /// and this one's: what a change names as its author.
    pub(crate) fn own_device_ids(&self) -> Result<std::collections::HashSet<String>> {
        let mut ids = std::collections::HashSet::new();
        for record in self.device_records_read()? {
            ids.extend(record.actor);
            ids.extend(record.former);
        }
        ids.insert(self.device_id());
        ids.extend(self.former_writers()?);
        Ok(ids)
    }

    fn number(&self, key: &str) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|t| t.parse().ok())
            .unwrap_or(0))
    }
}
