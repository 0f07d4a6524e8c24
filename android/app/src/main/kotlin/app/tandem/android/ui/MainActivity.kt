package app.tandem.android.ui

import android.os.Bundle
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.fragment.app.FragmentActivity
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.rememberNavController
import app.tandem.android.R
import app.tandem.android.wakeup.WakeupService
import app.tandem.android.security.AppLock
import app.tandem.core.Launch
import app.tandem.core.Side
import app.tandem.shared.Presenters
import app.tandem.shared.Screen

/**
 * The one activity: it opens where the core's `launch()` says (the
 * [TandemViewModel] asks it): the app lock while the store is locked, the
 * first run until the person is set up, then the screens. Navigation
 * follows [Screen] (the model the JVM tests check): the bottom bar holds
 * [Screen.tabs], every other screen is one tap from where it is linked.
 */
class MainActivity : FragmentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // No screenshots, no screen recording, no preview in Recents.
        window.setFlags(
            android.view.WindowManager.LayoutParams.FLAG_SECURE,
            android.view.WindowManager.LayoutParams.FLAG_SECURE,
        )
        setContent {
            MaterialTheme { TandemRoot(onUnlockAsked = { unlocked -> AppLock.prompt(this@MainActivity, unlocked) }) }
        }
    }
}

/** The screen the core's [Launch] names, and the problem to show, if any. */
@Composable
private fun TandemRoot(onUnlockAsked: (onUnlocked: () -> Unit) -> Unit, vm: TandemViewModel = viewModel()) {
    val launch by vm.launch.collectAsStateWithLifecycle()
    val problem by vm.problem.collectAsStateWithLifecycle()
    val presenters by vm.presenters.collectAsStateWithLifecycle()
    val erased by vm.erased.collectAsStateWithLifecycle()
    val all = presenters
    when {
        erased -> Box(Modifier.fillMaxSize().padding(24.dp), contentAlignment = Alignment.Center) {
            Text(stringResource(R.string.erased_for_good))
        }
        all == null || launch == null -> Unit
        launch == Launch.Locked -> LockScreen(onUnlock = { onUnlockAsked(vm::unlock) })
        launch is Launch.FirstRun -> FirstRunNavHost(all, vm)
        else -> {
            // Once open and syncing with a server, ask the distributor for
            // a wake-up endpoint (nothing happens without one installed).
            val activity = androidx.compose.ui.platform.LocalContext.current as? android.app.Activity
            var registered by rememberSaveable { mutableStateOf(false) }
            LaunchedEffect(Unit) {
                if (!registered && activity != null && vm.syncsWithServer()) {
                    registered = true
                    WakeupService.register(activity)
                }
            }
            TandemNavHost(all, vm)
        }
    }
    problem?.let {
        // The store could not be opened or unlocked: say why, and try again on OK.
        val retry = { vm.dismissProblem(); vm.open() }
        AlertDialog(
            onDismissRequest = vm::dismissProblem,
            confirmButton = { TextButton(onClick = retry) { Text(stringResource(R.string.try_again)) } },
            text = { Text(stringResource(problemText(it))) },
        )
    }
}

/** Locked: the prompt opens at once, and again from the button if it was dismissed or cancelled. */
@Composable
private fun LockScreen(onUnlock: () -> Unit) {
    // Once per locking, not again when the activity is recreated.
    var prompted by rememberSaveable { mutableStateOf(false) }
    LaunchedEffect(Unit) {
        if (!prompted) {
            prompted = true
            onUnlock()
        }
    }
    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
        Button(onClick = onUnlock) { Text(stringResource(R.string.unlock)) }
    }
}

/** A fresh install: the first run, or linking this phone, or restoring it; then the core is asked again. */
@Composable
private fun FirstRunNavHost(all: Presenters, vm: TandemViewModel) {
    val nav = rememberNavController()
    NavHost(nav, startDestination = "first_run") {
        composable("first_run") {
            FirstRunScreen(all.firstRun, vm::run, onLink = { nav.navigate("link") }, onRestore = { nav.navigate("restore") }, onDone = vm::decide)
        }
        composable("link") { LinkThisDeviceScreen(all.linkThisDevice, vm::run, onDone = vm::decide, onBack = { nav.popBackStack() }) }
        composable("restore") { RestoreScreen(all.restore, vm::run, onDone = vm::decide, onBack = { nav.popBackStack() }) }
    }
}

