import LocalAuthentication

/// The app lock's prompt: Face ID / Touch ID, or the device passcode.
enum AppLock {
    static func authenticate() async -> Bool {
        let context = LAContext()
        var error: NSError?
        guard context.canEvaluatePolicy(.deviceOwnerAuthentication, error: &error) else {
            // No passcode on the device: there is nothing to check against.
            return true
        }
        return (try? await context.evaluatePolicy(.deviceOwnerAuthentication, localizedReason: "Unlock your entries")) ?? false
    }
}
