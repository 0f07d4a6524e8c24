package app.tandem.shared

import app.tandem.core.GoalInput
import app.tandem.core.GoalStatus
import app.tandem.core.GoalsScreen
import app.tandem.core.ShareKind
import kotlinx.coroutines.flow.update

/** What the Goals screen shows. */
data class GoalsState(
    /** The core's Goals record: each goal with its milestones and whether it is shared. */
    val screen: GoalsScreen? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * Goals and their milestones: a goal with why it matters and a target
 * date, its status (active, done, dropped), milestones ticked off, and
 * sharing a goal with the mentor or taking it back.
 */
class GoalsPresenter(private val session: TandemSession) : Presenter<GoalsState>(GoalsState()) {
    /** Loads (or reloads, after a change notice) the core's record. */
    suspend fun load() = act { }

    /** Adds a goal (the title is trimmed; the core refuses an empty one). */
    suspend fun add(input: GoalInput) =
        act { session.call { it.addGoal(input.copy(title = input.title.trim(), why = input.why.trim())) } }

    /** Marks goal `id` active, done or dropped. */
    suspend fun setStatus(id: String, status: GoalStatus) = act { session.call { it.setGoalStatus(id, status) } }

    /** Adds a milestone to goal `goalId`. */
    suspend fun addMilestone(goalId: String, title: String) =
        act { session.call { it.addMilestone(goalId, title.trim()) } }

    /** Ticks a milestone off (or not). */
    suspend fun setMilestoneDone(goalId: String, milestoneId: String, done: Boolean) =
        act { session.call { it.setMilestoneDone(goalId, milestoneId, done) } }

    /** Shares goal `id` with the mentor of `pairId` (or the only pair). */
    suspend fun share(id: String, pairId: String? = null) =
        act { session.call { it.share(ShareKind.GOAL, id, pairId) } }

    /** Takes a shared goal back from `pairId`, or with none from wherever it is shared (the mentor's phone keeps the copy it synced). */
    suspend fun unshare(id: String, pairId: String? = null) =
        act { session.call { it.unshare(ShareKind.GOAL, id, pairId) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun GoalsState.busy(on: Boolean) = copy(busy = on)

    override suspend fun GoalsState.reloaded(problem: Problem?): GoalsState {
        val read = session.readOr(screen) { it.goalsScreen() }
        return copy(screen = read.value, problem = problem ?: read.problem)
    }
}
