package app.tandem.android.ui

import android.content.ComponentName
import android.content.Context
import android.content.pm.PackageManager
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.AlertDialog
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
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.android.TandemApplication
import app.tandem.core.AppName
import app.tandem.core.ConnectStep
import app.tandem.core.DeviceView
import app.tandem.core.EraseConsequence
import app.tandem.core.EraseStep
import app.tandem.core.ExportFormat
import app.tandem.core.ExportStep
import app.tandem.core.LinkDeviceStep
import app.tandem.shared.ConnectPresenter
import app.tandem.shared.DevicesPresenter
import app.tandem.shared.ErasePresenter
import app.tandem.shared.ExportPresenter
import app.tandem.shared.LinkDevicePresenter
import app.tandem.shared.Screen
import app.tandem.shared.SettingsPresenter
import java.time.ZoneId

/**
 * Settings: what the mentor and the server can see, the app lock's delay,
 * the name on the home screen and in notifications, the daily reminder,
 * meeting and pair notices, and the way to sync status, devices, pairs,
 * export and erase.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun SettingsScreen(p: SettingsPresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    val context = LocalContext.current
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Heading(stringResource(R.string.what_others_see_title))
        Text(stringResource(R.string.what_mentor_sees))
        Text(stringResource(R.string.what_server_sees))

        state.settings?.let { screen ->
            val s = screen.settings
            Heading(stringResource(R.string.settings_lock))
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                for (secs in listOf(0u, 60u, 300u, 900u).filter { it <= screen.lockAfterMaxSecs }) {
                    FilterChip(s.lockAfterSecs == secs, { run { p.change { it.copy(lockAfterSecs = secs) } } }, label = { Text(lockText(secs)) })
                }
            }
            Heading(stringResource(R.string.settings_app_name))
            Text(stringResource(R.string.settings_app_name_why), style = MaterialTheme.typography.bodySmall)
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                for (name in AppName.entries) {
                    FilterChip(s.appName == name, {
                        run { p.change { it.copy(appName = name) } }
                        showAs(context, name)
                    }, label = { Text(stringResource(appNameText(name))) })
                }
            }
            Heading(stringResource(R.string.settings_reminder))
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                FilterChip(s.reminderHour == null, { run { p.change { it.copy(reminderHour = null) } } }, label = { Text(stringResource(R.string.settings_reminder_off)) })
                for (hour in listOf(8u, 12u, 18u, 21u)) {
                    val h = hour.toUByte()
                    FilterChip(s.reminderHour == h, { run { p.change { it.copy(reminderHour = h) } } }, label = { Text("%02d:00".format(hour.toInt())) })
                }
            }
            LabeledSwitch(stringResource(R.string.settings_pair_notices), s.pairActivityNotices) { on ->
                run { p.change { it.copy(pairActivityNotices = on) } }
            }
        }

        state.sync?.let { sync ->
            Heading(stringResource(R.string.sync_title))
            Text(if (sync.connected) sync.status.server.orEmpty() else stringResource(R.string.sync_off))
            OutlinedButton(onClick = { go(Screen.SYNC_STATUS) }) { Text(stringResource(R.string.sync_status)) }
            if (!sync.connected) OutlinedButton(onClick = { go(Screen.CONNECT) }) { Text(stringResource(R.string.connect)) }
        }
        OutlinedButton(onClick = { go(Screen.PAIR) }) { Text(stringResource(R.string.pair_title)) }
        OutlinedButton(onClick = { go(Screen.DEVICES) }) { Text(stringResource(R.string.devices)) }
        OutlinedButton(onClick = { go(Screen.EXPORT) }) { Text(stringResource(R.string.export)) }
        OutlinedButton(onClick = { go(Screen.ERASE) }) { Text(stringResource(R.string.erase)) }
    }
}

@Composable
private fun lockText(secs: UInt): String =
    if (secs == 0u) stringResource(R.string.settings_lock_at_once) else pluralStringResource(R.plurals.settings_lock_minutes, (secs / 60u).toInt(), (secs / 60u).toInt())

private fun appNameText(n: AppName): Int = when (n) {
    AppName.TANDEM -> R.string.app_name_tandem
    AppName.NOTES -> R.string.app_name_notes
    AppName.DAILY -> R.string.app_name_daily
    AppName.STEPS -> R.string.app_name_steps
}

/** Enables the launcher alias of `name` and disables the others. */
private fun showAs(context: Context, name: AppName) {
    val pm = context.packageManager
    for (n in AppName.entries) {
        val alias = ComponentName(context, "app.tandem.android.${n.name.lowercase().replaceFirstChar { it.uppercase() }}")
        val state = if (n == name) PackageManager.COMPONENT_ENABLED_STATE_ENABLED else PackageManager.COMPONENT_ENABLED_STATE_DISABLED
        pm.setComponentEnabledSetting(alias, state, PackageManager.DONT_KILL_APP)
    }
}

