import Foundation
import TandemCore

/// What the app shows, as the core computes it: where it opens (`launch`),
/// the first run's step, and one record per core screen (`ScreenKind`).
/// This class only calls the core off the main thread, keeps the records it
/// returns, reloads the ones the core's `redraws` names after a change, and
/// keeps the last problem to show.
@MainActor
final class AppModel: ObservableObject {
    /// Where the app stands: locked, in the first run, or on Today (nil while the core is asked).
    @Published var launch: Launch?
    @Published var firstRunStep: FirstRunStep?
    /// Why the flow refused the last answer (the flow stays at its step).
    @Published var firstRunProblem: Error?
    /// An answer is with the core (connecting reaches the network).
    @Published var firstRunBusy = false

    // The core's screen records, named with their module: the app's own
    // Views carry the same names.
    @Published var today: TandemCore.TodayScreen?
    /// The journal pages loaded so far, in order.
    @Published var journal: [TandemCore.JournalScreen] = []
    /// The craving log pages loaded so far, in order.
    @Published var cravings: [TandemCore.CravingsScreen] = []
    @Published var insights: TandemCore.InsightsScreen?
    @Published var goals: TandemCore.GoalsScreen?
    @Published var notes: TandemCore.NotesScreen?
    /// The meetings of every pair that has not ended.
    @Published var meetings: TandemCore.MeetingsScreen?
    @Published var pairs: TandemCore.PairsScreen?
    @Published var overview: TandemCore.MentorOverviewScreen?
    @Published var devices: TandemCore.DevicesScreen?
    @Published var settings: Settings?
    @Published var sync: TandemCore.SyncStatusScreen?
    /// The meeting open, with what can be done with it.
    @Published var meeting: TandemCore.MeetingScreen?
    /// The server's list of this account's devices, once asked.
    @Published var devicesOnServer: [DeviceView]?
    /// A recovery key to show once (after an unlink or on request), then forget.
    @Published var recoveryKey: String?
        @Published var problem: Error?

    let tandem = Core.tandem
    private var flow: FirstRunFlow?
    /// The core screens loaded at least once: those a change may make stale.
    private var drawn = Set<ScreenKind>()

    init() {
        // The app lock comes first: the store stays closed until the person unlocks.
        tandem.lock()
        tandem.setListener(listener: Listener(model: self))
        launch = .locked
    }

    // MARK: Lock and launch

    func unlock() async {
        guard await AppLock.authenticate() else { return }
        await run { t in
            var key = try KeychainKey.storeKey()
            defer { key.resetBytes(in: 0..<key.count) }
            try t.unlock(key: key)
        }
        Core.openForScreens = !tandem.isLocked()
        await decide()
    }

    /// Asks the core which screen the app opens on (and resumes the first run if it says so).
    func decide() async {
        let tandem = self.tandem, current = flow
        do {
            let (launch, flow, step) = try await Task.detached { () throws -> (Launch, FirstRunFlow?, FirstRunStep?) in
                let launch = try tandem.launch()
                var flow = current
                if flow == nil, case .firstRun = launch { flow = try tandem.firstRun() }
                return (launch, flow, flow?.step())
            }.value
            self.flow = flow
            firstRunStep = step
            self.launch = launch
            if case .today = launch { await prepareWakeups() }
        } catch {
            fail(error)
        }
    }

    /// Once set up with a server: wake-ups through APNs, and the chosen app
    /// name where the notification extension can read it.
    private func prepareWakeups() async {
        let tandem = self.tandem
        let (syncing, name) = await Task.detached {
            ((try? tandem.syncStatus().server) != nil, (try? tandem.settings().appName) ?? .tandem)
        }.value
        UserDefaults(suiteName: "group.app.tandem")?.set(appNameText(name), forKey: "appName")
        if syncing { await WakeupDelegate.register() }
    }

    func enteredBackground() { tandem.enteredBackground() }

    func enteredForeground() {
        if tandem.enteredForeground() {
            Core.openForScreens = false
            launch = .locked
        }
    }

    // MARK: First run (each answer one call on the core's flow)

