package app.tandem.android.ui

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.tandem.android.TandemApplication
import app.tandem.core.Launch
import app.tandem.core.Tandem
import app.tandem.shared.Presenters
import app.tandem.shared.Problem
import app.tandem.shared.Screen
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * Holds the app's [Presenters] (one per screen, in `android/shared`, where
 * the JVM tests run them) and where the app opens ([launch]). It only opens
 * the store off the main thread, keeps the presenters following the core's
 * change notices, and launches their events in its scope. Compose renders
 * each presenter's state; nothing here decides what a screen shows.
 */
class TandemViewModel(app: Application) : AndroidViewModel(app) {
    private val tandemApp = app as TandemApplication

    private val _launch = MutableStateFlow<Launch?>(null)
    /** Where the app stands: locked, in the first run, or on Today (null while the core is asked). */
    val launch: StateFlow<Launch?> = _launch

    private val _presenters = MutableStateFlow<Presenters?>(null)
    /** The screens' presenters, once the store is open (its file opens off the main thread). */
    val presenters: StateFlow<Presenters?> = _presenters

    private val _problem = MutableStateFlow<Problem?>(null)
    /** Why the store could not be opened or unlocked, if it could not. */
    val problem: StateFlow<Problem?> = _problem

    private val _erased = MutableStateFlow(false)
    /** Everything was erased: the app says so and never asks for the (gone) key again. */
    val erased: StateFlow<Boolean> = _erased

    init {
        open()
        viewModelScope.launch {
            tandemApp.relocked.collect {
                tandemApp.session.openForScreens = false
                _launch.value = Launch.Locked
            }
        }
    }

    /**
     * Opens the store (off the main thread) and the presenters over it.
     * Opening can fail (before the first unlock since boot, a damaged
     * file): the problem is shown with a way to try again, never a crash.
     */
    fun open() {
        if (_presenters.value != null) return
        viewModelScope.launch {
            val all = try {
                Presenters(session(), tandemApp.authority)
            } catch (e: kotlinx.coroutines.CancellationException) {
                throw e
            } catch (e: Exception) {
                _problem.value = Problem.of(e)
                return@launch
            }
            _problem.value = null
            _presenters.value = all
            launch { all.follow() }
            // The app lock comes first: the store stays closed until the person unlocks.
            decide { it.lock() }
        }
    }

    /** The erase went through: the Keystore key goes too, and the app stays on the erased screen. */
    fun erased() {
        _erased.value = true
        viewModelScope.launch { withContext(Dispatchers.IO) { tandemApp.keys.erase() } }
    }

    /** Runs one presenter event in this ViewModel's scope (presenters show their own failures). */
    fun run(event: suspend () -> Unit) {
        viewModelScope.launch { event() }
    }

    /** `screen` was opened: its presenter loads what it draws. */
    fun opened(screen: Screen) = run { _presenters.value?.open(screen) }

    /** The app lock passed: opens the store and asks the core where to go. */
    fun unlock() = decide { t ->
        val key = tandemApp.keys.storeKey()
        try {
            t.unlock(key)
        } finally {
            key.fill(0)
        }
        tandemApp.session.openForScreens = true
    }

    /** Asks the core again where the app opens (after the first run, a link or a restore, an erase). */
    fun decide() = decide { }

    /** Whether this device syncs with a server (wake-ups are then worth asking for). */
    suspend fun syncsWithServer(): Boolean =
        runCatching { session().call { it.syncStatus().server } }.getOrNull() != null

    /** Runs `first` off the main thread, then asks the core where the app opens. */
    private fun decide(first: (Tandem) -> Unit) {
        viewModelScope.launch {
            try {
                val launch = session().call { t ->
                    first(t)
                    t.launch()
                }
                _launch.value = launch
                _problem.value = null
            } catch (e: kotlinx.coroutines.CancellationException) {
                throw e
            } catch (e: Exception) {
                _problem.value = Problem.of(e)
            }
        }
    }

    /** The process's one session, opened off the main thread on first use. */
    private suspend fun session() = withContext(Dispatchers.IO) { tandemApp.session }

    /** The problem was seen. */
    fun dismissProblem() {
        _problem.value = null
    }

    override fun onCleared() {
        _presenters.value?.close()
    }
}
