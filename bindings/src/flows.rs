//! The core's flows for the shells, each as an object: the first run,
//! connecting, linking a device (either side), restoring, pairing (either
//! side), ending a pair, reaching out, exporting and erasing.
//!
//! Each object holds the core's flow (`tandem_core::screens`) beside the
//! [`Tandem`] it acts on. `step()` says where the flow stands; each action
//! hands its input to the core's action and returns the next step, or the
//! core's error with the flow left where it was. Actions that reach the
//! network (or read the whole store, as an export does) are `async` and run
//! on a worker thread, as [`Tandem`]'s own such calls do.
//!
//! The steps are the core's own types, declared with `#[uniffi::remote]`;
//! the erase step carries file paths, so it has a mirror here. Nothing here
//! decides where a flow goes next.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use tandem_core::App;
use tandem_core::features::pairs::PairView;
use tandem_core::screens::{
    self, Connect, ConnectStep, EndPair, EndPairConsequence, EndPairStep, EraseConsequence,
    ExportFormat, ExportStep, ExportedFile, FirstRun, FirstRunStep, FirstTrack, LinkDevice,
    LinkDeviceStep, LinkThisDevice, LinkThisDeviceStep, PairInvite, PairInviteStep, PairJoin,
    PairJoinStep, ReachOut, ReachOutStep, RecoveryKeyStep, Restore, RestoreStep, ShownCode,
};

use crate::app::Tandem;
use crate::error::Result;
use crate::mirror::EraseReportView;

// --- Steps -------------------------------------------------------------------

/// Where the first run stands.
#[uniffi::remote(Enum)]
pub enum FirstRunStep {
    /// Asks for a display name and an IANA time zone.
    Profile { name_max: u32 },
    /// Asks for a first track, which may be skipped.
    FirstTrack {
        name: String,
        timezone: String,
        latest_since: NaiveDate,
        name_max: u32,
    },
    /// Asks whether to use a sync server or not now.
    SyncChoice,
    /// Connected: the recovery key shown once, to confirm.
    RecoveryKey(RecoveryKeyStep),
    /// Set up: open Today.
    Done,
}

/// Where the recovery key step stands.
#[uniffi::remote(Enum)]
pub enum RecoveryKeyStep {
    /// The key on screen, to be written down.
    Show { key: String, groups: u32 },
    /// The key hidden; the person re-enters group number `group`.
    Confirm { group: u32, groups: u32 },
}

/// A first track, as the person enters it.
#[uniffi::remote(Record)]
pub struct FirstTrack {
    pub name: String,
    pub since: NaiveDate,
}

/// Where connecting a set-up device to a sync server stands.
#[uniffi::remote(Enum)]
pub enum ConnectStep {
    /// Asks for the server's address.
    Server,
    /// Connected: the recovery key shown once, to confirm.
    RecoveryKey(RecoveryKeyStep),
    /// Connected and the key confirmed (or the device already synced).
    Done,
}

/// A one-time code to show: as text to type (`text`) and as the payload of
/// a QR code (`qr_payload`), which the other side reads as if typed.
#[uniffi::remote(Record)]
pub struct ShownCode {
    pub text: String,
    pub qr_payload: String,
}

/// Where showing a link code (on the set-up device) stands.
#[uniffi::remote(Enum)]
pub enum LinkDeviceStep {
    /// This device does not sync: connect it first.
    NeedsServer,
    /// Ready to make a code.
    Ready,
    /// The code, to type or scan on the new device; good once.
    ShowingCode(ShownCode),
    /// A new device appeared: the person now has `devices` linked devices.
    Linked { devices: u32 },
}

/// Where linking this fresh device stands.
#[uniffi::remote(Enum)]
pub enum LinkThisDeviceStep {
    /// Asks for the code the other device shows and the server's address.
    EnterCode,
    /// Linked and synced: open Today.
    Done,
}

