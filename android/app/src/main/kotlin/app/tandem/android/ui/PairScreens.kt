package app.tandem.android.ui

import android.graphics.Bitmap
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import androidx.activity.compose.rememberLauncherForActivityResult

/**
 * Pair: the mentee shows an invite (text and QR); the mentor scans or types
 * it. Both need a sync server, which the core's record says this phone has.
 */
@Composable
fun PairScreen(vm: TandemViewModel) {
    val code by vm.inviteCode.collectAsStateWithLifecycle()
    val pairs by vm.pairs.collectAsStateWithLifecycle()
    val screen = pairs ?: return
    var typed by rememberSaveable { mutableStateOf("") }
    val scan = rememberLauncherForActivityResult(ScanContract()) { result ->
        result.contents?.let { vm.join(it) }
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Text(
                stringResource(R.string.pair_title),
                style = MaterialTheme.typography.headlineSmall,
                modifier = Modifier.semantics { heading() },
            )
        }
        if (!screen.canPair) {
            item { Text(stringResource(R.string.pair_needs_sync)) }
        } else {
            item { Button(onClick = vm::invite) { Text(stringResource(R.string.pair_invite)) } }
            code?.let { c ->
                item {
                    val image = remember(c) { qr(c).asImageBitmap() }
                    Image(
                        image,
                        contentDescription = stringResource(R.string.invite_qr),
                        modifier = Modifier.size(240.dp),
                    )
                    Text(c, style = MaterialTheme.typography.bodyLarge)
                }
            }
            item {
                OutlinedButton(onClick = {
                    scan.launch(ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setBeepEnabled(false))
                }) { Text(stringResource(R.string.pair_scan)) }
            }
            item {
                OutlinedTextField(typed, { typed = it }, label = { Text(stringResource(R.string.invite_code)) })
                TextButton(onClick = { vm.join(typed) }) { Text(stringResource(R.string.join)) }
            }
        }
        if (screen.empty) item { Text(stringResource(R.string.pairs_empty)) }
        items(screen.pairs, key = { it.pairId }) { p ->
            Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text("${p.otherName ?: "…"} (${p.side.name.lowercase()})" + if (p.ended) " · ended" else "")
                p.safetyCode?.let { Text(stringResource(R.string.pair_safety_code, it), style = MaterialTheme.typography.bodySmall) }
                if (p.identityMismatch) {
                    Text(stringResource(R.string.pair_identity_mismatch), color = MaterialTheme.colorScheme.error)
                }
                if (p.unadmittedMembers > 0u) {
                    Text(stringResource(R.string.pair_unadmitted_members), color = MaterialTheme.colorScheme.error)
                }
            }
        }
    }
}

/** The mentor's overview: each mentee, what changed since the last look, open reach-outs. */
@Composable
fun MentorOverviewScreen(vm: TandemViewModel) {
    val overview by vm.overview.collectAsStateWithLifecycle()
    val screen = overview ?: return
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        if (screen.empty) item { Text(stringResource(R.string.overview_empty)) }
        if (screen.openReachOuts > 0u) {
            item {
                val n = screen.openReachOuts.toInt()
                Text(pluralStringResource(R.plurals.open_reach_outs, n, n), style = MaterialTheme.typography.titleMedium)
            }
        }
        items(screen.mentees, key = { it.pairId }) { m ->
            Card {
                Column(Modifier.padding(16.dp)) {
                    Text(m.name ?: "…", style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
                    val c = m.changes
                    Text("New: ${c.newShared} shared, ${c.milestonesDone} milestones, ${c.notesEdited} notes, ${c.newReachOuts} reach-outs")
                    for (t in m.cleanTime) Text("${t.name}: ${t.cleanDays} days")
                    for (g in m.goals) Text("${g.title}: ${g.milestonesDone}/${g.milestones.size}")
                    for (r in m.openReachOuts) {
                        Text(r.text)
                        TextButton(onClick = { vm.acknowledge(r.id) }) { Text(stringResource(R.string.reached_out)) }
                    }
                    for (s in m.shared) Text("${s.kind}: ${s.text}", maxLines = 2)
                }
            }
        }
    }
}

private fun qr(text: String): Bitmap {
    val matrix = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 512, 512)
    val bitmap = Bitmap.createBitmap(matrix.width, matrix.height, Bitmap.Config.RGB_565)
    for (x in 0 until matrix.width) for (y in 0 until matrix.height) {
        bitmap.setPixel(x, y, if (matrix[x, y]) 0xFF000000.toInt() else 0xFFFFFFFF.toInt())
    }
    return bitmap
}
