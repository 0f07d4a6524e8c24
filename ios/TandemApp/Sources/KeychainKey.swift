import Foundation
import Security
import TandemCore

/// The store key (32 random bytes from the core) in the Keychain, readable
/// after the first unlock since boot (so background sync can open the
/// store) and never synced to iCloud or restored to another device.
enum KeychainKey {
    private static let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: "app.tandem.store-key",
        kSecAttrAccount as String: "store",
    ]

    static func storeKey() -> Data {
        var read = query
        read[kSecReturnData as String] = true
        var item: CFTypeRef?
        if SecItemCopyMatching(read as CFDictionary, &item) == errSecSuccess, let data = item as? Data {
            return data
        }
        let key = generateStoreKey()
        var add = query
        add[kSecValueData as String] = key
        add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        add[kSecAttrSynchronizable as String] = false
        SecItemAdd(add as CFDictionary, nil)
        return key
    }

    static func erase() {
        SecItemDelete(query as CFDictionary)
    }
}
