package app.tandem.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/**
 * What every screen's presenter shares: the state it shows ([state]), and
 * one way to run an event: mark the screen busy, run the action, turn any
 * failure into a [Problem], then reload the core's records.
 */
abstract class Presenter<S>(initial: S) {
    /** The state, for the presenter to change. */
    protected val current = MutableStateFlow(initial)

    /** What the screen shows now. */
    val state: StateFlow<S> = current.asStateFlow()

    /** [state] marked busy (or not). */
    protected abstract fun S.busy(on: Boolean): S

    /** [state] with the core's records read again and [problem] shown (none clears it). */
    protected abstract suspend fun S.reloaded(problem: Problem?): S

    /** Runs one event's action, then reloads; a failure becomes the state's problem. */
    protected suspend fun act(action: suspend () -> Unit) {
        current.update { it.busy(true) }
        val problem = try {
            attempt(action)
        } finally {
            current.update { it.busy(false) }
        }
        current.value = current.value.reloaded(problem)
    }
}
