package app.tandem.shared

import app.tandem.core.TrackStats
import java.time.LocalDate
import kotlinx.coroutines.flow.update

/** What the Tracks screen shows. */
data class TracksState(
    /** Every track with its clean time, attempts, streaks and milestones (the core's). */
    val tracks: List<TrackStats> = emptyList(),
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * Tracks: what the person counts clean time for. Adding one, and a reset
 * after a lapse, which starts the count again and keeps the history
 * (attempts, the longest streak, total clean days).
 */
class TracksPresenter(private val session: TandemSession) : Presenter<TracksState>(TracksState()) {
    /** Loads (or reloads, after a change notice) the tracks. */
    suspend fun load() = act { }

    /** Adds a track counted from `since` (the core refuses a day ahead of today). */
    suspend fun add(name: String, since: LocalDate) = act { session.call { it.addTrack(name.trim(), since) } }

    /** Starts track `id` again from `date`, with an optional note; the history stays. */
    suspend fun reset(id: String, date: LocalDate, note: String = "") =
        act { session.call { it.resetTrack(id, date, note.trim()) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun TracksState.busy(on: Boolean) = copy(busy = on)

    override suspend fun TracksState.reloaded(problem: Problem?): TracksState {
        val read = session.readOr(tracks) { it.tracks() }
        return copy(tracks = read.value, problem = problem ?: read.problem)
    }
}
