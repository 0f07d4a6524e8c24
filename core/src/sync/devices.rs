//! A person's several devices: linking a new one with a code from one they
//! already use.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use tandem_protocol::SnapshotUpload;

use super::code::LinkCode;
use super::engine::SyncReport;
use super::seal::SpaceKey;
use super::spaces::SpaceRole;
use crate::document::{DocId, shard};
use crate::error::{Error, Result};
use crate::store::Store;

impl Store {
    /// A single-use code (15 minutes) that links another device to this
    /// person: it carries the server's link code and the private space's
    /// key, so show it only on this screen and only to yourself.
    pub fn link_code(&mut self) -> Result<Zeroizing<String>> {
        let account = self.account()?.ok_or(Error::NoServer)?;
        let space = self.private_space()?.ok_or(Error::NoServer)?;
        let key = self
            .space_key(&space.space_id, space.epoch)?
            .ok_or_else(|| Error::CorruptStore("the private space's key is missing".into()))?;
        let answer = account.client()?.link_code()?;
        let server_code: [u8; 32] = URL_SAFE_NO_PAD
            .decode(&answer.code)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Server {
                status: 200,
                message: "the link code is not 32 bytes".into(),
            })?;
        let mut space_id = [0u8; 16];
        hex::decode_to_slice(&space.space_id, &mut space_id)
            .map_err(|_| Error::CorruptStore("a space id is damaged".into()))?;
        Ok(LinkCode {
            server_code,
            space_id,
            epoch: space.epoch,
            key,
        }
        .to_text())
    }

    /// Links this fresh device to the person whose device showed `code`,
    /// at `server`, and syncs everything down.
    pub fn link(&mut self, code: &str, server: &str) -> Result<SyncReport> {
        let code = LinkCode::parse(code)?;
        if self.person().is_ok() || self.account()?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
        let server_code = URL_SAFE_NO_PAD.encode(code.server_code);
        self.register(server, Some(&server_code))?;
        self.add_space(
            &hex::encode(code.space_id),
            SpaceRole::Private,
            code.epoch,
            &code.key,
        )?;
        // History made here before linking has nothing to share: a fresh
        // store holds no changes.
        self.sync()
    }
}

/// One of the person's devices, as the Devices screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceView {
    /// The server's id for the device.
    pub device_id: String,
    /// Its public key (X25519, hex): new epoch keys are sealed to it.
    pub public_key: String,
    /// Unlinked: its token no longer works and it gets no new keys.
    pub unlinked: bool,
    /// Whether it is the device this store is on.
    #[serde(default)]
    pub this_device: bool,
}

/// The opaque snapshot name under which a device finds its key envelope
/// for `epoch` of the private space.
fn envelope_name(device_id: &str, epoch: u32) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"tandem device key envelope v1\0");
    h.update(device_id.as_bytes());
    h.update(epoch.to_be_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Every key of a space, as `(epoch, key)` pairs, packed for an envelope.
pub(crate) fn pack_keys(keys: &[(u32, SpaceKey)]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(keys.len() * 36));
    for (epoch, key) in keys {
        out.extend_from_slice(&epoch.to_be_bytes());
        out.extend_from_slice(key.as_bytes());
    }
    out
}

/// The inverse of [`pack_keys`].
pub(crate) fn unpack_keys(bytes: &[u8]) -> Option<Vec<(u32, SpaceKey)>> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(36) {
        return None;
    }
    Some(
        bytes
            .chunks(36)
            .map(|c| {
                let epoch = u32::from_be_bytes(c[..4].try_into().expect("sized"));
                let key: [u8; 32] = c[4..].try_into().expect("sized");
                (epoch, SpaceKey::from_bytes(key))
            })
            .collect(),
    )
}

