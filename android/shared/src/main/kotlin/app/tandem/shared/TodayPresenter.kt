package app.tandem.shared

import app.tandem.core.CheckInInput
import app.tandem.core.CravingInput
import app.tandem.core.TodayScreen
import kotlinx.coroutines.flow.update

/** What the Today screen shows: the core's record and what the person just did. */
data class TodayState(
    /** The core's Today record (clean time, today's counts, sync, next meeting). */
    val screen: TodayScreen? = null,
    /** The id of the craving just logged, for a short "logged" note. */
    val logged: String? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The Today screen, and the two quick actions it offers: logging a craving
 * (two taps from here: the craving sheet hands its input to [logCraving])
 * and the daily check-in. Logging and sharing is one core call, so a
 * craving is never left written but not shared.
 */
class TodayPresenter(private val session: TandemSession) : Presenter<TodayState>(TodayState()) {
    /** Loads (or reloads, after a change notice) the core's record. */
    suspend fun load() = act { }

    /**
     * Logs a craving; shared with the mentor of `pairId` (or the only pair)
     * when `share` is on.
     */
    suspend fun logCraving(input: CravingInput, share: Boolean = false, pairId: String? = null) = act {
        val entry = session.call {
            if (share) it.addCravingShared(input, pairId) else it.addCraving(input)
        }
        current.update { it.copy(logged = entry.id) }
    }

    /** The "logged" note was shown. */
    fun loggedShown() = current.update { it.copy(logged = null) }

    /** Today's check-in (a second one replaces the first). */
    suspend fun checkIn(input: CheckInInput) = act { session.call { it.checkIn(input) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun TodayState.busy(on: Boolean) = copy(busy = on)

    override suspend fun TodayState.reloaded(problem: Problem?): TodayState {
        val read = session.readOr(screen) { it.todayScreen() }
        return copy(screen = read.value, problem = problem ?: read.problem)
    }
}
