//! [`Tandem`]: one device's store behind the app lock, as the shells hold it.
//!
//! Every method is one call into `tandem-core` plus type conversions. After
//! each call the areas of view state the core says changed are passed to the
//! shell's [`ChangeListener`], outside the store's lock, so the listener may
//! call back in.
//!
//! Threads: quick reads and writes (a few milliseconds) are plain blocking
//! calls — shells run them off the main thread (Kotlin `Dispatchers.IO`,
//! Swift `Task.detached`). Calls that reach the network or rewrite the whole
//! store are `async` (Kotlin `suspend`, Swift `async`) and run on a worker
//! thread of their own. Those that reach the network run one at a time; a
//! sync holds the store only for each of its steps, never while it waits on
//! the network, so writes made meanwhile land at once (and go out in that
//! sync or the next).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::NaiveDate;
use tandem_core::checkin::{CheckIn, CheckInInput};
use tandem_core::craving::CravingEntry;
use tandem_core::export::Export;
use tandem_core::goal::{GoalInput, GoalStatus};
use tandem_core::journal::{JournalEntry, JournalInput};
use tandem_core::lock::Vault;
use tandem_core::note::SharedNote;
use tandem_core::notify::Notice;
use tandem_core::pair::ReachOut;
use tandem_core::person::Person;
use tandem_core::settings::Settings;
use tandem_core::sync::devices::DeviceView;
use tandem_core::sync::overview::MenteeOverview;
use tandem_core::sync::pairing::PairView;
use tandem_core::sync::sharing::ShareKind;
use tandem_core::sync::{StoreAccess, SyncStatus};
use tandem_core::track::TrackStats;
use tandem_core::view::{Area, GoalView, TodayView};
use tandem_core::{Options, Store, StoreKey};

use crate::error::Result;
use crate::mirror::{
    self, CravingInput, EraseReportView, ImportSummaryView, Insights, PageCursor, Restored,
    SyncReportView, Unlinked,
};

/// Told which parts of the view state changed, after a write or a sync.
/// Called on the thread that made the call; shells hop to their main thread
/// to redraw.
#[uniffi::export(with_foreign)]
pub trait ChangeListener: Send + Sync {
    /// `areas` changed: redraw the screens that show them.
    fn changed(&self, areas: Vec<Area>);
}

/// One device's Tandem: its encrypted store behind the app lock.
#[derive(uniffi::Object)]
pub struct Tandem {
    vault: Mutex<Vault>,
    listener: Mutex<Option<Arc<dyn ChangeListener>>>,
    /// Held by the call that talks to the server, so that there is one.
    network: Mutex<()>,
}

/// The store as a sync reaches it: the app lock taken for one step at a
/// time, the listener told after each.
struct Steps<'a>(&'a Tandem);

impl StoreAccess for Steps<'_> {
    fn with<T>(
        &mut self,
        f: impl FnOnce(&mut Store) -> tandem_core::Result<T>,
    ) -> tandem_core::Result<T> {
        let (result, changed) = {
            let mut vault = self.0.vault();
            let store = vault.store()?;
            let result = f(store);
            (result, store.take_changed())
        };
        self.0.tell(changed);
        result
    }
}

impl Tandem {
    fn vault(&self) -> MutexGuard<'_, Vault> {
        // A panic while the lock was held leaves the store consistent (every
        // write is one SQLite transaction), so a poisoned lock is still usable.
        self.vault.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the open store, then tells the listener what changed.
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> tandem_core::Result<T>) -> Result<T> {
        Ok(Steps(self).with(f)?)
    }

    fn tell(&self, changed: Vec<Area>) {
        if changed.is_empty() {
            return;
        }
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(listener) = listener {
            listener.changed(changed);
        }
    }

    /// Runs `f` on a worker thread: for the calls that rewrite the store.
    async fn off_thread<T: Send + 'static>(
        self: Arc<Self>,
        f: impl FnOnce(&mut Store) -> tandem_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        blocking::unblock(move || self.with(f)).await
    }

    /// Runs `f` on a worker thread once no other call is talking to the
    /// server. `f` holds the store throughout: for the one-off calls
    /// (connecting, linking, restoring, pairing); a sync goes step by step.
    async fn on_network<T: Send + 'static>(
        self: Arc<Self>,
        f: impl FnOnce(&mut Store) -> tandem_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        blocking::unblock(move || {
            let _alone = self.network.lock().unwrap_or_else(PoisonError::into_inner);
            self.with(f)
        })
        .await
    }
}

/// A fresh random 256-bit store key. Shells keep it wrapped by Android
/// Keystore or iOS Keychain and pass it to [`Tandem::open`] and
/// [`Tandem::unlock`].
#[uniffi::export]
pub fn generate_store_key() -> Vec<u8> {
    StoreKey::generate().as_bytes().to_vec()
}

