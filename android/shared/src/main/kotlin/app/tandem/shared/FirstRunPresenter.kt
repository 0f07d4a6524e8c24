package app.tandem.shared

import app.tandem.core.FirstRunFlow
import app.tandem.core.FirstRunStep
import app.tandem.core.FirstTrack
import kotlinx.coroutines.flow.update

/** What the first-run screens show: the core's step and what the person just did. */
data class FirstRunState(
    /** The step the core's first run is at (none until [FirstRunPresenter.start]). */
    val step: FirstRunStep? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The first run of a fresh install: name and time zone, a first track, the
 * sync server (or not now), then the recovery key shown once and confirmed.
 * The core's flow decides each step; this presenter only carries events to
 * it off the main thread and shows where it stands. A failure (a time zone
 * the core does not know, a server that cannot be reached) is a [Problem]
 * in the state and the flow stays at its step.
 */
class FirstRunPresenter(private val session: TandemSession, private val authority: ServerAuthority? = null) :
    Presenter<FirstRunState>(FirstRunState()), KeyConfirming {
    private var flow: FirstRunFlow? = null

    /** Starts (or resumes, after the app was closed) the first run. */
    suspend fun start() = act { flow = session.call { it.firstRun() } }

    /** The person's display name and IANA time zone. */
    suspend fun profile(name: String, timezone: String) =
        act { session.call { flow().profile(name.trim(), timezone) } }

    /** The first thing the person counts clean time for, or none yet. */
    suspend fun firstTrack(track: FirstTrack?) = act { session.call { flow().firstTrack(track) } }

    /** Connects to `server` (the recovery key is shown next). */
    suspend fun connect(server: String) = act { flow().connect(server.trim()) }

    /**
     * Connects to a self-hosted `server` whose certificate comes from the
     * operator's own authority (`pem`), trusted for that server only and
     * kept for later starts.
     */
    suspend fun connectTrusting(server: String, pem: String) = act {
        val keep = authority ?: error("no place to keep the server's certificate")
        session.call { keep.trust(server, pem) }
        flow().connect(server.trim())
    }

    /** Goes on without a server for now (Settings can connect later). */
    suspend fun notNow() = act { session.call { flow().notNow() } }

    /** The person wrote the recovery key down: it leaves the screen. */
    override suspend fun keyKept() = act { session.call { flow().keyKept() } }

    /** Shows the recovery key again (before it is confirmed). */
    override suspend fun showKeyAgain() = act { session.call { flow().showKeyAgain() } }

    /** The group of the recovery key the core asked for. */
    override suspend fun confirmKey(group: String) = act { session.call { flow().confirmKey(group.trim()) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    private fun flow(): FirstRunFlow = flow ?: error("the first run was not started")

    override fun FirstRunState.busy(on: Boolean) = copy(busy = on)

    override suspend fun FirstRunState.reloaded(problem: Problem?): FirstRunState {
        val step = flow?.let { f -> session.call { f.step() } } ?: step
        return copy(step = step, problem = problem)
    }
}
