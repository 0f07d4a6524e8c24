package app.tandem.shared

import app.tandem.core.Area
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
    fun everyAreaIsShownSomewhere() {
        for (area in Area.entries) {
            assertTrue(Screen.entries.any { area in it.shows }, "$area is shown nowhere")
        }
    }
}
