package app.tandem.android.security

import android.os.Build
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_WEAK
import androidx.biometric.BiometricManager.Authenticators.DEVICE_CREDENTIAL
import androidx.biometric.BiometricPrompt
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import app.tandem.android.R

/**
 * The app lock's prompt: a biometric or the phone's own PIN/pattern. On
 * success the core is unlocked with the store key from [KeyVault]. The
 * lock gates the screens only; it holds no key (no CryptoObject), so
 * background sync opens the store without it.
 */
object AppLock {
    /**
     * What may pass the lock: a strong biometric or the device credential;
     * on Android 9 and 10 that pair is not supported, and the platform's
     * weak-or-credential prompt stands in.
     */
    private val allowed: Int =
        if (Build.VERSION.SDK_INT >= 30) BIOMETRIC_STRONG or DEVICE_CREDENTIAL else BIOMETRIC_WEAK or DEVICE_CREDENTIAL

    fun prompt(activity: FragmentActivity, onUnlocked: () -> Unit) {
        // A phone with no screen lock and no biometric cannot prompt at all:
        // the person is let in rather than locked out of their own data.
        val can = androidx.biometric.BiometricManager.from(activity).canAuthenticate(allowed)
        if (can == androidx.biometric.BiometricManager.BIOMETRIC_ERROR_NONE_ENROLLED ||
            can == androidx.biometric.BiometricManager.BIOMETRIC_ERROR_NO_HARDWARE
        ) {
            onUnlocked()
            return
        }
        val prompt = BiometricPrompt(
            activity,
            ContextCompat.getMainExecutor(activity),
            object : BiometricPrompt.AuthenticationCallback() {
                override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) {
                    onUnlocked()
                }
            },
        )
        prompt.authenticate(
            BiometricPrompt.PromptInfo.Builder()
                .setTitle(activity.getString(R.string.unlock))
                .setAllowedAuthenticators(allowed)
                .build(),
        )
    }
}
