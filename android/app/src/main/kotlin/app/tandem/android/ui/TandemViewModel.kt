package app.tandem.android.ui

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.tandem.android.TandemApplication
import app.tandem.core.CheckInInput
import app.tandem.core.CravingInput
import app.tandem.core.CravingsScreen
import app.tandem.core.DevicesScreen
import app.tandem.core.FirstRunFlow
import app.tandem.core.FirstRunStep
import app.tandem.core.FirstTrack
import app.tandem.core.GoalInput
import app.tandem.core.GoalsScreen
import app.tandem.core.InsightsScreen
import app.tandem.core.JournalInput
import app.tandem.core.JournalScreen
import app.tandem.core.Launch
import app.tandem.core.MeetingsScreen
import app.tandem.core.MentorOverviewScreen
import app.tandem.core.NotesScreen
import app.tandem.core.PageCursor
import app.tandem.core.PairsScreen
import app.tandem.core.ScreenKind
import app.tandem.core.Settings
import app.tandem.core.ShareKind
import app.tandem.core.SyncStatusScreen
import app.tandem.core.Tandem
import app.tandem.core.TandemException
import app.tandem.core.TodayScreen
import app.tandem.core.redraws
import app.tandem.shared.Problem
import app.tandem.shared.Screen
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * What the app shows, as the core computes it: where it opens ([launch]),
 * the first run's step, and one record per core screen ([ScreenKind]).
 * This class only calls the core off the main thread, keeps the records it
 * returns, reloads the ones the core's [redraws] names after a change, and
 * turns errors into a [Problem] to show.
 */
class TandemViewModel(app: Application) : AndroidViewModel(app) {
    private val tandemApp = app as TandemApplication

    private val _launch = MutableStateFlow<Launch?>(null)
    /** Where the app stands: locked, in the first run, or on Today (null while the core is asked). */
    val launch: StateFlow<Launch?> = _launch

    private var flow: FirstRunFlow? = null
    private val _firstRunStep = MutableStateFlow<FirstRunStep?>(null)
    val firstRunStep: StateFlow<FirstRunStep?> = _firstRunStep
    private val _firstRunProblem = MutableStateFlow<Problem?>(null)
    /** Why the flow refused the last answer (the flow stays at its step). */
    val firstRunProblem: StateFlow<Problem?> = _firstRunProblem
    private val _firstRunBusy = MutableStateFlow(false)
    /** An answer is with the core (connecting reaches the network). */
    val firstRunBusy: StateFlow<Boolean> = _firstRunBusy

    private val _today = MutableStateFlow<TodayScreen?>(null)
    val today: StateFlow<TodayScreen?> = _today
    private val _journal = MutableStateFlow<List<JournalScreen>>(emptyList())
    /** The journal pages loaded so far, in order. */
    val journal: StateFlow<List<JournalScreen>> = _journal
    private val _cravings = MutableStateFlow<List<CravingsScreen>>(emptyList())
    /** The craving log pages loaded so far, in order. */
    val cravings: StateFlow<List<CravingsScreen>> = _cravings
    private val _insights = MutableStateFlow<InsightsScreen?>(null)
    val insights: StateFlow<InsightsScreen?> = _insights
    private val _goals = MutableStateFlow<GoalsScreen?>(null)
    val goals: StateFlow<GoalsScreen?> = _goals
    private val _notes = MutableStateFlow<NotesScreen?>(null)
    val notes: StateFlow<NotesScreen?> = _notes
    private val _meetings = MutableStateFlow<MeetingsScreen?>(null)
    /** The meetings of every pair that has not ended. */
    val meetings: StateFlow<MeetingsScreen?> = _meetings
    private val _pairs = MutableStateFlow<PairsScreen?>(null)
    val pairs: StateFlow<PairsScreen?> = _pairs
    private val _overview = MutableStateFlow<MentorOverviewScreen?>(null)
    val overview: StateFlow<MentorOverviewScreen?> = _overview
    private val _devices = MutableStateFlow<DevicesScreen?>(null)
    val devices: StateFlow<DevicesScreen?> = _devices
    private val _settings = MutableStateFlow<Settings?>(null)
    val settings: StateFlow<Settings?> = _settings
    private val _sync = MutableStateFlow<SyncStatusScreen?>(null)
    val sync: StateFlow<SyncStatusScreen?> = _sync

    private val _problem = MutableStateFlow<Problem?>(null)
    val problem: StateFlow<Problem?> = _problem
    private val _inviteCode = MutableStateFlow<String?>(null)
    val inviteCode: StateFlow<String?> = _inviteCode

    /** The core screens loaded at least once: those a change may make stale. */
    private val drawn = mutableSetOf<ScreenKind>()

