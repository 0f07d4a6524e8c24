//! A person's several devices: linking a new one with a code from one they
//! already use.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use super::code::LinkCode;
use super::engine::SyncReport;
use super::spaces::SpaceRole;
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
