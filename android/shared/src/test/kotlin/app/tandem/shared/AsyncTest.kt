package app.tandem.shared

import app.tandem.core.JournalInput
import app.tandem.core.Tandem
import app.tandem.core.TandemException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** The async (suspend) calls, from coroutines. */
class AsyncTest {
    @Test
    fun exportAndImportSuspendAndRoundTrip() = runBlocking {
        Device().use { a ->
            a.tandem.init("Sam", "Europe/Berlin")
            a.tandem.addJournal(JournalInput("kept across devices", 4, listOf("home")))
            val (json, markdown) = listOf(
                async { a.tandem.exportJson() },
                async { a.tandem.exportMarkdown() },
            ).awaitAll()
            assertContains(json, "kept across devices")
            assertContains(markdown, "kept across devices")
            Device().use { b ->
                val summary = b.tandem.importJson(json)
                assertTrue(summary.documents >= 2u)
                assertEquals(a.tandem.today(), b.tandem.today())
                assertEquals(a.tandem.journalPage(10u, null), b.tandem.journalPage(10u, null))
            }
            Device().use { c ->
                val e = assertFailsWith<TandemException.Validation> { c.tandem.importJson("{\"not\": \"an export\"}") }
                assertContains(e.message!!, "export")
            }
        }
    }

    @Test
    fun networkCallsWithoutAServerSayNoServer() = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            assertFailsWith<TandemException.NoServer> { d.tandem.pairInvite() }
            assertFailsWith<TandemException.NoServer> { d.tandem.linkCode() }
            val status = d.tandem.syncStatus()
            assertEquals(null, status.server)
        }
    }

    @Test
    fun anUnreachableServerIsANetworkErrorAndTheStatusSaysSo() = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            // Port 9 on loopback: nothing listens there.
            assertFailsWith<TandemException.Network> { d.tandem.connect("http://127.0.0.1:9") }
            Unit
        }
    }

    @Test
    fun eraseRemovesTheStoreAndLocksForGood() = runBlocking {
        val d = Device()
        d.tandem.init("Sam", "UTC")
        val report = d.tandem.erase(emptyList())
        assertTrue(report.removed.any { it.endsWith("tandem.db") })
        assertEquals(null, report.server)
        assertTrue(!java.io.File(d.path).exists())
        assertFailsWith<TandemException.Locked> { d.tandem.today() }
        d.close()
    }
}
