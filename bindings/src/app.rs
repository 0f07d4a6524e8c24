//! [`Tandem`]: one device's store behind the app lock, as the shells hold it.
//!
//! `Tandem` wraps the core's [`App`], the runtime every shell shares: every
//! method is one call into it plus type conversions. The app tells the
//! shell's [`ChangeListener`] which areas of view state changed, outside the
//! store's lock, so the listener may call back in.
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
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use tandem_core::Area;
use tandem_core::app::Subscription;
use tandem_core::checkin::{CheckIn, CheckInInput};
use tandem_core::craving::CravingEntry;
use tandem_core::export::Export;
use tandem_core::features::devices::DeviceView;
use tandem_core::features::mentor::MenteeOverview;
use tandem_core::features::pairs::PairView;
use tandem_core::features::sharing::ShareKind;
use tandem_core::goal::{GoalInput, GoalStatus};
use tandem_core::journal::{JournalEntry, JournalInput};
use tandem_core::note::SharedNote;
use tandem_core::notify::Notice;
use tandem_core::pair::ReachOut;
use tandem_core::person::Person;
use tandem_core::settings::Settings;
use tandem_core::sync::SyncStatus;
use tandem_core::track::TrackStats;
use tandem_core::view::{GoalView, TodayView};
use tandem_core::{App, Options, StoreKey};

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

/// The shell's listener as the core's.
struct Foreign(Arc<dyn ChangeListener>);

impl tandem_core::app::ChangeListener for Foreign {
    fn changed(&self, areas: &[Area]) {
        self.0.changed(areas.to_vec());
    }
}

/// One device's Tandem: the core's [`App`] for the shells.
#[derive(uniffi::Object)]
pub struct Tandem {
    app: App,
    subscription: Mutex<Option<Subscription>>,
}

impl Tandem {
    /// The core's app this object wraps.
    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    /// Runs `f` on a worker thread: for the calls that reach the network or
    /// rewrite the store.
    async fn off_thread<T: Send + 'static>(
        self: Arc<Self>,
        f: impl FnOnce(&App) -> tandem_core::Result<T> + Send + 'static,
    ) -> Result<T> {
        blocking::unblock(move || Ok(f(&self.app)?)).await
    }
}

/// A fresh random 256-bit store key. Shells keep it wrapped by Android
/// Keystore or iOS Keychain and pass it to [`Tandem::open`] and
/// [`Tandem::unlock`].
#[uniffi::export]
pub fn generate_store_key() -> Vec<u8> {
    StoreKey::generate().as_bytes().to_vec()
}

