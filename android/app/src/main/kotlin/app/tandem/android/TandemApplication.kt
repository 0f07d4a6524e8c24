package app.tandem.android

import android.app.Application
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import app.tandem.android.security.KeyVault
import app.tandem.android.sync.SyncScheduler
import app.tandem.core.Tandem
import app.tandem.shared.ServerAuthority
import app.tandem.shared.TandemSession
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.launch
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

    /** A self-hosted server's own certificate authority, kept beside the store (never backed up). */
    val authority: ServerAuthority by lazy { ServerAuthority(File(noBackupFilesDir, "server-ca.pem")) }

    /** The session, opened on first use (always off the main thread). */
    val session: TandemSession by lazy {
        val path = File(noBackupFilesDir, "tandem.db").path
        val key = keys.storeKey()
        // Locked at once: the screens open it after the app lock, and a
        // background job opens it only for as long as it runs.
        val tandem = try {
            Tandem.open(path, key).also { it.lock() }
        } finally {
            key.fill(0)
        }
        TandemSession(tandem)
    }

    /**
     * One worker for the lock's background and foreground notices: they
     * open the store on first use, and they must reach the core in order.
     */
    @OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)
    private val lifecycleCalls = CoroutineScope(
        SupervisorJob() + Dispatchers.IO.limitedParallelism(1) +
            // A store that cannot open yet (before the phone's first unlock)
            // is met again, and shown, by the screens' own calls.
            CoroutineExceptionHandler { _, _ -> },
    )

    private val relocks = MutableSharedFlow<Unit>(extraBufferCapacity = 1)

    /** Emits when the app came back after the lock delay and the core locked itself. */
    val relocked: SharedFlow<Unit> = relocks.asSharedFlow()

    override fun onCreate() {
        super.onCreate()
        keys = KeyVault(this)
        // Before any sync: a self-hosted server's own authority, if one was added.
        lifecycleCalls.launch { authority.restore() }
        SyncScheduler.schedule(this)
        ProcessLifecycleOwner.get().lifecycle.addObserver(object : DefaultLifecycleObserver {
            override fun onStop(owner: LifecycleOwner) {
                lifecycleCalls.launch { session.tandem.enteredBackground() }
            }

            override fun onStart(owner: LifecycleOwner) {
                lifecycleCalls.launch { if (session.tandem.enteredForeground()) relocks.tryEmit(Unit) }
            }
        })
    }
}
