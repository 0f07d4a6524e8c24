package app.tandem.android.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.DatePicker
import androidx.compose.material3.DatePickerDialog
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SelectableDates
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.rememberDatePickerState
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.FirstRunStep
import app.tandem.core.FirstTrack
import app.tandem.core.LinkThisDeviceStep
import app.tandem.core.RestoreStep
import app.tandem.shared.FirstRunPresenter
import app.tandem.shared.LinkThisDevicePresenter
import app.tandem.shared.RestorePresenter
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/**
 * The first run, as the core's flow leads it: each step the flow returns is
 * drawn here, each button is one event on the [FirstRunPresenter], and a
 * refused answer shows the problem above the same step. A person who
 * already uses Tandem on another phone links this one, or restores with the
 * recovery key, instead.
 */
@Composable
fun FirstRunScreen(p: FirstRunPresenter, run: Run, onLink: () -> Unit, onRestore: () -> Unit, onDone: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    LaunchedEffect(p) { if (state.step == null) run { p.start() } }
    val busy = state.busy
    Scaffold { padding ->
        Column(Modifier.padding(padding)) {
            ScreenColumn(busy, state.problem, p::problemSeen) {
                when (val s = state.step) {
                    null -> Unit
                    is FirstRunStep.Profile -> {
                        ProfileStep(s, busy) { name, zone -> run { p.profile(name, zone) } }
                        TextButton(onClick = onLink, enabled = !busy) { Text(stringResource(R.string.first_run_link_instead)) }
                        TextButton(onClick = onRestore, enabled = !busy) { Text(stringResource(R.string.first_run_restore_instead)) }
                    }
                    is FirstRunStep.FirstTrack -> FirstTrackStep(s, busy) { t -> run { p.firstTrack(t) } }
                    FirstRunStep.SyncChoice -> SyncChoiceStep(
                        busy,
                        { server, pem -> run { if (pem.isBlank()) p.connect(server) else p.connectTrusting(server, pem) } },
                        { run { p.notNow() } },
                    )
                    is FirstRunStep.RecoveryKey -> RecoveryKeySteps(s.v1, busy, p, run)
                    FirstRunStep.Done -> DoneStep(onDone)
                }
            }
        }
    }
}

/** This fresh phone joins the person's account: the code the other phone shows, and the server. */
@Composable
fun LinkThisDeviceScreen(p: LinkThisDevicePresenter, run: Run, onDone: () -> Unit, onBack: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    StartOnce(p, run)
    var code by rememberSaveable { mutableStateOf("") }
    var server by rememberSaveable { mutableStateOf("") }
    val scan = rememberLauncherForActivityResult(ScanContract()) { result -> result.contents?.let { code = it } }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        when (state.step) {
            null -> Unit
            LinkThisDeviceStep.ENTER_CODE -> {
                Title(stringResource(R.string.link_this_title))
                Text(stringResource(R.string.link_this_why))
                OutlinedButton(onClick = { scan.launch(qrScan()) }) { Text(stringResource(R.string.scan_code)) }
                SecretField(code, { code = it }, stringResource(R.string.link_code))
                ServerField(server) { server = it }
                Button(onClick = { run { p.link(code, server) } }, enabled = !state.busy) { Text(stringResource(R.string.link_this)) }
                TextButton(onClick = onBack, enabled = !state.busy) { Text(stringResource(R.string.cancel)) }
            }
            LinkThisDeviceStep.DONE -> DoneStep(onDone)
        }
    }
}

