package app.tandem.android.ui

import android.content.ComponentName
import android.content.Context
import android.content.pm.PackageManager
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.android.TandemApplication
import app.tandem.core.AppName
import app.tandem.shared.Screen

/** Settings: app lock delay, the app's name, sync, devices, export, erase, and what others see. */
@Composable
fun SettingsScreen(vm: TandemViewModel, go: (Screen) -> Unit) {
    val settings by vm.settings.collectAsStateWithLifecycle()
    val sync by vm.sync.collectAsStateWithLifecycle()
    val devices by vm.devices.collectAsStateWithLifecycle()
    val context = LocalContext.current
    var confirmErase by remember { mutableStateOf(false) }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.what_others_see_title), style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
        Text(stringResource(R.string.what_mentor_sees))
        Text(stringResource(R.string.what_server_sees))

        settings?.let { s ->
            Text("Lock after ${s.lockAfterSecs} s in the background")
            for (secs in listOf(0u, 60u, 300u)) {
                TextButton(onClick = { vm.setSettings(s.copy(lockAfterSecs = secs)) }) { Text("$secs s") }
            }
            Text("Name on the home screen and in notifications")
            for (name in AppName.entries) {
                TextButton(onClick = { vm.setSettings(s.copy(appName = name)); showAs(context, name) }) { Text(name.name) }
            }
        }

        Text(stringResource(R.string.sync_title), style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
        sync?.let { screen ->
            if (screen.connected) {
                val st = screen.status
                Text("${st.server} · ${st.pendingChanges} waiting" + (st.lastError?.let { " · $it" } ?: ""))
                Button(onClick = vm::syncNow) { Text(stringResource(R.string.sync_now)) }
            } else {
                Text(stringResource(R.string.sync_off))
            }
        }
        devices?.let { screen ->
            for (d in screen.devices) {
                val name = if (d.thisDevice) stringResource(R.string.this_device) else d.deviceId.take(8)
                Text(name + if (d.unlinked) " · " + stringResource(R.string.unlinked) else "")
            }
        }
        OutlinedButton(onClick = { go(Screen.PAIR) }) { Text(stringResource(R.string.pair_title)) }
        OutlinedButton(onClick = { vm.exportJson { json -> shareExport(context, json) } }) { Text(stringResource(R.string.export)) }
        OutlinedButton(onClick = { confirmErase = true }) { Text(stringResource(R.string.erase)) }
    }
    if (confirmErase) {
        val app = context.applicationContext as TandemApplication
        AlertDialog(
            onDismissRequest = { confirmErase = false },
            text = { Text(stringResource(R.string.erase_confirm)) },
            confirmButton = {
                TextButton(onClick = {
                    vm.eraseEverything(app.keys.files()) { app.keys.erase() }
                    confirmErase = false
                }) { Text(stringResource(R.string.erase)) }
            },
            dismissButton = { TextButton(onClick = { confirmErase = false }) { Text(stringResource(R.string.cancel)) } },
        )
    }
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

/** Hands the export to the system's share sheet (the person picks where it goes). */
private fun shareExport(context: Context, json: String) {
    val send = android.content.Intent(android.content.Intent.ACTION_SEND)
        .setType("application/json")
        .putExtra(android.content.Intent.EXTRA_TEXT, json)
    context.startActivity(android.content.Intent.createChooser(send, null))
}
