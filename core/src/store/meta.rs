//! The `meta` table: this device's own small records, none of them in a
//! document and none ever synced: its settings, its sync status, its box
//! key, what it keeps of the recovery key, and the snapshot round.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::Store;
use crate::area::Area;
use crate::error::{Error, Result};
use crate::settings::Settings;
use crate::sync::SyncStatus;

/// What the device keeps of its recovery key: what it derived from it
/// (never the key itself), and whether the server has it yet.
#[derive(Serialize, Deserialize)]
pub(crate) struct RecoveryRecord {
    /// The code the server redeems for a new device (hex).
    pub(crate) server_code: String,
    /// The key the private space's keys are sealed under (hex).
    pub(crate) wrap: String,
    /// The opaque name of the envelope snapshot.
    pub(crate) envelope: String,
    /// Whether the server code and the envelope are stored at the server.
    pub(crate) uploaded: bool,
    /// Envelopes of earlier recovery keys, deleted from the server once
    /// this one is stored there (the old key then opens nothing).
    #[serde(default)]
    pub(crate) superseded: Vec<String>,
}

impl Store {
    /// The value kept under `key`, if any.
    pub(super) fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Keeps `value` under `key`, replacing what was there.
    pub(super) fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key, value])?;
        Ok(())
    }

    /// The box key (hex) this device last set on the server, if it has.
    pub(crate) fn box_key_on_server(&self) -> Result<Option<String>> {
        self.meta("box_key_on_server")
    }

    /// Notes that the server holds `key` (hex) as this device's box key.
    pub(crate) fn note_box_key_on_server(&self, key: &str) -> Result<()> {
        self.set_meta("box_key_on_server", key)
    }

    /// How many accounts the server last said are members of pair space
    /// `space_id` (none: not asked yet).
    pub(crate) fn pair_members(&self, space_id: &str) -> Result<Option<u32>> {
        Ok(self
            .meta(&format!("members:{space_id}"))?
            .and_then(|v| v.parse().ok()))
    }

    /// Records how many accounts the server says are members of pair
    /// space `space_id`.
    pub(crate) fn set_pair_members(&mut self, space_id: &str, members: u32) -> Result<()> {
        if self.pair_members(space_id)? == Some(members) {
            return Ok(());
        }
        self.set_meta(&format!("members:{space_id}"), &members.to_string())?;
        self.note_changed(&[Area::Pairs]);
        Ok(())
    }

    /// The epoch the server last reported for `space_id` while this device
    /// had no key for it (none: not waiting). While it waits, what this
    /// device writes to the space stays in the outbox: sealed under the
    /// older key, it would open for the device the new epoch shut out.
    pub(crate) fn waiting_epoch(&self, space_id: &str) -> Result<Option<u32>> {
        Ok(self
            .meta(&format!("waiting:{space_id}"))?
            .and_then(|v| v.parse().ok()))
    }

    /// Records that this device waits for the key of `epoch` of
    /// `space_id` (none: it has it, or nothing newer is known).
    pub(crate) fn set_waiting_epoch(&self, space_id: &str, epoch: Option<u32>) -> Result<()> {
        let value = epoch.map(|e| e.to_string()).unwrap_or_default();
        if self
            .meta(&format!("waiting:{space_id}"))?
            .unwrap_or_default()
            == value
        {
            return Ok(());
        }
        // Since when: a wait that lasts is a key that is not coming.
        let since = format!("waiting_since:{space_id}");
        match epoch {
            Some(_) if self.meta(&since)?.is_none() => {
                self.set_meta(&since, &self.now().timestamp_millis().to_string())?
            }
            Some(_) => {}
            None => {
                self.conn
                    .execute("DELETE FROM meta WHERE key = ?1", [since])?;
            }
        }
        self.set_meta(&format!("waiting:{space_id}"), &value)
    }

    /// Since when (UTC ms) this device has waited for a key of `space_id`.
    pub(crate) fn waiting_since(&self, space_id: &str) -> Result<Option<i64>> {
        Ok(self
            .meta(&format!("waiting_since:{space_id}"))?
            .and_then(|v| v.parse().ok()))
    }

    /// This device's settings (defaults until changed).
    pub fn settings(&self) -> Result<Settings> {
        match self.meta("settings")? {
            None => Ok(Settings::default()),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| Error::CorruptStore(format!("the settings are damaged: {e}"))),
        }
    }

    /// Changes this device's settings.
    pub fn set_settings(&mut self, settings: &Settings) -> Result<Settings> {
        settings.validate()?;
        self.set_meta("settings", &serde_json::to_string(settings)?)?;
        self.note_changed(&[Area::Settings]);
        Ok(*settings)
    }

    /// The sync status as last recorded (a damaged record reads as none).
    pub(crate) fn stored_sync_status(&self) -> Result<SyncStatus> {
        Ok(self
            .meta("sync_status")?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// Records the sync status.
    pub(crate) fn keep_sync_status(&mut self, status: &SyncStatus) -> Result<()> {
        self.set_meta("sync_status", &serde_json::to_string(status)?)?;
        self.note_changed(&[Area::Sync]);
        Ok(())
    }

    /// The last record (`seq`) of `space_id` that may be unsigned: every
    /// record after it must be signed. `None` while undecided (a space
    /// from before signatures, until this device has pulled it after the
    /// upgrade).
    pub(crate) fn signed_after(&self, space_id: &str) -> Result<Option<i64>> {
        Ok(self
            .meta(&format!("signed_after:{space_id}"))?
            .and_then(|v| v.parse().ok()))
    }

    /// Decides where `space_id`'s unsigned records end: at `seq`, or
    /// earlier if decided earlier. Only ever tightens, so nothing written
    /// later (a lost phone's key-ring entry) opens a space to unsigned
    /// records again.
    pub(crate) fn decide_signed_after(&self, space_id: &str, seq: i64) -> Result<()> {
        decide_signed_after(&self.conn, space_id, seq)
    }

    /// The epoch at which this device last sealed every private key to
    /// device `device_id`.
    pub(crate) fn keys_sent(&self, device_id: &str) -> Result<Option<u32>> {
        Ok(self
            .meta(&format!("keys_sent:{device_id}"))?
            .and_then(|v| v.parse().ok()))
    }

    /// Notes that this device sealed every private key to `device_id` at
    /// `epoch`.
    pub(crate) fn note_keys_sent(&self, device_id: &str, epoch: u32) -> Result<()> {
        self.set_meta(&format!("keys_sent:{device_id}"), &epoch.to_string())
    }

    /// Whether the key ring says another of the person's devices ended
    /// pair `space_id` (taken once the server agrees).
    pub(crate) fn ended_claimed(&self, space_id: &str) -> Result<bool> {
        Ok(self.meta(&format!("ended_claimed:{space_id}"))?.is_some())
    }

    /// Ends pair `space_id` here: no longer synced; what is here stays.
    pub(crate) fn end_space(&mut self, space_id: &str) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE spaces SET ended = 1 WHERE space_id = ?1 AND ended = 0",
            [space_id],
        )?;
        if n > 0 {
            self.note_changed(&[Area::Pairs]);
        }
        Ok(())
    }

    /// Whether this device started unlinking `device_id` and did not
    /// finish.
    pub(crate) fn unlink_unfinished(&self, device_id: &str) -> Result<bool> {
        Ok(self.meta(&format!("unlinking:{device_id}"))?.is_some())
    }

    /// Notes that unlinking `device_id` started (`true`) or finished.
    pub(crate) fn mark_unlinking(&self, device_id: &str, started: bool) -> Result<()> {
        let key = format!("unlinking:{device_id}");
        if started {
            self.set_meta(&key, "1")
        } else {
            self.conn
                .execute("DELETE FROM meta WHERE key = ?1", [key])?;
            Ok(())
        }
    }

    /// This device's signing key seed (Ed25519), made on first use: what
    /// it seals, it signs (see `sync::signature`).
    pub(crate) fn signing_seed(&self) -> Result<Zeroizing<[u8; 32]>> {
        super::signing_seed_in(&self.conn)
    }

    /// This device's box secret (X25519), made on first use: new epoch
    /// keys are sealed to its public half.
    pub(crate) fn box_secret(&self) -> Result<crypto_box::SecretKey> {
        if let Some(h) = self.meta("box_secret")?.map(Zeroizing::new) {
            let mut bytes = Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(h.as_str(), bytes.as_mut())
                .map_err(|_| Error::CorruptStore("the device's box key is damaged".into()))?;
            return Ok(crypto_box::SecretKey::from(*bytes));
        }
        let secret = crypto_box::SecretKey::generate(&mut crypto_box::aead::OsRng);
        let text = Zeroizing::new(hex::encode(secret.to_bytes()));
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('box_secret', ?1)",
            [text.as_str()],
        )?;
        Ok(secret)
    }

    /// What this device keeps of the person's recovery key, once made.
    pub(crate) fn recovery_record(&self) -> Result<Option<RecoveryRecord>> {
        self.meta("recovery")?
            .map(|t| {
                serde_json::from_str(&t)
                    .map_err(|_| Error::CorruptStore("the recovery record is damaged".into()))
            })
            .transpose()
    }

    /// Keeps what this device knows of the person's recovery key.
    pub(crate) fn keep_recovery_record(&self, record: &RecoveryRecord) -> Result<()> {
        let text = Zeroizing::new(serde_json::to_string(record)?);
        self.set_meta("recovery", &text)
    }

    /// Changes of the private space sent or received since the last round
    /// of snapshots.
    pub(crate) fn changes_since_snapshots(&self) -> Result<i64> {
        Ok(self
            .meta("snapshot_changes")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Has the next sync upload a round of snapshots, whatever the count
    /// since the last one: the private space moved to a new epoch, and a
    /// device linked from now on holds only that epoch's key, so it must
    /// find everything written before sealed under it.
    pub(crate) fn request_snapshot_round(&self) -> Result<()> {
        self.set_meta("snapshot_changes", &i64::from(u32::MAX).to_string())
    }

    /// A round of snapshots up to the private space's record `upto` is at
    /// the server: the count of changes since starts over.
    pub(crate) fn finish_snapshot_round(&self, upto: i64) -> Result<()> {
        self.set_meta("snapshot_upto", &upto.to_string())?;
        self.conn
            .execute("DELETE FROM meta WHERE key = 'snapshot_changes'", [])?;
        Ok(())
    }
}

/// [`Store::decide_signed_after`] on a connection or transaction.
pub(super) fn decide_signed_after(
    conn: &rusqlite::Connection,
    space_id: &str,
    seq: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, CAST(?2 AS TEXT))
         ON CONFLICT (key) DO UPDATE SET value = CAST(min(CAST(value AS INTEGER), ?2) AS TEXT)",
    )?
    .execute(rusqlite::params![
        format!("signed_after:{space_id}"),
        seq.max(0)
    ])?;
    Ok(())
}

/// Counts `n` more changes of the private space towards the next round of
/// snapshots, inside the transaction that sends or applies them.
pub(super) fn count_snapshot_changes(tx: &rusqlite::Transaction<'_>, n: usize) -> Result<()> {
    if n > 0 {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('snapshot_changes', CAST(?1 AS TEXT))
             ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ?1 AS TEXT)",
            [n as i64],
        )?;
    }
    Ok(())
}
