package app.tandem.android.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Slider
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.CheckInInput
import app.tandem.core.CravingInput
import app.tandem.core.Outcome
import app.tandem.core.ShareKind
import app.tandem.core.SyncSummary
import app.tandem.shared.Screen

/** Today: clean time per track, the next milestone, today's check-in, how syncing goes. */
@Composable
fun TodayScreen(vm: TandemViewModel, go: (Screen) -> Unit) {
    val today by vm.today.collectAsStateWithLifecycle()
    val screen = today ?: return
    val view = screen.today
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Text(view.name, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })
        }
        items(view.tracks, key = { it.id }) { track ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp).semantics(mergeDescendants = true) {}) {
                    Text(track.name, style = MaterialTheme.typography.titleMedium)
                    Text(
                        pluralStringResource(R.plurals.clean_days, track.cleanDays.toInt(), track.cleanDays),
                        style = MaterialTheme.typography.displaySmall,
                    )
                    track.nextMilestone?.let { next ->
                        val days = (track.daysToNextMilestone ?: 0L).toInt()
                        Text("${rungText(next.rung)}: " + pluralStringResource(R.plurals.days_to_milestone, days, days))
                    }
                }
            }
        }
        item {
            // The first of the two taps that log a craving.
            Button(onClick = { go(Screen.LOG_CRAVING) }, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.log_craving))
            }
        }
        item {
            if (view.checkin == null) {
                OutlinedButton(onClick = { go(Screen.CHECK_IN) }, modifier = Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.check_in))
                }
            } else {
                Text(stringResource(R.string.checked_in))
            }
        }
        item {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(onClick = { go(Screen.INSIGHTS) }) { Text(stringResource(R.string.insights)) }
                // Offered once there is a pair, as the core's record says.
                if (screen.hasPair) {
                    OutlinedButton(onClick = { go(Screen.MEETINGS) }) { Text(stringResource(R.string.meetings)) }
                    OutlinedButton(onClick = { go(Screen.MENTOR_OVERVIEW) }) { Text(stringResource(R.string.mentor_overview)) }
                }
            }
        }
        item { Text(syncSummaryText(screen.sync, view.timezone), style = MaterialTheme.typography.bodySmall) }
    }
}

/** Today's one line on syncing, worded from the core's summary. */
@Composable
private fun syncSummaryText(sync: SyncSummary, zone: String): String {
    val waiting = sync.pendingChanges.toInt()
    return when {
        !sync.connected -> stringResource(R.string.sync_off)
        sync.failing -> pluralStringResource(R.plurals.sync_failing, waiting, waiting)
        waiting > 0 -> pluralStringResource(R.plurals.sync_waiting, waiting, waiting)
        else -> sync.lastSuccessMs?.let { stringResource(R.string.synced_at, whenText(it, zone)) }
            ?: stringResource(R.string.sync_not_yet)
    }
}

/** Log a craving: the trigger and the strength are enough; Save is the second tap. */
@Composable
fun LogCravingScreen(vm: TandemViewModel, done: () -> Unit) {
    var trigger by remember { mutableStateOf("") }
    var intensity by remember { mutableFloatStateOf(5f) }
    var helped by remember { mutableStateOf("") }
    var resisted by remember { mutableStateOf(true) }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        OutlinedTextField(trigger, { trigger = it }, label = { Text(stringResource(R.string.trigger)) })
        Text(stringResource(R.string.intensity, intensity.toInt()))
        Slider(intensity, { intensity = it }, valueRange = 0f..10f, steps = 9)
        OutlinedTextField(helped, { helped = it }, label = { Text(stringResource(R.string.helped)) })
        Row { Checkbox(resisted, { resisted = it }); Text(stringResource(R.string.resisted)) }
        Button(onClick = {
            vm.logCraving(
                CravingInput(
                    trigger = trigger,
                    intensity = intensity.toLong(),
                    situation = emptyList(),
                    // The core trims labels and drops empty ones.
                    helped = helped.split(","),
                    outcome = if (resisted) Outcome.RESISTED else Outcome.USED,
                    note = "",
                    atMs = null,
                ),
            )
            done()
        }) { Text(stringResource(R.string.save)) }
    }
}

