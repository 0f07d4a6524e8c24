import UserNotifications

/// The Notification Service Extension of wake-ups. APNs delivers an alert
/// push whose text is only the app's `WAKEUP_FALLBACK` key (iOS throttles
/// silent pushes; an alert push arrives). This extension puts the app name
/// the person chose over it, read from the app group's defaults (the app
/// writes `appName` there whenever the setting changes), so that the
/// notification's own title never says "Tandem" when the person picked
/// another name (iOS still heads it with the bundle's display name).
///
/// It does not open the store: the store has one writer, the app's
/// process, and the extension runs in another. The app syncs when it next
/// runs (foreground, or its background refresh) and shows the core's own
/// notices then.
final class NotificationService: UNNotificationServiceExtension {
    private var handler: ((UNNotificationContent) -> Void)?
    private var content: UNMutableNotificationContent?

    override func didReceive(
        _ request: UNNotificationRequest,
        withContentHandler contentHandler: @escaping (UNNotificationContent) -> Void
    ) {
        handler = contentHandler
        guard let content = request.content.mutableCopy() as? UNMutableNotificationContent else {
            contentHandler(request.content)
            return
        }
        self.content = content
        // The body is the app's own line, already localised by iOS from the
        // push's loc-key. The title is the chosen name, or none at all.
        if let name = UserDefaults(suiteName: "group.app.tandem")?.string(forKey: "appName") {
            content.title = name
        }
        content.threadIdentifier = "wake"
        contentHandler(content)
    }

    override func serviceExtensionTimeWillExpire() {
        if let handler, let content { handler(content) }
    }
}
