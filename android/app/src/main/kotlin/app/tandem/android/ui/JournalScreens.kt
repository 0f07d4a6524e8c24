package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.JournalInput
import app.tandem.core.ShareKind
import app.tandem.shared.Screen

/** The journal, newest first, a page at a time; each entry marked shared or not, as the core says. */
@Composable
fun JournalScreen(vm: TandemViewModel, go: (Screen) -> Unit) {
    val pages by vm.journal.collectAsStateWithLifecycle()
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item { Button(onClick = { go(Screen.JOURNAL_ENTRY) }) { Text(stringResource(R.string.write_entry)) } }
        if (pages.firstOrNull()?.empty == true) item { Text(stringResource(R.string.journal_empty)) }
        for (page in pages) {
            items(page.rows, key = { it.entry.id }) { row ->
                val e = row.entry
                Column(Modifier.fillMaxWidth()) {
                    Text(whenText(e.createdMs, e.tz), style = MaterialTheme.typography.labelMedium)
                    Text(e.text, maxLines = 3)
                    if (page.canShare) ShareRow(row.shared) { on -> vm.share(ShareKind.JOURNAL, e.id, on) }
                }
            }
        }
        if (pages.lastOrNull()?.next != null) {
            item { TextButton(onClick = vm::moreJournal) { Text(stringResource(R.string.show_more)) } }
        }
    }
}

/** Write an entry, and choose whether the mentor sees it (offered when the core says there is a pair). */
@Composable
fun JournalEntryScreen(vm: TandemViewModel, done: () -> Unit) {
    val pages by vm.journal.collectAsStateWithLifecycle()
    val canShare = pages.firstOrNull()?.canShare == true
    var text by rememberSaveable { mutableStateOf("") }
    var share by rememberSaveable { mutableStateOf(false) }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        OutlinedTextField(
            text,
            { text = it },
            Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.entry_text)) },
            minLines = 6,
        )
        if (canShare) ShareRow(share) { share = it }
        Button(onClick = {
            vm.writeJournal(JournalInput(text, null, emptyList()), share && canShare)
            done()
        }) { Text(stringResource(R.string.save)) }
    }
}
