//! [`App`]: the one runtime every shell wraps.
//!
//! An `App` owns one device's store behind the app lock ([`Vault`]), the
//! listeners told what each write or sync changed, and the calls that reach
//! the sync server. It is `Send + Sync`: shells share one `App` between their
//! threads. Product features are reached through handles named for them
//! ([`App::journal`], [`App::pairs`], …; see [`crate::features`]).
//!
//! Threads and locks:
//! - quick reads and writes (a few milliseconds) hold the store for the call;
//! - calls that reach the server run one at a time, and the store is held
//!   only between the server's answers (a sync, connecting, pairing), so a
//!   craving logged meanwhile lands at once;
//! - listeners are told after the store is released, so they may call back.

mod listeners;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use crate::area::Area;
use crate::erase::EraseReport;
use crate::error::{Error, Result};
use crate::export::{Export, ImportSummary};
use crate::features::{
    CheckIns, Cravings, Devices, Goals, Journal, Mentor, Notes, Pairs, SettingsHandle, Sharing,
    Tracks,
};
use crate::insights::Insights;
use crate::lock::Vault;
use crate::person::Person;
use crate::store::{Options, Store, StoreKey};
use crate::sync::{StoreAccess, SyncReport, SyncStatus};
use crate::view::TodayView;

use listeners::Listeners;
pub use listeners::{ChangeListener, Subscription};

/// One device's Tandem: its encrypted store behind the app lock, its
/// listeners, and its connection to the sync server.
pub struct App {
    vault: Mutex<Vault>,
    listeners: Arc<Listeners>,
    /// Held by the call that talks to the server, so that there is one.
    network: Mutex<()>,
    /// Asked to lock while a call talked to the server: the store closes
    /// when that call ends (see [`App::lock`]).
    lock_pending: AtomicBool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

/// Held by the one call that talks to the server; when it ends, a lock
/// asked for meanwhile happens.
struct Alone<'a> {
    app: &'a App,
    _guard: MutexGuard<'a, ()>,
}

impl Drop for Alone<'_> {
    fn drop(&mut self) {
        if self.app.lock_pending.swap(false, Ordering::SeqCst) {
            self.app.vault().lock();
        }
    }
}

/// The store as a call that reaches the server sees it: the app lock taken
/// for one step at a time, the listeners told after each.
pub(crate) struct Steps<'a>(&'a App);

impl StoreAccess for Steps<'_> {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.0.write(f)
    }
}

impl App {
    /// Opens (or creates) the encrypted store at `path` with `key`,
    /// unlocked. Blocking (tens of milliseconds).
    pub fn open(path: impl AsRef<Path>, key: StoreKey, options: Options) -> Result<App> {
        Ok(App {
            vault: Mutex::new(Vault::open(path, key, options)?),
            listeners: Arc::new(Listeners::default()),
            network: Mutex::new(()),
            lock_pending: AtomicBool::new(false),
        })
    }

    /// An app around a store opened elsewhere (see [`Vault::adopt`]).
    pub fn adopt(store: Store, options: Options) -> Result<App> {
        Ok(App {
            vault: Mutex::new(Vault::adopt(store, options)?),
            listeners: Arc::new(Listeners::default()),
            network: Mutex::new(()),
            lock_pending: AtomicBool::new(false),
        })
    }

    fn vault(&self) -> MutexGuard<'_, Vault> {
        // A panic while the lock was held leaves the store consistent (every
        // write is one SQLite transaction), so a poisoned lock is still usable.
        self.vault.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn alone(&self) -> Alone<'_> {
        Alone {
            app: self,
            _guard: self.network.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Locks now if no call is talking to the server; otherwise once it
    /// ends. Returns whether the store closed now.
    fn lock_when_free(&self) -> bool {
        let free = match self.network.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        };
        if let Some(_free) = free {
            self.vault().lock();
            return true;
        }
        self.lock_pending.store(true, Ordering::SeqCst);
        // The call may have ended between the two looks: then nobody else
        // will see the flag.
        if let Ok(_free) = self.network.try_lock()
            && self.lock_pending.swap(false, Ordering::SeqCst)
        {
            self.vault().lock();
            return true;
        }
        false
    }

