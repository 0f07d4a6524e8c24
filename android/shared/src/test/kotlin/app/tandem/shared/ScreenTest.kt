package app.tandem.shared

import app.tandem.core.Area
import app.tandem.core.ScreenKind
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The navigation model the Compose graph is built from. */
class ScreenTest {
    @Test
    fun aCravingIsOneTapFromTodayAndSavedWithTheSecond() {
        // One tap opens the form; its Save button is the second.
        assertEquals(1, Screen.taps(Screen.TODAY, Screen.LOG_CRAVING))
    }

    @Test
    fun everyScreenCanBeReachedFromToday() {
        for (screen in Screen.entries) {
            assertNotNull(Screen.taps(Screen.TODAY, screen), "$screen is unreachable")
        }
    }

    @Test
    fun everyCoreScreenIsDrawnSomewhere() {
        for (kind in ScreenKind.entries) {
            assertTrue(Screen.entries.any { kind in it.draws }, "$kind is drawn nowhere")
        }
    }

    @Test
    fun theCoreDecidesWhatAChangeReloads() {
        // A craving changes Today, the log and the insights; not the journal.
        val craving = listOf(Area.TODAY, Area.CRAVINGS, Area.INSIGHTS)
        assertTrue(Screen.CRAVINGS.needsReload(craving))
        assertTrue(Screen.INSIGHTS.needsReload(craving))
        assertTrue(Screen.TODAY.needsReload(craving))
        assertTrue(!Screen.JOURNAL.needsReload(craving))
        // A bare form never reloads.
        assertTrue(!Screen.LOG_CRAVING.needsReload(Area.entries))
        // Every area reloads some screen.
        for (area in Area.entries) {
            assertTrue(Screen.entries.any { it.needsReload(listOf(area)) }, "$area reloads nothing")
        }
    }
}
