import SwiftUI
import TandemCore
import UIKit
import UserNotifications

/// Wake-ups on iOS: APNs, through the wake-up gateway (the relay cannot
/// hold Apple's credentials, and the gateway hides the device token from
/// it). The app registers for remote notifications; the device token goes
/// to the core, which asks the gateway named in Info.plist
/// (`TandemWakeupGateway`) for an endpoint and subscribes with it.
///
/// A wake-up arrives as an alert push whose only text is the app's own
/// `WAKEUP_FALLBACK` line; the Notification Service Extension
/// (`TandemNotify`) puts the chosen app name over it. When the app is in
/// the foreground the push is not shown: the app syncs and posts what the
/// core's `announceNotices()` says instead.
final class WakeupDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    func application(
        _ application: UIApplication,
        didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        UNUserNotificationCenter.current().delegate = self
        return true
    }

    /// Asks for permission to notify and for an APNs token; called once the
    /// device syncs with a server.
    @MainActor
    static func register() async {
        let granted = (try? await UNUserNotificationCenter.current()
            .requestAuthorization(options: [.alert, .sound, .badge])) ?? false
        if granted { UIApplication.shared.registerForRemoteNotifications() }
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        guard let gateway = Bundle.main.object(forInfoDictionaryKey: "TandemWakeupGateway") as? String,
              !gateway.isEmpty else { return }
        let token = deviceToken.map { String(format: "%02x", $0) }.joined()
        Task.detached {
            // A failure is tried again at the next launch (iOS hands the
            // token again); sync keeps working without wake-ups.
            _ = await Core.whileOpen { tandem in
                try? await tandem.wakeupSubscribeGateway(gateway: gateway, provider: .apns, token: token)
            }
        }
    }

    func application(_ application: UIApplication, didFailToRegisterForRemoteNotificationsWithError error: Error) {}

    /// In the foreground: a wake-up is not shown as it came; the app syncs
    /// and posts the core's own notices instead (which are shown).
    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification
    ) async -> UNNotificationPresentationOptions {
        guard notification.request.trigger is UNPushNotificationTrigger else {
            return [.banner, .list, .sound]
        }
        // Core calls block: off the main actor.
        let (notices, name) = await Task.detached { () -> ([Notice], AppName)? in
            await Core.whileOpen { tandem in
                _ = try? await tandem.syncNow()
                return ((try? tandem.announceNotices()) ?? [], (try? tandem.settings().appName) ?? .tandem)
            }
        }.value ?? ([], .tandem)
        if notices.isEmpty { return [.banner, .sound] }
        await BackgroundSync.post(notices, name: name)
        return []
    }
}

/// The line for a notice kind, from the app's strings (never content).
func noticeText(_ notice: Notice) -> String {
    switch notice {
    case .checkInReminder: return String(localized: "NOTICE_CHECK_IN")
    case .milestoneReached: return String(localized: "NOTICE_MILESTONE")
    case .pairActivity: return String(localized: "NOTICE_PAIR_ACTIVITY")
    case .reachOut: return String(localized: "NOTICE_REACH_OUT")
    case .syncTrouble: return String(localized: "NOTICE_SYNC_TROUBLE")
    case .meetingSoon: return String(localized: "NOTICE_MEETING_SOON")
    }
}

/// The app name the person chose, as notifications show it.
func appNameText(_ name: AppName) -> String {
    switch name {
    case .tandem: return "Tandem"
    case .notes: return String(localized: "APP_NAME_NOTES")
    case .daily: return String(localized: "APP_NAME_DAILY")
    case .steps: return String(localized: "APP_NAME_STEPS")
    }
}
