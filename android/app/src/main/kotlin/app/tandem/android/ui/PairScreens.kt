package app.tandem.android.ui

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
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
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import app.tandem.android.R
import app.tandem.core.EndPairConsequence
import app.tandem.core.EndPairStep
import app.tandem.core.PairInviteStep
import app.tandem.core.PairJoinStep
import app.tandem.core.PairView
import app.tandem.core.ReachOutStep
import app.tandem.core.Side
import app.tandem.shared.EndPairPresenter
import app.tandem.shared.MentorOverviewPresenter
import app.tandem.shared.PairInvitePresenter
import app.tandem.shared.PairJoinPresenter
import app.tandem.shared.PairPresenter
import app.tandem.shared.ReachOutPresenter
import app.tandem.shared.Screen
import com.journeyapps.barcodescanner.ScanContract

/**
 * Pairs: each pair with the other person's name, the safety code to
 * compare, and warnings the core raises (an identity that changed, a
 * member nobody admitted); invite a mentor, join a mentee, end a pair.
 */
@Composable
fun PairsScreen(p: PairPresenter, run: Run, go: (Screen) -> Unit, onEnd: (String) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.pair_title))
        val screen = state.screen ?: return@ScreenColumn
        if (!screen.canPair) {
            Text(stringResource(R.string.pair_needs_sync))
            OutlinedButton(onClick = { go(Screen.CONNECT) }) { Text(stringResource(R.string.connect)) }
        } else {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { go(Screen.PAIR_INVITE) }) { Text(stringResource(R.string.pair_invite)) }
                OutlinedButton(onClick = { go(Screen.PAIR_JOIN) }) { Text(stringResource(R.string.join)) }
            }
        }
        if (screen.empty) Text(stringResource(R.string.pairs_empty))
        for (pair in screen.pairs) PairCard(pair, state.busy, run, p, onEnd)
    }
}

@Composable
private fun PairCard(pair: PairView, busy: Boolean, run: Run, p: PairPresenter, onEnd: (String) -> Unit) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            val who = pair.otherName ?: stringResource(R.string.your_pair)
            Heading(stringResource(if (pair.side == Side.MENTEE) R.string.pair_your_mentor else R.string.pair_your_mentee, who))
            if (pair.ended) Text(stringResource(R.string.pair_ended))
            pair.safetyCode?.let { Text(stringResource(R.string.pair_safety_code, it), style = MaterialTheme.typography.bodySmall) }
            if (pair.identityMismatch) {
                Text(stringResource(R.string.pair_identity_mismatch), color = MaterialTheme.colorScheme.error)
                pair.pendingSafetyCode?.let { code ->
                    Text(stringResource(R.string.pair_compare_code, code))
                    TextButton(onClick = { run { p.confirmIdentity(pair.pairId, code) } }, enabled = !busy) {
                        Text(stringResource(R.string.pair_codes_match))
                    }
                }
            }
            if (pair.unadmittedMembers > 0u) {
                Text(stringResource(R.string.pair_unadmitted_members), color = MaterialTheme.colorScheme.error)
            }
            if (!pair.ended) TextButton(onClick = { onEnd(pair.pairId) }) { Text(stringResource(R.string.pair_end)) }
        }
    }
}

/** The mentee's invite: a QR code and the text, good once; then a look whether the mentor joined. */
@Composable
fun PairInviteScreen(p: PairInvitePresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    StartOnce(p, run)
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.pair_invite))
        when (val s = state.step) {
            null -> Unit
            PairInviteStep.NeedsServer -> {
                Text(stringResource(R.string.pair_needs_sync))
                OutlinedButton(onClick = { go(Screen.CONNECT) }) { Text(stringResource(R.string.connect)) }
            }
            PairInviteStep.Ready -> {
                Text(stringResource(R.string.pair_invite_why))
                Button(onClick = { run { p.invite() } }, enabled = !state.busy) { Text(stringResource(R.string.pair_make_invite)) }
            }
            is PairInviteStep.ShowingCode -> {
                ShownCodeCard(s.v1, stringResource(R.string.invite_qr))
                Text(stringResource(R.string.pair_invite_once))
                OutlinedButton(onClick = { run { p.check() } }, enabled = !state.busy) { Text(stringResource(R.string.pair_check_joined)) }
            }
            is PairInviteStep.Joined -> Text(stringResource(R.string.pair_joined, s.pair.otherName ?: stringResource(R.string.your_pair)))
        }
    }
}

/** The mentor joins with the mentee's invite, scanned or typed. */
@Composable
fun PairJoinScreen(p: PairJoinPresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    StartOnce(p, run)
    var typed by rememberSaveable { mutableStateOf("") }
    val scan = rememberLauncherForActivityResult(ScanContract()) { result -> result.contents?.let { code -> run { p.join(code) } } }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.join))
        when (val s = state.step) {
            null -> Unit
            PairJoinStep.NeedsServer -> {
                Text(stringResource(R.string.pair_needs_sync))
                OutlinedButton(onClick = { go(Screen.CONNECT) }) { Text(stringResource(R.string.connect)) }
            }
            PairJoinStep.EnterCode -> {
                OutlinedButton(onClick = { scan.launch(qrScan()) }) { Text(stringResource(R.string.pair_scan)) }
                SecretField(typed, { typed = it }, stringResource(R.string.invite_code))
                Button(onClick = { run { p.join(typed) } }, enabled = !state.busy) { Text(stringResource(R.string.join)) }
            }
            is PairJoinStep.Joined -> Text(stringResource(R.string.pair_joined, s.pair.otherName ?: stringResource(R.string.your_pair)))
        }
    }
}

