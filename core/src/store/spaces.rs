//! The spaces this device syncs, where its pulls stand in each, and the
//! keys it holds for them.
//!
//! Every document of the person's own data lives in their **private space**.
//! Keys are kept per space and epoch in the encrypted store; a record sealed
//! under an epoch whose key this device never received cannot be opened.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};
use crate::sync::seal::SpaceKey;

/// What a space is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceRole {
    /// The person's own data, on all their devices.
    Private,
    /// A mentor–mentee pair.
    Pair,
}

impl SpaceRole {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SpaceRole::Private => "private",
            SpaceRole::Pair => "pair",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "private" => Ok(SpaceRole::Private),
            "pair" => Ok(SpaceRole::Pair),
            other => Err(Error::CorruptStore(format!("unknown space role {other:?}"))),
        }
    }
}

/// One space as this device knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Space {
    /// The server's id for it.
    pub space_id: String,
    /// What it is for.
    pub role: SpaceRole,
    /// The epoch new records are sealed under.
    pub epoch: u32,
    /// The last `seq` applied from the server.
    pub cursor: i64,
    /// The highest `head_seq` the server ever reported: it must never go back.
    pub high_water: i64,
    /// For a pair: which side this device's person is on.
    pub side: Option<crate::domain::pair::Side>,
    /// For a pair: ended (no longer synced; what is here stays).
    pub ended: bool,
    /// When the mentor last looked at this pair in the overview (UTC ms).
    pub looked_ms: i64,
}

impl Store {
    /// What the pair `space_id` pinned of the other side's identity: the
    /// fingerprint (hex), `conflict` when its keyring holds several, or
    /// nothing yet.
    pub(crate) fn pair_pin(&self, space_id: &str) -> Result<Option<String>> {
        let pin: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT pin FROM spaces WHERE space_id = ?1")?
            .query_row([space_id], |r| r.get(0))
            .optional()?;
        Ok(pin.flatten())
    }

    /// The public key of this account's identity, once the keyring holds
    /// one.
    pub(crate) fn identity_public(&self) -> Result<Option<[u8; 32]>> {
        Ok(self
            .meta("identity_public")?
            .and_then(|p| crate::features::identity::from_hex(&p)))
    }

    /// Every space this device syncs, private first.
    pub fn spaces(&self) -> Result<Vec<Space>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT space_id, role, epoch, cursor, high_water, side, ended, looked_ms FROM spaces
             ORDER BY role = 'pair', space_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(
                |(space_id, role, epoch, cursor, high_water, side, ended, looked_ms)| {
                    Ok(Space {
                        space_id,
                        role: SpaceRole::parse(&role)?,
                        epoch,
                        cursor,
                        high_water,
                        side: side.as_deref().and_then(crate::domain::pair::Side::parse),
                        ended,
                        looked_ms,
                    })
                },
            )
            .collect()
    }

    /// The person's private space, once it exists.
    pub fn private_space(&self) -> Result<Option<Space>> {
        Ok(self
            .spaces()?
            .into_iter()
            .find(|s| s.role == SpaceRole::Private))
    }

    /// Records a space and its key for `epoch` (a known space keeps its
    /// cursor, and a key already known for an epoch is kept: whoever could
    /// hand this device a key must not be able to swap a current one). A
    /// known space seals under the new key only once the server has
    /// reported its epoch.
    pub(crate) fn add_space(
        &self,
        space_id: &str,
        role: SpaceRole,
        epoch: u32,
        key: &SpaceKey,
    ) -> Result<()> {
        let conn = &self.conn;
        conn.execute(
            "INSERT INTO spaces (space_id, role, epoch, server_epoch) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (space_id) DO NOTHING",
            params![space_id, role.as_str(), epoch],
        )?;
        conn.execute(
            "INSERT INTO space_keys (space_id, epoch, key) VALUES (?1, ?2, ?3)
             ON CONFLICT (space_id, epoch) DO NOTHING",
            params![space_id, epoch, &key.as_bytes()[..]],
        )?;
        super::fences::raise_sealing_epoch(conn, space_id)
    }

    /// The key of `space_id` for `epoch`, if this device holds it.
    pub(crate) fn space_key(&self, space_id: &str, epoch: u32) -> Result<Option<SpaceKey>> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT key FROM space_keys WHERE space_id = ?1 AND epoch = ?2",
                params![space_id, epoch],
                |r| r.get(0),
            )
            .optional()?;
        match bytes {
            None => Ok(None),
            Some(b) => {
                let arr: [u8; 32] = b
                    .try_into()
                    .map_err(|_| Error::CorruptStore("a space key is damaged".into()))?;
                Ok(Some(SpaceKey::from_bytes(arr)))
            }
        }
    }

    /// Every key this device holds for `space_id`, oldest epoch first.
    pub(crate) fn space_keys(&self, space_id: &str) -> Result<Vec<(u32, SpaceKey)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT epoch, key FROM space_keys WHERE space_id = ?1 ORDER BY epoch")?;
        let rows = stmt
            .query_map([space_id], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(e, b)| {
                let arr: [u8; 32] = b
                    .try_into()
                    .map_err(|_| Error::CorruptStore("a space key is damaged".into()))?;
                Ok((e, SpaceKey::from_bytes(arr)))
            })
            .collect()
    }

    /// Records that `epoch` of `space_id` began after `after_seq`: no
    /// record sealed under an earlier epoch is taken past it.
    pub(crate) fn set_fence(&self, space_id: &str, epoch: u32, after_seq: i64) -> Result<()> {
        super::fences::set(&self.conn, space_id, epoch, after_seq)
    }

    /// Where each epoch of `space_id` whose key this device holds began,
    /// as `(epoch, after_seq)`, oldest first.
    pub(crate) fn fences(&self, space_id: &str) -> Result<Vec<(u32, i64)>> {
        super::fences::of(&self.conn, space_id)
    }

    /// Notes that the server reported `epoch` for `space_id` (see
    /// `store::fences::note_server_epoch`).
    pub(crate) fn note_server_epoch(&self, space_id: &str, epoch: u32) -> Result<()> {
        super::fences::note_server_epoch(&self.conn, space_id, epoch)
    }

    /// The mentor looked at their overview at `now_ms`: what changed in
    /// each pair they mentor counts from then.
    pub(crate) fn mark_mentor_looked(&self, now_ms: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE spaces SET looked_ms = ?1 WHERE side = 'mentor'",
            [now_ms],
        )?;
        Ok(())
    }
}
