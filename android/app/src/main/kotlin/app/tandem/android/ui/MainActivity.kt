package app.tandem.android.ui

import android.os.Bundle
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
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
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
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
import app.tandem.android.TandemApplication
import app.tandem.android.security.AppLock
import app.tandem.shared.Screen
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * The one activity: the app lock first, then the screens. Navigation
 * follows [Screen] (the model the JVM tests check): the bottom bar holds
 * [Screen.tabs], every other screen is one tap from where it is linked.
 */
class MainActivity : FragmentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as TandemApplication
        setContent {
            MaterialTheme {
                var locked by remember { mutableStateOf(true) }
                val scope = rememberCoroutineScope()
                LaunchedEffect(locked) {
                    if (locked) AppLock.prompt(this@MainActivity) {
                        scope.launch {
                            // Opening the store reads the disk: off the main thread.
                            withContext(Dispatchers.IO) { app.session.tandem.unlock(app.keys.storeKey()) }
                            locked = false
                        }
                    }
                }
                if (!locked) TandemNavHost()
            }
        }
    }
}

@Composable
private fun TandemNavHost(vm: TandemViewModel = viewModel()) {
    val nav = rememberNavController()
    val current by nav.currentBackStackEntryAsState()
    val problem by vm.problem.collectAsStateWithLifecycle()
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
                    LaunchedEffect(screen) { vm.load(screen) }
                    when (screen) {
                        Screen.TODAY -> TodayScreen(vm, go)
                        Screen.LOG_CRAVING -> LogCravingScreen(vm) { nav.popBackStack() }
                        Screen.CRAVINGS -> CravingsScreen(vm, go)
                        Screen.CHECK_IN -> CheckInScreen(vm) { nav.popBackStack() }
                        Screen.INSIGHTS -> InsightsScreen(vm)
                        Screen.JOURNAL -> JournalScreen(vm, go)
                        Screen.JOURNAL_ENTRY -> JournalEntryScreen(vm) { nav.popBackStack() }
                        Screen.GOALS -> GoalsScreen(vm)
                        Screen.NOTES -> NotesScreen(vm)
                        Screen.MENTOR_OVERVIEW -> MentorOverviewScreen(vm)
                        Screen.PAIR -> PairScreen(vm)
                        Screen.SETTINGS -> SettingsScreen(vm, go)
                    }
                }
            }
        }
    }
    problem?.let {
        AlertDialog(
            onDismissRequest = vm::dismissProblem,
            confirmButton = { TextButton(onClick = vm::dismissProblem) { Text("OK") } },
            text = { Text(stringResource(problemText(it))) },
        )
    }
}

private fun tabLabel(tab: Screen): Int = when (tab) {
    Screen.TODAY -> R.string.tab_today
    Screen.JOURNAL -> R.string.tab_journal
    Screen.GOALS -> R.string.tab_goals
    Screen.NOTES -> R.string.tab_notes
    else -> R.string.tab_settings
}
