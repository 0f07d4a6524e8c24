package app.tandem.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.JournalInput
import app.tandem.shared.Screen

/** The journal, newest first. */
@Composable
fun JournalScreen(vm: TandemViewModel, go: (Screen) -> Unit) {
    val entries by vm.journal.collectAsStateWithLifecycle()
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item { Button(onClick = { go(Screen.JOURNAL_ENTRY) }) { Text(stringResource(R.string.write_entry)) } }
        items(entries, key = { it.id }) { e ->
            Column(Modifier.fillMaxWidth().clickable { go(Screen.JOURNAL_ENTRY) }) {
                Text(whenText(e.createdMs, e.tz), style = MaterialTheme.typography.labelMedium)
                Text(e.text, maxLines = 3)
            }
        }
    }
}

/** Write an entry, and choose whether the mentor sees it (with the copy warning). */
@Composable
fun JournalEntryScreen(vm: TandemViewModel, done: () -> Unit) {
    var text by remember { mutableStateOf("") }
    var share by remember { mutableStateOf(false) }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        OutlinedTextField(text, { text = it }, Modifier.fillMaxWidth(), minLines = 6)
        Switch(share, { share = it })
        Text(stringResource(R.string.share_with_mentor))
        if (share) Text(stringResource(R.string.shared_copy_warning), style = MaterialTheme.typography.bodySmall)
        Button(onClick = {
            vm.writeJournal(JournalInput(text, null, emptyList()), share)
            done()
        }) { Text(stringResource(R.string.save)) }
    }
}
