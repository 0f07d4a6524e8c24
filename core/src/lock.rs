//! The app lock: a store that closes itself.
//!
//! A [`Vault`] owns the open [`Store`] while unlocked. Locking closes the
//! database, and with it SQLCipher's copy of the key (SQLCipher wipes its key
//! material when a connection closes); the vault itself never keeps the key.
//! While locked every call that would read or write gives [`Error::Locked`].
//! Unlocking takes the key again — the shells fetch it from Android Keystore
//! or iOS Keychain behind BiometricPrompt / LocalAuthentication.
//!
//! The lock follows the app's life: [`Vault::entered_background`] notes the
//! time, and [`Vault::entered_foreground`] locks if the person's
//! [`Settings::lock_after_secs`](crate::settings::Settings) have passed.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::erase::EraseReport;
use crate::error::{Error, Result};
use crate::store::{Options, Store, StoreKey};

/// A store behind the app lock.
#[derive(Debug)]
pub struct Vault {
    path: PathBuf,
    options: Options,
    store: Option<Store>,
    lock_after_secs: u32,
    background_since: Option<DateTime<Utc>>,
    erased: bool,
}

impl Vault {
    /// Opens the encrypted store at `path`, unlocked. The key is dropped
    /// (and wiped) when this returns.
    pub fn open(path: impl AsRef<Path>, key: StoreKey, options: Options) -> Result<Vault> {
        let path = path.as_ref().to_path_buf();
        let store = Store::open_with(&path, Some(&key), options.clone())?;
        let lock_after_secs = store.settings()?.lock_after_secs;
        Ok(Vault {
            path,
            options,
            store: Some(store),
            lock_after_secs,
            background_since: None,
            erased: false,
        })
    }

    /// A vault around a store opened elsewhere (by a caller that also
    /// finishes key rotations, say), unlocked; `options` are used again to
    /// reopen it after a lock.
    pub fn adopt(store: Store, options: Options) -> Result<Vault> {
        let lock_after_secs = store.settings()?.lock_after_secs;
        Ok(Vault {
            path: store.path().to_path_buf(),
            options,
            store: Some(store),
            lock_after_secs,
            background_since: None,
            erased: false,
        })
    }

    /// The open store, or [`Error::Locked`].
    pub fn store(&mut self) -> Result<&mut Store> {
        self.store.as_mut().ok_or(Error::Locked)
    }

    /// Whether the vault is locked.
    pub fn is_locked(&self) -> bool {
        self.store.is_none()
    }

    /// Locks at once: closes the store and forgets it.
    pub fn lock(&mut self) {
        if let Some(store) = self.store.take() {
            self.lock_after_secs = store.settings().map_or(0, |s| s.lock_after_secs);
        }
        self.background_since = None;
    }

    /// Unlocks with `key`. A wrong key gives [`Error::WrongKey`] and the
    /// vault stays locked; unlocking an open vault changes nothing. An
    /// erased vault stays locked ([`Error::Locked`]).
    pub fn unlock(&mut self, key: StoreKey) -> Result<()> {
        if self.store.is_some() {
            return Ok(());
        }
        if self.erased {
            return Err(Error::Locked);
        }
        let store = Store::open_with(&self.path, Some(&key), self.options.clone())?;
        self.lock_after_secs = store.settings()?.lock_after_secs;
        self.store = Some(store);
        Ok(())
    }

    /// Erases the store (see [`crate::erase::erase`]) and `also`; the vault stays
    /// locked for good. Locked vaults refuse: unlock first, so that only the
    /// person who can open the store can erase it.
    pub fn erase(&mut self, also: &[PathBuf]) -> Result<EraseReport> {
        let store = self.store.take().ok_or(Error::Locked)?;
        self.background_since = None;
        self.erased = true;
        crate::erase::erase(store, also)
    }

    /// The app went to the background: start counting.
    pub fn entered_background(&mut self) {
        if let Some(store) = &self.store {
            self.lock_after_secs = store.settings().map_or(0, |s| s.lock_after_secs);
        }
        self.background_since = Some(self.options.clock.now());
    }

    /// The app came back: locks if it was away for the person's lock delay
    /// or longer. Returns whether the vault is now locked.
    pub fn entered_foreground(&mut self) -> bool {
        if self.lock_due() {
            self.lock();
        }
        self.is_locked()
    }

    /// The app came back: whether it was away for the person's lock delay
    /// or longer (the count starts over), without locking.
    pub fn lock_due(&mut self) -> bool {
        match self.background_since.take() {
            Some(since) => {
                let away = self.options.clock.now() - since;
                away.num_seconds() >= i64::from(self.lock_after_secs)
            }
            None => false,
        }
    }
}