/// Where restoring this fresh device from a recovery key stands.
#[uniffi::remote(Enum)]
pub enum RestoreStep {
    /// Asks for the recovery key and the server's address.
    EnterKey,
    /// Restored: the person's new recovery key, shown once, to confirm.
    RecoveryKey(RecoveryKeyStep),
    /// Restored and the new key confirmed: open Today.
    Done,
}

/// Where inviting a mentor (the mentee's side of pairing) stands.
#[uniffi::remote(Enum)]
pub enum PairInviteStep {
    /// This device does not sync: connect it first.
    NeedsServer,
    /// Ready to make an invite.
    Ready,
    /// The invite, to type or scan on the mentor's phone; good once.
    ShowingCode(ShownCode),
    /// The mentor joined: the new pair, with the mentor's name.
    Joined { pair: PairView },
}

/// Where joining a mentee's pair (the mentor's side) stands.
#[uniffi::remote(Enum)]
pub enum PairJoinStep {
    /// This device does not sync: connect it first.
    NeedsServer,
    /// Asks for the code (typed or scanned).
    EnterCode,
    /// Joined: the new pair, with the mentee's name once synced.
    Joined { pair: PairView },
}

/// What ending a pair does, for the confirmation to word.
#[uniffi::remote(Enum)]
pub enum EndPairConsequence {
    /// The other phone keeps the copies it already synced of the `items`
    /// shared in the pair: ending cannot take them back.
    OtherPhoneKeepsSharedCopies { items: u32 },
    /// This phone keeps the copies of the `items` the mentee shared.
    ThisPhoneKeepsSharedCopies { items: u32 },
    /// The person's own entries stay on their own phone, untouched.
    OwnEntriesStay,
    /// Nothing more passes between the two phones in this pair.
    SyncStops,
    /// The mentee can no longer reach out in this pair.
    ReachOutsStop,
    /// The other phone shows the pair as ended after its next sync.
    OtherSideSeesItEnded,
}

/// Where ending a pair stands.
#[uniffi::remote(Enum)]
pub enum EndPairStep {
    /// Asks to confirm, saying what ending the pair does.
    Confirm {
        pair: PairView,
        consequences: Vec<EndPairConsequence>,
    },
    /// Ended: the pair, now ended.
    Ended { pair: PairView },
}

/// Where reaching out to a mentor stands.
#[uniffi::remote(Enum)]
pub enum ReachOutStep {
    /// The person has no mentor to reach: the screen says so (and offers
    /// to invite one).
    NoMentor,
    /// Asks for an optional few words (up to `text_max` characters), and
    /// which of `pairs` (the live pairs as mentee) if more than one.
    Compose { pairs: Vec<PairView>, text_max: u32 },
    /// Sent into `pair_id`; `delivered` says whether it already reached the
    /// server (if not, the next sync takes it).
    Sent {
        reach_out_id: String,
        pair_id: String,
        delivered: bool,
    },
}

/// An export's format.
#[uniffi::remote(Enum)]
pub enum ExportFormat {
    /// Complete and re-importable.
    Json,
    /// For reading.
    Markdown,
}

/// A finished export, for the shell to save or share: its format, file name
/// extension (no dot), the person's local date (for the file's name) and
/// content.
#[uniffi::remote(Record)]
pub struct ExportedFile {
    pub format: ExportFormat,
    pub extension: String,
    pub date: NaiveDate,
    pub content: String,
}

/// Where exporting stands.
#[uniffi::remote(Enum)]
pub enum ExportStep {
    /// Asks for the format.
    Choose,
    /// The file.
    Ready(ExportedFile),
}

/// What erasing does, for the confirmation to word.
#[uniffi::remote(Enum)]
pub enum EraseConsequence {
    /// Everything on this device is deleted; it cannot be undone.
    DeletesThisDevice,
    /// The account at the sync server is deleted, with what it relays.
    DeletesServerAccount,
    /// The person's `devices` other devices stop syncing.
    OtherDevicesStopSyncing { devices: u32 },
    /// The mentors in `pairs` pairs keep the copies they already synced of
    /// what was shared.
    MentorsKeepSharedCopies { pairs: u32 },
    /// An export first keeps a copy (the screen offers it).
    ExportFirst,
}