/** How syncing goes: the server, the last success, what waits, what was refused or set aside, and Sync now. */
@Composable
fun SyncStatusScreen(p: SettingsPresenter, run: Run) {
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.sync_status))
        val sync = state.sync ?: return@ScreenColumn
        if (!sync.connected) {
            Text(stringResource(R.string.sync_off))
            return@ScreenColumn
        }
        val st = sync.status
        val zone = ZoneId.systemDefault().id
        Text(st.server.orEmpty())
        Text(st.lastSuccessMs?.let { stringResource(R.string.synced_at, whenText(it, zone)) } ?: stringResource(R.string.sync_not_yet))
        Text(pluralStringResource(R.plurals.sync_waiting, st.pendingChanges.toInt(), st.pendingChanges.toInt()))
        if (st.failures > 0u) Text(pluralStringResource(R.plurals.sync_failing, st.failures.toInt(), st.failures.toInt()), color = MaterialTheme.colorScheme.error)
        st.lastError?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        if (st.refusedRecords > 0uL) Text(pluralStringResource(R.plurals.sync_refused, st.refusedRecords.toInt(), st.refusedRecords.toInt()))
        if (st.quarantined > 0uL) Text(pluralStringResource(R.plurals.sync_quarantined, st.quarantined.toInt(), st.quarantined.toInt()))
        Button(onClick = { run { p.syncNow() } }, enabled = !state.busy) { Text(stringResource(R.string.sync_now)) }
    }
}

/**
 * This person's devices: each as the core lists it, the server's view
 * (created, last seen) and a warning for one the signed log does not
 * certify; unlink a lost one, link a new one, a new recovery key.
 */
@Composable
fun DevicesScreen(p: DevicesPresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    var unlinking by rememberSaveable { mutableStateOf<String?>(null) }
    var confirming by rememberSaveable { mutableStateOf<String?>(null) }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.devices))
        state.recoveryKey?.let { key ->
            Heading(stringResource(R.string.first_run_key_title))
            Text(key, style = MaterialTheme.typography.titleMedium)
            Button(onClick = p::recoveryKeyShown) { Text(stringResource(R.string.first_run_key_kept)) }
        }
        val screen = state.screen ?: return@ScreenColumn
        // Once the server was asked, its list: it also holds devices only
        // the server knows (flagged), which the person must see.
        for (d in state.onServer ?: screen.devices) {
            DeviceCard(
                d,
                state.onServer?.firstOrNull { it.deviceId == d.deviceId },
                onUnlink = { unlinking = d.deviceId },
                onConfirm = { confirming = d.deviceId },
            )
        }
        if (screen.canLink) {
            Button(onClick = { go(Screen.LINK_DEVICE) }) { Text(stringResource(R.string.link_device)) }
            OutlinedButton(onClick = { run { p.checkWithServer() } }, enabled = !state.busy) { Text(stringResource(R.string.devices_check_server)) }
            OutlinedButton(onClick = { run { p.newRecoveryKey() } }, enabled = !state.busy) { Text(stringResource(R.string.new_recovery_key)) }
        }
    }
    unlinking?.let { id ->
        AlertDialog(
            onDismissRequest = { unlinking = null },
            text = { Text(stringResource(R.string.unlink_confirm)) },
            confirmButton = { TextButton(onClick = { unlinking = null; run { p.unlink(id) } }) { Text(stringResource(R.string.unlink)) } },
            dismissButton = { TextButton(onClick = { unlinking = null }) { Text(stringResource(R.string.cancel)) } },
        )
    }
    confirming?.let { id ->
        var typed by rememberSaveable(id) { mutableStateOf("") }
        AlertDialog(
            onDismissRequest = { confirming = null },
            title = { Text(stringResource(R.string.device_confirm_title)) },
            text = {
                Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(stringResource(R.string.device_confirm_explain))
                    OutlinedTextField(
                        value = typed,
                        onValueChange = { typed = it },
                        label = { Text(stringResource(R.string.device_code_label)) },
                        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                        singleLine = true,
                    )
                }
            },
            confirmButton = {
                TextButton(onClick = { confirming = null; run { p.confirm(id, typed) } }, enabled = typed.isNotBlank()) {
                    Text(stringResource(R.string.device_confirm))
                }
            },
            dismissButton = { TextButton(onClick = { confirming = null }) { Text(stringResource(R.string.cancel)) } },
        )
    }
}

