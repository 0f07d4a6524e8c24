package app.tandem.shared

import app.tandem.core.Settings
import app.tandem.core.SettingsScreen
import app.tandem.core.SyncStatusScreen
import app.tandem.core.TandemException
import kotlinx.coroutines.flow.update

/** What the Settings screen shows. */
data class SettingsState(
    /** The core's Settings record (the settings and their bounds). */
    val settings: SettingsScreen? = null,
    /** The core's sync status record. */
    val sync: SyncStatusScreen? = null,
    /**
     * An export to hand to the system's file picker (the Storage Access
     * Framework, or the iOS document picker) once, then forget.
     */
    val export: String? = null,
    /** Everything was erased: the app stays locked for good. */
    val erased: Boolean = false,
    /** A call is under way. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The Settings screen: the app lock's delay, the app name, the reminder
 * and notices, sync now, export and erase. State out, events in; a value
 * the core refuses (a delay past the longest) is a [Problem] and nothing
 * changes.
 */
class SettingsPresenter(private val session: TandemSession) : Presenter<SettingsState>(SettingsState()) {
    /** Loads (or reloads) the core's records. */
    suspend fun load() = act { }

    /** Changes the settings as [change] says, if the core accepts the result. */
    suspend fun change(change: (Settings) -> Settings) = act {
        session.call { t -> t.setSettings(change(t.settings())) }
    }

    /** Syncs now. */
    suspend fun syncNow() = act { session.tandem.syncNow() }

    /** Makes an export of everything on this phone, to hand over once. */
    suspend fun export() = act {
        val json = session.tandem.exportJson()
        current.update { it.copy(export = json) }
    }

    /** The export was written where the person chose (or dropped): forget it. */
    fun exportHandedOver() = current.update { it.copy(export = null) }

    /** Erases everything: the account at the server, the store, and [also]. */
    suspend fun erase(also: List<String> = emptyList()) = act {
        session.tandem.erase(also)
        current.update { it.copy(erased = true, export = null) }
    }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun SettingsState.busy(on: Boolean) = copy(busy = on)

    override suspend fun SettingsState.reloaded(problem: Problem?): SettingsState {
        // After an erase there is nothing to read: the app stays locked.
        if (erased) return copy(settings = null, sync = null, problem = problem)
        val (settings, sync) = try {
            session.call { it.settingsScreen() to it.syncStatusScreen() }
        } catch (e: TandemException) {
            settings to sync
        }
        return copy(settings = settings, sync = sync, problem = problem)
    }
}