/// Where erasing stands: the core's step, with the report's file paths as
/// text.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum EraseStep {
    /// Asks to confirm, saying what happens.
    Confirm {
        /// What erasing does.
        consequences: Vec<EraseConsequence>,
    },
    /// Erased: the app stays locked for good.
    Erased {
        /// What was removed, and what could not be.
        report: EraseReportView,
    },
}

impl From<screens::EraseStep> for EraseStep {
    fn from(s: screens::EraseStep) -> Self {
        match s {
            screens::EraseStep::Confirm { consequences } => EraseStep::Confirm { consequences },
            screens::EraseStep::Erased { report } => EraseStep::Erased {
                report: report.into(),
            },
        }
    }
}

// --- Starting a flow ---------------------------------------------------------

#[uniffi::export]
impl Tandem {
    /// The first run, at the step the store says it stands.
    pub fn first_run(self: Arc<Self>) -> Result<Arc<FirstRunFlow>> {
        let flow = self.app().screens().first_run()?;
        Ok(Arc::new(FirstRunFlow(Held::new(self, flow))))
    }

    /// Connecting this set-up device to a sync server.
    pub fn connect_flow(self: Arc<Self>) -> Result<Arc<ConnectFlow>> {
        let flow = self.app().screens().connect()?;
        Ok(Arc::new(ConnectFlow(Held::new(self, flow))))
    }

    /// Showing a code that links another device to this person.
    pub fn link_device_flow(self: Arc<Self>) -> Result<Arc<LinkDeviceFlow>> {
        let flow = self.app().screens().link_device()?;
        Ok(Arc::new(LinkDeviceFlow(Held::new(self, flow))))
    }

    /// Linking this fresh device with a code another device shows.
    pub fn link_this_device_flow(self: Arc<Self>) -> Result<Arc<LinkThisDeviceFlow>> {
        let flow = self.app().screens().link_this_device()?;
        Ok(Arc::new(LinkThisDeviceFlow(Held::new(self, flow))))
    }

    /// Restoring this fresh device from a recovery key.
    pub fn restore_flow(self: Arc<Self>) -> Result<Arc<RestoreFlow>> {
        let flow = self.app().screens().restore()?;
        Ok(Arc::new(RestoreFlow(Held::new(self, flow))))
    }

    /// Inviting a mentor into a new pair (the mentee's side).
    pub fn pair_invite_flow(self: Arc<Self>) -> Result<Arc<PairInviteFlow>> {
        let flow = self.app().screens().pair_invite()?;
        Ok(Arc::new(PairInviteFlow(Held::new(self, flow))))
    }

    /// Joining a mentee's pair with their code (the mentor's side).
    pub fn pair_join_flow(self: Arc<Self>) -> Result<Arc<PairJoinFlow>> {
        let flow = self.app().screens().pair_join()?;
        Ok(Arc::new(PairJoinFlow(Held::new(self, flow))))
    }

    /// Ending the pair `pair_id`: starts at its confirmation.
    pub fn end_pair_flow(self: Arc<Self>, pair_id: String) -> Result<Arc<EndPairFlow>> {
        let flow = self.app().screens().end_pair(&pair_id)?;
        Ok(Arc::new(EndPairFlow(Held::new(self, flow))))
    }

    /// Reaching out to a mentor.
    pub fn reach_out_flow(self: Arc<Self>) -> Result<Arc<ReachOutFlow>> {
        let flow = self.app().screens().reach_out()?;
        Ok(Arc::new(ReachOutFlow(Held::new(self, flow))))
    }

    /// Exporting everything on the device.
    pub fn export_flow(self: Arc<Self>) -> Arc<ExportFlow> {
        let flow = self.app().screens().export();
        Arc::new(ExportFlow(Held::new(self, flow)))
    }