    func profile(name: String, timezone: String) { answer { try $0.profile(name: name, timezone: timezone) } }
    func firstTrack(_ track: FirstTrack?) { answer { try $0.firstTrack(track: track) } }
    func notNow() { answer { try $0.notNow() } }
    func keyKept() { answer { try $0.keyKept() } }
    func showKeyAgain() { answer { try $0.showKeyAgain() } }
    func confirmKey(_ group: String) { answer { try $0.confirmKey(group: group) } }

    func connect(server: String) {
        guard let flow, !firstRunBusy else { return }
        firstRunBusy = true
        Task {
            defer { firstRunBusy = false }
            do {
                firstRunStep = try await flow.connect(server: server)
                firstRunProblem = nil
            } catch { firstRunProblem = error }
        }
    }

    /// The first run is done: Today (the core says so, and wake-ups are set up).
    func openToday() {
        flow = nil
        firstRunStep = nil
        Task { await decide() }
    }

    /// Everything was erased: the app shows so until it is closed, and
    /// never asks for the (gone) key again.
    @Published private(set) var isErased = false

    /// Called once the erase went through.
    func erased() {
        isErased = true
        launch = nil
    }

    private func answer(_ action: @escaping @Sendable (FirstRunFlow) throws -> FirstRunStep) {
        guard let flow, !firstRunBusy else { return }
        firstRunBusy = true
        Task {
            defer { firstRunBusy = false }
            do {
                firstRunStep = try await Task.detached { try action(flow) }.value
                firstRunProblem = nil
            } catch { firstRunProblem = error }
        }
    }

    // MARK: Screens

    /// A screen opened: loads the core screen it draws.
    func show(_ kind: ScreenKind) async { await load(kind, opened: true) }

    /// Reloads the screens the core says a change to `areas` made stale, among those drawn.
    func changed(_ areas: [Area]) {
        Task {
            for kind in redraws(areas: areas) where drawn.contains(kind) {
                await load(kind, opened: false)
            }
        }
    }

    private func load(_ kind: ScreenKind, opened: Bool) async {
        drawn.insert(kind)
        switch kind {
        case .today: if let v = await fetch({ try $0.todayScreen() }) { today = v }
        case .journal:
            let loaded = journal.count
            if let v = await fetch({ t in try pages(loaded, { try t.journalScreen(after: $0) }, { $0.next }) }) { journal = v }
        case .cravings:
            let loaded = cravings.count
            if let v = await fetch({ t in try pages(loaded, { try t.cravingsScreen(after: $0) }, { $0.next }) }) { cravings = v }
        case .insights: if let v = await fetch({ try $0.insightsScreen() }) { insights = v }
        case .goals: if let v = await fetch({ try $0.goalsScreen() }) { goals = v }
        case .notes: if let v = await fetch({ try $0.notesScreen() }) { notes = v }
        case .meetings: if let v = await fetch({ try $0.meetingsScreen(pairId: nil) }) { meetings = v }
        case .pairs: if let v = await fetch({ try $0.pairsScreen() }) { pairs = v }
        // Opening the overview is the mentor looking: what counts as new starts over.
        case .mentorOverview: if let v = await fetch({ try $0.mentorOverviewScreen(markSeen: opened) }) { overview = v }
        case .devices: if let v = await fetch({ try $0.devicesScreen() }) { devices = v }
        case .settings:
            if let v = await fetch({ try $0.settings() }) {
                settings = v
                // The notification extension titles wake-ups with it.
                UserDefaults(suiteName: "group.app.tandem")?.set(appNameText(v.appName), forKey: "appName")
            }
        case .syncStatus: if let v = await fetch({ try $0.syncStatusScreen() }) { sync = v }
        }
    }

    /// The journal's next page, after the last one loaded.
    func moreJournal() async {
        guard let after = journal.last?.next else { return }
        if let page = await fetch({ try $0.journalScreen(after: after) }) { journal.append(page) }
    }

    /// The craving log's next page, after the last one loaded.
    func moreCravings() async {
        guard let after = cravings.last?.next else { return }
        if let page = await fetch({ try $0.cravingsScreen(after: after) }) { cravings.append(page) }
    }

