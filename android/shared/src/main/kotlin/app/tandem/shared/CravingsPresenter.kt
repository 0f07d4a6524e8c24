package app.tandem.shared

import app.tandem.core.CravingsScreen
import app.tandem.core.ShareKind
import kotlinx.coroutines.flow.update

/** What the Craving log shows: the core's pages and what the person just did. */
data class CravingsState(
    /** The core's record for every page loaded so far, rows newest first. */
    val screen: CravingsScreen? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The Craving log: pages of cravings, newest first, each shared with the
 * mentor or not, and sharing or taking back one of them.
 */
class CravingsPresenter(private val session: TandemSession) :
    Presenter<CravingsState>(CravingsState()) {
    private var pages = 1

    /** Loads (or reloads, after a change notice) the pages shown. */
    suspend fun load() = act { }

    /** Loads the next page below the ones shown, if there is one. */
    suspend fun more() = act { if (current.value.screen?.next != null) pages += 1 }

    /** Shares one craving with the mentor of `pairId` (or the only pair). */
    suspend fun share(id: String, pairId: String? = null) =
        act { session.call { it.share(ShareKind.CRAVING, id, pairId) } }

    /**
     * Takes a shared craving back: it leaves the pair. (A copy the mentor's
     * phone already synced stays on it: the screen says so.)
     */
    suspend fun unshare(id: String, pairId: String? = null) =
        act { session.call { it.unshare(ShareKind.CRAVING, id, pairId) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun CravingsState.busy(on: Boolean) = copy(busy = on)

    override suspend fun CravingsState.reloaded(problem: Problem?): CravingsState {
        val read = session.readOr(screen) { t ->
            readPages(pages, t::cravingsScreen, { it.next }) { shown, next ->
                next.copy(rows = shown.rows + next.rows)
            }
        }
        return copy(screen = read.value, problem = problem ?: read.problem)
    }
}