    /// Erasing everything: starts at its confirmation.
    pub fn erase_flow(self: Arc<Self>) -> Result<Arc<EraseFlow>> {
        let flow = self.app().screens().erase()?;
        Ok(Arc::new(EraseFlow(Held::new(self, flow))))
    }
}

// --- The flows ---------------------------------------------------------------

/// A core flow beside the [`Tandem`] its actions act on.
struct Held<F> {
    tandem: Arc<Tandem>,
    flow: Mutex<F>,
}

impl<F> Held<F> {
    fn new(tandem: Arc<Tandem>, flow: F) -> Self {
        Held {
            tandem,
            flow: Mutex::new(flow),
        }
    }

    /// Reads the flow (its step).
    fn step<S>(&self, f: impl FnOnce(&F) -> S) -> S {
        f(&self.flow.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs one action on the flow; the core leaves the flow as it was if
    /// the action fails.
    fn act<S>(&self, f: impl FnOnce(&mut F, &App) -> tandem_core::Result<S>) -> Result<S> {
        let mut flow = self.flow.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(f(&mut flow, self.tandem.app())?)
    }
}

/// Never shows the flow: some hold a recovery key or a one-time code.
impl<F> std::fmt::Debug for Held<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(std::any::type_name::<F>())
            .finish_non_exhaustive()
    }
}

/// The first-run flow: each action checks its input and returns the next
/// step, or an error and the flow stays where it was.
#[derive(Debug, uniffi::Object)]
pub struct FirstRunFlow(Held<FirstRun>);

#[uniffi::export]
impl FirstRunFlow {
    /// Where the flow stands.
    pub fn step(&self) -> FirstRunStep {
        self.0.step(FirstRun::step)
    }

    /// The name and time zone.
    pub fn profile(&self, name: String, timezone: String) -> Result<FirstRunStep> {
        self.0.act(|f, app| f.profile(app, &name, &timezone))
    }

    /// The first track, or none to skip it.
    pub fn first_track(&self, track: Option<FirstTrack>) -> Result<FirstRunStep> {
        self.0.act(|f, app| f.first_track(app, track.as_ref()))
    }

    /// Use the sync server at `server`: connects (reaching the network;
    /// call it off the main thread) and shows the recovery key.
    pub async fn connect(self: Arc<Self>, server: String) -> Result<FirstRunStep> {
        blocking::unblock(move || self.0.act(|f, app| f.connect(app, &server))).await
    }

    /// No sync server for now.
    pub fn not_now(&self) -> Result<FirstRunStep> {
        self.0.act(|f, _| f.not_now())
    }

    /// The person wrote the key down: hide it and ask for one group.
    pub fn key_kept(&self) -> Result<FirstRunStep> {
        self.0.act(|f, _| f.key_kept())
    }

    /// Show the key again.
    pub fn show_key_again(&self) -> Result<FirstRunStep> {
        self.0.act(|f, _| f.show_key_again())
    }

    /// The group asked for, re-entered.
    pub fn confirm_key(&self, group: String) -> Result<FirstRunStep> {
        self.0.act(|f, _| f.confirm_key(&group))
    }
}

/// Connecting a set-up device to a sync server: the address, then the
/// recovery key shown once and confirmed.
#[derive(Debug, uniffi::Object)]
pub struct ConnectFlow(Held<Connect>);

#[uniffi::export]
impl ConnectFlow {
    /// Where the flow stands.
    pub fn step(&self) -> ConnectStep {
        self.0.step(Connect::step)
    }

    /// Connects to `server` (an `http://` or `https://` address) and shows
    /// the recovery key. Reaches the server.
    pub async fn connect(self: Arc<Self>, server: String) -> Result<ConnectStep> {
        blocking::unblock(move || self.0.act(|f, app| f.connect(app, &server))).await
    }

