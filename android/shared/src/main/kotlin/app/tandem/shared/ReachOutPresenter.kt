package app.tandem.shared

import app.tandem.core.ReachOutFlow
import app.tandem.core.ReachOutStep
import kotlinx.coroutines.flow.update

/** What the Reach out screen shows: the core's step and what the person just did. */
data class ReachOutState(
    /** Where the core's reach-out stands (none until [ReachOutPresenter.start]). */
    val step: ReachOutStep? = null,
    /** A call is under way: the button waits. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * Reaching out to the mentor (the mentee's one-tap "I need to talk"): the
 * core says whether there is a mentor to reach, sends the few words into
 * the pair and tries to deliver them at once; offline, the next sync does.
 */
class ReachOutPresenter(private val session: TandemSession) :
    Presenter<ReachOutState>(ReachOutState()) {
    private var flow: ReachOutFlow? = null

    /** Opens the screen: whom the person can reach. */
    suspend fun start() = act { flow = session.call { it.reachOutFlow() } }

    /** Sends `text` (may be empty) to the mentor of `pairId` (or the only one). */
    suspend fun send(text: String, pairId: String? = null) =
        act { (flow ?: error("the reach-out was not started")).send(pairId, text.trim()) }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun ReachOutState.busy(on: Boolean) = copy(busy = on)

    override suspend fun ReachOutState.reloaded(problem: Problem?): ReachOutState {
        val step = flow?.let { f -> session.call { f.step() } } ?: step
        return copy(step = step, problem = problem)
    }
}