/**
 * The app once set up: the bottom bar holds [Screen.tabs], every other
 * screen is one tap from where it is linked. Each destination renders one
 * presenter (opened, and so reloaded after changes, when shown).
 */
@Composable
private fun TandemNavHost(all: Presenters, vm: TandemViewModel) {
    val nav = rememberNavController()
    val current by nav.currentBackStackEntryAsState()
    val go: (Screen) -> Unit = { nav.navigate(it.name) { launchSingleTop = true } }
    val back: () -> Unit = { nav.popBackStack() }
    val run: Run = vm::run
    val pairState by all.pair.state.collectAsStateWithLifecycle()
    val today by all.today.state.collectAsStateWithLifecycle()
    val endPair by all.endPairFlow.collectAsStateWithLifecycle()
    // Whom to share with or write a note with: the pairs as the core lists them.
    LaunchedEffect(all) { all.open(Screen.PAIR) }
    val pairs = pairState.screen?.pairs.orEmpty().filter { !it.ended }
    val menteeOf = pairs.filter { it.side == Side.MENTEE }
    Scaffold(
        bottomBar = {
            NavigationBar {
                for (tab in Screen.tabs) {
                    NavigationBarItem(
                        selected = current?.destination?.route == tab.name,
                        onClick = { go(tab) },
                        icon = {},
                        label = { Text(stringResource(tabLabel(tab))) },
                    )
                }
            }
        },
    ) { padding ->
        NavHost(nav, startDestination = Screen.TODAY.name, modifier = Modifier.padding(padding)) {
            for (screen in Screen.entries) {
                composable(screen.name) {
                    LaunchedEffect(screen) { vm.opened(screen) }
                    when (screen) {
                        Screen.TODAY -> TodayScreen(all.today, go)
                        Screen.LOG_CRAVING -> LogCravingScreen(all.today, menteeOf, run, back)
                        Screen.CRAVINGS -> CravingsScreen(all.cravings, menteeOf, run, go)
                        Screen.CHECK_IN -> CheckInScreen(all.today, run, back)
                        Screen.INSIGHTS -> InsightsScreen(all.insights, go)
                        Screen.TRACKS -> TracksScreen(all.tracks, today.screen?.today?.date, run)
                        Screen.JOURNAL -> JournalScreen(all.journal, run, go)
                        Screen.JOURNAL_ENTRY -> JournalEntryScreen(all.journal, menteeOf, run, back)
                        Screen.GOALS -> GoalsScreen(all.goals, menteeOf, run)
                        Screen.NOTES -> NotesScreen(all.notes, pairs, run)
                        Screen.MEETINGS -> MeetingsScreen(all.meetings, run, go)
                        Screen.MEETING -> MeetingScreen(all.meetings, run)
                        Screen.MENTOR_OVERVIEW -> MentorOverviewScreen(all.overview, run)
                        Screen.REACH_OUT -> ReachOutScreen(all.reachOut, run, go)
                        Screen.PAIR -> PairsScreen(all.pair, run, go) { pairId ->
                            run {
                                all.endPair(pairId)
                                go(Screen.END_PAIR)
                            }
                        }
                        Screen.PAIR_INVITE -> PairInviteScreen(all.pairInvite, run, go)
                        Screen.PAIR_JOIN -> PairJoinScreen(all.pairJoin, run, go)
                        Screen.END_PAIR -> EndPairScreen(endPair, run, back)
                        Screen.SETTINGS -> SettingsScreen(all.settings, run, go)
                        Screen.SYNC_STATUS -> SyncStatusScreen(all.settings, run)
                        Screen.DEVICES -> DevicesScreen(all.devices, run, go)
                        Screen.LINK_DEVICE -> LinkDeviceScreen(all.linkDevice, run, go)
                        Screen.CONNECT -> ConnectScreen(all.connect, run, back)
                        Screen.EXPORT -> ExportScreen(all.export, run)
                        Screen.ERASE -> EraseScreen(all.erase, run, go, onErased = vm::erased)
                    }
                }
            }
        }
    }
}

private fun tabLabel(tab: Screen): Int = when (tab) {
    Screen.TODAY -> R.string.tab_today
    Screen.JOURNAL -> R.string.tab_journal
    Screen.GOALS -> R.string.tab_goals
    Screen.NOTES -> R.string.tab_notes
    else -> R.string.tab_settings
}