    init {
        viewModelScope.launch {
            // Opening the store can fail (before the first unlock since
            // boot, a damaged file): shown, never a crash.
            try {
                session().changed.collect { areas ->
                    val stale = withContext(Dispatchers.IO) { redraws(areas.toList()) }
                    stale.filter { it in drawn }.forEach { reload(it) }
                }
            } catch (e: kotlinx.coroutines.CancellationException) {
                throw e
            } catch (e: Exception) {
                fail(e)
            }
        }
        viewModelScope.launch {
            tandemApp.relocked.collect {
                tandemApp.session.openForScreens = false
                _launch.value = Launch.Locked
            }
        }
        // The app lock comes first: the store stays closed until the person unlocks.
        call({ it.lock(); opening(it) }, ::open)
    }

    // --- Launch and the first run ----------------------------------------

    /** The app lock passed: opens the store and asks the core where to go. */
    fun unlock() = call({ t ->
        val key = tandemApp.keys.storeKey()
        try {
            t.unlock(key)
        } finally {
            key.fill(0)
        }
        tandemApp.session.openForScreens = true
        opening(t)
    }, ::open)

    /** Whether this device syncs with a server (wake-ups are then worth asking for). */
    suspend fun syncsWithServer(): Boolean =
        runCatching { session().call { it.syncStatus().server } }.getOrNull() != null

    /** Asks the core again which screen the app opens on. */
    private fun decide() = call(::opening, ::open)

    /** Where the app opens, and the first run (resumed by the core) if it opens there. */
    private class Opening(val launch: Launch, val flow: FirstRunFlow?, val step: FirstRunStep?)

    /** Runs off the main thread: a first run under way is kept, not started again. */
    private fun opening(t: Tandem): Opening {
        val launch = t.launch()
        val f = flow ?: if (launch is Launch.FirstRun) t.firstRun() else null
        return Opening(launch, f, f?.step())
    }

    private fun open(o: Opening) {
        flow = o.flow
        _firstRunStep.value = o.step
        _launch.value = o.launch
    }

    fun profile(name: String, timezone: String) = firstRun { it.profile(name, timezone) }
    fun firstTrack(track: FirstTrack?) = firstRun { it.firstTrack(track) }
    fun connect(server: String) = firstRunSuspending { it.connect(server) }
    fun notNow() = firstRun { it.notNow() }
    fun keyKept() = firstRun { it.keyKept() }
    fun showKeyAgain() = firstRun { it.showKeyAgain() }
    fun confirmKey(group: String) = firstRun { it.confirmKey(group) }

    /** The first run is done: Today. */
    fun openToday() {
        flow?.close()
        flow = null
        _firstRunStep.value = null
        _launch.value = Launch.Today
    }

    private fun firstRun(action: (FirstRunFlow) -> FirstRunStep) =
        firstRunSuspending { f -> withContext(Dispatchers.IO) { action(f) } }

    private fun firstRunSuspending(action: suspend (FirstRunFlow) -> FirstRunStep) {
        val f = flow ?: return
        if (_firstRunBusy.value) return
        _firstRunBusy.value = true
        viewModelScope.launch {
            try {
                _firstRunStep.value = action(f)
                _firstRunProblem.value = null
            } catch (e: kotlinx.coroutines.CancellationException) {
                throw e
            } catch (e: Exception) {
                _firstRunProblem.value = Problem.of(e)
            } finally {
                _firstRunBusy.value = false
            }
        }
    }

    // --- Screens ---------------------------------------------------------

    /** `screen` opened: loads the core screens it draws. */
    fun show(screen: Screen) = screen.draws.forEach { load(it, opened = true) }

    /** Loads one core screen (for a part of a screen that draws another's record). */
    fun load(kind: ScreenKind) = load(kind, opened = true)

    private fun reload(kind: ScreenKind) = load(kind, opened = false)

