package app.tandem.shared

import app.tandem.core.InsightsScreen
import kotlinx.coroutines.flow.update

/** What the Insights screen shows. */
data class InsightsState(
    /** The core's record: cravings by hour and weekday, weekly strength, what helped. */
    val screen: InsightsScreen? = null,
    /** A read is under way. */
    val busy: Boolean = false,
    /** Why the record could not be read, if it could not. */
    val problem: Problem? = null,
)

/** Insights over the craving log: read-only, computed by the core. */
class InsightsPresenter(private val session: TandemSession) : Presenter<InsightsState>(InsightsState()) {
    /** Loads (or reloads, after a change notice) the core's record. */
    suspend fun load() = act { }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun InsightsState.busy(on: Boolean) = copy(busy = on)

    override suspend fun InsightsState.reloaded(problem: Problem?): InsightsState {
        val read = session.readOr(screen) { it.insightsScreen() }
        return copy(screen = read.value, problem = problem ?: read.problem)
    }
}
