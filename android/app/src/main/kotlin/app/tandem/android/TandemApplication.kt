package app.tandem.android

import android.app.Application
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import app.tandem.android.security.KeyVault
import app.tandem.android.sync.SyncScheduler
import app.tandem.core.Tandem
import app.tandem.shared.TandemSession
import java.io.File

/**
 * Owns the one [TandemSession] of the process. The store key is unwrapped
 * from Android Keystore ([KeyVault]); the app lock ([app.tandem.android.security.AppLock])
 * gates the screens with BiometricPrompt and the core's own lock closes the
 * store when the app has been away longer than the person's lock delay.
 */
class TandemApplication : Application() {
    lateinit var keys: KeyVault
        private set

    /** The session, opened on first use (off the main thread). */
    val session: TandemSession by lazy {
        val path = File(noBackupFilesDir, "tandem.db").path
        TandemSession(Tandem.open(path, keys.storeKey()))
    }

    override fun onCreate() {
        super.onCreate()
        keys = KeyVault(this)
        SyncScheduler.schedule(this)
        ProcessLifecycleOwner.get().lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStop(owner: LifecycleOwner) = session.tandem.enteredBackground()
            override fun onStart(owner: LifecycleOwner) {
                session.tandem.enteredForeground()
            }
        })
    }
}