impl Store {
    /// This device's box secret (X25519), made on first use.
    fn box_secret(&self) -> Result<crypto_box::SecretKey> {
        use rusqlite::OptionalExtension;
        let hex_key: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'box_secret'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(h) = hex_key.map(Zeroizing::new) {
            let mut bytes = Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(h.as_str(), bytes.as_mut())
                .map_err(|_| Error::CorruptStore("the device's box key is damaged".into()))?;
            return Ok(crypto_box::SecretKey::from(*bytes));
        }
        let secret = crypto_box::SecretKey::generate(&mut crypto_box::aead::OsRng);
        let text = Zeroizing::new(hex::encode(secret.to_bytes()));
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('box_secret', ?1)",
            [text.as_str()],
        )?;
        Ok(secret)
    }

    /// Adds this device to the person's devices document with its public key.
    pub(crate) fn publish_device(&mut self) -> Result<()> {
        let Some(account) = self.account()? else {
            return Ok(());
        };
        let public = hex::encode(self.box_secret()?.public_key().as_bytes());
        let view = DeviceView {
            device_id: account.device_id.clone(),
            public_key: public,
            unlinked: false,
            this_device: false,
        };
        if self
            .devices()?
            .iter()
            .any(|d| d.device_id == view.device_id && d.public_key == view.public_key)
        {
            return Ok(());
        }
        let body = serde_json::to_string(&view)?;
        self.write_whole(&DocId::devices(), |tx| {
            shard::put(tx, &account.device_id, &body)
        })
    }

    /// The person's devices.
    pub fn devices(&self) -> Result<Vec<DeviceView>> {
        let me = self.account()?.map(|a| a.device_id);
        let mut stmt = self
            .conn()
            .prepare("SELECT body FROM devices ORDER BY device_id")?;
        let bodies = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(bodies.len());
        for b in bodies {
            let mut d: DeviceView = serde_json::from_str(&b)?;
            d.this_device = me.as_deref() == Some(d.device_id.as_str());
            out.push(d);
        }
        Ok(out)
    }

    /// Unlinks a lost device: the server stops taking its token, and the
    /// private space starts a new epoch whose key is sealed only to the
    /// remaining devices. The recovery key is replaced too (the lost device
    /// may have known how to use the old one): the new one is returned, to
    /// be shown once. What the lost device already held stays readable to
    /// whoever holds it and its store key.
    pub fn unlink_device(&mut self, device_id: &str) -> Result<(DeviceView, Zeroizing<String>)> {
        let account = self.account()?.ok_or(Error::NoServer)?;
        let space = self.private_space()?.ok_or(Error::NoServer)?;
        let mut lost = self
            .devices()?
            .into_iter()
            .find(|d| d.device_id == device_id)
            .ok_or_else(|| Error::not_found("device", device_id))?;
        if lost.this_device {
            return Err(Error::invalid(
                "device",
                "this is the device you are using; unlink it from another one",
            ));
        }
        let client = account.client()?;
        match client.unlink_device(device_id) {
            Ok(()) | Err(Error::Server { status: 404, .. }) => {}
            Err(e) => return Err(e),
        }
        lost.unlinked = true;
        lost.this_device = false;
        let body = serde_json::to_string(&lost)?;
        self.write_whole(&DocId::devices(), |tx| shard::put(tx, device_id, &body))?;
        let epoch = client.new_epoch(&space.space_id)?.epoch;
        self.add_space(
            &space.space_id,
            SpaceRole::Private,
            epoch,
            &SpaceKey::generate(),
        )?;
        self.send_epoch_keys(&client)?;
        let recovery = self.new_recovery_key()?;
        self.sync()?;
        Ok((lost, recovery))
    }

    /// Seals every key of the private space to each linked device (but not
    /// unlinked ones).
    fn send_epoch_keys(&mut self, client: &super::Client) -> Result<()> {
        let space = self.private_space()?.ok_or(Error::NoServer)?;
        let keys = self.space_keys(&space.space_id)?;
        let packed = pack_keys(&keys);
        for d in self.devices()? {
            if d.unlinked || d.this_device {
                continue;
            }
            let mut pk = [0u8; 32];
            if hex::decode_to_slice(&d.public_key, &mut pk).is_err() {
                continue;
            }
            let sealed = crypto_box::PublicKey::from(pk)
                .seal(&mut crypto_box::aead::OsRng, &packed)
                .map_err(|_| Error::invalid("device key", "could not be sealed"))?;
            client.put_snapshot(
                &space.space_id,
                &SnapshotUpload {
                    doc_id: envelope_name(&d.device_id, space.epoch),
                    upto_seq: 0,
                    key_epoch: space.epoch,
                    nonce: String::new(),
                    ciphertext: URL_SAFE_NO_PAD.encode(sealed),
                },
            )?;
        }
        Ok(())
    }

    /// Fetches this device's envelope for `epoch` of the private space and
    /// keeps the keys in it. Returns whether the epoch's key is now known.
    pub(crate) fn receive_epoch_keys(
        &mut self,
        client: &super::Client,
        space_id: &str,
        epoch: u32,
    ) -> Result<bool> {
        let Some(account) = self.account()? else {
            return Ok(false);
        };
        let name = envelope_name(&account.device_id, epoch);
        let secret = self.box_secret()?;
        for snap in client.snapshots(space_id)?.snapshots {
            if snap.doc_id != name {
                continue;
            }
            let sealed = URL_SAFE_NO_PAD.decode(&snap.ciphertext).unwrap_or_default();
            let Ok(opened) = secret.unseal(&sealed) else {
                continue;
            };
            let Some(keys) = unpack_keys(&opened) else {
                continue;
            };
            for (e, key) in keys {
                self.add_space(space_id, SpaceRole::Private, e, &key)?;
            }
        }
        Ok(self.space_key(space_id, epoch)?.is_some())
    }
}
