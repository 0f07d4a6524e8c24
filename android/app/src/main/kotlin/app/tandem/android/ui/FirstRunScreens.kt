package app.tandem.android.ui

import android.app.Activity
import android.view.WindowManager
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.DatePicker
import androidx.compose.material3.DatePickerDialog
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SelectableDates
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.rememberDatePickerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.FirstRunStep
import app.tandem.core.FirstTrack
import app.tandem.core.RecoveryKeyStep
import app.tandem.shared.Problem
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/**
 * The first run, as the core's flow leads it: each step the flow returns is
 * drawn here, each button is one call on the flow, and a refused answer
 * shows the flow's error above the same step.
 */
@Composable
fun FirstRunScreen(vm: TandemViewModel) {
    val step by vm.firstRunStep.collectAsStateWithLifecycle()
    val problem by vm.firstRunProblem.collectAsStateWithLifecycle()
    val busy by vm.firstRunBusy.collectAsStateWithLifecycle()
    Scaffold { padding ->
        Column(
            Modifier.padding(padding).padding(24.dp).verticalScroll(rememberScrollState()),
            verticalArrangement = Arrangement.spacedBy(16.dp),
        ) {
            if (busy) LinearProgressIndicator(Modifier.fillMaxWidth())
            problem?.let { ProblemLine(it) }
            when (val s = step) {
                null -> Unit
                is FirstRunStep.Profile -> ProfileStep(s, busy, vm::profile)
                is FirstRunStep.FirstTrack -> FirstTrackStep(s, busy, vm::firstTrack)
                FirstRunStep.SyncChoice -> SyncChoiceStep(busy, vm::connect, vm::notNow)
                is FirstRunStep.RecoveryKey -> when (val k = s.v1) {
                    is RecoveryKeyStep.Show -> KeyShownStep(k, busy, vm::keyKept)
                    is RecoveryKeyStep.Confirm -> KeyConfirmStep(k, busy, vm::confirmKey, vm::showKeyAgain)
                }
                FirstRunStep.Done -> DoneStep(vm::openToday)
            }
        }
    }
}

/** Why the flow refused the last answer, read out when it appears. */
@Composable
private fun ProblemLine(problem: Problem) {
    Text(
        stringResource(problemText(problem)),
        color = MaterialTheme.colorScheme.error,
        modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
    )
}

@Composable
private fun StepTitle(text: String) {
    Text(text, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })
}

/** A name and an IANA time zone (the phone's own, to start with); the core checks both. */
@Composable
private fun ProfileStep(step: FirstRunStep.Profile, busy: Boolean, onDone: (String, String) -> Unit) {
    var name by rememberSaveable { mutableStateOf("") }
    var zone by rememberSaveable { mutableStateOf(ZoneId.systemDefault().id) }
    StepTitle(stringResource(R.string.first_run_welcome))
    Text(stringResource(R.string.first_run_welcome_why))
    OutlinedTextField(
        name,
        { name = it },
        Modifier.fillMaxWidth(),
        label = { Text(stringResource(R.string.first_run_name)) },
        supportingText = { Text(stringResource(R.string.first_run_name_max, step.nameMax.toInt())) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Words),
    )
    OutlinedTextField(
        zone,
        { zone = it },
        Modifier.fillMaxWidth(),
        label = { Text(stringResource(R.string.first_run_zone)) },
        singleLine = true,
    )
    Button(onClick = { onDone(name, zone) }, enabled = !busy) { Text(stringResource(R.string.first_run_continue)) }
}

