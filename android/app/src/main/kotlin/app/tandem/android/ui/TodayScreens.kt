package app.tandem.android.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Slider
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.CheckInInput
import app.tandem.core.CravingInput
import app.tandem.core.Outcome
import app.tandem.core.PairView
import app.tandem.core.SyncSummary
import app.tandem.shared.CravingsPresenter
import app.tandem.shared.InsightsPresenter
import app.tandem.shared.Screen
import app.tandem.shared.TodayPresenter
import app.tandem.shared.TracksPresenter
import java.time.LocalDate
import kotlinx.coroutines.delay

/** Today: clean time per track, the next milestone, today's check-in, how syncing goes. */
@Composable
fun TodayScreen(p: TodayPresenter, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        val screen = state.screen ?: return@ScreenColumn
        val view = screen.today
        Title(view.name)
        for (track in view.tracks) {
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp).semantics(mergeDescendants = true) {}) {
                    Text(track.name, style = MaterialTheme.typography.titleMedium)
                    Text(
                        pluralStringResource(R.plurals.clean_days, track.cleanDays.toInt(), track.cleanDays.toInt()),
                        style = MaterialTheme.typography.displaySmall,
                    )
                    track.nextMilestone?.let { next ->
                        val days = (track.daysToNextMilestone ?: 0L).toInt()
                        Text(rungText(next.rung) + ": " + pluralStringResource(R.plurals.days_to_milestone, days, days))
                    }
                }
            }
        }
        state.logged?.let {
            Text(stringResource(R.string.craving_logged))
            LaunchedEffect(it) {
                delay(4_000)
                p.loggedShown()
            }
        }
        // The first of the two taps that log a craving.
        Button(onClick = { go(Screen.LOG_CRAVING) }, modifier = Modifier.fillMaxWidth()) {
            Text(stringResource(R.string.log_craving))
        }
        if (view.checkin == null) {
            OutlinedButton(onClick = { go(Screen.CHECK_IN) }, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.check_in))
            }
        } else {
            Text(stringResource(R.string.checked_in))
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedButton(onClick = { go(Screen.TRACKS) }) { Text(stringResource(R.string.tracks)) }
            OutlinedButton(onClick = { go(Screen.INSIGHTS) }) { Text(stringResource(R.string.insights)) }
        }
        // Offered once there is a pair, as the core's record says.
        if (screen.hasPair) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(onClick = { go(Screen.REACH_OUT) }) { Text(stringResource(R.string.reach_out)) }
                OutlinedButton(onClick = { go(Screen.MEETINGS) }) { Text(stringResource(R.string.meetings)) }
                OutlinedButton(onClick = { go(Screen.MENTOR_OVERVIEW) }) { Text(stringResource(R.string.mentor_overview)) }
            }
        }
        Text(syncSummaryText(screen.sync, view.timezone), style = MaterialTheme.typography.bodySmall)
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

/**
 * Log a craving: the trigger and the strength are enough, Save is the
 * second tap from Today. Situation, what helped, the outcome and the time
 * are there for whoever wants them; sharing is one step with writing.
 */
@Composable
fun LogCravingScreen(p: TodayPresenter, pairs: List<PairView>, run: Run, done: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    var trigger by rememberSaveable { mutableStateOf("") }
    var intensity by rememberSaveable { mutableFloatStateOf(5f) }
    var situation by rememberSaveable { mutableStateOf("") }
    var helped by rememberSaveable { mutableStateOf("") }
    var outcome by rememberSaveable { mutableStateOf<Outcome?>(null) }
    var minutesAgo by rememberSaveable { mutableStateOf("") }
    var share by rememberSaveable { mutableStateOf(false) }
    var pairId by rememberSaveable { mutableStateOf<String?>(null) }
    var saving by rememberSaveable { mutableStateOf(false) }
    // Closes once the core took it (a refused craving stays on screen with the problem).
    LaunchedEffect(state.logged) {
        if (saving && state.logged != null) {
            saving = false
            done()
        }
    }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.log_craving))
        OutlinedTextField(trigger, { trigger = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.trigger)) })
        Text(stringResource(R.string.intensity, intensity.toInt()))
        Slider(intensity, { intensity = it }, valueRange = 1f..10f, steps = 8)
        OutlinedTextField(situation, { situation = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.situation)) })
        OutlinedTextField(helped, { helped = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.helped)) })
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            FilterChip(outcome == Outcome.RESISTED, { outcome = if (outcome == Outcome.RESISTED) null else Outcome.RESISTED }, label = { Text(stringResource(R.string.resisted)) })
            FilterChip(outcome == Outcome.USED, { outcome = if (outcome == Outcome.USED) null else Outcome.USED }, label = { Text(stringResource(R.string.used)) })
        }
        OutlinedTextField(
            minutesAgo,
            { minutesAgo = it.filter(Char::isDigit).take(4) },
            Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.minutes_ago)) },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
        )
        if (pairs.isNotEmpty()) {
            LabeledSwitch(stringResource(R.string.share_with_mentor), share) { share = it }
            if (share) PairChoice(pairs, pairId) { pairId = it }
        }
        Button(onClick = {
            val at = minutesAgo.toLongOrNull()?.let { System.currentTimeMillis() - it * 60_000 }
            // The core trims labels and drops empty ones.
            val input = CravingInput(trigger, intensity.toLong(), situation.split(","), helped.split(","), outcome, "", at)
            saving = true
            run { p.logCraving(input, share, pairId) }
        }, enabled = !state.busy && !(share && pairs.size > 1 && pairId == null)) { Text(stringResource(R.string.save)) }
    }
}

