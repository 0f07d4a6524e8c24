package app.tandem.shared

import app.tandem.core.Area
import app.tandem.core.ScreenKind
import app.tandem.core.redraws
import java.util.concurrent.ConcurrentHashMap
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/**
 * Every screen's presenter for one session, and the one place that turns
 * the core's change notices into reloads: a screen's presenter reloads
 * when the core's table ([redraws]) says a change made a record it draws
 * stale, and only once the screen was opened. The Android ViewModel holds
 * one; Compose renders each presenter's state and sends its events.
 *
 * @param authority where a self-hosted server's own certificate authority
 *   is kept, for the screens that connect.
 */
class Presenters(val session: TandemSession, authority: ServerAuthority? = null) : AutoCloseable {
    /** Today, with the quick actions. */
    val today = TodayPresenter(session)
    /** Tracks: clean time, add and reset. */
    val tracks = TracksPresenter(session)
    /** The journal list and entry. */
    val journal = JournalPresenter(session)
    /** The craving log. */
    val cravings = CravingsPresenter(session)
    /** Insights over the craving log. */
    val insights = InsightsPresenter(session)
    /** Goals and milestones. */
    val goals = GoalsPresenter(session)
    /** Shared notes. */
    val notes = NotesPresenter(session)
    /** Meetings of every pair. */
    val meetings = MeetingsPresenter(session)
    /** Pairs: invite, join, safety codes. */
    val pair = PairPresenter(session)
    /** The mentor's overview of their mentees. */
    val overview = MentorOverviewPresenter(session)
    /** This account's devices. */
    val devices = DevicesPresenter(session)
    /** Settings and the sync status. */
    val settings = SettingsPresenter(session)
    /** The first run of a fresh install. */
    val firstRun = FirstRunPresenter(session, authority)
    /** Connecting a device set up without a server. */
    val connect = ConnectPresenter(session, authority)
    /** Showing a code that links another phone. */
    val linkDevice = LinkDevicePresenter(session)
    /** Linking this fresh phone with a code. */
    val linkThisDevice = LinkThisDevicePresenter(session)
    /** Restoring this fresh phone from the recovery key. */
    val restore = RestorePresenter(session)
    /** The mentee inviting a mentor. */
    val pairInvite = PairInvitePresenter(session)
    /** The mentor joining. */
    val pairJoin = PairJoinPresenter(session)
    /** The mentee reaching out. */
    val reachOut = ReachOutPresenter(session)
    /** Exporting everything. */
    val export = ExportPresenter(session)
    /** Erasing everything. */
    val erase = ErasePresenter(session)

    private val ending = MutableStateFlow<EndPairPresenter?>(null)

    /** Ending a pair, once [endPair] started it. */
    val endPairFlow: StateFlow<EndPairPresenter?> = ending.asStateFlow()

    /** The core screens opened at least once: the ones a change may make stale. */
    private val opened: MutableSet<ScreenKind> = ConcurrentHashMap.newKeySet()

    /** `screen` opened: loads what it draws (and from now on reloads it after changes). */
    suspend fun open(screen: Screen) {
        for (kind in screen.draws) {
            opened += kind
            load(kind, looking = true)
        }
    }

    /** Reloads the opened screens that a change to `areas` made stale (the core decides which). */
    suspend fun changed(areas: Collection<Area>) {
        val stale = session.call { redraws(areas.toList()) }
        for (kind in stale.filter { it in opened }) load(kind, looking = false)
    }

    /** Reloads after every change the core announces; runs until cancelled. */
    suspend fun follow(): Nothing = session.changed.collect { changed(it) }

    /** Starts ending the pair `pairId` (the core words what it does first). */
    suspend fun endPair(pairId: String): EndPairPresenter {
        // The pair ended before leaves the screen at once: nothing can end the wrong one.
        ending.value?.close()
        ending.value = null
        val p = EndPairPresenter(session, pairId)
        p.start()
        ending.value = p
        return p
    }

    private suspend fun load(kind: ScreenKind, looking: Boolean) {
        when (kind) {
            ScreenKind.TODAY -> {
                today.load()
                tracks.load()
            }
            ScreenKind.JOURNAL -> journal.load()
            ScreenKind.CRAVINGS -> cravings.load()
            ScreenKind.INSIGHTS -> insights.load()
            ScreenKind.GOALS -> goals.load()
            ScreenKind.NOTES -> notes.load()
            ScreenKind.MEETINGS -> meetings.load()
            ScreenKind.PAIRS -> pair.load()
            // Opening the overview is the mentor looking: what counts as new
            // starts over then, not when a sync reloads it.
            ScreenKind.MENTOR_OVERVIEW -> overview.load(seen = looking)
            ScreenKind.DEVICES -> devices.load()
            ScreenKind.SETTINGS, ScreenKind.SYNC_STATUS -> settings.load()
        }
    }

    /** Releases the core's flows. */
    override fun close() {
        listOf(connect, linkDevice, linkThisDevice, restore, pairInvite, pairJoin, export, erase).forEach { it.close() }
        ending.value?.close()
    }
}
