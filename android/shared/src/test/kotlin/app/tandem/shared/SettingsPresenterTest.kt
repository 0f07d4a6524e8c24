package app.tandem.shared

import app.tandem.core.AppName
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The Settings screen's presenter against the real library: a refused
 * value changes nothing, a chosen app name sticks, syncing without a
 * server says so, the export is handed over once, and erasing leaves the
 * app locked for good.
 */
class SettingsPresenterTest {
    @Test
    fun settingsChangeExportAndEraseThroughTheScreen(): Unit = runBlocking {
        val server = testServer()
        Device().use { phone ->
            phone.tandem.init("Sam", "Europe/Berlin")
            val settings = SettingsPresenter(TandemSession(phone.tandem))
            settings.load()
            val screen = assertNotNull(settings.state.value.settings)
            assertEquals(false, settings.state.value.sync?.connected)

            settings.change { it.copy(lockAfterSecs = screen.lockAfterMaxSecs + 1u) }
            assertEquals(Problem.INVALID_INPUT, settings.state.value.problem)
            assertEquals(screen.settings, settings.state.value.settings?.settings, "nothing changed")

            settings.change { it.copy(appName = AppName.NOTES, pairActivityNotices = true) }
            assertNull(settings.state.value.problem)
            assertEquals(AppName.NOTES, settings.state.value.settings?.settings?.appName)
            assertEquals(AppName.NOTES, phone.tandem.settings().appName, "kept by the core")

            settings.syncNow()
            assertEquals(Problem.NO_SERVER, settings.state.value.problem)
            phone.tandem.connect(server)
            settings.syncNow()
            assertNull(settings.state.value.problem)
            assertEquals(true, settings.state.value.sync?.connected)

            phone.tandem.addJournal(app.tandem.core.JournalInput("kept in the export", 4, emptyList()))
            settings.export()
            val json = assertNotNull(settings.state.value.export)
            assertTrue(json.contains("kept in the export"))
            settings.exportHandedOver()
            assertNull(settings.state.value.export)

            settings.erase()
            assertNull(settings.state.value.problem, "${settings.state.value}")
            assertTrue(settings.state.value.erased)
            assertTrue(phone.tandem.isLocked(), "locked for good")
            assertFalse(settings.state.value.busy)
        }
    }
}