/** Which pair to share into, when the person is the mentee of more than one. */
@Composable
fun PairChoice(pairs: List<PairView>, chosen: String?, onChoose: (String) -> Unit) {
    if (pairs.size < 2) return
    Column {
        for (pair in pairs) {
            FilterChip(chosen == pair.pairId, { onChoose(pair.pairId) }, label = { Text(pair.otherName ?: stringResource(R.string.your_pair)) })
        }
    }
}

/** The craving log, a page at a time; each craving can be shared once the core says there is a pair. */
@Composable
fun CravingsScreen(p: CravingsPresenter, pairs: List<PairView>, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Button(onClick = { go(Screen.LOG_CRAVING) }) { Text(stringResource(R.string.log_craving)) }
        val screen = state.screen ?: return@ScreenColumn
        if (screen.empty) Text(stringResource(R.string.cravings_empty))
        for (row in screen.rows) {
            val c = row.craving
            Column(Modifier.fillMaxWidth().semantics(mergeDescendants = true) {}) {
                Text(stringResource(R.string.craving_row, whenText(c.atMs, c.tz), c.trigger, c.intensity.toInt()))
                if (c.helped.isNotEmpty()) Text(stringResource(R.string.craving_helped, c.helped.joinToString()), style = MaterialTheme.typography.bodySmall)
            }
            if (screen.canShare) {
                ShareRow(row.shared, !state.busy, pairs, { pairId -> run { p.share(c.id, pairId) } }, { run { p.unshare(c.id) } })
            }
        }
        if (screen.next != null) TextButton(onClick = { run { p.more() } }) { Text(stringResource(R.string.show_more)) }
    }
}

/** Today's check-in: mood 1–5, craving 0–10, used or not, a note. */
@Composable
fun CheckInScreen(p: TodayPresenter, run: Run, done: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    var mood by rememberSaveable { mutableFloatStateOf(3f) }
    var craving by rememberSaveable { mutableFloatStateOf(0f) }
    var used by rememberSaveable { mutableStateOf(false) }
    var note by rememberSaveable { mutableStateOf("") }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.check_in))
        Text(stringResource(R.string.check_in_mood, mood.toInt()))
        Slider(mood, { mood = it }, valueRange = 1f..5f, steps = 3)
        Text(stringResource(R.string.check_in_craving, craving.toInt()))
        Slider(craving, { craving = it }, valueRange = 0f..10f, steps = 9)
        LabeledSwitch(stringResource(R.string.check_in_used), used) { used = it }
        OutlinedTextField(note, { note = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.note_text)) })
        // Back to Today at once: a refused check-in shows there, on the same presenter.
        Button(onClick = {
            run { p.checkIn(CheckInInput(mood.toLong(), craving.toLong(), used, note)) }
            done()
        }, enabled = !state.busy) { Text(stringResource(R.string.save)) }
    }
}