/** This fresh phone takes the person's data back with the recovery key (every other phone lost). */
@Composable
fun RestoreScreen(p: RestorePresenter, run: Run, onDone: () -> Unit, onBack: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    StartOnce(p, run)
    var key by rememberSaveable { mutableStateOf("") }
    var server by rememberSaveable { mutableStateOf("") }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        when (val s = state.step) {
            null -> Unit
            RestoreStep.EnterKey -> {
                Title(stringResource(R.string.restore_title))
                Text(stringResource(R.string.restore_why))
                SecretField(key, { key = it }, stringResource(R.string.recovery_key))
                ServerField(server) { server = it }
                Button(onClick = { run { p.restore(key, server) } }, enabled = !state.busy) { Text(stringResource(R.string.restore)) }
                TextButton(onClick = onBack, enabled = !state.busy) { Text(stringResource(R.string.cancel)) }
            }
            is RestoreStep.RecoveryKey -> RecoveryKeySteps(s.v1, state.busy, p, run)
            RestoreStep.Done -> DoneStep(onDone)
        }
    }
}

/** A code or key typed in: no suggestions, no autocorrect, kept out of the keyboard's memory. */
@Composable
fun SecretField(value: String, onChange: (String) -> Unit, label: String) {
    OutlinedTextField(
        value,
        onChange,
        Modifier.fillMaxWidth(),
        label = { Text(label) },
        keyboardOptions = KeyboardOptions(
            capitalization = KeyboardCapitalization.Characters,
            autoCorrectEnabled = false,
            keyboardType = KeyboardType.Password,
        ),
    )
}

/** A sync server's address (https; plain http only on this phone's own loopback). */
@Composable
fun ServerField(value: String, onChange: (String) -> Unit) {
    OutlinedTextField(
        value,
        onChange,
        Modifier.fillMaxWidth(),
        label = { Text(stringResource(R.string.first_run_server)) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
    )
}

/** The scanner's options: QR codes only, no beep. */
fun qrScan(): ScanOptions = ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setBeepEnabled(false)

/** A name and an IANA time zone (the phone's own, to start with); the core checks both. */
@Composable
private fun ProfileStep(step: FirstRunStep.Profile, busy: Boolean, onDone: (String, String) -> Unit) {
    var name by rememberSaveable { mutableStateOf("") }
    var zone by rememberSaveable { mutableStateOf(ZoneId.systemDefault().id) }
    Title(stringResource(R.string.first_run_welcome))
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
    Title(stringResource(R.string.first_run_track_title))
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

/** A sync server's address (with a self-hosted server's own certificate, if it has one), or not now. */
@Composable
private fun SyncChoiceStep(busy: Boolean, onConnect: (server: String, pem: String) -> Unit, onNotNow: () -> Unit) {
    var server by rememberSaveable { mutableStateOf("") }
    var pem by rememberSaveable { mutableStateOf("") }
    Title(stringResource(R.string.first_run_sync_title))
    Text(stringResource(R.string.first_run_sync_why))
    ServerField(server) { server = it }
    ServerCaField(pem) { pem = it }
    Button(onClick = { onConnect(server, pem) }, enabled = !busy) { Text(stringResource(R.string.first_run_use_server)) }
    TextButton(onClick = onNotNow, enabled = !busy) { Text(stringResource(R.string.first_run_not_now)) }
}

/**
 * A self-hosted server's own certificate authority (PEM), behind a
 * button: most people never need it, an operator's members paste it.
 */
@Composable
fun ServerCaField(pem: String, onChange: (String) -> Unit) {
    var open by rememberSaveable { mutableStateOf(pem.isNotEmpty()) }
    if (!open) {
        TextButton(onClick = { open = true }) { Text(stringResource(R.string.server_ca_open)) }
        return
    }
    OutlinedTextField(
        pem,
        onChange,
        Modifier.fillMaxWidth(),
        label = { Text(stringResource(R.string.server_ca)) },
        supportingText = { Text(stringResource(R.string.server_ca_why)) },
        minLines = 3,
        keyboardOptions = KeyboardOptions(autoCorrectEnabled = false),
    )
}

@Composable
private fun DoneStep(onOpen: () -> Unit) {
    Title(stringResource(R.string.first_run_done))
    Button(onClick = onOpen) { Text(stringResource(R.string.first_run_open_today)) }
}