/// Trusts the certificate authorities in `pem` (a self-hosted server's
/// own) beside the built-in web roots, for `server` (its URL or host name)
/// only, for every connection made after in this process; returns how
/// many were new. Shells call it at start with what the person added in
/// Settings.
#[uniffi::export]
pub fn trust_server_ca(server: String, pem: String) -> Result<u32> {
    let added = tandem_core::sync::tls::trust_pem(&server, &pem)?;
    Ok(u32::try_from(added).unwrap_or(u32::MAX))
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
        // The lifted copy is wiped when it goes, like the core's own.
        let key = StoreKey::from_slice(&zeroize::Zeroizing::new(key))?;
        Ok(Arc::new(Tandem {
            app: App::open(PathBuf::from(path), key, Options::default())?,
            subscription: Mutex::new(None),
        }))
    }

    /// Sets (or, with none, removes) the listener told about changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn ChangeListener>>) {
        let subscription = listener.map(|l| self.app.listen(Arc::new(Foreign(l))));
        *self
            .subscription
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = subscription;
    }

    // --- App lock -------------------------------------------------------

    /// Locks now: the store closes and every call fails with `Locked`.
    pub fn lock(&self) {
        self.app.lock();
    }

    /// Unlocks with the store key; a wrong key gives `WrongKey` and the app
    /// stays locked.
    pub fn unlock(&self, key: Vec<u8>) -> Result<()> {
        let key = StoreKey::from_slice(&zeroize::Zeroizing::new(key))?;
        Ok(self.app.unlock(key)?)
    }

    /// Whether the app is locked.
    pub fn is_locked(&self) -> bool {
        self.app.is_locked()
    }

    /// The app went to the background.
    pub fn entered_background(&self) {
        self.app.entered_background();
    }

    /// The app came back; returns whether it is now locked (the person's
    /// lock delay passed).
    pub fn entered_foreground(&self) -> bool {
        self.app.entered_foreground()
    }

    // --- The person and clean time --------------------------------------

    /// Sets up this device for a person.
    pub fn init(&self, name: String, timezone: String) -> Result<Person> {
        Ok(self.app.init(&name, &timezone)?)
    }

    /// The person.
    pub fn person(&self) -> Result<Person> {
        Ok(self.app.person()?)
    }

    /// Changes the person's time zone.
    pub fn set_timezone(&self, timezone: String) -> Result<Person> {
        Ok(self.app.tracks().set_timezone(&timezone)?)
    }

    /// Starts counting clean time on a new track from `since`.
    pub fn add_track(&self, name: String, since: NaiveDate) -> Result<TrackStats> {
        Ok(self.app.tracks().add(&name, since)?)
    }

    /// Records a reset on a track: clean time counts again from `date`.
    pub fn reset_track(&self, id: String, date: NaiveDate, note: String) -> Result<TrackStats> {
        Ok(self.app.tracks().reset(&id, date, &note)?)
    }

    /// Every track with its clean time.
    pub fn tracks(&self) -> Result<Vec<TrackStats>> {
        Ok(self.app.tracks().list()?)
    }

    /// The Today screen.
    pub fn today(&self) -> Result<TodayView> {
        Ok(self.app.today()?)
    }

    // --- Journal, cravings, check-ins -------------------------------------

    /// Writes a journal entry.
    pub fn add_journal(&self, input: JournalInput) -> Result<JournalEntry> {
        Ok(self.app.journal().add(input)?)
    }

    /// A page of the journal, newest first.
    pub fn journal_page(&self, limit: u32, after: Option<PageCursor>) -> Result<Vec<JournalEntry>> {
        Ok(self.app.journal().page(&mirror::page(limit, after))?)
    }

    /// One journal entry.
    pub fn journal_entry(&self, id: String) -> Result<JournalEntry> {
        Ok(self.app.journal().get(&id)?)
    }

    /// Rewrites a journal entry.
    pub fn edit_journal(&self, id: String, input: JournalInput) -> Result<JournalEntry> {
        Ok(self.app.journal().edit(&id, input)?)
    }

    /// Deletes a journal entry.
    pub fn delete_journal(&self, id: String) -> Result<()> {
        Ok(self.app.journal().delete(&id)?)
    }

    /// Logs a craving.
    pub fn add_craving(&self, input: CravingInput) -> Result<CravingEntry> {
        let input = input.try_into()?;
        Ok(self.app.cravings().add(input)?)
    }

    /// A page of the craving log, newest first.
    pub fn cravings_page(
        &self,
        limit: u32,
        after: Option<PageCursor>,
    ) -> Result<Vec<CravingEntry>> {
        Ok(self.app.cravings().page(&mirror::page(limit, after))?)
    }

    /// One craving.
    pub fn craving(&self, id: String) -> Result<CravingEntry> {
        Ok(self.app.cravings().get(&id)?)
    }

    /// Deletes a craving.
    pub fn delete_craving(&self, id: String) -> Result<()> {
        Ok(self.app.cravings().delete(&id)?)
    }

    /// Records (or redoes) today's check-in.
    pub fn check_in(&self, input: CheckInInput) -> Result<CheckIn> {
        Ok(self.app.checkins().check_in(input)?)
    }

    /// The Insights screen's series over the last `days` days.
    pub fn insights(&self, days: u32) -> Result<Insights> {
        Ok(self.app.insights(days)?.into())
    }

    // --- Goals and notes --------------------------------------------------

    /// Adds a goal.
    pub fn add_goal(&self, input: GoalInput) -> Result<GoalView> {
        Ok(self.app.goals().add(input)?)
    }

    /// Every goal, own and shared.
    pub fn goals(&self) -> Result<Vec<GoalView>> {
        Ok(self.app.goals().list()?)
    }

    /// Marks a goal active, done or dropped.
    pub fn set_goal_status(&self, id: String, status: GoalStatus) -> Result<GoalView> {
        Ok(self.app.goals().set_status(&id, status)?)
    }

    /// Adds a milestone to a goal.
    pub fn add_milestone(&self, goal_id: String, title: String) -> Result<GoalView> {
        Ok(self.app.goals().add_milestone(&goal_id, &title)?.0)
    }

    /// Marks a milestone done or not done.
    pub fn set_milestone_done(
        &self,
        goal_id: String,
        milestone_id: String,
        done: bool,
    ) -> Result<GoalView> {
        Ok(self
            .app
            .goals()
            .set_milestone_done(&goal_id, &milestone_id, done)?)
    }

    /// Creates a shared note, in the pair `pair_id` (or, with none, a
    /// private one).
    pub fn create_note(
        &self,
        title: String,
        body: String,
        pair_id: Option<String>,
    ) -> Result<SharedNote> {
        Ok(self.app.notes().create(pair_id.as_deref(), &title, &body)?)
    }

    /// Replaces a note's text; applied as the character-level difference, so
    /// it merges with the other person's edits.
    pub fn edit_note(&self, id: String, body: String) -> Result<SharedNote> {
        Ok(self.app.notes().edit(&id, &body)?)
    }

    /// One note.
    pub fn note(&self, id: String) -> Result<SharedNote> {
        Ok(self.app.notes().get(&id)?)
    }

    /// Every note.
    pub fn notes(&self) -> Result<Vec<SharedNote>> {
        Ok(self.app.notes().list()?)
    }

    // --- Settings, export, erase ------------------------------------------

    /// This device's settings.
    pub fn settings(&self) -> Result<Settings> {
        Ok(self.app.settings().get()?)
    }

    /// Changes this device's settings.
    pub fn set_settings(&self, settings: Settings) -> Result<Settings> {
        Ok(self.app.settings().set(&settings)?)
    }

    /// The notifications due now (kinds only, never content).
    pub fn due_notices(&self) -> Result<Vec<Notice>> {
        Ok(self.app.settings().due_notices()?)
    }

    /// The notifications due now, remembered as shown (a reach-out or pair
    /// activity is told of once): what to post after a wake-up's sync.
    pub fn announce_notices(&self) -> Result<Vec<Notice>> {
        Ok(self.app.settings().announce()?)
    }

    /// Gives the sync server this device's Web Push subscription (endpoint,
    /// uncompressed P-256 key and auth secret, both base64url), so that a
    /// write by the other side of a pair wakes it. Reaches the network.
    pub async fn wakeup_subscribe(
        self: Arc<Self>,
        endpoint: String,
        p256dh: String,
        auth: String,
    ) -> Result<()> {
        self.off_thread(move |app| {
            let sub =
                tandem_core::features::wakeups::WakeupSubscription::new(&endpoint, &p256dh, &auth)?;
            app.wakeups().subscribe(&sub)
        })
        .await
    }

    /// Subscribes through the wake-up gateway at `gateway`, for a phone
    /// reachable only through `provider` (APNs on an iPhone; FCM on an
    /// Android phone without a UnifiedPush distributor) with its `token`.
    /// The gateway hands back an endpoint that hides the token from the
    /// server. Reaches the network; returns the endpoint.
    pub async fn wakeup_subscribe_gateway(
        self: Arc<Self>,
        gateway: String,
        provider: tandem_core::features::wakeups::GatewayProvider,
        token: String,
    ) -> Result<String> {
        self.off_thread(move |app| {
            app.wakeups()
                .subscribe_through_gateway(&gateway, provider, &token)
                .map(|sub| sub.endpoint)
        })
        .await
    }

    /// Removes the wake-up subscription here and at the server.
    pub async fn wakeup_unsubscribe(self: Arc<Self>) -> Result<()> {
        self.off_thread(|app| app.wakeups().unsubscribe()).await
    }

    /// Everything on the device as JSON that `import_json` restores.
    pub async fn export_json(self: Arc<Self>) -> Result<String> {
        self.off_thread(|app| app.export()?.to_json()).await
    }

    /// Everything on the device as readable Markdown.
    pub async fn export_markdown(self: Arc<Self>) -> Result<String> {
        self.off_thread(|app| Ok(app.export()?.to_markdown())).await
    }

    /// Restores an export into this fresh device.
    pub async fn import_json(self: Arc<Self>, json: String) -> Result<ImportSummaryView> {
        self.off_thread(move |app| app.import(&Export::from_json(&json)?))
            .await
            .map(ImportSummaryView::from)
    }

    /// Deletes everything: asks the server to delete the account, then
    /// removes the store's files and `also` (the wrapped key file, say).
    /// The app stays locked for good afterwards.
    pub async fn erase(self: Arc<Self>, also: Vec<String>) -> Result<EraseReportView> {
        let also: Vec<PathBuf> = also.into_iter().map(PathBuf::from).collect();
        self.off_thread(move |app| app.erase(&also))
            .await
            .map(EraseReportView::from)
    }

    // --- Sync, devices, recovery -----------------------------------------

    /// Connects this device to a sync server (a new account) and syncs.
    pub async fn connect(self: Arc<Self>, server: String) -> Result<SyncReportView> {
        self.off_thread(move |app| app.connect(&server))
            .await
            .map(SyncReportView::from)
    }

    /// Syncs now: push what is pending, pull what is new.
    pub async fn sync_now(self: Arc<Self>) -> Result<SyncReportView> {
        self.off_thread(|app| app.sync_now())
            .await
            .map(SyncReportView::from)
    }

    /// Syncs if this device has a server and the core's backoff says a try
    /// is due; otherwise returns none without reaching the network. Shells
    /// call it whenever they may sync (start, foreground, a background
    /// task) instead of deciding themselves.
    pub async fn sync_if_due(self: Arc<Self>) -> Result<Option<SyncReportView>> {
        self.off_thread(|app| app.sync_if_due())
            .await
            .map(|report| report.map(SyncReportView::from))
    }

    /// The sync status (last success, pending changes, last error, next try).
    pub fn sync_status(&self) -> Result<SyncStatus> {
        Ok(self.app.sync_status()?)
    }

    /// A one-time code that links another device to this person.
    pub async fn link_code(self: Arc<Self>) -> Result<String> {
        self.off_thread(|app| app.devices().link_code().map(|code| code.to_string()))
            .await
    }

    /// Links this fresh device with a code shown on another of the person's
    /// devices, at `server`.
    pub async fn link(self: Arc<Self>, code: String, server: String) -> Result<SyncReportView> {
        self.off_thread(move |app| app.devices().link(&code, &server))
            .await
            .map(SyncReportView::from)
    }

    /// The person's devices.
    pub fn devices(&self) -> Result<Vec<DeviceView>> {
        Ok(self.app.devices().list()?)
    }

    /// The person's devices with what the server says of each; devices
    /// only the server knows are flagged `uncertified`.
    pub async fn devices_on_server(self: Arc<Self>) -> Result<Vec<DeviceView>> {
        self.off_thread(move |app| app.devices().list_with_server())
            .await
    }

    /// Confirms that a device flagged `uncertified` (one from before the
    /// device log that first synced after it closed) is this person's: it
    /// gets keys from its next sync. Only on a device the log certifies.
    /// With `code` (the one the device shows for itself), only if it
    /// matches the code of the keys the device asked with.
    pub fn confirm_device(&self, device_id: String, code: Option<String>) -> Result<()> {
        Ok(self.app.devices().confirm(&device_id, code.as_deref())?)
    }

    /// Unlinks a lost device; returns it and the person's new recovery key.
    pub async fn unlink_device(self: Arc<Self>, device_id: String) -> Result<Unlinked> {
        self.off_thread(move |app| app.devices().unlink(&device_id))
            .await
            .map(|(device, key)| Unlinked {
                device,
                recovery_key: key.to_string(),
            })
    }

    /// Makes a new recovery key (the old one stops working); show it once.
    pub async fn new_recovery_key(self: Arc<Self>) -> Result<String> {
        self.off_thread(|app| app.devices().new_recovery_key().map(|key| key.to_string()))
            .await
    }

    /// Restores the person onto this fresh device from their recovery key.
    pub async fn restore(
        self: Arc<Self>,
        recovery_key: String,
        server: String,
    ) -> Result<Restored> {
        self.off_thread(move |app| app.devices().restore(&recovery_key, &server))
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
        self.off_thread(|app| app.pairs().invite().map(|code| code.to_string()))
            .await
    }

    /// Joins a mentee's pair with the code they showed.
    pub async fn pair_join(self: Arc<Self>, code: String) -> Result<PairView> {
        self.off_thread(move |app| app.pairs().join(&code)).await
    }

    /// Every pair.
    pub fn pairs(&self) -> Result<Vec<PairView>> {
        Ok(self.app.pairs().list()?)
    }

    /// Confirms the identity the other side of `pair_id` shows now, after
    /// the two compared its safety code (the pair's `pending_safety_code`);
    /// any other code is a validation error and nothing changes.
    pub fn confirm_pair_identity(&self, pair_id: String, code: String) -> Result<PairView> {
        Ok(self.app.pairs().confirm_identity(&pair_id, &code)?)
    }

    /// Ends a pair (the mentee removes the mentor, or the mentor leaves).
    pub async fn end_pair(self: Arc<Self>, pair_id: String) -> Result<PairView> {
        self.off_thread(move |app| app.pairs().end(&pair_id)).await
    }

    /// Writes a journal entry and shares it with the mentor of `pair_id`
    /// (or the only pair) as one step: a pair that cannot take it leaves
    /// nothing written.
    pub fn add_journal_shared(
        &self,
        input: JournalInput,
        pair_id: Option<String>,
    ) -> Result<JournalEntry> {
        Ok(self.app.sharing().add_journal(input, pair_id.as_deref())?)
    }

    /// Logs a craving and shares it with the mentor of `pair_id` (or the
    /// only pair) as one step.
    pub fn add_craving_shared(
        &self,
        input: CravingInput,
        pair_id: Option<String>,
    ) -> Result<CravingEntry> {
        let input = input.try_into()?;
        Ok(self.app.sharing().add_craving(input, pair_id.as_deref())?)
    }

    /// Shares an item with the mentor of `pair_id` (or the only pair).
    pub fn share(&self, kind: ShareKind, id: String, pair_id: Option<String>) -> Result<()> {
        Ok(self.app.sharing().share(kind, &id, pair_id.as_deref())?)
    }

    /// Stops sharing an item from now on: from `pair_id`, or with none
    /// from every pair it is shared in (the mentors' phones may keep the
    /// copies they already synced).
    pub fn unshare(&self, kind: ShareKind, id: String, pair_id: Option<String>) -> Result<()> {
        Ok(self.app.sharing().unshare(kind, &id, pair_id.as_deref())?)
    }

    /// The pairs an item is shared in.
    pub fn shared_in(&self, id: String) -> Result<Vec<String>> {
        Ok(self.app.sharing().shared_in(&id)?)
    }

    /// Shows (or stops showing) this person's clean time in a pair.
    pub fn share_clean_time(&self, pair_id: String, on: bool) -> Result<()> {
        Ok(self.app.sharing().share_clean_time(&pair_id, on)?)
    }

    /// Asks the mentor to reach out; returns the reach-out's id.
    pub fn reach_out(&self, pair_id: Option<String>, text: String) -> Result<String> {
        Ok(self.app.pairs().reach_out(pair_id.as_deref(), &text)?)
    }

    /// The mentor marks a reach-out as seen to.
    pub fn acknowledge_reach_out(&self, id: String) -> Result<()> {
        Ok(self.app.mentor().acknowledge(&id)?)
    }

    /// Reach-outs in a pair.
    pub fn reach_outs(&self, pair_id: String) -> Result<Vec<ReachOut>> {
        Ok(self.app.mentor().reach_outs(&pair_id)?)
    }

    /// The mentor's overview: each mentee, what they shared and what changed
    /// since the mentor last looked (`mark_seen` moves that mark to now).
    pub fn mentor_overview(&self, mark_seen: bool) -> Result<Vec<MenteeOverview>> {
        Ok(self.app.mentor().overview(mark_seen)?)
    }
}

impl std::fmt::Debug for Tandem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tandem").finish_non_exhaustive()
    }
}