    // MARK: Actions (each one core call, off the main thread)

    func run(_ call: @escaping @Sendable (Tandem) throws -> Void) async {
        _ = await fetch(call)
    }

    /// Runs one core call; whether it went through (a failure is shown, and a form stays open).
    func attempt(_ call: @escaping @Sendable (Tandem) throws -> Void) async -> Bool {
        await fetch(call) != nil
    }

    /// The live pairs in which this person is the mentee: whom an item can be shared with.
    var menteePairs: [PairView] {
        (pairs?.pairs ?? []).filter { $0.side == .mentee && !$0.ended }
    }

    /// Shares an item with the mentor of `pairId` (or the only one), or
    /// takes it back from every pair it is shared in.
    func setShared(_ kind: ShareKind, id: String, _ on: Bool, pairId: String? = nil) {
        Task {
            await run { t in
                if on {
                    try t.share(kind: kind, id: id, pairId: pairId)
                } else {
                    // No pair named: the core takes it from every pair it is in.
                    try t.unshare(kind: kind, id: id, pairId: pairId)
                }
            }
        }
    }

    func syncNow() async {
        do { _ = try await tandem.syncNow() } catch { fail(error) }
    }

    /// Opens meeting `id`.
    func openMeeting(_ id: String) async {
        if let v = await fetch({ try $0.meetingScreen(id: id) }) { meeting = v }
    }

    /// Every live schedule as an iCalendar file, to hand to the document picker.
    func fetchCalendar() async -> String? { await fetch { try $0.meetingsIcs() } }

    /// Asks the server which devices it lists for this account.
    func checkDevicesWithServer() async {
        do { devicesOnServer = try await tandem.devicesOnServer() } catch { fail(error) }
    }

    /// Confirms a device the device log flags, with the code it shows for
    /// itself; another code is refused and shown.
    func confirmDevice(_ deviceId: String, code: String) async {
        let confirmed = await fetch { try $0.confirmDevice(deviceId: deviceId, code: code) } != nil
        // The server's list on screen was read before: read it again, so
        // the device no longer shows as flagged there.
        if confirmed && devicesOnServer != nil { await checkDevicesWithServer() }
        await load(.devices, opened: false)
    }

    /// Unlinks a lost device; the new recovery key is shown once.
    func unlink(_ deviceId: String) async {
        do { recoveryKey = try await tandem.unlinkDevice(deviceId: deviceId).recoveryKey } catch { fail(error) }
        await load(.devices, opened: false)
    }

    /// Replaces the recovery key (the old one stops working); the new one is shown once.
    func newRecoveryKey() async {
        do { recoveryKey = try await tandem.newRecoveryKey() } catch { fail(error) }
    }

    // MARK: Calling the core

    /// Runs a quick core call off the main thread; a failure is shown and gives nil.
    private func fetch<T>(_ get: @escaping @Sendable (Tandem) throws -> T) async -> T? {
        let tandem = self.tandem
        do {
            return try await Task.detached { try get(tandem) }.value
        } catch {
            fail(error)
            return nil
        }
    }

    /// A locked store means the unlock screen (the core locked itself);
    /// anything else, a fault inside the core included, is shown.
    private func fail(_ e: Error) {
        if case .Locked? = e as? TandemError { launch = .locked } else { problem = e }
    }
}

/// The first page again and as many after it as were loaded (at least one),
/// each after the cursor the one before returned.
private func pages<P>(_ loaded: Int, _ page: (PageCursor?) throws -> P, _ next: (P) -> PageCursor?) throws -> [P] {
    var out = [try page(nil)]
    while out.count < loaded, let after = next(out[out.count - 1]) {
        out.append(try page(after))
    }
    return out
}

/// Hops the core's change notices to the main actor.
private final class Listener: ChangeListener, @unchecked Sendable {
    private weak var model: AppModel?

    init(model: AppModel) { self.model = model }

    func changed(areas: [Area]) {
        Task { @MainActor [weak model] in model?.changed(areas) }
    }
}
