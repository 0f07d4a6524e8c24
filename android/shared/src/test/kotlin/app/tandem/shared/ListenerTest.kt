package app.tandem.shared

import app.tandem.core.Area
import app.tandem.core.ChangeListener
import app.tandem.core.CravingInput
import app.tandem.core.JournalInput
import app.tandem.core.Settings
import app.tandem.core.AppName
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.coroutines.yield
import java.util.Collections
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The core tells the shell what changed, through a Kotlin listener. */
class ListenerTest {
    private class Recorder : ChangeListener {
        val calls: MutableList<List<Area>> = Collections.synchronizedList(mutableListOf())
        override fun changed(areas: List<Area>) {
            calls += areas
        }
    }

    @Test
    fun eachWriteReportsTheAreasItChanged() = Device().use { d ->
        val t = d.tandem
        val heard = Recorder()
        t.setListener(heard)
        t.init("Sam", "UTC")
        assertEquals(listOf(listOf(Area.TODAY)), heard.calls)
        heard.calls.clear()

        t.addJournal(JournalInput("hello", null, emptyList()))
        assertEquals(listOf(listOf(Area.TODAY, Area.JOURNAL)), heard.calls)
        heard.calls.clear()

        t.addCraving(CravingInput("payday", 5, emptyList(), emptyList(), null, "", null))
        assertEquals(listOf(listOf(Area.TODAY, Area.CRAVINGS, Area.INSIGHTS)), heard.calls)
        heard.calls.clear()

        t.setSettings(Settings(0u, AppName.NOTES, null))
        assertEquals(listOf(listOf(Area.SETTINGS)), heard.calls)
        heard.calls.clear()

        // Reads change nothing and say nothing.
        t.today()
        t.journalPage(10u, null)
        assertTrue(heard.calls.isEmpty())

        // A refused write changes nothing either.
        runCatching { t.addJournal(JournalInput("", null, emptyList())) }
        assertTrue(heard.calls.isEmpty())

        t.setListener(null)
        t.addJournal(JournalInput("unheard", null, emptyList()))
        assertTrue(heard.calls.isEmpty())
    }

    @Test
    fun theListenerMayCallBackIn() = Device().use { d ->
        val t = d.tandem
        t.init("Sam", "UTC")
        val seen = mutableListOf<UInt>()
        t.setListener(object : ChangeListener {
            override fun changed(areas: List<Area>) {
                if (Area.TODAY in areas) seen += t.today().journalToday
            }
        })
        t.addJournal(JournalInput("one", null, emptyList()))
        t.addJournal(JournalInput("two", null, emptyList()))
        assertEquals(listOf(1u, 2u), seen)
    }

    @Test
    fun aSessionTurnsNoticesIntoAFlow() = Device().use { d ->
        val session = TandemSession(d.tandem)
        runBlocking {
            session.call { it.init("Sam", "UTC") }
            val next = async { withTimeoutOrNull(5_000) { session.changed.first() } }
            yield()
            val entry = session.call { it.addJournal(JournalInput("from a coroutine", 3, emptyList())) }
            val areas = assertNotNull(next.await(), "no change notice within 5 s")
            assertTrue(Screen.JOURNAL.needsReload(areas))
            assertTrue(Screen.TODAY.needsReload(areas))
            assertTrue(!Screen.GOALS.needsReload(areas))
            assertEquals(entry, session.call { it.journalEntry(entry.id) })
        }
    }
}