@Composable
private fun DeviceCard(d: DeviceView, listed: DeviceView?, onUnlink: () -> Unit, onConfirm: () -> Unit) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(if (d.thisDevice) stringResource(R.string.this_device) else stringResource(R.string.device_named, d.deviceId.take(8)))
            if (d.unlinked) Text(stringResource(R.string.unlinked))
            if (d.unlinkUnfinished) Text(stringResource(R.string.unlink_unfinished), color = MaterialTheme.colorScheme.error)
            val flagged = d.uncertified || listed?.uncertified == true
            if (flagged) Text(stringResource(R.string.device_uncertified), color = MaterialTheme.colorScheme.error)
            d.code?.let { code ->
                val spoken = stringResource(R.string.device_code, code.filter(Char::isDigit).toList().joinToString(" "))
                Text(
                    stringResource(R.string.device_code, code),
                    style = MaterialTheme.typography.bodySmall.copy(fontFamily = FontFamily.Monospace),
                    modifier = Modifier.semantics { contentDescription = spoken },
                )
            }
            val zone = ZoneId.systemDefault().id
            (listed?.server ?: d.server)?.let { s ->
                Text(stringResource(R.string.device_created, whenText(s.createdAtMs, zone)), style = MaterialTheme.typography.bodySmall)
                s.lastSeenMs?.let { Text(stringResource(R.string.device_last_seen, whenText(it, zone)), style = MaterialTheme.typography.bodySmall) }
            }
            if (flagged && !d.thisDevice && !d.unlinked && d.code != null) TextButton(onClick = onConfirm) { Text(stringResource(R.string.device_confirm)) }
            if (!d.thisDevice && (!d.unlinked || d.unlinkUnfinished)) TextButton(onClick = onUnlink) { Text(stringResource(R.string.unlink)) }
        }
    }
}

/** Linking another phone: a code to scan or type there, good once; then a look whether it arrived. */
@Composable
fun LinkDeviceScreen(p: LinkDevicePresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    StartOnce(p, run)
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.link_device))
        when (val s = state.step) {
            null -> Unit
            LinkDeviceStep.NeedsServer -> {
                Text(stringResource(R.string.pair_needs_sync))
                OutlinedButton(onClick = { go(Screen.CONNECT) }) { Text(stringResource(R.string.connect)) }
            }
            LinkDeviceStep.Ready -> {
                Text(stringResource(R.string.link_device_why))
                Button(onClick = { run { p.showCode() } }, enabled = !state.busy) { Text(stringResource(R.string.link_device_code)) }
            }
            is LinkDeviceStep.ShowingCode -> {
                ShownCodeCard(s.v1, stringResource(R.string.link_code))
                OutlinedButton(onClick = { run { p.check() } }, enabled = !state.busy) { Text(stringResource(R.string.link_device_check)) }
            }
            is LinkDeviceStep.Linked -> Text(pluralStringResource(R.plurals.devices_linked, s.devices.toInt(), s.devices.toInt()))
        }
    }
}

