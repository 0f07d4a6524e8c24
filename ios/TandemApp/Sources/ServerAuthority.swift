import Foundation
import TandemCore

/// A self-hosting operator's own certificate authority, which the person
/// adds when connecting: handed to the core (`trustServerCa`, for that
/// server only, beside the built-in web roots) and kept in the store's
/// folder (excluded from backups) so that every later start trusts it
/// again before the first sync.
enum ServerAuthority {
    private static var file: URL { Core.storeFolder.appendingPathComponent("server-ca.pem") }

    /// Trusts the authorities in `pem` for `server` and keeps them; a PEM
    /// the core refuses throws and nothing is kept.
    static func trust(server: String, pem: String) throws {
        let server = server.trimmingCharacters(in: .whitespaces)
        _ = try trustServerCa(server: server, pem: pem)
        try Data((server + "\n" + pem).utf8).write(to: file, options: [.atomic, .completeFileProtectionUntilFirstUserAuthentication])
    }

    /// Trusts again what was kept (at start, before any sync).
    static func restore() {
        guard let text = try? String(contentsOf: file, encoding: .utf8),
              let cut = text.firstIndex(of: "\n") else { return }
        _ = try? trustServerCa(server: String(text[..<cut]), pem: String(text[text.index(after: cut)...]))
    }
}
