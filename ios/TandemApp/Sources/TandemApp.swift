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
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var phase

    init() {
        BackgroundSync.register()
    }

    var body: some Scene {
        WindowGroup {
            Group {
                switch model.launch {
                case nil: ProgressView()
                case .locked?: LockScreen()
                case .firstRun?: FirstRunScreen()
                case .today?: MainTabs()
                }
            }
            .environmentObject(model)
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
    var body: some View {
        TabView {
            NavigationStack { TodayScreen() }.tabItem { Label("Today", systemImage: "sun.max") }
            NavigationStack { JournalScreen() }.tabItem { Label("Journal", systemImage: "book") }
            NavigationStack { GoalsScreen() }.tabItem { Label("Goals", systemImage: "flag") }
            NavigationStack { NotesScreen() }.tabItem { Label("Notes", systemImage: "note.text") }
            NavigationStack { SettingsScreen() }.tabItem { Label("Settings", systemImage: "gear") }
        }
    }
}
