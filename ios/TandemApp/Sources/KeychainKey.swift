import Foundation
import Security
import TandemCore

/// The store key (32 random bytes from the core) in the Keychain, readable
/// after the first unlock since boot (so background sync can open the
/// store) and never synced to iCloud or restored to another device.
enum KeychainKey {
    /// Why the key could not be read.
    enum Failure: Error {
        /// The Keychain is not readable now (before the first unlock since
        /// boot, say): try again later; a new key would lock the store out.
        case unavailable(OSStatus)
    }

    private static let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: "app.tandem.store-key",
        kSecAttrAccount as String: "store",
    ]

    /// The key, made and stored on the first call of a fresh install only:
    /// a key that exists but cannot be read now is a failure, never a
    /// reason to make another.
    static func storeKey() throws -> Data {
        var read = query
        read[kSecReturnData as String] = true
        var item: CFTypeRef?
        let status = SecItemCopyMatching(read as CFDictionary, &item)
        if status == errSecSuccess, let data = item as? Data {
            return data
        }
        guard status == errSecItemNotFound else { throw Failure.unavailable(status) }
        let key = generateStoreKey()
        var add = query
        add[kSecValueData as String] = key
        add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        add[kSecAttrSynchronizable as String] = false
        let added = SecItemAdd(add as CFDictionary, nil)
        guard added == errSecSuccess else { throw Failure.unavailable(added) }
        return key
    }

    static func erase() {
        SecItemDelete(query as CFDictionary)
    }
}
