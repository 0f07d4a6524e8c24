//! The person's devices, as the devices document records them in the read
//! model.

use rusqlite::OptionalExtension;

use super::Store;
use crate::error::Result;

/// What the read model needs of one record of the devices document (the
/// rest, read for screens, is `features::devices::DeviceView`). A record
/// that does not read as one is skipped: anyone holding the private
/// space's key can write the document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct DeviceRecord {
    /// The device's server id.
    pub device_id: String,
    /// Its box key (hex) as the record gives it now.
    #[serde(default)]
    pub public_key: String,
    /// Its automerge actor (writer id).
    #[serde(default)]
    pub actor: Option<String>,
    /// The writer ids it wrote under before its id was bound to its key.
    #[serde(default)]
    pub former: Vec<String>,
}

impl Store {
    /// The box key (hex) first seen for device `device_id` in the devices
    /// document, kept from then on: a device never changes its own box
    /// key, so a different one later (written by whoever holds the private
    /// space's key, a lost phone say) does not replace it.
    pub(crate) fn pinned_box_key(&self, device_id: &str) -> Result<Option<String>> {
        self.meta(&format!("pinned_box:{device_id}"))
    }

    /// Replaces the box key pinned for `device_id` (hex), once its own
    /// record and the key it set on the server agree on it.
    pub(crate) fn repin_box_key(&self, device_id: &str, key: &str) -> Result<()> {
        self.set_meta(&format!("pinned_box:{device_id}"), key)
    }

    /// Each record of the devices document that reads as one, in
    /// device-id order.
    pub(crate) fn device_records_read(&self) -> Result<Vec<DeviceRecord>> {
        Ok(self
            .device_records()?
            .iter()
            .filter_map(|body| serde_json::from_str(body).ok())
            .collect())
    }

    /// Each of the person's devices as the devices document records it
    /// (JSON), in device-id order.
    pub(crate) fn device_records(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM devices ORDER BY device_id")?;
        let bodies = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(bodies)
    }

    /// Every entry of the device log this device has seen, as stored.
    pub(crate) fn device_log_entries(&self) -> Result<Vec<Vec<u8>>> {
        let mut stmt = self
            .conn
            .prepare("SELECT entry FROM device_log ORDER BY hash")?;
        let entries = stmt
            .query_map([], |r| r.get::<_, Vec<u8>>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(entries)
    }

    /// Whether this device answered the removal of it by device `remover`
    /// (hex server id) already (see `features::devices::log`).
    pub(crate) fn answered_removal(&self, remover: &str) -> Result<bool> {
        Ok(self.meta(&format!("answered_removal:{remover}"))?.is_some())
    }

    /// Notes that this device answered the removal of it by `remover`.
    pub(crate) fn note_answered_removal(&self, remover: &str) -> Result<()> {
        self.set_meta(&format!("answered_removal:{remover}"), "yes")
    }

    /// Whether the device log holds the entry named `hash` (hex).
    pub(crate) fn has_device_log_entry(&self, hash: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT COUNT(*) > 0 FROM device_log WHERE hash = ?1")?
            .query_row([hash], |r| r.get(0))?)
    }

    /// The invite key seed the link code brought this device, kept until
    /// the log holds the Add it signs (see `features::devices::log`).
    pub(crate) fn link_invite(&self) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>> {
        Ok(self.meta("link_invite")?.and_then(|h| {
            let mut seed = zeroize::Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(h, &mut *seed).ok().map(|_| seed)
        }))
    }

    /// Keeps (or, with `None`, forgets) the link code's invite key seed.
    pub(crate) fn keep_link_invite(&self, seed: Option<&[u8; 32]>) -> Result<()> {
        match seed {
            Some(seed) => self.set_meta("link_invite", &hex::encode(seed)),
            None => {
                self.conn
                    .execute("DELETE FROM meta WHERE key = 'link_invite'", [])?;
                Ok(())
            }
        }
    }

