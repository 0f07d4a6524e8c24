import Foundation
import TandemCore

/// The process's one `Tandem` (one writer per store file): the screens and
/// the background sync share it.
enum Core {
    /// The folder of the store, its write-ahead log and its shared-memory
    /// file, excluded from backups as a whole (so the `-wal` and `-shm`
    /// files made later are excluded too).
    static var storeFolder: URL {
        let base = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        var dir = base.appendingPathComponent("Store", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? dir.setResourceValues(values)
        return dir
    }

    private static let openLock = NSLock()
    /// Guarded by `openLock`.
    private static var cached: Tandem?

    /// The store, or why it could not be opened now (the Keychain
    /// unreadable before the first unlock since boot, a damaged file). Only
    /// a success is kept: a later call tries again.
    static var opened: Result<Tandem, Error> {
        openLock.lock()
        defer { openLock.unlock() }
        if let tandem = cached { return .success(tandem) }
        return Result {
            let url = storeFolder.appendingPathComponent("tandem.db")
            var key = try KeychainKey.storeKey()
            defer { key.resetBytes(in: 0..<key.count) }
            let tandem = try Tandem.open(path: url.path, key: key)
            // Locked at once: the screens open it after the app lock, and a
            // background task only for as long as it runs.
            tandem.lock()
            // Before any sync, the screens' or a background task's: a
            // self-hosted server's own authority, if one was added.
            ServerAuthority.restore()
            cached = tandem
            return tandem
        }
    }

    /// Whether the screens have the store open (the person passed the app
    /// lock): a background task that opened a locked store leaves it open
    /// when it ends instead of locking it under the screens.
    @MainActor static var openForScreens = false

    /// Runs `work` with the store open, for a background task: a locked
    /// store is opened with the Keychain's key and locked again after,
    /// unless the screens opened it meanwhile. `nil` when the store or the
    /// key cannot be had now.
    static func whileOpen<T>(_ work: (Tandem) async -> T) async -> T? {
        guard case .success(let tandem) = opened else { return nil }
        let wasLocked = tandem.isLocked()
        if wasLocked {
            guard var key = try? KeychainKey.storeKey() else { return nil }
            defer { key.resetBytes(in: 0..<key.count) }
            guard (try? tandem.unlock(key: key)) != nil else { return nil }
        }
        let result = await work(tandem)
        if wasLocked, await !MainActor.run(body: { openForScreens }) { tandem.lock() }
        return result
    }

    /// The store; only for code that runs after `opened` succeeded.
    static var tandem: Tandem {
        switch opened {
        case .success(let t): return t
        case .failure(let e): fatalError("the store did not open: \(e)")
        }
    }
}
