import BackgroundTasks
import Foundation
import TandemCore
import UserNotifications

/// Background sync as a BGAppRefreshTask (identifier listed in Info.plist
/// under BGTaskSchedulerPermittedIdentifiers). It runs while the app is
/// locked too: the store is opened for the task and locked again
/// (`Core.whileOpen`), and the notices due are posted.
enum BackgroundSync {
    static let identifier = "app.tandem.sync"

    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            schedule()
            let work = Task.detached {
                let ok = await Core.whileOpen { tandem -> Bool in
                    // Not syncing: nothing to do.
                    guard (try? tandem.syncStatus().server) != nil else { return true }
                    let synced = (try? await tandem.syncNow()) != nil
                    let notices = (try? tandem.announceNotices()) ?? []
                    let name = (try? tandem.settings().appName) ?? .tandem
                    await post(notices, name: name)
                    return synced
                }
                task.setTaskCompleted(success: ok ?? false)
            }
            task.expirationHandler = { work.cancel() }
        }
    }

    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    /// Posts each notice under the chosen name with the app's own line.
    static func post(_ notices: [Notice], name: AppName) async {
        let center = UNUserNotificationCenter.current()
        for notice in notices {
            let content = UNMutableNotificationContent()
            content.title = appNameText(name)
            content.body = noticeText(notice)
            let request = UNNotificationRequest(identifier: "\(notice)", content: content, trigger: nil)
            try? await center.add(request)
        }
    }
}