    /// The person wrote the key down: hide it and ask for one group.
    pub fn key_kept(&self) -> Result<ConnectStep> {
        self.0.act(|f, _| f.key_kept())
    }

    /// Show the key again.
    pub fn show_key_again(&self) -> Result<ConnectStep> {
        self.0.act(|f, _| f.show_key_again())
    }

    /// The group asked for, re-entered; the key is forgotten.
    pub fn confirm_key(&self, group: String) -> Result<ConnectStep> {
        self.0.act(|f, _| f.confirm_key(&group))
    }
}

/// Showing a code (text and QR payload) that links another device to this
/// person, on the set-up device.
#[derive(Debug, uniffi::Object)]
pub struct LinkDeviceFlow(Held<LinkDevice>);

#[uniffi::export]
impl LinkDeviceFlow {
    /// Where the flow stands.
    pub fn step(&self) -> LinkDeviceStep {
        self.0.step(LinkDevice::step)
    }

    /// Makes a code (a new one replaces one shown before). Reaches the
    /// server.
    pub async fn show_code(self: Arc<Self>) -> Result<LinkDeviceStep> {
        blocking::unblock(move || self.0.act(|f, app| f.show_code(app))).await
    }

    /// Syncs and looks whether the new device arrived; the code stays on
    /// screen until it has. Reaches the server.
    pub async fn check(self: Arc<Self>) -> Result<LinkDeviceStep> {
        blocking::unblock(move || self.0.act(|f, app| f.check(app))).await
    }
}

/// Linking this fresh device with a code another of the person's devices
/// shows.
#[derive(Debug, uniffi::Object)]
pub struct LinkThisDeviceFlow(Held<LinkThisDevice>);

#[uniffi::export]
impl LinkThisDeviceFlow {
    /// Where the flow stands.
    pub fn step(&self) -> LinkThisDeviceStep {
        self.0.step(LinkThisDevice::step)
    }

    /// Links with `code` (typed or scanned) at `server`, and syncs
    /// everything down. Reaches the server.
    pub async fn link(self: Arc<Self>, code: String, server: String) -> Result<LinkThisDeviceStep> {
        blocking::unblock(move || self.0.act(|f, app| f.link(app, &code, &server))).await
    }
}

/// Restoring the person onto this fresh device from their recovery key;
/// the old key is used up and a new one shown once and confirmed.
#[derive(Debug, uniffi::Object)]
pub struct RestoreFlow(Held<Restore>);

#[uniffi::export]
impl RestoreFlow {
    /// Where the flow stands.
    pub fn step(&self) -> RestoreStep {
        self.0.step(Restore::step)
    }

    /// Restores with `recovery_key` from `server`. Reaches the server.
    pub async fn restore(
        self: Arc<Self>,
        recovery_key: String,
        server: String,
    ) -> Result<RestoreStep> {
        blocking::unblock(move || self.0.act(|f, app| f.restore(app, &recovery_key, &server))).await
    }

    /// The person wrote the new key down: hide it and ask for one group.
    pub fn key_kept(&self) -> Result<RestoreStep> {
        self.0.act(|f, _| f.key_kept())
    }

    /// Show the new key again.
    pub fn show_key_again(&self) -> Result<RestoreStep> {
        self.0.act(|f, _| f.show_key_again())
    }

    /// The group asked for, re-entered; the key is forgotten.
    pub fn confirm_key(&self, group: String) -> Result<RestoreStep> {
        self.0.act(|f, _| f.confirm_key(&group))
    }
}

/// A mentee inviting a mentor: a code to show, then waiting for the mentor
/// to join.
#[derive(Debug, uniffi::Object)]
pub struct PairInviteFlow(Held<PairInvite>);

#[uniffi::export]
impl PairInviteFlow {
    /// Where the flow stands.
    pub fn step(&self) -> PairInviteStep {
        self.0.step(PairInvite::step)
    }

