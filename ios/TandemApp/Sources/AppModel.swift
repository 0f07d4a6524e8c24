import Foundation
import TandemCore

/// The screens' state, loaded from the core. Every value is the core's own
/// view state; this class only calls the core off the main thread, reloads
/// what the core says changed, and keeps the last problem to show.
@MainActor
final class AppModel: ObservableObject {
    @Published var unlocked = false
    @Published var today: TodayView?
    @Published var journal: [JournalEntry] = []
    @Published var goals: [GoalView] = []
    @Published var notes: [SharedNote] = []
    @Published var insights: Insights?
    @Published var pairs: [PairView] = []
    @Published var overview: [MenteeOverview] = []
    @Published var sync: SyncStatus?
    @Published var settings: Settings?
    @Published var inviteCode: String?
    @Published var problem: TandemError?

    let tandem = Core.tandem

    init() {
        tandem.lock()
        tandem.setListener(listener: Listener(model: self))
    }

    // MARK: Lock

    func unlock() async {
        guard await AppLock.authenticate() else { return }
        await run { t in try t.unlock(key: KeychainKey.storeKey()) }
        unlocked = !tandem.isLocked()
        if unlocked { reload([.today, .journal, .goals, .notes, .pairs, .settings, .sync]) }
    }

    func enteredBackground() { tandem.enteredBackground() }

    func enteredForeground() {
        if tandem.enteredForeground() { unlocked = false }
    }

    // MARK: Loading

    /// Reloads the state that shows `areas`.
    func reload(_ areas: [Area]) {
        Task {
            for area in Set(areas) {
                switch area {
                case .today: await load { self.today = try $0.today() }
                case .journal: await load { self.journal = try $0.journalPage(limit: 50, after: nil) }
                case .cravings, .insights: await load { self.insights = try $0.insights(days: 90) }
                case .goals: await load { self.goals = try $0.goals() }
                case .notes: await load { self.notes = try $0.notes() }
                case .pairs, .overview:
                    await load { self.pairs = try $0.pairs() }
                    await load { self.overview = try $0.mentorOverview(markSeen: false) }
                case .settings: await load { self.settings = try $0.settings() }
                case .sync: await load { self.sync = try $0.syncStatus() }
                case .devices: break
                }
            }
        }
    }

    private func load(_ assign: @escaping @MainActor (Tandem) throws -> Void) async {
        do { try assign(tandem) } catch let e as TandemError { problem = e } catch {}
    }

    // MARK: Actions (each one core call, off the main thread)

    func run(_ call: @escaping @Sendable (Tandem) throws -> Void) async {
        let tandem = self.tandem
        do {
            try await Task.detached { try call(tandem) }.value
        } catch let e as TandemError {
            problem = e
        } catch {}
    }

    func syncNow() async {
        do { _ = try await tandem.syncNow() } catch let e as TandemError { problem = e } catch {}
    }

    func invite() async {
        do { inviteCode = try await tandem.pairInvite() } catch let e as TandemError { problem = e } catch {}
    }

    func join(_ code: String) async {
        do { _ = try await tandem.pairJoin(code: code) }
        catch let e as TandemError { problem = e } catch {}
    }

    func exportJSON() async -> String? {
        do { return try await tandem.exportJson() } catch let e as TandemError { problem = e; return nil } catch { return nil }
    }

    func eraseEverything() async {
        do {
            _ = try await tandem.erase(also: [])
            KeychainKey.erase()
            unlocked = false
        } catch let e as TandemError { problem = e } catch {}
    }
}

/// Hops the core's change notices to the main actor.
private final class Listener: ChangeListener, @unchecked Sendable {
    private weak var model: AppModel?

    init(model: AppModel) { self.model = model }

    func changed(areas: [Area]) {
        Task { @MainActor [weak model] in model?.reload(areas) }
    }
}
