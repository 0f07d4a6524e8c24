package app.tandem.shared

import app.tandem.core.CravingInput
import app.tandem.core.JournalInput
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.flow.first
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull

/**
 * The presenters of one session follow the core's change notices: a
 * screen that was opened reloads after a write that makes it stale, one
 * never opened stays unread.
 */
class PresentersTest {
    @Test
    fun anOpenedScreenReloadsAfterAChangeAndAnUnopenedOneStaysUnread(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            val all = Presenters(TandemSession(d.tandem))
            all.open(Screen.JOURNAL)
            all.open(Screen.TODAY)
            val following = launch { all.follow() }
            // The follower is listening before the writes below.
            kotlinx.coroutines.yield()
            d.tandem.addJournal(JournalInput("written elsewhere", null, emptyList()))
            d.tandem.addCraving(CravingInput("payday", 6, emptyList(), emptyList(), null, "", null))
            withTimeout(10_000) {
                all.journal.state.first { s -> s.screen?.rows?.size == 1 }
                all.today.state.first { s -> s.screen?.today?.cravingsToday == 1u }
            }
            assertEquals("written elsewhere", all.journal.state.value.screen!!.rows.single().entry.text)
            assertNull(all.cravings.state.value.screen, "never opened: never read")
            all.open(Screen.CRAVINGS)
            assertEquals(1, all.cravings.state.value.screen!!.rows.size)
            following.cancel()
            all.close()
        }
    }

    @Test
    fun endingAPairThatDoesNotExistIsShownNotThrown(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            val all = Presenters(TandemSession(d.tandem))
            val end = all.endPair("f".repeat(32))
            assertEquals(Problem.NOT_FOUND, end.state.value.problem)
            assertEquals(end, all.endPairFlow.value)
            all.close()
        }
    }
}