    /// What changes whenever the device log gains an entry (it never
    /// loses one): the number of entries and the greatest hash.
    pub(crate) fn device_log_version(&self) -> Result<String> {
        let (n, max): (i64, Option<String>) =
            self.conn
                .query_row("SELECT COUNT(*), MAX(hash) FROM device_log", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        Ok(format!("{n}.{}", max.unwrap_or_default()))
    }

    /// Keeps one device-log entry (checked by the caller) signed by
    /// `author` (hex), once: while the log holds fewer than
    /// [`MAX_DEVICE_LOG`] entries, or past that when the author is trusted
    /// (see [`trust_log_authors`](Self::trust_log_authors)).
    pub(crate) fn keep_device_log_entry(
        &self,
        hash: &str,
        entry: &[u8],
        author: &str,
    ) -> Result<()> {
        self.conn.execute(
            KEEP_LOG_ENTRY,
            rusqlite::params![hash, entry, MAX_DEVICE_LOG, author],
        )?;
        Ok(())
    }

    /// The pair keys of `space_id` this device took from the keyring for
    /// epochs after `after`, with the writer id of the device that wrote
    /// each.
    pub(crate) fn keyring_keys_after(
        &self,
        space_id: &str,
        after: u32,
    ) -> Result<Vec<(u32, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT w.epoch, w.writer FROM keyring_writers w
             JOIN space_keys k ON k.space_id = w.space_id AND k.epoch = w.epoch
             WHERE w.space_id = ?1 AND w.epoch > ?2 AND w.set_aside = 0",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![space_id, after], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Sets aside the key of `epoch` of `space_id` that `writer` wrote in
    /// the keyring: it is no longer held, and not taken from the keyring
    /// again.
    pub(crate) fn set_aside_keyring_key(
        &self,
        space_id: &str,
        epoch: u32,
        writer: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE keyring_writers SET set_aside = 1 WHERE space_id = ?1 AND epoch = ?2 AND writer = ?3",
            rusqlite::params![space_id, epoch, writer],
        )?;
        self.conn.execute(
            "DELETE FROM space_keys WHERE space_id = ?1 AND epoch = ?2",
            rusqlite::params![space_id, epoch],
        )?;
        Ok(())
    }

    /// Whether this device has not yet heard `space_id`'s epoch from the
    /// server (a pair made from the keyring); hearing it now clears that.
    pub(crate) fn first_heard(&self, space_id: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM pairs_unheard WHERE space_id = ?1", [space_id])?
            > 0)
    }

    /// Replaces the signing keys (hex) whose entries the log keeps past
    /// its cap: those of the devices it certifies now, and this device's.
    pub(crate) fn trust_log_authors(&self, authors: &[String]) -> Result<()> {
        self.conn.execute("DELETE FROM device_log_trusted", [])?;
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO device_log_trusted (author) VALUES (?1)")?;
        for a in authors {
            stmt.execute([a])?;
        }
        Ok(())
    }

    /// The newest epoch of `space_id` the server has reported.
    pub(crate) fn server_epoch(&self, space_id: &str) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached("SELECT server_epoch FROM spaces WHERE space_id = ?1")?
            .query_row([space_id], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }
}

/// The most device-log entries a store keeps: a person's devices write a
/// few for each link, unlink and recovery key; a lost phone that writes
/// many before its unlink cannot make every later build of the log slow
/// or large (building it takes memory of the square of its length).
pub(crate) const MAX_DEVICE_LOG: i64 = 5_000;

/// Keeps a device-log entry `(?1 hash, ?2 entry)` under the cap `?3`, or
/// past it when its author `?4` is trusted.
pub(crate) const KEEP_LOG_ENTRY: &str = "INSERT OR IGNORE INTO device_log (hash, entry)
     SELECT ?1, ?2 WHERE (SELECT COUNT(*) FROM device_log) < ?3
        OR EXISTS (SELECT 1 FROM device_log_trusted WHERE author = ?4)";