    /// Runs `f` on the open store, then tells the listeners what changed
    /// (after the store is released). A read changes nothing and tells
    /// nobody. Fails with [`Error::Locked`](crate::Error::Locked) while
    /// locked.
    pub fn write<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let (result, changed) = {
            let mut vault = self.vault();
            let store = vault.store()?;
            let result = f(store);
            (result, store.take_changed())
        };
        self.listeners.tell(&changed);
        result
    }

    /// Runs `f` on the open store for a read.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        self.write(|s| f(s))
    }

    /// Runs `f` once no other call is talking to the server, with the store
    /// reached step by step: `f` takes each step through the access it is
    /// given, which holds the store only for that step.
    pub(crate) fn on_network<T>(&self, f: impl FnOnce(&mut Steps<'_>) -> Result<T>) -> Result<T> {
        let _alone = self.alone();
        f(&mut Steps(self))
    }

    /// Runs `f` once no other call is talking to the server, holding the
    /// store throughout: for the rare one-off calls not yet written as steps
    /// (linking, restoring, unlinking, a new recovery key).
    pub(crate) fn on_network_held<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let _alone = self.alone();
        self.write(f)
    }

    // --- Listeners ----------------------------------------------------------

    /// Tells `listener` about every change from now on, and at once about
    /// every area (so it draws the current state). Dropping the returned
    /// [`Subscription`] stops it.
    pub fn subscribe(&self, listener: Arc<dyn ChangeListener>) -> Subscription {
        listener.changed(Area::ALL);
        self.listeners.add(listener)
    }

    /// Like [`subscribe`](Self::subscribe), without the first call: for a
    /// shell that has just drawn the current state itself.
    pub fn listen(&self, listener: Arc<dyn ChangeListener>) -> Subscription {
        self.listeners.add(listener)
    }

    // --- The app lock ---------------------------------------------------------

    /// Locks now: the store closes and every call fails with `Locked`.
    ///
    /// A call that is talking to the server (connecting, pairing, linking,
    /// restoring, a sync) is not cut off between its steps: such calls
    /// spend one-time credentials (an invite, a link code, the recovery
    /// key) on the server and must keep what the server answered. The
    /// store closes as soon as that call ends; meanwhile
    /// [`is_locked`](Self::is_locked) already says locked, so the shell
    /// shows its lock screen at once.
    pub fn lock(&self) {
        self.lock_when_free();
    }

    /// Unlocks with the store key; a wrong key gives `WrongKey` and the app
    /// stays locked.
    /// A lock still waiting for a call to the server happens first (the
    /// unlock waits for that call), so the key is always checked.
    pub fn unlock(&self, key: StoreKey) -> Result<()> {
        if self.lock_pending.load(Ordering::SeqCst) {
            drop(self.alone());
        }
        self.vault().unlock(key)
    }

    /// Whether the app is locked.
    pub fn is_locked(&self) -> bool {
        self.lock_pending.load(Ordering::SeqCst) || self.vault().is_locked()
    }

    /// The app went to the background: the lock delay starts.
    pub fn entered_background(&self) {
        self.vault().entered_background();
    }

    /// The app came back; returns whether it is now locked (the person's
    /// lock delay passed).
    /// A call talking to the server finishes first, as with [`lock`](Self::lock).
    pub fn entered_foreground(&self) -> bool {
        let due = self.vault().lock_due();
        if due {
            self.lock_when_free();
        }
        self.is_locked()
    }

    // --- The person and the screens' data -------------------------------------

    /// Sets up this device for a person.
    pub fn init(&self, name: &str, timezone: &str) -> Result<Person> {
        self.write(|s| s.init(name, timezone))
    }

    /// The person.
    pub fn person(&self) -> Result<Person> {
        self.read(|s| s.person())
    }

    /// Whether this device has been set up for a person (first run done).
    pub fn is_set_up(&self) -> Result<bool> {
        self.read(|s| match s.person() {
            Ok(_) => Ok(true),
            Err(Error::NotInitialized) => Ok(false),
            Err(e) => Err(e),
        })
    }

    /// The Today view.
    pub fn today(&self) -> Result<TodayView> {
        self.read(crate::view::today)
    }

    /// The insights series over the last `days` days.
    pub fn insights(&self, days: u32) -> Result<Insights> {
        self.read(|s| s.insights(days))
    }

    // --- Features -------------------------------------------------------------

    /// The journal.
    pub fn journal(&self) -> Journal<'_> {
        Journal::new(self)
    }

    /// The craving log.
    pub fn cravings(&self) -> Cravings<'_> {
        Cravings::new(self)
    }

    /// Daily check-ins.
    pub fn checkins(&self) -> CheckIns<'_> {
        CheckIns::new(self)
    }

    /// Goals and milestones.
    pub fn goals(&self) -> Goals<'_> {
        Goals::new(self)
    }

    /// Clean-time tracks.
    pub fn tracks(&self) -> Tracks<'_> {
        Tracks::new(self)
    }

    /// Pairs: inviting, joining, ending, reaching out.
    pub fn pairs(&self) -> Pairs<'_> {
        Pairs::new(self)
    }

    /// What is shared into which pair.
    pub fn sharing(&self) -> Sharing<'_> {
        Sharing::new(self)
    }

    /// Shared (and private) notes.
    pub fn notes(&self) -> Notes<'_> {
        Notes::new(self)
    }

    /// This device's wake-ups: its Web Push subscription at the relay.
    pub fn wakeups(&self) -> crate::features::Wakeups<'_> {
        crate::features::Wakeups::new(self)
    }

    /// A pair's meetings: schedules, the record of each meeting, calendar export.
    pub fn meetings(&self) -> crate::features::Meetings<'_> {
        crate::features::Meetings::new(self)
    }

    /// The mentor's side: the overview of mentees and their reach-outs.
    pub fn mentor(&self) -> Mentor<'_> {
        Mentor::new(self)
    }

    /// This person's devices, linking and recovery.
    pub fn devices(&self) -> Devices<'_> {
        Devices::new(self)
    }

    /// This device's settings and due notices.
    pub fn settings(&self) -> SettingsHandle<'_> {
        SettingsHandle::new(self)
    }

    /// The screens: what each draws, the flows between them, and where the
    /// app opens.
    pub fn screens(&self) -> crate::screens::Screens<'_> {
        crate::screens::Screens::new(self)
    }

    // --- Sync -------------------------------------------------------------------

    /// Connects this device to a sync server (a new account) and syncs.
    pub fn connect(&self, server: &str) -> Result<SyncReport> {
        let _alone = self.alone();
        crate::sync::engine::connect(&mut Steps(self), server)
    }

    /// Syncs now: pushes what is pending, pulls what is new. The store is
    /// held only for each step.
    pub fn sync_now(&self) -> Result<SyncReport> {
        let _alone = self.alone();
        crate::sync::run::sync(&mut Steps(self))
    }

    /// Syncs; with `server`, first connects this device there if it has no
    /// server yet (a device that syncs with another server refuses it).
    /// Without one, a device that was never connected gets
    /// [`Error::NoServer`].
    pub fn sync_with(&self, server: Option<&str>) -> Result<SyncReport> {
        match server {
            Some(url) => self.connect(url),
            None if self.read(|s| s.account())?.is_none() => Err(Error::NoServer),
            None => self.sync_now(),
        }
    }

    /// Connects this device to `server` (and syncs) unless it already has a
    /// server; without one, a device never connected gets
    /// [`Error::NoServer`].
    pub fn ensure_connected(&self, server: Option<&str>) -> Result<()> {
        if self.read(|s| s.account())?.is_some() {
            return Ok(());
        }
        match server {
            Some(url) => self.connect(url).map(|_| ()),
            None => Err(Error::NoServer),
        }
    }

    /// Syncs if this device has a server and the core's backoff says a try
    /// is due (the sync status's `next_attempt_ms` has passed); otherwise
    /// returns `None` without touching the network. Shells call it whenever
    /// they may sync (start, foreground, a timer, a background task).
    pub fn sync_if_due(&self) -> Result<Option<SyncReport>> {
        let due = self.read(|s| {
            if s.account()?.is_none() {
                return Ok(false);
            }
            let status = crate::sync::engine::status(s)?;
            let now = s.now().timestamp_millis();
            Ok(status.next_attempt_ms.is_none_or(|at| at <= now))
        })?;
        if due {
            self.sync_now().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The sync status (last success, pending changes, last error, next try).
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.read(crate::sync::engine::status)
    }

    // --- Export, import, erase -----------------------------------------------

    /// Everything on the device, complete and re-importable.
    pub fn export(&self) -> Result<Export> {
        self.write(|s| s.export())
    }

    /// Restores an export into this fresh device.
    pub fn import(&self, export: &Export) -> Result<ImportSummary> {
        self.write(|s| s.import(export))
    }

    /// Deletes everything: asks the server to delete the account, then
    /// removes the store's files and `also` (the wrapped key file, say). The
    /// app stays locked for good afterwards.
    pub fn erase(&self, also: &[PathBuf]) -> Result<EraseReport> {
        let _alone = self.alone();
        let report = self.vault().erase(also)?;
        self.listeners.tell(Area::ALL);
        Ok(report)
    }
}
