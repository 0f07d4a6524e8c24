package app.tandem.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
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
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.GoalInput
import app.tandem.core.GoalStatus
import app.tandem.core.PairView
import app.tandem.shared.GoalsPresenter
import java.time.LocalDate

/**
 * Goals: why each matters, a target date, its status and milestones; a
 * goal can be shared with the mentor once the core says there is a pair.
 */
@Composable
fun GoalsScreen(p: GoalsPresenter, pairs: List<PairView>, run: Run) {
    val state by p.state.collectAsStateWithLifecycle()
    var title by rememberSaveable { mutableStateOf("") }
    var why by rememberSaveable { mutableStateOf("") }
    var weeks by rememberSaveable { mutableStateOf("") }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Heading(stringResource(R.string.new_goal))
        OutlinedTextField(title, { title = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.goal_title)) })
        OutlinedTextField(why, { why = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.goal_why)) })
        OutlinedTextField(
            weeks,
            { weeks = it.filter(Char::isDigit).take(3) },
            Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.goal_weeks)) },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
        )
        Button(onClick = {
            val target = weeks.toLongOrNull()?.let { LocalDate.now().plusWeeks(it) }
            // Cleared once saved: a refused goal stays to be fixed.
            run {
                if (p.add(GoalInput(title, why, target))) {
                    title = ""
                    why = ""
                    weeks = ""
                }
            }
        }, enabled = !state.busy && title.isNotBlank()) { Text(stringResource(R.string.add)) }

        val screen = state.screen ?: return@ScreenColumn
        if (screen.empty) Text(stringResource(R.string.goals_empty))
        for (row in screen.rows) {
            val goal = row.goal
            var milestone by rememberSaveable(goal.id) { mutableStateOf("") }
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Heading(goal.title)
                    if (goal.why.isNotEmpty()) Text(goal.why, style = MaterialTheme.typography.bodyMedium)
                    goal.target?.let { Text(stringResource(R.string.goal_target, it.toString()), style = MaterialTheme.typography.bodySmall) }
                    val total = goal.milestones.size
                    Text(pluralStringResource(R.plurals.milestones_done, total, goal.milestonesDone.toInt(), total))
                    for (m in goal.milestones) {
                        Row(
                            Modifier.fillMaxWidth().toggleable(
                                value = m.done,
                                role = Role.Checkbox,
                                onValueChange = { done -> run { p.setMilestoneDone(goal.id, m.id, done) } },
                            ),
                            verticalAlignment = Alignment.CenterVertically,
                        ) {
                            Checkbox(m.done, onCheckedChange = null)
                            Text(m.title)
                        }
                    }
                    Row(verticalAlignment = Alignment.CenterVertically) {
                        OutlinedTextField(milestone, { milestone = it }, Modifier.weight(1f), label = { Text(stringResource(R.string.milestone)) })
                        TextButton(onClick = { run { if (p.addMilestone(goal.id, milestone)) milestone = "" } }, enabled = milestone.isNotBlank()) {
                            Text(stringResource(R.string.add))
                        }
                    }
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        for (status in GoalStatus.entries) {
                            FilterChip(goal.status == status, { run { p.setStatus(goal.id, status) } }, label = { Text(stringResource(goalStatusText(status))) })
                        }
                    }
                    if (screen.canShare) ShareRow(row.shared, !state.busy, pairs, { pairId -> run { p.share(goal.id, pairId) } }, { run { p.unshare(goal.id) } })
                }
            }
        }
    }
}

private fun goalStatusText(s: GoalStatus): Int = when (s) {
    GoalStatus.ACTIVE -> R.string.goal_active
    GoalStatus.DONE -> R.string.goal_done
    GoalStatus.DROPPED -> R.string.goal_dropped
}
