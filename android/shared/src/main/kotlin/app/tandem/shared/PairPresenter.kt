package app.tandem.shared

import app.tandem.core.PairsScreen
import app.tandem.core.TandemException
import kotlinx.coroutines.flow.update

/** What the Pair screen shows: the core's record and what the person just did. */
data class PairState(
    /** The core's Pair screen record (every pair, live and ended). */
    val screen: PairsScreen? = null,
    /** The invite code to show once, as text and as a QR code. */
    val invite: String? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The Pair screen, for Compose and SwiftUI alike to render: state out
 * ([state]), events in (the suspend functions, each run off the main
 * thread through the session and followed by a reload of the core's
 * record). Invite and join reach the server; a failure of any of them is
 * a [Problem] in the state, never an exception.
 */
class PairPresenter(private val session: TandemSession) : Presenter<PairState>(PairState()) {
    /** Loads (or reloads, after a change notice) the core's record. */
    suspend fun load() {
        act { }
    }

    /** Makes an invite for a mentor; its code is in [PairState.invite]. */
    suspend fun invite() = act {
        val code = session.tandem.pairInvite()
        current.update { it.copy(invite = code) }
    }

    /** The code was shown (or the person left the screen): it is not shown again. */
    fun inviteShown() = current.update { it.copy(invite = null) }

    /** Joins a mentee's pair with the code they showed (typed or scanned). */
    suspend fun join(code: String) = act { session.tandem.pairJoin(code.trim()) }

    /** Ends a pair; what is on this phone stays. */
    suspend fun end(pairId: String) = act { session.tandem.endPair(pairId) }

    /**
     * After a warning about the other person's identity: confirms the one
     * their phone shows now, once the two compared its safety code.
     */
    suspend fun confirmIdentity(pairId: String, code: String) =
        act { session.call { it.confirmPairIdentity(pairId, code) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun PairState.busy(on: Boolean) = copy(busy = on)

    override suspend fun PairState.reloaded(problem: Problem?): PairState {
        val screen = try {
            session.call { it.pairsScreen() }
        } catch (e: TandemException) {
            screen
        }
        // A successful action clears the problem an earlier one left.
        return copy(screen = screen, problem = problem)
    }
}
