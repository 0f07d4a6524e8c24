package app.tandem.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.MarkAs
import app.tandem.core.MeetingKind
import app.tandem.core.MeetingStatus
import app.tandem.core.MeetingView
import app.tandem.core.Recurrence
import app.tandem.shared.MeetingsPresenter
import app.tandem.shared.Screen
import java.time.LocalDate
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/**
 * The pairs' meetings as the core lists them: schedules, those coming up
 * and those of the last weeks, each at the person's own local time; a new
 * weekly schedule in the zone the two agreed on; the calendar file.
 */
@Composable
fun MeetingsScreen(p: MeetingsPresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    var time by rememberSaveable { mutableStateOf("19:00") }
    var place by rememberSaveable { mutableStateOf("") }
    var kind by rememberSaveable { mutableStateOf(MeetingKind.VIDEO) }
    // The calendar file goes where the person picks, then is forgotten.
    val save = rememberFileSaver("text/calendar", { p.state.value.calendar }) { p.calendarHandedOver() }
    SaveOnce(state.calendar?.hashCode()?.toString()) { save("tandem-meetings.ics") }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        val screen = state.screen ?: return@ScreenColumn
        if (screen.noPair) {
            Text(stringResource(R.string.meetings_no_pair))
            return@ScreenColumn
        }
        if (screen.plans.isEmpty()) Text(stringResource(R.string.meetings_empty))
        for (plan in screen.plans) {
            Row {
                Text(stringResource(R.string.meeting_plan_row, plan.time, plan.zone, stringResource(kindText(plan.kind))), Modifier.weight(1f))
                TextButton(onClick = { run { p.endPlan(plan.id) } }) { Text(stringResource(R.string.meeting_plan_end)) }
            }
        }
        Heading(stringResource(R.string.meeting_new_weekly))
        OutlinedTextField(time, { time = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.meeting_time, screen.defaultZone)) })
        OutlinedTextField(place, { place = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.meeting_place)) })
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            for (k in screen.kinds) FilterChip(kind == k, { kind = k }, label = { Text(stringResource(kindText(k))) })
        }
        Button(onClick = {
            // Today in the agreed zone, the one the meeting's time is in.
            val today = LocalDate.now(ZoneId.of(screen.defaultZone))
            run { p.schedule(Recurrence.Weekly(listOf(today.dayOfWeek), today), time, screen.defaultZone, kind, place) }
        }, enabled = !state.busy) { Text(stringResource(R.string.meeting_schedule)) }
        for ((title, list) in listOf(R.string.meetings_upcoming to screen.upcoming, R.string.meetings_recent to screen.recent)) {
            if (list.isEmpty()) continue
            Heading(stringResource(title))
            for (m in list) {
                MeetingCard(m) {
                    run {
                        p.open(m.id)
                        go(Screen.MEETING)
                    }
                }
            }
        }
        if (screen.plans.isNotEmpty()) {
            OutlinedButton(onClick = { run { p.calendar() } }) { Text(stringResource(R.string.meeting_calendar)) }
        }
    }
}

/** One meeting: mark it held or missed, its shared note, and asking to meet at another time. */
@Composable
fun MeetingScreen(p: MeetingsPresenter, run: Run) {
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        val screen = state.meeting ?: return@ScreenColumn
        val m = screen.meeting
        var note by rememberSaveable(m.id, m.note) { mutableStateOf(m.note) }
        MeetingCard(m, null)
        if (screen.conflict) Text(stringResource(R.string.meeting_conflict), color = MaterialTheme.colorScheme.error)
        if (screen.canMark) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { run { p.mark(m.id, MarkAs.Held) } }) { Text(stringResource(R.string.meeting_status_held)) }
                OutlinedButton(onClick = { run { p.mark(m.id, MarkAs.Missed) } }) { Text(stringResource(R.string.meeting_status_missed)) }
            }
        }
        OutlinedTextField(note, { note = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.note_text)) }, minLines = 3)
        TextButton(onClick = { run { p.note(m.id, note) } }, enabled = note != m.note) { Text(stringResource(R.string.save)) }
        if (screen.canAskReschedule) {
            OutlinedButton(onClick = { run { p.askToReschedule(m.id) } }) { Text(stringResource(R.string.meeting_ask_reschedule)) }
        }
        if (m.rescheduleAsked) Text(stringResource(R.string.meeting_reschedule_asked))
    }
}

@Composable
private fun MeetingCard(m: MeetingView, onOpen: (() -> Unit)?) {
    val open = if (onOpen == null) Modifier else Modifier.clickable(role = Role.Button, onClick = onOpen)
    Card(Modifier.fillMaxWidth().then(open)) {
        Column(Modifier.padding(16.dp).semantics(mergeDescendants = true) {}) {
            Text(
                DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT).format(m.localTime),
                style = MaterialTheme.typography.titleSmall,
            )
            Text(stringResource(kindText(m.kind)) + if (m.place.isEmpty()) "" else " · ${m.place}")
            Text(stringResource(statusText(m.status)), style = MaterialTheme.typography.bodySmall)
        }
    }
}

/** The string resource for each kind of meeting. */
fun kindText(k: MeetingKind): Int = when (k) {
    MeetingKind.CALL -> R.string.meeting_kind_call
    MeetingKind.VIDEO -> R.string.meeting_kind_video
    MeetingKind.IN_PERSON -> R.string.meeting_kind_in_person
}

/** The string resource for each meeting status. */
fun statusText(s: MeetingStatus): Int = when (s) {
    MeetingStatus.SCHEDULED -> R.string.meeting_status_scheduled
    MeetingStatus.UNMARKED -> R.string.meeting_status_unmarked
    MeetingStatus.HELD -> R.string.meeting_status_held
    MeetingStatus.MISSED -> R.string.meeting_status_missed
    MeetingStatus.MOVED -> R.string.meeting_status_moved
    MeetingStatus.CONFLICT -> R.string.meeting_status_conflict
}
