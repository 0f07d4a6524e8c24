import BackgroundTasks
import SwiftUI
import TandemCore

/// The app: the lock screen until LocalAuthentication passes, then the tabs.
/// Background sync runs as a BGAppRefreshTask; the core's own lock closes
/// the store when the app has been away longer than the person's delay.
@main
struct TandemApp: App {
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var phase

    init() {
        BackgroundSync.register()
    }

    var body: some Scene {
        WindowGroup {
            Group {
                if model.unlocked {
                    MainTabs().environmentObject(model)
                } else {
                    LockScreen().environmentObject(model)
                }
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