/// The neutral words of a notification under the person's chosen app name.
#[uniffi::export]
pub fn notification_text(
    notice: Notice,
    app_name: tandem_core::settings::AppName,
) -> tandem_core::notify::NotificationText {
    tandem_core::notify::text(notice, app_name)
}

#[uniffi::export]
impl Tandem {
    /// Opens (or creates) the encrypted store at `path` with its 32-byte
    /// `key`, unlocked. Blocking (tens of milliseconds): call it off the
    /// main thread.
    #[uniffi::constructor]
    pub fn open(path: String, key: Vec<u8>) -> Result<Arc<Tandem>> {
        let key = StoreKey::from_slice(&key)?;
        let vault = Vault::open(PathBuf::from(path), key, Options::default())?;
        Ok(Arc::new(Tandem {
            vault: Mutex::new(vault),
            listener: Mutex::new(None),
            network: Mutex::new(()),
        }))
    }

    /// Sets (or, with none, removes) the listener told about changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn ChangeListener>>) {
        *self.listener.lock().unwrap_or_else(PoisonError::into_inner) = listener;
    }

    // --- App lock -------------------------------------------------------

    /// Locks now: the store closes and every call fails with `Locked`.
    pub fn lock(&self) {
        self.vault().lock();
    }

    /// Unlocks with the store key; a wrong key gives `WrongKey` and the app
    /// stays locked.
    pub fn unlock(&self, key: Vec<u8>) -> Result<()> {
        let key = StoreKey::from_slice(&key)?;
        Ok(self.vault().unlock(key)?)
    }

    /// Whether the app is locked.
    pub fn is_locked(&self) -> bool {
        self.vault().is_locked()
    }

    /// The app went to the background.
    pub fn entered_background(&self) {
        self.vault().entered_background();
    }

    /// The app came back; returns whether it is now locked (the person's
    /// lock delay passed).
    pub fn entered_foreground(&self) -> bool {
        self.vault().entered_foreground()
    }

    // --- The person and clean time --------------------------------------

    /// Sets up this device for a person.
    pub fn init(&self, name: String, timezone: String) -> Result<Person> {
        self.with(|s| s.init(&name, &timezone))
    }

    /// The person.
    pub fn person(&self) -> Result<Person> {
        self.with(|s| s.person())
    }

    /// Changes the person's time zone.
    pub fn set_timezone(&self, timezone: String) -> Result<Person> {
        self.with(|s| s.set_timezone(&timezone))
    }

    /// Starts counting clean time on a new track from `since`.
    pub fn add_track(&self, name: String, since: NaiveDate) -> Result<TrackStats> {
        self.with(|s| s.add_track(&name, since))
    }

    /// Records a reset on a track: clean time counts again from `date`.
    pub fn reset_track(&self, id: String, date: NaiveDate, note: String) -> Result<TrackStats> {
        self.with(|s| s.reset_track(&id, date, &note))
    }

    /// Every track with its clean time.
    pub fn tracks(&self) -> Result<Vec<TrackStats>> {
        self.with(|s| s.tracks())
    }

    /// The Today screen.
    pub fn today(&self) -> Result<TodayView> {
        self.with(|s| s.today())
    }

    // --- Journal, cravings, check-ins -------------------------------------

    /// Writes a journal entry.
    pub fn add_journal(&self, input: JournalInput) -> Result<JournalEntry> {
        self.with(|s| s.add_journal(input))
    }

    /// A page of the journal, newest first.
    pub fn journal_page(&self, limit: u32, after: Option<PageCursor>) -> Result<Vec<JournalEntry>> {
        self.with(|s| s.journal_page(&mirror::page(limit, after)))
    }

    /// One journal entry.
    pub fn journal_entry(&self, id: String) -> Result<JournalEntry> {
        self.with(|s| s.journal_entry(&id))
    }

    /// Rewrites a journal entry.
    pub fn edit_journal(&self, id: String, input: JournalInput) -> Result<JournalEntry> {
        self.with(|s| s.edit_journal(&id, input))
    }

    /// Deletes a journal entry.
    pub fn delete_journal(&self, id: String) -> Result<()> {
        self.with(|s| s.delete_journal(&id))
    }

    /// Logs a craving.
    pub fn add_craving(&self, input: CravingInput) -> Result<CravingEntry> {
        let input = input.try_into()?;
        self.with(|s| s.add_craving(input))
    }

    /// A page of the craving log, newest first.
    pub fn cravings_page(
        &self,
        limit: u32,
        after: Option<PageCursor>,
    ) -> Result<Vec<CravingEntry>> {
        self.with(|s| s.cravings_page(&mirror::page(limit, after)))
    }

    /// One craving.
    pub fn craving(&self, id: String) -> Result<CravingEntry> {
        self.with(|s| s.craving(&id))
    }

    /// Deletes a craving.
    pub fn delete_craving(&self, id: String) -> Result<()> {
        self.with(|s| s.delete_craving(&id))
    }

    /// Records (or redoes) today's check-in.
    pub fn check_in(&self, input: CheckInInput) -> Result<CheckIn> {
        self.with(|s| s.check_in(input))
    }

    /// The Insights screen's series over the last `days` days.
    pub fn insights(&self, days: u32) -> Result<Insights> {
        self.with(|s| s.insights(days)).map(Insights::from)
    }

    // --- Goals and notes --------------------------------------------------

    /// Adds a goal.
    pub fn add_goal(&self, input: GoalInput) -> Result<GoalView> {
        self.with(|s| s.add_goal(input))
    }

    /// Every goal, own and shared.
    pub fn goals(&self) -> Result<Vec<GoalView>> {
        self.with(|s| s.goals())
    }

    /// Marks a goal active, done or dropped.
    pub fn set_goal_status(&self, id: String, status: GoalStatus) -> Result<GoalView> {
        self.with(|s| s.set_goal_status(&id, status))
    }

    /// Adds a milestone to a goal.
    pub fn add_milestone(&self, goal_id: String, title: String) -> Result<GoalView> {
        self.with(|s| s.add_milestone(&goal_id, &title).map(|(goal, _)| goal))
    }

    /// Marks a milestone done or not done.
    pub fn set_milestone_done(
        &self,
        goal_id: String,
        milestone_id: String,
        done: bool,
    ) -> Result<GoalView> {
        self.with(|s| s.set_milestone_done(&goal_id, &milestone_id, done))
    }

    /// Creates a shared note, in the pair `pair_id` (or, with none, a
    /// private one).
    pub fn create_note(
        &self,
        title: String,
        body: String,
        pair_id: Option<String>,
    ) -> Result<SharedNote> {
        self.with(|s| s.create_note_in(pair_id.as_deref(), &title, &body))
    }

    /// Replaces a note's text; applied as the character-level difference, so
    /// it merges with the other person's edits.
    pub fn edit_note(&self, id: String, body: String) -> Result<SharedNote> {
        self.with(|s| s.edit_note(&id, &body))
    }

    /// One note.
    pub fn note(&self, id: String) -> Result<SharedNote> {
        self.with(|s| s.note(&id))
    }

    /// Every note.
    pub fn notes(&self) -> Result<Vec<SharedNote>> {
        self.with(|s| s.notes())
    }

    // --- Settings, export, erase ------------------------------------------

    /// This device's settings.
    pub fn settings(&self) -> Result<Settings> {
        self.with(|s| s.settings())
    }

    /// Changes this device's settings.
    pub fn set_settings(&self, settings: Settings) -> Result<Settings> {
        self.with(|s| s.set_settings(&settings))
    }

    /// The notifications due now (kinds only, never content).
    pub fn due_notices(&self) -> Result<Vec<Notice>> {
        self.with(|s| s.due_notices())
    }

    /// Everything on the device as JSON that `import_json` restores.
    pub async fn export_json(self: Arc<Self>) -> Result<String> {
        self.off_thread(|s| s.export()?.to_json()).await
    }

    /// Everything on the device as readable Markdown.
    pub async fn export_markdown(self: Arc<Self>) -> Result<String> {
        self.off_thread(|s| Ok(s.export()?.to_markdown())).await
    }

    /// Restores an export into this fresh device.
    pub async fn import_json(self: Arc<Self>, json: String) -> Result<ImportSummaryView> {
        self.off_thread(move |s| s.import(&Export::from_json(&json)?))
            .await
            .map(ImportSummaryView::from)
    }

    /// Deletes everything: asks the server to delete the account, then
    /// removes the store's files and `also` (the wrapped key file, say).
    /// The app stays locked for good afterwards.
    pub async fn erase(self: Arc<Self>, also: Vec<String>) -> Result<EraseReportView> {
        blocking::unblock(move || {
            let also: Vec<PathBuf> = also.into_iter().map(PathBuf::from).collect();
            Ok(self.vault().erase(&also)?.into())
        })
        .await
    }

    // --- Sync, devices, recovery -----------------------------------------

    /// Connects this device to a sync server (a new account) and syncs.
    pub async fn connect(self: Arc<Self>, server: String) -> Result<SyncReportView> {
        self.on_network(move |s| s.connect(&server))
            .await
            .map(SyncReportView::from)
    }

    /// Syncs now: push what is pending, pull what is new.
    pub async fn sync_now(self: Arc<Self>) -> Result<SyncReportView> {
        blocking::unblock(move || {
            let _alone = self.network.lock().unwrap_or_else(PoisonError::into_inner);
            Ok(tandem_core::sync::run::sync(&mut Steps(&self))?.into())
        })
        .await
    }

    /// The sync status (last success, pending changes, last error, next try).
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.with(|s| s.sync_status())
    }

    /// A one-time code that links another device to this person.
    pub async fn link_code(self: Arc<Self>) -> Result<String> {
        self.on_network(|s| s.link_code().map(|code| code.to_string()))
            .await
    }

    /// Links this fresh device with a code shown on another of the person's
    /// devices, at `server`.
    pub async fn link(self: Arc<Self>, code: String, server: String) -> Result<SyncReportView> {
        self.on_network(move |s| s.link(&code, &server))
            .await
            .map(SyncReportView::from)
    }

    /// The person's devices.
    pub fn devices(&self) -> Result<Vec<DeviceView>> {
        self.with(|s| s.devices())
    }

    /// Unlinks a lost device; returns it and the person's new recovery key.
    pub async fn unlink_device(self: Arc<Self>, device_id: String) -> Result<Unlinked> {
        self.on_network(move |s| s.unlink_device(&device_id))
            .await
            .map(|(device, key)| Unlinked {
                device,
                recovery_key: key.to_string(),
            })
    }

    /// Makes a new recovery key (the old one stops working); show it once.
    pub async fn new_recovery_key(self: Arc<Self>) -> Result<String> {
        self.on_network(|s| s.new_recovery_key().map(|key| key.to_string()))
            .await
    }

    /// Restores the person onto this fresh device from their recovery key.
    pub async fn restore(
        self: Arc<Self>,
        recovery_key: String,
        server: String,
    ) -> Result<Restored> {
        self.on_network(move |s| s.restore(&recovery_key, &server))
            .await
            .map(|(report, key)| Restored {
                report: report.into(),
                recovery_key: key.to_string(),
            })
    }

    // --- Pairing and sharing ----------------------------------------------

    /// Creates a pair and its invite: the code to show the mentor (as text
    /// and as a QR code of the same text).
    pub async fn pair_invite(self: Arc<Self>) -> Result<String> {
        self.on_network(|s| s.pair_invite().map(|code| code.to_string()))
            .await
    }

    /// Joins a mentee's pair with the code they showed.
    pub async fn pair_join(self: Arc<Self>, code: String) -> Result<PairView> {
        self.on_network(move |s| s.pair_join(&code)).await
    }

    /// Every pair.
    pub fn pairs(&self) -> Result<Vec<PairView>> {
        self.with(|s| s.pairs())
    }

    /// Ends a pair (the mentee removes the mentor, or the mentor leaves).
    pub async fn end_pair(self: Arc<Self>, pair_id: String) -> Result<PairView> {
        self.on_network(move |s| s.end_pair(&pair_id)).await
    }

    /// Shares an item with the mentor of `pair_id` (or the only pair).
    pub fn share(&self, kind: ShareKind, id: String, pair_id: Option<String>) -> Result<()> {
        self.with(|s| s.share(kind, &id, pair_id.as_deref()))
    }

    /// Stops sharing an item from now on (the mentor's phone may keep the
    /// copy it already synced).
    pub fn unshare(&self, kind: ShareKind, id: String, pair_id: Option<String>) -> Result<()> {
        self.with(|s| s.unshare(kind, &id, pair_id.as_deref()))
    }

    /// The pairs an item is shared in.
    pub fn shared_in(&self, id: String) -> Result<Vec<String>> {
        self.with(|s| s.shared_in(&id))
    }

    /// Shows (or stops showing) this person's clean time in a pair.
    pub fn share_clean_time(&self, pair_id: String, on: bool) -> Result<()> {
        self.with(|s| s.share_clean_time(&pair_id, on))
    }

    /// Asks the mentor to reach out; returns the reach-out's id.
    pub fn reach_out(&self, pair_id: Option<String>, text: String) -> Result<String> {
        self.with(|s| s.reach_out(pair_id.as_deref(), &text))
    }

    /// The mentor marks a reach-out as seen to.
    pub fn acknowledge_reach_out(&self, id: String) -> Result<()> {
        self.with(|s| s.acknowledge_reach_out(&id))
    }

    /// Reach-outs in a pair.
    pub fn reach_outs(&self, pair_id: String) -> Result<Vec<ReachOut>> {
        self.with(|s| s.reach_outs(&pair_id))
    }

    /// The mentor's overview: each mentee, what they shared and what changed
    /// since the mentor last looked (`mark_seen` moves that mark to now).
    pub fn mentor_overview(&self, mark_seen: bool) -> Result<Vec<MenteeOverview>> {
        self.with(|s| s.mentor_overview(mark_seen))
    }
}

impl std::fmt::Debug for Tandem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tandem").finish_non_exhaustive()
    }
}
