package app.tandem.android.ui

import android.graphics.Bitmap
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.unit.dp
import app.tandem.android.R
import app.tandem.core.PairView
import app.tandem.core.RecoveryKeyStep
import app.tandem.core.ShownCode
import app.tandem.shared.FlowPresenter
import app.tandem.shared.KeyConfirming
import app.tandem.shared.Problem
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter

/** Runs one presenter event (the ViewModel launches it in its scope). */
typealias Run = (suspend () -> Unit) -> Unit

/**
 * Starts a flow presenter once per visit to its screen: not again when
 * the activity is recreated (a rotation would otherwise start the flow over
 * and lose, say, a recovery key shown but not yet confirmed).
 */
@Composable
fun StartOnce(p: FlowPresenter<*, *>, run: Run) {
    var started by rememberSaveable { mutableStateOf(false) }
    LaunchedEffect(p) {
        if (!started) {
            started = true
            run { p.start() }
        }
    }
}

/** A screen's scrolling column, with the busy bar and the last problem on top. */
@Composable
fun ScreenColumn(busy: Boolean, problem: Problem?, onProblemSeen: () -> Unit, content: @Composable ColumnScope.() -> Unit) {
    Column(
        Modifier.padding(16.dp).verticalScroll(rememberScrollState()),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        if (busy) LinearProgressIndicator(Modifier.fillMaxWidth())
        problem?.let { ProblemLine(it, onProblemSeen) }
        content()
    }
}

/** Why the last action failed, read out when it appears; dismissed by a tap. */
@Composable
fun ProblemLine(problem: Problem, onSeen: () -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        Text(
            stringResource(problemText(problem)),
            color = MaterialTheme.colorScheme.error,
            modifier = Modifier.weight(1f).semantics { liveRegion = LiveRegionMode.Polite },
        )
        TextButton(onClick = onSeen) { Text(stringResource(R.string.ok)) }
    }
}

/** A screen's or a step's title, announced as a heading. */
@Composable
fun Title(text: String) {
    Text(text, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })
}

/** A section's heading within a screen. */
@Composable
fun Heading(text: String) {
    Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
}

/** A switch merged with its label, so TalkBack reads and toggles them as one. */
@Composable
fun LabeledSwitch(label: String, on: Boolean, enabled: Boolean = true, onChange: (Boolean) -> Unit) {
    Row(
        Modifier.fillMaxWidth().toggleable(value = on, enabled = enabled, role = Role.Switch, onValueChange = onChange),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Text(label, Modifier.weight(1f))
        Switch(checked = on, onCheckedChange = null, enabled = enabled)
    }
}

/**
 * Whether an item is shared, as the core marks its row, and the copy
 * warning once shared. A person with several mentors picks whom to share
 * with; turning it off takes the item back from wherever it is shared.
 */
@Composable
fun ShareRow(
    shared: Boolean,
    enabled: Boolean,
    pairs: List<PairView>,
    onShare: (pairId: String?) -> Unit,
    onUnshare: () -> Unit,
) {
    var choosing by remember { mutableStateOf(false) }
    Column {
        LabeledSwitch(stringResource(R.string.share_with_mentor), shared, enabled) { on ->
            when {
                !on -> onUnshare()
                pairs.size > 1 -> choosing = true
                else -> onShare(null)
            }
        }
        DropdownMenu(expanded = choosing, onDismissRequest = { choosing = false }) {
            for (pair in pairs) {
                DropdownMenuItem(
                    text = { Text(pair.otherName ?: stringResource(R.string.your_pair)) },
                    onClick = {
                        choosing = false
                        onShare(pair.pairId)
                    },
                )
            }
        }
        if (shared) Text(stringResource(R.string.shared_copy_warning), style = MaterialTheme.typography.bodySmall)
    }
}

/**
 * The recovery key steps every flow that makes a key shares (first run,
 * connect, restore): the key shown once (the window is secure for the whole
 * app), then one group asked back, or the key shown again.
 */
@Composable
fun RecoveryKeySteps(step: RecoveryKeyStep, busy: Boolean, flow: KeyConfirming, run: Run) {
    val onKept = { run { flow.keyKept() } }
    val onShowAgain = { run { flow.showKeyAgain() } }
    val onConfirm = { group: String -> run { flow.confirmKey(group) } }
    when (step) {
        is RecoveryKeyStep.Show -> {
            Title(stringResource(R.string.first_run_key_title))
            Text(stringResource(R.string.first_run_key_why))
            val label = stringResource(R.string.first_run_key_label, step.groups.toInt())
            Text(
                step.key,
                style = MaterialTheme.typography.titleLarge.copy(fontFamily = FontFamily.Monospace),
                modifier = Modifier.semantics { contentDescription = "$label: ${step.key}" },
            )
            Button(onClick = onKept, enabled = !busy) { Text(stringResource(R.string.first_run_key_kept)) }
        }
        is RecoveryKeyStep.Confirm -> {
            var group by rememberSaveable(step.group) { mutableStateOf("") }
            Title(stringResource(R.string.first_run_check_title))
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
    }
}

/** A one-time code as the core shows it: a QR code to scan and the text to type. */
@Composable
fun ShownCodeCard(code: ShownCode, description: String) {
    val image = remember(code.qrPayload) { qr(code.qrPayload).asImageBitmap() }
    Image(image, contentDescription = description, modifier = Modifier.size(240.dp))
    Text(code.text, style = MaterialTheme.typography.bodyLarge.copy(fontFamily = FontFamily.Monospace))
}

private fun qr(text: String): Bitmap {
    val matrix = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 512, 512)
    val bitmap = Bitmap.createBitmap(matrix.width, matrix.height, Bitmap.Config.RGB_565)
    for (x in 0 until matrix.width) for (y in 0 until matrix.height) {
        bitmap.setPixel(x, y, if (matrix[x, y]) 0xFF000000.toInt() else 0xFFFFFFFF.toInt())
    }
    return bitmap
}