/** The craving log, a page at a time; each craving can be shared once the core says there is a pair. */
@Composable
fun CravingsScreen(vm: TandemViewModel, go: (Screen) -> Unit) {
    val pages by vm.cravings.collectAsStateWithLifecycle()
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item { Button(onClick = { go(Screen.LOG_CRAVING) }) { Text(stringResource(R.string.log_craving)) } }
        if (pages.firstOrNull()?.empty == true) item { Text(stringResource(R.string.cravings_empty)) }
        for (page in pages) {
            items(page.rows, key = { it.craving.id }) { row ->
                val c = row.craving
                Column(Modifier.fillMaxWidth()) {
                    Text("${whenText(c.atMs, c.tz)} · ${c.trigger} · ${c.intensity}/10")
                    if (page.canShare) ShareRow(row.shared) { on -> vm.share(ShareKind.CRAVING, c.id, on) }
                }
            }
        }
        if (pages.lastOrNull()?.next != null) {
            item { TextButton(onClick = vm::moreCravings) { Text(stringResource(R.string.show_more)) } }
        }
    }
}

/** Today's check-in: mood 1–5, craving 0–10, used or not, a note. */
@Composable
fun CheckInScreen(vm: TandemViewModel, done: () -> Unit) {
    var mood by remember { mutableFloatStateOf(3f) }
    var craving by remember { mutableFloatStateOf(0f) }
    var used by remember { mutableStateOf(false) }
    var note by remember { mutableStateOf("") }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Mood: ${mood.toInt()}")
        Slider(mood, { mood = it }, valueRange = 1f..5f, steps = 3)
        Text("Craving: ${craving.toInt()}")
        Slider(craving, { craving = it }, valueRange = 0f..10f, steps = 9)
        Row { Checkbox(used, { used = it }); Text("I used today") }
        OutlinedTextField(note, { note = it }, label = { Text("Note") })
        Button(onClick = { vm.checkIn(CheckInInput(mood.toLong(), craving.toLong(), used, note)); done() }) {
            Text(stringResource(R.string.save))
        }
    }
}

/** Insights over the core's window: cravings by hour (bars drawn from the core's series) and what helped. */
@Composable
fun InsightsScreen(vm: TandemViewModel, go: (Screen) -> Unit) {
    val insights by vm.insights.collectAsStateWithLifecycle()
    val screen = insights ?: return
    val i = screen.insights
    val bars = MaterialTheme.colorScheme.primary
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Text(
                pluralStringResource(R.plurals.insights_window, screen.days.toInt(), screen.days.toInt()),
                style = MaterialTheme.typography.titleMedium,
                modifier = Modifier.semantics { heading() },
            )
        }
        if (screen.empty) {
            item { Text(stringResource(R.string.insights_empty)) }
        } else {
            item { Text("Cravings by hour (${i.cravings} since ${i.from})", style = MaterialTheme.typography.titleMedium) }
            item {
                val max = (i.byHour.maxOrNull() ?: 0u).coerceAtLeast(1u).toFloat()
                val peak = i.byHour.indices.maxByOrNull { i.byHour[it] } ?: 0
                Canvas(
                    Modifier.fillMaxWidth().height(120.dp).semantics {
                        contentDescription = "Cravings by hour; most at $peak:00"
                    },
                ) {
                    val w = size.width / 24
                    i.byHour.forEachIndexed { hour, n ->
                        val h = size.height * n.toFloat() / max
                        drawRect(bars, Offset(hour * w + 1, size.height - h), Size(w - 2, h))
                    }
                }
            }
            item { Text("What helped", style = MaterialTheme.typography.titleMedium) }
            items(i.whatHelped) { s -> Text("${s.strategy}: resisted ${s.resisted} of ${s.uses}") }
            item { Text("Top triggers", style = MaterialTheme.typography.titleMedium) }
            items(i.topTriggers) { t -> Text("${t.trigger}: ${t.count}") }
        }
        item { OutlinedButton(onClick = { go(Screen.CRAVINGS) }) { Text(stringResource(R.string.craving_log)) } }
    }
}

/** Whether an item is shared, as the core marks its row: a switch to change it, and the copy warning once shared. */
@Composable
fun ShareRow(shared: Boolean, onChange: (Boolean) -> Unit) {
    Column {
        Row(
            Modifier.toggleable(value = shared, role = Role.Switch, onValueChange = onChange),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            Switch(checked = shared, onCheckedChange = null)
            Text(stringResource(R.string.share_with_mentor), Modifier.padding(start = 8.dp))
        }
        if (shared) Text(stringResource(R.string.shared_copy_warning), style = MaterialTheme.typography.bodySmall)
    }
}
