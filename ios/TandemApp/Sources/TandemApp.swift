import BackgroundTasks
import SwiftUI
import TandemCore

/// The app opens where the core's `launch()` says: the lock screen until
/// LocalAuthentication passes, the first run until the person is set up,
/// then the tabs. Background sync runs as a BGAppRefreshTask; the core's
/// own lock closes the store when the app has been away longer than the
/// person's delay.
@main
struct TandemApp: App {
    @UIApplicationDelegateAdaptor(WakeupDelegate.self) private var wakeups
    @StateObject private var store = StoreOpener()

    init() {
        BackgroundSync.register()
    }

    var body: some Scene {
        WindowGroup {
            if let model = store.model {
                AppRoot().environmentObject(model)
            } else {
                StoreUnavailableScreen(store: store)
            }
        }
    }
}

/// Opens the store before anything else. It can fail (the Keychain is not
/// readable before the first unlock since boot, a damaged file): then a
/// screen says so and offers to try again, never a crash.
@MainActor
final class StoreOpener: ObservableObject {
    /// The app's model, once the store opened.
    @Published private(set) var model: AppModel?
    /// Why the store could not be opened, if it could not.
    @Published private(set) var problem: Error?

    init() { retry() }

    /// Tries to open the store (again).
    func retry() {
        switch Core.opened {
        case .success: model = AppModel()
        case .failure(let error): problem = error
        }
    }
}

/// The store could not be opened: why, and a way to try again.
struct StoreUnavailableScreen: View {
    @ObservedObject var store: StoreOpener
    var body: some View {
        VStack(spacing: 16) {
            Text("Tandem cannot open your data right now.").font(.headline)
            if let problem = store.problem {
                Text(problemText(problem)).multilineTextAlignment(.center)
            }
            Text("If the phone restarted, unlock it once, then try again. Nothing was deleted.")
                .multilineTextAlignment(.center).font(.footnote)
            Button("Try again") { store.retry() }
        }
        .padding()
    }
}

/// Where the core's `launch()` says: the lock screen, the first run, or the tabs.
struct AppRoot: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.scenePhase) private var phase

    var body: some View {
        Group {
            if model.isErased {
                Text("Everything was deleted from this phone. You can remove the app.")
                    .multilineTextAlignment(.center).padding()
            } else {
            switch model.launch {
            case nil: ProgressView()
            case .locked?: LockScreen()
            case .firstRun?: FirstRunScreen()
            case .today?: MainTabs()
            }
            }
        }
        // Nothing of the app shows in the app switcher or while a
        // system sheet covers it.
        .overlay {
            if phase != .active {
                Color(uiColor: .systemBackground).ignoresSafeArea()
            }
        }
        .alert(
            model.problem.map(problemText) ?? "",
            isPresented: Binding(get: { model.problem != nil }, set: { if !$0 { model.problem = nil } })
        ) {
            Button("OK", role: .cancel) { model.problem = nil }
        }
        .onChange(of: phase) { newPhase in
            switch newPhase {
            case .background:
                model.enteredBackground()
                BackgroundSync.schedule()
            case .active:
                model.enteredForeground()
            default:
                break
            }
        }
    }
}

/// The tabs; Log a craving is one tap from Today and saved with the second.
struct MainTabs: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        TabView {
            NavigationStack { TodayScreen() }.tabItem { Label("Today", systemImage: "sun.max") }
            NavigationStack { JournalScreen() }.tabItem { Label("Journal", systemImage: "book") }
            NavigationStack { GoalsScreen() }.tabItem { Label("Goals", systemImage: "flag") }
            NavigationStack { NotesScreen() }.tabItem { Label("Notes", systemImage: "note.text") }
            NavigationStack { SettingsScreen() }.tabItem { Label("Settings", systemImage: "gear") }
        }
        // Whom to share with and write notes with: the pairs, as the core lists them.
        .task { await model.show(.pairs) }
    }
}
