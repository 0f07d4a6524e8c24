package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
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
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.ScreenKind

/**
 * Shared notes (a relapse-prevention plan, check-in notes). Both people
 * edit; the core merges their edits character by character after sync.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun NotesScreen(vm: TandemViewModel) {
    val notes by vm.notes.collectAsStateWithLifecycle()
    val pairs by vm.pairs.collectAsStateWithLifecycle()
    // Whom a new note is written with: the pairs screen's record.
    LaunchedEffect(Unit) { vm.load(ScreenKind.PAIRS) }
    val screen = notes ?: return
    var title by rememberSaveable { mutableStateOf("") }
    var pairId by rememberSaveable { mutableStateOf<String?>(null) }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(title, { title = it }, label = { Text(stringResource(R.string.new_note)) })
                Text(stringResource(R.string.note_with), style = MaterialTheme.typography.labelLarge)
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    FilterChip(
                        selected = pairId == null,
                        onClick = { pairId = null },
                        label = { Text(stringResource(R.string.note_private)) },
                    )
                    // Every pair, as the core lists it; an ended one can no longer take a note.
                    for (p in pairs?.pairs.orEmpty()) {
                        FilterChip(
                            selected = pairId == p.pairId,
                            onClick = { pairId = p.pairId },
                            enabled = !p.ended,
                            label = { Text(p.otherName ?: stringResource(R.string.your_pair)) },
                        )
                    }
                }
                Button(onClick = {
                    vm.createNote(title, pairId)
                    title = ""
                }) { Text(stringResource(R.string.save)) }
            }
        }
        if (screen.empty) item { Text(stringResource(R.string.notes_empty)) }
        items(screen.notes, key = { it.id }) { note ->
            var body by rememberSaveable(note.id, note.editedMs) { mutableStateOf(note.body) }
            Column(Modifier.fillMaxWidth()) {
                Text(note.title, style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
                OutlinedTextField(
                    body,
                    { body = it },
                    Modifier.fillMaxWidth(),
                    label = { Text(stringResource(R.string.note_text)) },
                    minLines = 4,
                )
                TextButton(onClick = { vm.editNote(note.id, body) }) { Text(stringResource(R.string.save)) }
            }
        }
    }
}