/** Insights over the core's window: cravings by hour and weekday, weekly strength, triggers, what helped. */
@Composable
fun InsightsScreen(p: InsightsPresenter, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    val bars = MaterialTheme.colorScheme.primary
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        val screen = state.screen ?: return@ScreenColumn
        val i = screen.insights
        Title(pluralStringResource(R.plurals.insights_window, screen.days.toInt(), screen.days.toInt()))
        if (screen.empty) {
            Text(stringResource(R.string.insights_empty))
        } else {
            Heading(pluralStringResource(R.plurals.cravings_by_hour, i.cravings.toInt(), i.cravings.toInt()))
            val peak = i.byHour.indices.maxByOrNull { i.byHour[it] } ?: 0
            Bars(i.byHour.map { it.toFloat() }, stringResource(R.string.cravings_by_hour_peak, peak), bars)
            Heading(stringResource(R.string.cravings_by_weekday))
            val busiest = i.byWeekday.indices.maxByOrNull { i.byWeekday[it] } ?: 0
            Bars(i.byWeekday.map { it.toFloat() }, stringResource(R.string.cravings_by_weekday_peak, weekdayText(busiest)), bars)
            Heading(stringResource(R.string.weekly_strength))
            for (w in i.weeklyIntensity) {
                Text(pluralStringResource(R.plurals.weekly_strength_row, w.count.toInt(), w.weekStart.toString(), w.count.toInt(), w.average))
            }
            Heading(stringResource(R.string.what_helped))
            for (s in i.whatHelped) Text(stringResource(R.string.what_helped_row, s.strategy, s.resisted.toInt(), s.uses.toInt()))
            Heading(stringResource(R.string.top_triggers))
            for (t in i.topTriggers) Text(stringResource(R.string.top_trigger_row, t.trigger, t.count.toInt()))
        }
        OutlinedButton(onClick = { go(Screen.CRAVINGS) }) { Text(stringResource(R.string.craving_log)) }
    }
}

/** A bar chart of `values`, described for TalkBack by `description`. */
@Composable
private fun Bars(values: List<Float>, description: String, color: androidx.compose.ui.graphics.Color) {
    val max = (values.maxOrNull() ?: 0f).coerceAtLeast(1f)
    Canvas(Modifier.fillMaxWidth().height(120.dp).semantics { contentDescription = description }) {
        val w = size.width / values.size.coerceAtLeast(1)
        values.forEachIndexed { n, v ->
            val h = size.height * v / max
            drawRect(color, Offset(n * w + 1, size.height - h), Size(w - 2, h))
        }
    }
}

/**
 * Tracks: clean time per track, adding one, and a reset after a lapse,
 * which starts the count again and keeps the history (attempts, longest
 * streak, total).
 */
@Composable
fun TracksScreen(p: TracksPresenter, today: LocalDate?, run: Run) {
    // The person's own day (the core's, in their zone), not the phone's.
    val day = today ?: LocalDate.now()
    val state by p.state.collectAsStateWithLifecycle()
    var name by rememberSaveable { mutableStateOf("") }
    var daysAgo by rememberSaveable { mutableStateOf("0") }
    var resetting by rememberSaveable { mutableStateOf<String?>(null) }
    var note by rememberSaveable { mutableStateOf("") }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.tracks))
        for (t in state.tracks) {
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Column(Modifier.semantics(mergeDescendants = true) {}) {
                        Text(t.name, style = MaterialTheme.typography.titleMedium)
                        Text(pluralStringResource(R.plurals.clean_days, t.cleanDays.toInt(), t.cleanDays.toInt()))
                        Text(stringResource(R.string.track_history, t.attempts.toInt(), t.longestStreakDays.toInt(), t.totalCleanDays.toInt()))
                    }
                    if (resetting == t.id) {
                        OutlinedTextField(note, { note = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.track_reset_note)) })
                        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            Button(onClick = {
                                run { p.reset(t.id, day, note) }
                                resetting = null
                                note = ""
                            }, enabled = !state.busy) { Text(stringResource(R.string.track_reset_today)) }
                            TextButton(onClick = { resetting = null }) { Text(stringResource(R.string.cancel)) }
                        }
                        Text(stringResource(R.string.track_reset_why), style = MaterialTheme.typography.bodySmall)
                    } else {
                        TextButton(onClick = { resetting = t.id }) { Text(stringResource(R.string.track_reset)) }
                    }
                }
            }
        }
        Heading(stringResource(R.string.track_new))
        OutlinedTextField(name, { name = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.first_run_track_name)) })
        OutlinedTextField(
            daysAgo,
            { daysAgo = it.filter(Char::isDigit).take(5) },
            Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.track_days_clean)) },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
        )
        Button(onClick = {
            val since = day.minusDays(daysAgo.toLongOrNull() ?: 0)
            run { if (p.add(name, since)) name = "" }
        }, enabled = !state.busy && name.isNotBlank()) { Text(stringResource(R.string.add)) }
    }
}
