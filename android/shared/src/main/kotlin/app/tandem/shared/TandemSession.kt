package app.tandem.shared

import app.tandem.core.Area
import app.tandem.core.ChangeListener
import app.tandem.core.Tandem
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.withContext

/**
 * The shells' one handle on the core: runs every call off the main thread
 * and turns the core's change notices into a flow that screens collect to
 * know when to reload.
 *
 * Plain Kotlin (no Android SDK), so the JVM tests exercise it against the
 * real library. ViewModels on Android hold one session for the app.
 */
class TandemSession(
    val tandem: Tandem,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {
    private val changes = MutableSharedFlow<Set<Area>>(extraBufferCapacity = 64)

    /** The areas of view state that changed, after each write or sync. */
    val changed: SharedFlow<Set<Area>> = changes.asSharedFlow()

    init {
        tandem.setListener(object : ChangeListener {
            override fun changed(areas: List<Area>) {
                changes.tryEmit(areas.toSet())
            }
        })
    }

    /**
     * Held by a background job (a wake-up, the periodic sync) while it has
     * opened a locked store: one at a time, so that one job's re-lock
     * never closes the store under another.
     */
    val backgroundOpen: Mutex = Mutex()

    /**
     * Whether the screens have the store open (the person passed the app
     * lock): a background job that opened a locked store then leaves it
     * open when it ends instead of locking it under the screens. Set by
     * the UI on unlock, cleared when it locks.
     */
    @Volatile
    var openForScreens: Boolean = false

    /** Runs a quick core call on the I/O dispatcher. */
    suspend fun <T> call(block: (Tandem) -> T): T = withContext(io) { block(tandem) }

    /** Stops listening and releases the native object. */
    override fun close() {
        tandem.setListener(null)
        tandem.close()
    }
}
