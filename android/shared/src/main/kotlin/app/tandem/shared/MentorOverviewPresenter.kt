package app.tandem.shared

import app.tandem.core.MentorOverviewScreen
import app.tandem.core.TandemException
import kotlinx.coroutines.flow.update

/** What the Mentor overview shows: the core's record and what the mentor just did. */
data class MentorOverviewState(
    /** The core's record: every mentee, what they shared, open reach-outs. */
    val screen: MentorOverviewScreen? = null,
    /** A call is under way: the buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The mentor's overview of their mentees: what each shared and what
 * changed since the mentor last looked, and the reach-outs to answer.
 * Opening the screen marks what it shows as seen.
 */
class MentorOverviewPresenter(private val session: TandemSession) :
    Presenter<MentorOverviewState>(MentorOverviewState()) {
    private var markSeen = false

    /** Loads the overview; `seen` marks what it shows as seen (the screen is open). */
    suspend fun load(seen: Boolean = true) = act { markSeen = seen }

    /** Acknowledges a mentee's reach-out: the mentee sees it was read. */
    suspend fun acknowledge(reachOutId: String) = act {
        markSeen = false
        session.call { it.acknowledgeReachOut(reachOutId) }
    }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun MentorOverviewState.busy(on: Boolean) = copy(busy = on)

    override suspend fun MentorOverviewState.reloaded(problem: Problem?): MentorOverviewState {
        val seen = markSeen
        markSeen = false
        var failed: Problem? = null
        val screen = try {
            session.call { it.mentorOverviewScreen(seen) }
        } catch (e: TandemException) {
            // A screen that cannot be read shows why (the last record stays).
            failed = Problem.of(e)
            screen
        }
        return copy(screen = screen, problem = problem ?: failed)
    }
}
