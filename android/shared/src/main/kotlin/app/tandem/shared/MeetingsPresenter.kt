package app.tandem.shared

import app.tandem.core.MarkAs
import app.tandem.core.MeetingKind
import app.tandem.core.MeetingPlanEdit
import app.tandem.core.MeetingScreen
import app.tandem.core.MeetingsScreen
import app.tandem.core.Recurrence
import app.tandem.core.TandemException
import kotlinx.coroutines.flow.update

/** What the Meetings screens show. */
data class MeetingsState(
    /** The core's Meetings record: schedules, the next four weeks, the last four. */
    val screen: MeetingsScreen? = null,
    /** The meeting open, with what can be done with it. */
    val meeting: MeetingScreen? = null,
    /**
     * Every schedule as an iCalendar file, to hand to the person's calendar
     * app once (kinds and places only, no names or notes), then forget.
     */
    val calendar: String? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * Meetings between the two of a pair: a schedule (once, weekly, every n
 * days) at a time in the zone the two agreed on, each meeting marked held,
 * missed or moved, a shared note, and asking to reschedule. `pairId`
 * narrows the screen to one pair (none: every pair).
 */
class MeetingsPresenter(private val session: TandemSession, private val pairId: String? = null) :
    Presenter<MeetingsState>(MeetingsState()) {
    /** Loads (or reloads, after a change notice) the core's records. */
    suspend fun load() = act { }

    /** Opens meeting `id`. */
    suspend fun open(id: String) = act {
        val meeting = session.call { it.meetingScreen(id) }
        current.update { it.copy(meeting = meeting) }
    }

    /** Closes the meeting open. */
    fun close() = current.update { it.copy(meeting = null) }

    /** Sets up a schedule in `pairId` (or the only pair); `time` is `HH:MM` in `zone`. */
    suspend fun schedule(
        recurrence: Recurrence,
        time: String,
        zone: String,
        kind: MeetingKind,
        place: String = "",
        pairId: String? = this.pairId,
    ) = act { session.call { it.scheduleMeeting(pairId, recurrence, time.trim(), zone, kind, place.trim()) } }

    /** Changes only the fields `edit` names. */
    suspend fun edit(planId: String, edit: MeetingPlanEdit) = act { session.call { it.editMeetingPlan(planId, edit) } }

    /** Ends a schedule: no meetings after today; what was recorded stays. */
    suspend fun endPlan(planId: String) = act { session.call { it.endMeetingPlan(planId) } }

    /** Marks meeting `id` held, missed or moved, with an optional note. */
    suspend fun mark(id: String, markAs: MarkAs, note: String? = null) =
        act { session.call { it.markMeeting(id, markAs, note?.trim()) } }

    /** Replaces meeting `id`'s shared note. */
    suspend fun note(id: String, text: String) = act { session.call { it.setMeetingNote(id, text.trim()) } }

    /** Asks the other person to meet at another time. */
    suspend fun askToReschedule(id: String, text: String = "") =
        act { session.call { it.askToReschedule(id, text.trim()) } }

    /** Makes the calendar file to hand over. */
    suspend fun calendar() = act {
        val ics = session.call { it.meetingsIcs() }
        current.update { it.copy(calendar = ics) }
    }

    /** The calendar file was handed over: forget it. */
    fun calendarHandedOver() = current.update { it.copy(calendar = null) }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun MeetingsState.busy(on: Boolean) = copy(busy = on)

    override suspend fun MeetingsState.reloaded(problem: Problem?): MeetingsState {
        var failed: Problem? = null
        val read = try {
            session.call { t ->
                val open = meeting?.let { m -> runCatching { t.meetingScreen(m.meeting.id) }.getOrNull() }
                t.meetingsScreen(pairId) to open
            }
        } catch (e: TandemException) {
            failed = Problem.of(e)
            null
        }
        val (screen, open) = read ?: return copy(problem = problem ?: failed)
        return copy(screen = screen, meeting = open, problem = problem ?: failed)
    }
}
