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

    /**
     * Runs one event's action, then reloads; a failure becomes the state's
     * problem. Returns whether the action went through, so a form clears
     * only what was saved (a refused entry stays on screen to fix).
     */
    protected suspend fun act(action: suspend () -> Unit): Boolean {
        current.update { it.busy(true) }
        val problem = try {
            attempt(action)
        } finally {
            current.update { it.busy(false) }
        }
        current.value = current.value.reloaded(problem)
        return problem == null
    }
}

/** A record as read for a screen, and why it could not be read (the last one is kept then). */
data class Read<T>(
    /** The record read now, or the one shown before. */
    val value: T,
    /** Why it could not be read now, if it could not. */
    val problem: Problem?,
)

/**
 * Reads a screen's record with `read` off the main thread; a record that
 * cannot be read (a locked or damaged store) keeps `last` on screen and
 * says why.
 */
suspend fun <T> TandemSession.readOr(last: T, read: (app.tandem.core.Tandem) -> T): Read<T> = try {
    Read(call(read), null)
} catch (e: app.tandem.core.TandemException) {
    Read(last, Problem.of(e))
}
