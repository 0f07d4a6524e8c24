import TandemCore
import UIKit

/// The home-screen icon that goes with the name the person chose in
/// Settings (the alternate icon sets in Assets.xcassets; see project.yml's
/// `ASSETCATALOG_COMPILER_ALTERNATE_APPICON_NAMES`). iOS cannot rename an
/// app on the home screen, so the label under the icon stays; notifications
/// are titled with the chosen name.
enum AppIcon {
    /// The alternate icon set for `name` (nil: the primary icon).
    static func iconName(_ name: AppName) -> String? {
        switch name {
        case .tandem: return nil
        case .notes: return "AppIcon-Notes"
        case .daily: return "AppIcon-Daily"
        case .steps: return "AppIcon-Steps"
        }
    }

    /// Switches the icon to `name`'s (iOS tells the person it changed).
    @MainActor static func show(_ name: AppName) {
        let icon = iconName(name)
        let app = UIApplication.shared
        guard app.supportsAlternateIcons, app.alternateIconName != icon else { return }
        app.setAlternateIconName(icon) { error in
            // The setting is kept either way; the icon follows at the next change.
            if let error { NSLog("alternate icon not set: %@", error.localizedDescription) }
        }
    }
}