/** Connecting this phone (set up without one) to a sync server; the recovery key follows. */
@Composable
fun ConnectScreen(p: ConnectPresenter, run: Run, done: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    StartOnce(p, run)
    var server by rememberSaveable { mutableStateOf("") }
    var pem by rememberSaveable { mutableStateOf("") }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        when (val s = state.step) {
            null -> Unit
            ConnectStep.Server -> {
                Title(stringResource(R.string.first_run_sync_title))
                Text(stringResource(R.string.first_run_sync_why))
                ServerField(server) { server = it }
                ServerCaField(pem) { pem = it }
                Button(onClick = {
                    run { if (pem.isBlank()) p.connect(server) else p.connectTrusting(server, pem) }
                }, enabled = !state.busy) { Text(stringResource(R.string.first_run_use_server)) }
            }
            is ConnectStep.RecoveryKey -> RecoveryKeySteps(s.v1, state.busy, p, run)
            ConnectStep.Done -> {
                Text(stringResource(R.string.connected))
                Button(onClick = done) { Text(stringResource(R.string.ok)) }
            }
        }
    }
}

/** Export: the format, then the file saved where the person picks (the Storage Access Framework). */
@Composable
fun ExportScreen(p: ExportPresenter, run: Run) {
    val state by p.state.collectAsStateWithLifecycle()
    StartOnce(p, run)
    var saved by rememberSaveable { mutableStateOf<Saved?>(null) }
    val ready = { (p.state.value.step as? ExportStep.Ready)?.v1?.content }
    val json = rememberFileSaver("application/json", ready) { how -> saved = how; run { p.handedOver() } }
    val markdown = rememberFileSaver("text/markdown", ready) { how -> saved = how; run { p.handedOver() } }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.export))
        Text(stringResource(R.string.export_why))
        saved?.let { Text(stringResource(if (it == Saved.WRITTEN) R.string.export_saved else if (it == Saved.FAILED) R.string.export_failed else R.string.export_cancelled)) }
        when (val s = state.step) {
            null -> Unit
            ExportStep.Choose -> {
                Button(onClick = { saved = null; run { p.export(ExportFormat.JSON) } }, enabled = !state.busy) { Text(stringResource(R.string.export_json)) }
                OutlinedButton(onClick = { saved = null; run { p.export(ExportFormat.MARKDOWN) } }, enabled = !state.busy) { Text(stringResource(R.string.export_markdown)) }
            }
            is ExportStep.Ready -> {
                val file = s.v1
                val name = "tandem-${file.date}.${file.extension}"
                SaveOnce("$name:${file.content.hashCode()}") { (if (file.format == ExportFormat.JSON) json else markdown)(name) }
            }
        }
    }
}

/** Erase: what it does, in the core's words, then the person confirms; the app stays locked for good after. */
@Composable
fun EraseScreen(p: ErasePresenter, run: Run, go: (Screen) -> Unit, onErased: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    val app = LocalContext.current.applicationContext as TandemApplication
    StartOnce(p, run)
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.erase))
        when (val s = state.step) {
            null -> Unit
            is EraseStep.Confirm -> {
                for (c in s.consequences) Text("• " + eraseText(c))
                if (EraseConsequence.ExportFirst in s.consequences) {
                    OutlinedButton(onClick = { go(Screen.EXPORT) }) { Text(stringResource(R.string.export)) }
                }
                // The wrapped key's file and a kept server authority go too.
                val also = app.keys.files() + java.io.File(app.noBackupFilesDir, "server-ca.pem").path
                Button(onClick = { run { p.confirm(also) } }, enabled = !state.busy) { Text(stringResource(R.string.erase_confirm)) }
            }
            is EraseStep.Erased -> {
                LaunchedEffect(Unit) { onErased() }
                Text(stringResource(R.string.erased))
            }
        }
    }
}

@Composable
private fun eraseText(c: EraseConsequence): String = when (c) {
    EraseConsequence.DeletesThisDevice -> stringResource(R.string.erase_this_device)
    EraseConsequence.DeletesServerAccount -> stringResource(R.string.erase_server_account)
    is EraseConsequence.OtherDevicesStopSyncing -> pluralStringResource(R.plurals.erase_other_devices, c.devices.toInt(), c.devices.toInt())
    is EraseConsequence.MentorsKeepSharedCopies -> pluralStringResource(R.plurals.erase_mentors_keep, c.pairs.toInt(), c.pairs.toInt())
    EraseConsequence.ExportFirst -> stringResource(R.string.erase_export_first)
}
