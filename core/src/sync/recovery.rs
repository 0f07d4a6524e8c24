//! The recovery key: shown once at set-up, it brings a person's data back on
//! a new device when every old one is lost.
//!
//! From the key the device derives (one-way) a server code — a link code
//! that never expires, of which the server keeps only a hash — and a wrap
//! key. The private space's key is sealed under the wrap key into an
//! "envelope" stored as an encrypted snapshot of the private space under an
//! opaque name. A new device with the recovery key registers with the
//! server code (which uses it up), finds and opens the envelope, and syncs
//! everything; the keyring then gives it the pairs. It is shown a new
//! recovery key, because the old one's server code is spent.
//!
//! The device keeps only what it derived (in the encrypted store), never the
//! recovery key itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use tandem_protocol::SnapshotUpload;
use zeroize::Zeroizing;

use super::code::RecoveryKey;
use super::engine::SyncReport;
use super::seal::{self, Place, SpaceKey};
use super::spaces::SpaceRole;
use crate::error::{Error, Result};
use crate::store::Store;

/// What the device keeps of its recovery key.
#[derive(Serialize, Deserialize)]
struct Kept {
    server_code: String,
    wrap: String,
    envelope: String,
    uploaded: bool,
}

/// The envelope's fixed place (it is not a change of any document).
const ENVELOPE_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Store {
    /// Makes a new recovery key for this person and returns it, to be shown
    /// once. If the device syncs already, the server code and the envelope
    /// are stored at once; otherwise at the first sync.
    pub fn new_recovery_key(&mut self) -> Result<Zeroizing<String>> {
        let key = RecoveryKey::generate();
        let kept = Kept {
            server_code: key.server_code().to_string(),
            wrap: hex::encode(key.wrap_key().as_bytes()),
            envelope: key.envelope_name(),
            uploaded: false,
        };
        self.keep_recovery(&kept)?;
        if let Some(account) = self.account()?
            && self.private_space()?.is_some()
        {
            self.upload_recovery(&account.client()?)?;
        }
        Ok(key.to_text())
    }

    /// Stores the server code and the envelope if they are not stored yet.
    pub(crate) fn upload_recovery(&mut self, client: &super::Client) -> Result<()> {
        let Some(mut kept) = self.kept_recovery()? else {
            return Ok(());
        };
        if kept.uploaded {
            return Ok(());
        }
        let Some(space) = self.private_space()? else {
            return Ok(());
        };
        let keys = super::devices::pack_keys(&self.space_keys(&space.space_id)?);
        let mut wrap = [0u8; 32];
        hex::decode_to_slice(&kept.wrap, &mut wrap)
            .map_err(|_| Error::CorruptStore("the recovery record is damaged".into()))?;
        let wrap = SpaceKey::from_bytes(wrap);
        let place = Place {
            space_id: &space.space_id,
            wire_doc_id: &kept.envelope,
            wire_change_hash: ENVELOPE_HASH,
            epoch: space.epoch,
        };
        let (nonce, ciphertext) = seal::seal(&wrap, &place, "envelope", &[], &keys)?;
        client.put_snapshot(
            &space.space_id,
            &SnapshotUpload {
                doc_id: kept.envelope.clone(),
                upto_seq: 0,
                key_epoch: space.epoch,
                nonce: URL_SAFE_NO_PAD.encode(nonce),
                ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
            },
        )?;
        client.set_recovery(&kept.server_code)?;
        kept.uploaded = true;
        self.keep_recovery(&kept)
    }

    /// Restores a person on this fresh device from their recovery key, at
    /// `server`: everything in their private space, and their pairs. Returns
    /// what arrived and the person's **new** recovery key (the old one is
    /// used up), to be shown once.
    pub fn restore(
        &mut self,
        recovery_key: &str,
        server: &str,
    ) -> Result<(SyncReport, Zeroizing<String>)> {
        let key = RecoveryKey::parse(recovery_key)?;
        if self.person().is_ok() || self.account()?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
        let account = self
            .register(server, Some(&key.server_code()))
            .map_err(|e| match e {
                Error::Server { status: 410, .. } => Error::invalid(
                    "recovery key",
                    "the server does not know it (or it was used already)",
                ),
                e => e,
            })?;
        let client = account.client()?;
        let wrap = key.wrap_key();
        let name = key.envelope_name();
        let mut found = None;
        for space in client.list_spaces()?.spaces.into_iter().filter(|s| s.owner) {
            for snap in client.snapshots(&space.space_id)?.snapshots {
                if snap.doc_id != name {
                    continue;
                }
                let place = Place {
                    space_id: &space.space_id,
                    wire_doc_id: &name,
                    wire_change_hash: ENVELOPE_HASH,
                    epoch: snap.key_epoch,
                };
                let nonce = URL_SAFE_NO_PAD.decode(&snap.nonce).unwrap_or_default();
                let ct = URL_SAFE_NO_PAD.decode(&snap.ciphertext).unwrap_or_default();
                if let Ok(opened) = seal::open(&wrap, &place, &nonce, &ct)
                    && let Some(keys) = super::devices::unpack_keys(&opened.payload)
                {
                    found = Some((space.space_id.clone(), keys));
                }
            }
        }
        let (space_id, keys) = found.ok_or_else(|| {
            Error::invalid("recovery key", "no data for it was found at this server")
        })?;
        for (epoch, key) in keys {
            self.add_space(&space_id, SpaceRole::Private, epoch, &key)?;
        }
        let mut report = self.sync()?;
        // The keyring arrived with the first sync: the pairs come with the second.
        let more = self.sync()?;
        report.pulled += more.pulled;
        report.applied += more.applied;
        let new_key = self.new_recovery_key()?;
        Ok((report, new_key))
    }

    fn kept_recovery(&self) -> Result<Option<Kept>> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'recovery'", [], |r| {
                r.get(0)
            })
            .optional()?;
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|_| Error::CorruptStore("the recovery record is damaged".into()))
        })
        .transpose()
    }

    fn keep_recovery(&self, kept: &Kept) -> Result<()> {
        let text = Zeroizing::new(serde_json::to_string(kept)?);
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('recovery', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [text.as_str()],
        )?;
        Ok(())
    }
}
