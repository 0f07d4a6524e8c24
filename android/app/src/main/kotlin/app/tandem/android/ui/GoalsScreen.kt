package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
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
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.GoalInput
import app.tandem.core.ShareKind

/** Goals and their milestones; a goal can be shared with the mentor. */
@Composable
fun GoalsScreen(vm: TandemViewModel) {
    val goals by vm.goals.collectAsStateWithLifecycle()
    var title by remember { mutableStateOf("") }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Row {
                OutlinedTextField(title, { title = it }, label = { Text("New goal") })
                Button(onClick = { vm.addGoal(GoalInput(title, "", null)); title = "" }) { Text(stringResource(R.string.save)) }
            }
        }
        items(goals, key = { it.id }) { goal ->
            var milestone by remember(goal.id) { mutableStateOf("") }
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp)) {
                    Text(goal.title, style = MaterialTheme.typography.titleMedium)
                    Text("${goal.milestonesDone} of ${goal.milestones.size} milestones")
                    for (m in goal.milestones) {
                        Row {
                            Checkbox(m.done, { done -> vm.setMilestoneDone(goal.id, m.id, done) })
                            Text(m.title)
                        }
                    }
                    Row {
                        OutlinedTextField(milestone, { milestone = it }, label = { Text("Milestone") })
                        TextButton(onClick = { vm.addMilestone(goal.id, milestone); milestone = "" }) { Text("Add") }
                    }
                    TextButton(onClick = { vm.share(ShareKind.GOAL, goal.id, true) }) {
                        Text(stringResource(R.string.share_with_mentor))
                    }
                    Text(stringResource(R.string.shared_copy_warning), style = MaterialTheme.typography.bodySmall)
                }
            }
        }
    }
}