/** A first track (what, and since when: not after the core's latest day), or skip it. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun FirstTrackStep(step: FirstRunStep.FirstTrack, busy: Boolean, onDone: (FirstTrack?) -> Unit) {
    var track by rememberSaveable { mutableStateOf("") }
    var since by rememberSaveable { mutableStateOf(step.latestSince.toString()) }
    var picking by remember { mutableStateOf(false) }
    val sinceDate = LocalDate.parse(since)
    StepTitle(stringResource(R.string.first_run_track_title))
    Text(stringResource(R.string.first_run_track_why, step.name))
    OutlinedTextField(
        track,
        { track = it },
        Modifier.fillMaxWidth(),
        label = { Text(stringResource(R.string.first_run_track_name)) },
        supportingText = { Text(stringResource(R.string.first_run_name_max, step.nameMax.toInt())) },
        singleLine = true,
    )
    val sinceText = DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG).format(sinceDate)
    val sinceLabel = stringResource(R.string.first_run_since, sinceText)
    OutlinedButton(onClick = { picking = true }, modifier = Modifier.semantics { contentDescription = sinceLabel }) {
        Text(sinceLabel)
    }
    Button(onClick = { onDone(FirstTrack(track, sinceDate)) }, enabled = !busy) {
        Text(stringResource(R.string.first_run_track_start))
    }
    TextButton(onClick = { onDone(null) }, enabled = !busy) { Text(stringResource(R.string.first_run_skip)) }
    if (picking) {
        // The picker works in UTC midnights; the latest day is the core's.
        val latestMs = step.latestSince.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
        val state = rememberDatePickerState(
            initialSelectedDateMillis = sinceDate.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
            selectableDates = object : SelectableDates {
                override fun isSelectableDate(utcTimeMillis: Long) = utcTimeMillis <= latestMs
                override fun isSelectableYear(year: Int) = year <= step.latestSince.year
            },
        )
        DatePickerDialog(
            onDismissRequest = { picking = false },
            confirmButton = {
                TextButton(onClick = {
                    state.selectedDateMillis?.let {
                        since = Instant.ofEpochMilli(it).atZone(ZoneOffset.UTC).toLocalDate().toString()
                    }
                    picking = false
                }) { Text(stringResource(R.string.ok)) }
            },
            dismissButton = { TextButton(onClick = { picking = false }) { Text(stringResource(R.string.cancel)) } },
        ) { DatePicker(state) }
    }
}

/** A sync server's address, or not now. */
@Composable
private fun SyncChoiceStep(busy: Boolean, onConnect: (String) -> Unit, onNotNow: () -> Unit) {
    var server by rememberSaveable { mutableStateOf("") }
    StepTitle(stringResource(R.string.first_run_sync_title))
    Text(stringResource(R.string.first_run_sync_why))
    OutlinedTextField(
        server,
        { server = it },
        Modifier.fillMaxWidth(),
        label = { Text(stringResource(R.string.first_run_server)) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
    )
    Button(onClick = { onConnect(server) }, enabled = !busy) { Text(stringResource(R.string.first_run_use_server)) }
    TextButton(onClick = onNotNow, enabled = !busy) { Text(stringResource(R.string.first_run_not_now)) }
}

/** The recovery key, shown once; the window is kept out of screenshots and the app switcher meanwhile. */
@Composable
private fun KeyShownStep(step: RecoveryKeyStep.Show, busy: Boolean, onKept: () -> Unit) {
    SecureWindow()
    StepTitle(stringResource(R.string.first_run_key_title))
    Text(stringResource(R.string.first_run_key_why))
    val label = stringResource(R.string.first_run_key_label, step.groups.toInt())
    Text(
        step.key,
        style = MaterialTheme.typography.titleLarge.copy(fontFamily = FontFamily.Monospace),
        modifier = Modifier.semantics { contentDescription = "$label: ${step.key}" },
    )
    Button(onClick = onKept, enabled = !busy) { Text(stringResource(R.string.first_run_key_kept)) }
}

/** One group of the key, asked back; or the key shown again. */
@Composable
private fun KeyConfirmStep(
    step: RecoveryKeyStep.Confirm,
    busy: Boolean,
    onConfirm: (String) -> Unit,
    onShowAgain: () -> Unit,
) {
    var group by rememberSaveable(step.group) { mutableStateOf("") }
    StepTitle(stringResource(R.string.first_run_check_title))
    Text(stringResource(R.string.first_run_check_why))
    OutlinedTextField(
        group,
        { group = it },
        Modifier.fillMaxWidth(),
        label = { Text(stringResource(R.string.first_run_group, step.group.toInt(), step.groups.toInt())) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters, autoCorrectEnabled = false),
    )
    Button(onClick = { onConfirm(group) }, enabled = !busy) { Text(stringResource(R.string.first_run_confirm)) }
    TextButton(onClick = onShowAgain, enabled = !busy) { Text(stringResource(R.string.first_run_show_again)) }
}

@Composable
private fun DoneStep(onOpen: () -> Unit) {
    StepTitle(stringResource(R.string.first_run_done))
    Button(onClick = onOpen) { Text(stringResource(R.string.first_run_open_today)) }
}

/** Keeps the window out of screenshots and recents while in composition. */
@Composable
private fun SecureWindow() {
    val window = (LocalContext.current as? Activity)?.window ?: return
    DisposableEffect(window) {
        window.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
        onDispose { window.clearFlags(WindowManager.LayoutParams.FLAG_SECURE) }
    }
}
