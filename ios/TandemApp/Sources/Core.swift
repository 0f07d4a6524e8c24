import Foundation
import TandemCore

/// The process's one `Tandem` (one writer per store file): the screens and
/// the background sync share it.
enum Core {
    static let tandem: Tandem = {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var url = dir.appendingPathComponent("tandem.db")
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? url.setResourceValues(values)
        // A store that cannot be opened at all is a setup fault of this device.
        return try! Tandem.open(path: url.path, key: KeychainKey.storeKey())
    }()
}
