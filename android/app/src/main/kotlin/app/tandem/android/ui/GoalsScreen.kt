package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.GoalInput
import app.tandem.core.ShareKind

/** Goals and their milestones; a goal can be shared with the mentor once the core says there is a pair. */
@Composable
fun GoalsScreen(vm: TandemViewModel) {
    val goals by vm.goals.collectAsStateWithLifecycle()
    val screen = goals ?: return
    var title by rememberSaveable { mutableStateOf("") }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Row {
                OutlinedTextField(title, { title = it }, label = { Text(stringResource(R.string.new_goal)) })
                Button(onClick = { vm.addGoal(GoalInput(title, "", null)); title = "" }) { Text(stringResource(R.string.save)) }
            }
        }
        if (screen.empty) item { Text(stringResource(R.string.goals_empty)) }
        items(screen.rows, key = { it.goal.id }) { row ->
            val goal = row.goal
            var milestone by rememberSaveable(goal.id) { mutableStateOf("") }
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp)) {
                    Text(goal.title, style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
                    Text("${goal.milestonesDone} of ${goal.milestones.size} milestones")
                    for (m in goal.milestones) {
                        Row(
                            Modifier.toggleable(
                                value = m.done,
                                role = Role.Checkbox,
                                onValueChange = { done -> vm.setMilestoneDone(goal.id, m.id, done) },
                            ),
                            verticalAlignment = Alignment.CenterVertically,
                        ) {
                            Checkbox(m.done, onCheckedChange = null)
                            Text(m.title)
                        }
                    }
                    Row {
                        OutlinedTextField(milestone, { milestone = it }, label = { Text(stringResource(R.string.milestone)) })
                        TextButton(onClick = { vm.addMilestone(goal.id, milestone); milestone = "" }) {
                            Text(stringResource(R.string.add))
                        }
                    }
                    if (screen.canShare) ShareRow(row.shared) { on -> vm.share(ShareKind.GOAL, goal.id, on) }
                }
            }
        }
    }
}
