package app.tandem.android.ui

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import app.tandem.android.TandemApplication
import app.tandem.core.CheckInInput
import app.tandem.core.CravingEntry
import app.tandem.core.CravingInput
import app.tandem.core.GoalInput
import app.tandem.core.GoalView
import app.tandem.core.Insights
import app.tandem.core.JournalEntry
import app.tandem.core.JournalInput
import app.tandem.core.MenteeOverview
import app.tandem.core.PairView
import app.tandem.core.Settings
import app.tandem.core.ShareKind
import app.tandem.core.SharedNote
import app.tandem.core.SyncStatus
import app.tandem.core.Tandem
import app.tandem.core.TandemException
import app.tandem.core.TodayView
import app.tandem.shared.Problem
import app.tandem.shared.Screen
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch

/**
 * The screens' state, loaded from the core. Every value is the core's own
 * view state; this class only loads it off the main thread, reloads what
 * the core says changed, and turns errors into a [Problem] to show.
 */
class TandemViewModel(app: Application) : AndroidViewModel(app) {
    private val session = (app as TandemApplication).session

    private val _today = MutableStateFlow<TodayView?>(null)
    val today: StateFlow<TodayView?> = _today
    private val _journal = MutableStateFlow<List<JournalEntry>>(emptyList())
    val journal: StateFlow<List<JournalEntry>> = _journal
    private val _cravings = MutableStateFlow<List<CravingEntry>>(emptyList())
    val cravings: StateFlow<List<CravingEntry>> = _cravings
    private val _goals = MutableStateFlow<List<GoalView>>(emptyList())
    val goals: StateFlow<List<GoalView>> = _goals
    private val _notes = MutableStateFlow<List<SharedNote>>(emptyList())
    val notes: StateFlow<List<SharedNote>> = _notes
    private val _insights = MutableStateFlow<Insights?>(null)
    val insights: StateFlow<Insights?> = _insights
    private val _pairs = MutableStateFlow<List<PairView>>(emptyList())
    val pairs: StateFlow<List<PairView>> = _pairs
    private val _overview = MutableStateFlow<List<MenteeOverview>>(emptyList())
    val overview: StateFlow<List<MenteeOverview>> = _overview
    private val _sync = MutableStateFlow<SyncStatus?>(null)
    val sync: StateFlow<SyncStatus?> = _sync
    private val _settings = MutableStateFlow<Settings?>(null)
    val settings: StateFlow<Settings?> = _settings
    private val _problem = MutableStateFlow<Problem?>(null)
    val problem: StateFlow<Problem?> = _problem
    private val _inviteCode = MutableStateFlow<String?>(null)
    val inviteCode: StateFlow<String?> = _inviteCode

    init {
        viewModelScope.launch {
            session.changed.collect { areas ->
                Screen.entries.filter { it.needsReload(areas) }.forEach { load(it) }
            }
        }
    }

    /** Loads what `screen` shows. */
    fun load(screen: Screen) = run {
        when (screen) {
            Screen.TODAY, Screen.CHECK_IN -> { _today.value = it.today(); _sync.value = it.syncStatus() }
            Screen.JOURNAL, Screen.JOURNAL_ENTRY -> _journal.value = it.journalPage(50u, null)
            Screen.CRAVINGS, Screen.LOG_CRAVING -> _cravings.value = it.cravingsPage(50u, null)
            Screen.GOALS -> _goals.value = it.goals()
            Screen.NOTES -> _notes.value = it.notes()
            Screen.INSIGHTS -> _insights.value = it.insights(90u)
            Screen.PAIR -> _pairs.value = it.pairs()
            Screen.MENTOR_OVERVIEW -> { _pairs.value = it.pairs(); _overview.value = it.mentorOverview(false) }
            Screen.SETTINGS -> { _settings.value = it.settings(); _sync.value = it.syncStatus() }
        }
    }

    fun logCraving(input: CravingInput) = run { it.addCraving(input) }
    fun writeJournal(input: JournalInput, share: Boolean) = run {
        val entry = it.addJournal(input)
        if (share) it.share(ShareKind.JOURNAL, entry.id, null)
    }
    fun editJournal(id: String, input: JournalInput) = run { it.editJournal(id, input) }
    fun checkIn(input: CheckInInput) = run { it.checkIn(input) }
    fun addGoal(input: GoalInput) = run { it.addGoal(input) }
    fun addMilestone(goalId: String, title: String) = run { it.addMilestone(goalId, title) }
    fun setMilestoneDone(goalId: String, milestoneId: String, done: Boolean) =
        run { it.setMilestoneDone(goalId, milestoneId, done) }
    fun share(kind: ShareKind, id: String, on: Boolean) =
        run { if (on) it.share(kind, id, null) else it.unshare(kind, id, null) }
    fun createNote(title: String, pairId: String?) = run { it.createNote(title, "", pairId) }
    fun editNote(id: String, body: String) = run { it.editNote(id, body) }
    fun setSettings(settings: Settings) = run { it.setSettings(settings) }
    fun markOverviewSeen() = run { _overview.value = it.mentorOverview(true) }
    fun acknowledge(id: String) = run { it.acknowledgeReachOut(id) }

    fun syncNow() = suspending { it.syncNow() }
    fun invite() = suspending { _inviteCode.value = it.pairInvite() }
    fun join(code: String) = suspending { it.pairJoin(code) }
    fun exportJson(onDone: (String) -> Unit) = suspending { onDone(it.exportJson()) }
    fun eraseEverything(also: List<String>, onDone: () -> Unit) = suspending { it.erase(also); onDone() }

    fun dismissProblem() { _problem.value = null }

    private fun run(block: (Tandem) -> Unit) {
        viewModelScope.launch {
            try {
                session.call(block)
            } catch (e: TandemException) {
                _problem.value = Problem.of(e)
            }
        }
    }

    private fun suspending(block: suspend (Tandem) -> Unit) {
        viewModelScope.launch {
            try {
                block(session.tandem)
            } catch (e: TandemException) {
                _problem.value = Problem.of(e)
            }
        }
    }
}
