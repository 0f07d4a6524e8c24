import BackgroundTasks
import Foundation
import TandemCore

/// Background sync as a BGAppRefreshTask (identifier listed in Info.plist
/// under BGTaskSchedulerPermittedIdentifiers).
enum BackgroundSync {
    static let identifier = "app.tandem.sync"

    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            schedule()
            let work = Task {
                let tandem = Core.tandem
                // Locked, or not syncing: nothing to do.
                guard !tandem.isLocked(), (try? tandem.syncStatus().server) != nil else {
                    task.setTaskCompleted(success: true)
                    return
                }
                let ok = (try? await tandem.syncNow()) != nil
                task.setTaskCompleted(success: ok)
            }
            task.expirationHandler = { work.cancel() }
        }
    }

    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }
}
