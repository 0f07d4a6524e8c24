package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
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
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R

/**
 * Shared notes (a relapse-prevention plan, check-in notes). Both people
 * edit; the core merges their edits character by character after sync.
 */
@Composable
fun NotesScreen(vm: TandemViewModel) {
    val notes by vm.notes.collectAsStateWithLifecycle()
    val pairs by vm.pairs.collectAsStateWithLifecycle()
    var title by remember { mutableStateOf("") }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Row {
                OutlinedTextField(title, { title = it }, label = { Text("New note") })
                Button(onClick = {
                    vm.createNote(title, pairs.firstOrNull { !it.ended }?.pairId)
                    title = ""
                }) { Text(stringResource(R.string.save)) }
            }
        }
        items(notes, key = { it.id }) { note ->
            var body by remember(note.id, note.editedMs) { mutableStateOf(note.body) }
            Column(Modifier.fillMaxWidth()) {
                Text(note.title, style = MaterialTheme.typography.titleMedium)
                OutlinedTextField(body, { body = it }, Modifier.fillMaxWidth(), minLines = 4)
                TextButton(onClick = { vm.editNote(note.id, body) }) { Text(stringResource(R.string.save)) }
            }
        }
    }
}
