package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.MeetingKind
import app.tandem.core.MeetingStatus
import app.tandem.core.MeetingView
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/**
 * The pairs' meetings as the core lists them: those coming up and those of
 * the last weeks, each at the person's own local time.
 */
@Composable
fun MeetingsScreen(vm: TandemViewModel) {
    val meetings by vm.meetings.collectAsStateWithLifecycle()
    val screen = meetings ?: return
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        if (screen.noPair) {
            item { Text(stringResource(R.string.meetings_no_pair)) }
            return@LazyColumn
        }
        if (screen.plans.isEmpty()) item { Text(stringResource(R.string.meetings_empty)) }
        for ((title, list) in listOf(R.string.meetings_upcoming to screen.upcoming, R.string.meetings_recent to screen.recent)) {
            if (list.isEmpty()) continue
            item {
                Text(
                    stringResource(title),
                    style = MaterialTheme.typography.titleMedium,
                    modifier = Modifier.semantics { heading() },
                )
            }
            items(list, key = { it.id }) { MeetingCard(it) }
        }
    }
}

@Composable
private fun MeetingCard(m: MeetingView) {
    Card {
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
