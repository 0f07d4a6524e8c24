package app.tandem.shared

import app.tandem.core.Tandem
import kotlinx.coroutines.flow.update

/** What a screen over one of the core's flows shows: the flow's step. */
data class FlowState<S>(
    /** The step the core's flow is at (none until the presenter's `start`). */
    val step: S? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything (the flow stays at its step). */
    val problem: Problem? = null,
)

/**
 * A presenter over one of the core's flows (linking, restoring, ending a
 * pair, exporting, erasing): the core decides every step, this class only
 * starts the flow off the main thread, carries each answer to it and shows
 * the step it reached. A refused answer is a [Problem]; the flow stays.
 *
 * @param open starts the flow on the core.
 * @param stepOf reads the step the flow stands at.
 */
abstract class FlowPresenter<F : AutoCloseable, S>(
    protected val session: TandemSession,
    private val open: (Tandem) -> F,
    private val stepOf: (F) -> S,
) : Presenter<FlowState<S>>(FlowState()), AutoCloseable {
    private var flow: F? = null

    /** Starts the flow (again: a flow started before is closed first). */
    suspend fun start() = act {
        val started = session.call(open)
        flow?.close()
        flow = started
    }

    /** Runs one answer on the flow off the main thread; its step is read after. */
    protected suspend fun answer(block: (F) -> Unit) = act { session.call { block(flow()) } }

    /** Runs one answer that reaches the server (the core's call is async). */
    protected suspend fun answerAsync(block: suspend (F) -> Unit) = act { block(flow()) }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    /** Releases the core's flow. */
    override fun close() {
        flow?.close()
        flow = null
    }

    private fun flow(): F = flow ?: error("the flow was not started")

    override fun FlowState<S>.busy(on: Boolean) = copy(busy = on)

    override suspend fun FlowState<S>.reloaded(problem: Problem?): FlowState<S> {
        val step = flow?.let { f -> session.call { stepOf(f) } } ?: step
        return copy(step = step, problem = problem)
    }
}
