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
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
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
    when (launch) {
        null -> Unit
        Launch.Locked -> LockScreen(onUnlock = { onUnlockAsked(vm::unlock) })
        is Launch.FirstRun -> FirstRunScreen(vm)
        Launch.Today -> {
            // Once open and syncing with a server, ask the distributor for
            // a wake-up endpoint (nothing happens without one installed).
            val activity = androidx.compose.ui.platform.LocalContext.current as? android.app.Activity
            LaunchedEffect(Unit) {
                if (activity != null && vm.syncsWithServer()) WakeupService.register(activity)
            }
            TandemNavHost(vm)
        }
    }
    problem?.let {
        AlertDialog(
            onDismissRequest = vm::dismissProblem,
            confirmButton = { TextButton(onClick = vm::dismissProblem) { Text(stringResource(R.string.ok)) } },
            text = { Text(stringResource(problemText(it))) },
        )
    }
}

/** Locked: the prompt opens at once, and again from the button if it was dismissed. */
@Composable
private fun LockScreen(onUnlock: () -> Unit) {
    LaunchedEffect(Unit) { onUnlock() }
    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
        Button(onClick = onUnlock) { Text(stringResource(R.string.unlock)) }
    }
}

@Composable
private fun TandemNavHost(vm: TandemViewModel) {
    val nav = rememberNavController()
    val current by nav.currentBackStackEntryAsState()
    val go: (Screen) -> Unit = { nav.navigate(it.name) { launchSingleTop = true } }
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
                    LaunchedEffect(screen) { vm.show(screen) }
                    when (screen) {
                        Screen.TODAY -> TodayScreen(vm, go)
                        Screen.LOG_CRAVING -> LogCravingScreen(vm) { nav.popBackStack() }
                        Screen.CRAVINGS -> CravingsScreen(vm, go)
                        Screen.CHECK_IN -> CheckInScreen(vm) { nav.popBackStack() }
                        Screen.INSIGHTS -> InsightsScreen(vm, go)
                        Screen.JOURNAL -> JournalScreen(vm, go)
                        Screen.JOURNAL_ENTRY -> JournalEntryScreen(vm) { nav.popBackStack() }
                        Screen.GOALS -> GoalsScreen(vm)
                        Screen.NOTES -> NotesScreen(vm)
                        Screen.MEETINGS -> MeetingsScreen(vm)
                        Screen.MENTOR_OVERVIEW -> MentorOverviewScreen(vm)
                        Screen.PAIR -> PairScreen(vm)
                        Screen.SETTINGS -> SettingsScreen(vm, go)
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