    /// Makes the pair and its invite code. Reaches the server.
    pub async fn invite(self: Arc<Self>) -> Result<PairInviteStep> {
        blocking::unblock(move || self.0.act(|f, app| f.invite(app))).await
    }

    /// Syncs and looks whether the mentor joined; the code stays on screen
    /// until they have. Reaches the server.
    pub async fn check(self: Arc<Self>) -> Result<PairInviteStep> {
        blocking::unblock(move || self.0.act(|f, app| f.check(app))).await
    }
}

/// A mentor joining a mentee's pair with the code the mentee shows.
#[derive(Debug, uniffi::Object)]
pub struct PairJoinFlow(Held<PairJoin>);

#[uniffi::export]
impl PairJoinFlow {
    /// Where the flow stands.
    pub fn step(&self) -> PairJoinStep {
        self.0.step(PairJoin::step)
    }

    /// Joins with `code` (typed or scanned), then syncs. Reaches the server.
    pub async fn join(self: Arc<Self>, code: String) -> Result<PairJoinStep> {
        blocking::unblock(move || self.0.act(|f, app| f.join(app, &code))).await
    }
}

/// Ending a pair: a confirmation that says what stays where, then the end.
#[derive(Debug, uniffi::Object)]
pub struct EndPairFlow(Held<EndPair>);

#[uniffi::export]
impl EndPairFlow {
    /// Where the flow stands.
    pub fn step(&self) -> EndPairStep {
        self.0.step(EndPair::step)
    }

    /// Ends the pair. Reaches the server.
    pub async fn confirm(self: Arc<Self>) -> Result<EndPairStep> {
        blocking::unblock(move || self.0.act(|f, app| f.confirm(app))).await
    }
}

/// Reaching out: a mentee tells their mentor it is hard right now.
#[derive(Debug, uniffi::Object)]
pub struct ReachOutFlow(Held<ReachOut>);

#[uniffi::export]
impl ReachOutFlow {
    /// Where the flow stands.
    pub fn step(&self) -> ReachOutStep {
        self.0.step(ReachOut::step)
    }

    /// Sends `text` to the mentor of `pair_id` (none: the only pair), then
    /// tries to sync it at once. Reaches the server.
    pub async fn send(
        self: Arc<Self>,
        pair_id: Option<String>,
        text: String,
    ) -> Result<ReachOutStep> {
        blocking::unblock(move || self.0.act(|f, app| f.send(app, pair_id.as_deref(), &text))).await
    }
}

/// Exporting everything on the device, as JSON (re-importable) or Markdown
/// (to read).
#[derive(Debug, uniffi::Object)]
pub struct ExportFlow(Held<screens::ExportFlow>);

#[uniffi::export]
impl ExportFlow {
    /// Where the flow stands.
    pub fn step(&self) -> ExportStep {
        self.0.step(screens::ExportFlow::step)
    }

    /// Exports in `format`. Reads the whole store.
    pub async fn export(self: Arc<Self>, format: ExportFormat) -> Result<ExportStep> {
        blocking::unblock(move || self.0.act(|f, app| f.export(app, format))).await
    }
}

/// Erasing everything: a confirmation that says what goes and what stays
/// elsewhere, then the erase.
#[derive(Debug, uniffi::Object)]
pub struct EraseFlow(Held<screens::Erase>);

#[uniffi::export]
impl EraseFlow {
    /// Where the flow stands.
    pub fn step(&self) -> EraseStep {
        self.0.step(screens::Erase::step).into()
    }

    /// Erases everything, and also the files `also` (the wrapped key file,
    /// say). Reaches the server if the device syncs.
    pub async fn confirm(self: Arc<Self>, also: Vec<String>) -> Result<EraseStep> {
        let also: Vec<PathBuf> = also.into_iter().map(PathBuf::from).collect();
        blocking::unblock(move || self.0.act(|f, app| f.confirm(app, &also)))
            .await
            .map(EraseStep::from)
    }
}
