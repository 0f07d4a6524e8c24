package app.tandem.android.security

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import app.tandem.core.generateStoreKey
import java.io.File
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The store key (32 random bytes from the core), kept wrapped by an AES-GCM
 * key that lives in Android Keystore (hardware-backed where the phone has
 * it, never exportable). The wrapped key is in `noBackupFilesDir`: never in
 * a backup, and in credential-encrypted storage, so it can be read only
 * after the phone's first unlock since boot.
 *
 * The Keystore key does not require a biometric for each use, so that
 * background sync (WorkManager) can open the store; BiometricPrompt gates
 * the screens instead ([AppLock]).
 */
class KeyVault(private val context: Context) {
    private val file = File(context.noBackupFilesDir, "store.key.wrapped")

    /** The store key: unwrapped, or made and wrapped on first use. */
    @Synchronized
    fun storeKey(): ByteArray {
        if (file.exists()) return unwrap(file.readBytes())
        val key = generateStoreKey()
        val tmp = File(file.path + ".tmp")
        tmp.writeBytes(wrap(key))
        check(tmp.renameTo(file)) { "could not store the wrapped key" }
        return key
    }

    /** Forgets the key (after "delete everything"). */
    fun erase() {
        file.delete()
        keyStore().deleteEntry(ALIAS)
    }

    /** The files to remove with the store. */
    fun files(): List<String> = listOf(file.path)

    private fun wrap(key: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, wrappingKey())
        return cipher.iv + cipher.doFinal(key)
    }

    private fun unwrap(blob: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, wrappingKey(), GCMParameterSpec(128, blob, 0, IV_BYTES))
        return cipher.doFinal(blob, IV_BYTES, blob.size - IV_BYTES)
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }

    private fun wrappingKey(): SecretKey {
        (keyStore().getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val spec = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
            .apply { init(spec) }
            .generateKey()
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "tandem-store-key"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
    }
}