/** Ending a pair: what it does, in the core's words, then the person confirms. */
@Composable
fun EndPairScreen(p: EndPairPresenter?, run: Run, done: () -> Unit) {
    if (p == null) return
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        when (val s = state.step) {
            null -> Unit
            is EndPairStep.Confirm -> {
                Title(stringResource(R.string.pair_end_title, s.pair.otherName ?: stringResource(R.string.your_pair)))
                for (c in s.consequences) Text("• " + endPairText(c))
                Button(onClick = { run { p.confirm() } }, enabled = !state.busy) { Text(stringResource(R.string.pair_end)) }
                TextButton(onClick = done) { Text(stringResource(R.string.cancel)) }
            }
            is EndPairStep.Ended -> {
                Text(stringResource(R.string.pair_ended))
                Button(onClick = done) { Text(stringResource(R.string.ok)) }
            }
        }
    }
}

@Composable
private fun endPairText(c: EndPairConsequence): String = when (c) {
    is EndPairConsequence.OtherPhoneKeepsSharedCopies ->
        pluralStringResource(R.plurals.end_other_keeps, c.items.toInt(), c.items.toInt())
    is EndPairConsequence.ThisPhoneKeepsSharedCopies ->
        pluralStringResource(R.plurals.end_this_keeps, c.items.toInt(), c.items.toInt())
    EndPairConsequence.OwnEntriesStay -> stringResource(R.string.end_own_entries_stay)
    EndPairConsequence.SyncStops -> stringResource(R.string.end_sync_stops)
    EndPairConsequence.ReachOutsStop -> stringResource(R.string.end_reach_outs_stop)
    EndPairConsequence.OtherSideSeesItEnded -> stringResource(R.string.end_other_sees)
}

/** The mentee asks their mentor to reach out: a few optional words, to one of their mentors. */
@Composable
fun ReachOutScreen(p: ReachOutPresenter, run: Run, go: (Screen) -> Unit) {
    val state by p.state.collectAsStateWithLifecycle()
    var started by rememberSaveable { mutableStateOf(false) }
    LaunchedEffect(p) {
        if (!started) {
            started = true
            run { p.start() }
        }
    }
    var text by rememberSaveable { mutableStateOf("") }
    var pairId by rememberSaveable { mutableStateOf<String?>(null) }
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        Title(stringResource(R.string.reach_out))
        when (val s = state.step) {
            null -> Unit
            ReachOutStep.NoMentor -> {
                Text(stringResource(R.string.reach_out_no_mentor))
                OutlinedButton(onClick = { go(Screen.PAIR_INVITE) }) { Text(stringResource(R.string.pair_invite)) }
            }
            is ReachOutStep.Compose -> {
                OutlinedTextField(
                    text,
                    { text = it.take(s.textMax.toInt()) },
                    Modifier.fillMaxWidth(),
                    label = { Text(stringResource(R.string.reach_out_words)) },
                    minLines = 2,
                )
                if (s.pairs.size > 1) {
                    for (pair in s.pairs) {
                        FilterChip(pairId == pair.pairId, { pairId = pair.pairId }, label = { Text(pair.otherName ?: stringResource(R.string.your_pair)) })
                    }
                }
                Button(onClick = { run { p.send(text, pairId) } }, enabled = !state.busy) { Text(stringResource(R.string.reach_out_send)) }
            }
            is ReachOutStep.Sent -> Text(stringResource(if (s.delivered) R.string.reach_out_sent else R.string.reach_out_queued))
        }
    }
}

/** The mentor's overview: each mentee, what changed since the last look, open reach-outs to acknowledge. */
@Composable
fun MentorOverviewScreen(p: MentorOverviewPresenter, run: Run) {
    val state by p.state.collectAsStateWithLifecycle()
    ScreenColumn(state.busy, state.problem, p::problemSeen) {
        val screen = state.screen ?: return@ScreenColumn
        if (screen.empty) Text(stringResource(R.string.overview_empty))
        if (screen.openReachOuts > 0u) {
            val n = screen.openReachOuts.toInt()
            Heading(pluralStringResource(R.plurals.open_reach_outs, n, n))
        }
        for (m in screen.mentees) {
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Heading(m.name ?: stringResource(R.string.your_pair))
                    val c = m.changes
                    Text(stringResource(R.string.overview_changes, c.newShared.toInt(), c.milestonesDone.toInt(), c.notesEdited.toInt(), c.newReachOuts.toInt()))
                    for (t in m.cleanTime) Text(t.name + ": " + pluralStringResource(R.plurals.clean_days, t.cleanDays.toInt(), t.cleanDays.toInt()))
                    for (g in m.goals) Text(stringResource(R.string.overview_goal, g.title, g.milestonesDone.toInt(), g.milestones.size))
                    for (r in m.openReachOuts) {
                        Text(r.text.ifEmpty { stringResource(R.string.reach_out_no_words) })
                        TextButton(onClick = { run { p.acknowledge(r.id) } }, enabled = !state.busy) { Text(stringResource(R.string.reached_out)) }
                    }
                    for (s in m.shared) Text(s.text, maxLines = 2)
                }
            }
        }
    }
}