    private fun load(kind: ScreenKind, opened: Boolean) {
        drawn += kind
        when (kind) {
            ScreenKind.TODAY -> call({ it.todayScreen() }) { _today.value = it }
            ScreenKind.JOURNAL -> call({ t -> pages(_journal.value.size, { t.journalScreen(it) }, { it.next }) }) {
                _journal.value = it
            }
            ScreenKind.CRAVINGS -> call({ t -> pages(_cravings.value.size, { t.cravingsScreen(it) }, { it.next }) }) {
                _cravings.value = it
            }
            ScreenKind.INSIGHTS -> call({ it.insightsScreen() }) { _insights.value = it }
            ScreenKind.GOALS -> call({ it.goalsScreen() }) { _goals.value = it }
            ScreenKind.NOTES -> call({ it.notesScreen() }) { _notes.value = it }
            ScreenKind.MEETINGS -> call({ it.meetingsScreen(null) }) { _meetings.value = it }
            ScreenKind.PAIRS -> call({ it.pairsScreen() }) { _pairs.value = it }
            // Opening the overview is the mentor looking: what counts as new starts over.
            ScreenKind.MENTOR_OVERVIEW -> call({ it.mentorOverviewScreen(opened) }) { _overview.value = it }
            ScreenKind.DEVICES -> call({ it.devicesScreen() }) { _devices.value = it }
            ScreenKind.SETTINGS -> call({ it.settings() }) { _settings.value = it }
            ScreenKind.SYNC_STATUS -> call({ it.syncStatusScreen() }) { _sync.value = it }
        }
    }

    /** The journal's next page, after the last one loaded. */
    fun moreJournal() {
        val after = _journal.value.lastOrNull()?.next ?: return
        call({ it.journalScreen(after) }) { _journal.value = _journal.value + it }
    }

    /** The craving log's next page, after the last one loaded. */
    fun moreCravings() {
        val after = _cravings.value.lastOrNull()?.next ?: return
        call({ it.cravingsScreen(after) }) { _cravings.value = _cravings.value + it }
    }

    /**
     * The first page again and as many after it as were loaded (at least
     * one), each after the cursor the one before returned.
     */
    private fun <P> pages(loaded: Int, page: (PageCursor?) -> P, next: (P) -> PageCursor?): List<P> {
        val out = mutableListOf(page(null))
        while (out.size < loaded) out += page(next(out.last()) ?: break)
        return out
    }

    // --- Actions (each one call into the core) ----------------------------

    fun logCraving(input: CravingInput) = call { it.addCraving(input) }
    /** Writes an entry, shared with the mentor in the same step when asked (never half done). */
    fun writeJournal(input: JournalInput, share: Boolean) = call {
        if (share) it.addJournalShared(input, null) else it.addJournal(input)
    }
    fun checkIn(input: CheckInInput) = call { it.checkIn(input) }
    fun addGoal(input: GoalInput) = call { it.addGoal(input) }
    fun addMilestone(goalId: String, title: String) = call { it.addMilestone(goalId, title) }
    fun setMilestoneDone(goalId: String, milestoneId: String, done: Boolean) =
        call { it.setMilestoneDone(goalId, milestoneId, done) }
    fun share(kind: ShareKind, id: String, on: Boolean) =
        call { if (on) it.share(kind, id, null) else it.unshare(kind, id, null) }
    fun createNote(title: String, pairId: String?) = call { it.createNote(title, "", pairId) }
    fun editNote(id: String, body: String) = call { it.editNote(id, body) }
    fun setSettings(settings: Settings) = call { it.setSettings(settings) }
    fun acknowledge(id: String) = call { it.acknowledgeReachOut(id) }

    fun syncNow() = suspending { it.syncNow() }
    fun invite() = suspending { _inviteCode.value = it.pairInvite() }
    fun join(code: String) = suspending { it.pairJoin(code) }
    fun exportJson(onDone: (String) -> Unit) = suspending { onDone(it.exportJson()) }
    fun eraseEverything(also: List<String>, onDone: () -> Unit) = suspending {
        it.erase(also)
        onDone()
        decide()
    }

    fun dismissProblem() { _problem.value = null }

    // --- Calling the core --------------------------------------------------

    /** The session, opened off the main thread on first use. */
    private suspend fun session() = withContext(Dispatchers.IO) { tandemApp.session }

    private fun call(block: (Tandem) -> Unit) = call(block) {}

    /** Runs a quick core call off the main thread, then hands its result to `then` on the main thread. */
    private fun <T> call(block: (Tandem) -> T, then: (T) -> Unit) {
        viewModelScope.launch {
            try {
                then(session().call(block))
            } catch (e: kotlinx.coroutines.CancellationException) {
                throw e
            } catch (e: Exception) {
                fail(e)
            }
        }
    }

    private fun suspending(block: suspend (Tandem) -> Unit) {
        viewModelScope.launch {
            try {
                block(session().tandem)
            } catch (e: kotlinx.coroutines.CancellationException) {
                throw e
            } catch (e: Exception) {
                fail(e)
            }
        }
    }

    /**
     * A locked store means the unlock screen (the core locked itself);
     * anything else, a fault inside the core included, is shown.
     */
    private fun fail(e: Exception) {
        if (e is TandemException.Locked) _launch.value = Launch.Locked else _problem.value = Problem.of(e)
    }

    override fun onCleared() {
        flow?.close()
        flow = null
    }
}
