package app.tandem.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
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
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.JournalInput
import app.tandem.core.PairView
import app.tandem.shared.JournalPresenter
import app.tandem.shared.Screen

/** The journal, a page at a time, newest first; a tap opens an entry. */
@Composable
fun JournalScreen(p: JournalPresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Button(onClick = { p.new(); go(Screen.JOURNAL_ENTRY) }) { Text(stringResource(R.string.write_entry)) }
        val screen = state.screen ?: return@ScreenColumn
        if (screen.empty) Text(stringResource(R.string.journal_empty))
        for (row in screen.rows) {
            val e = row.entry
            Column(
                Modifier.fillMaxWidth()
                    .semantics(mergeDescendants = true) {}
                    .clickable(role = Role.Button) {
                        run {
                            p.open(e.id)
                            go(Screen.JOURNAL_ENTRY)
                        }
                    },
            ) {
                Text(whenText(e.createdMs, e.tz), style = MaterialTheme.typography.labelMedium)
                Text(e.text, maxLines = 3)
                if (row.shared) Text(stringResource(R.string.shared_badge), style = MaterialTheme.typography.labelSmall)
            }
        }
        if (screen.next != null) TextButton(onClick = { run { p.more() } }) { Text(stringResource(R.string.show_more)) }
    }
}

/**
 * One entry: a new one (shared in the same step when asked, never half
 * done), or the open one to read, edit, share or take back, or delete.
 */
@Composable
fun JournalEntryScreen(p: JournalPresenter, pairs: List<PairView>, run: Run, done: () -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    val open = state.entry
    var text by rememberSaveable(open?.id) { mutableStateOf(open?.text ?: "") }
    var share by rememberSaveable { mutableStateOf(false) }
    var pairId by rememberSaveable { mutableStateOf<String?>(null) }
    var deleting by rememberSaveable { mutableStateOf(false) }
    // Closes once the core took the entry; a refused one stays on screen with the problem.
    LaunchedEffect(state.saved) {
        if (state.saved != null) {
            p.savedShown()
            done()
        }
    }
    val canShare = state.screen?.canShare == true
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        OutlinedTextField(
            text,
            { text = it },
            Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.entry_text)) },
            minLines = 6,
        )
        if (open == null) {
            if (canShare) {
                LabeledSwitch(stringResource(R.string.share_with_mentor), share) { share = it }
                if (share) PairChoice(pairs, pairId) { pairId = it }
            }
        } else if (canShare) {
            val shared = state.entrySharedIn.isNotEmpty()
            ShareRow(shared, !state.busy, pairs, { chosen -> run { p.share(open.id, chosen) } }, { run { p.unshare(open.id) } })
        }
        Row {
            Button(onClick = {
                val input = JournalInput(text, open?.mood?.toLong(), open?.tags ?: emptyList())
                run { p.save(input, share && canShare, pairId) }
            }, enabled = !state.busy && !(open == null && share && pairs.size > 1 && pairId == null)) { Text(stringResource(R.string.save)) }
            if (open != null) TextButton(onClick = { deleting = true }) { Text(stringResource(R.string.delete)) }
        }
    }
    if (deleting && open != null) {
        AlertDialog(
            onDismissRequest = { deleting = false },
            text = { Text(stringResource(R.string.delete_entry_confirm)) },
            confirmButton = {
                TextButton(onClick = {
                    deleting = false
                    run { p.delete(open.id) }
                    done()
                }) { Text(stringResource(R.string.delete)) }
            },
            dismissButton = { TextButton(onClick = { deleting = false }) { Text(stringResource(R.string.cancel)) } },
        )
    }
}
