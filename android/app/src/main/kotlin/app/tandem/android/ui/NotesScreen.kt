package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
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
import app.tandem.core.PairView
import app.tandem.shared.NotesPresenter

/**
 * Shared notes (a relapse-prevention plan, check-in notes): written with
 * one pair, chosen here (never the first one by default), or kept private.
 * Both people's edits merge.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun NotesScreen(p: NotesPresenter, pairs: List<PairView>, run: Run) {
    val state by p.state.collectAsStateWithLifecycle()
    var title by rememberSaveable { mutableStateOf("") }
    var body by rememberSaveable { mutableStateOf("") }
    var pairId by rememberSaveable { mutableStateOf<String?>(null) }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Heading(stringResource(R.string.new_note))
        OutlinedTextField(title, { title = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.note_title)) })
        OutlinedTextField(body, { body = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.note_text)) }, minLines = 3)
        Text(stringResource(R.string.note_with), style = MaterialTheme.typography.labelLarge)
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            FilterChip(pairId == null, { pairId = null }, label = { Text(stringResource(R.string.note_private)) })
            // Every live pair, as the core lists it; an ended one can no longer take a note.
            for (pair in pairs.filter { !it.ended }) {
                FilterChip(pairId == pair.pairId, { pairId = pair.pairId }, label = { Text(pair.otherName ?: stringResource(R.string.your_pair)) })
            }
        }
        Button(onClick = {
            // Cleared once saved: a refused note stays to be fixed.
            run {
                if (p.create(title, body, pairId)) {
                    title = ""
                    body = ""
                }
            }
        }, enabled = !state.busy && title.isNotBlank()) { Text(stringResource(R.string.save)) }

        val screen = state.screen ?: return@ScreenColumn
        if (screen.empty) Text(stringResource(R.string.notes_empty))
        for (note in screen.notes) {
            var edited by rememberSaveable(note.id, note.editedMs) { mutableStateOf(note.body) }
            Column(Modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Heading(note.title)
                OutlinedTextField(edited, { edited = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.note_text)) }, minLines = 4)
                TextButton(onClick = { run { p.edit(note.id, edited) } }, enabled = edited != note.body) { Text(stringResource(R.string.save)) }
            }
        }
    }
}
