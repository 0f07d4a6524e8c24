package app.tandem.shared

import app.tandem.core.CravingInput
import app.tandem.core.JournalInput
import app.tandem.core.Tandem
import app.tandem.core.TandemException
import app.tandem.core.generateStoreKey
import app.tandem.core.trustServerCa
import java.time.LocalDate
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

/** Bad input comes back as a typed exception with a message a person can read. */
class ErrorsTest {
    @Test
    fun outOfRangeValuesAreValidationErrorsWithTheirMessage() = Device().use { d ->
        val t = d.tandem
        t.init("Sam", "UTC")
        val e = assertFailsWith<TandemException.Validation> {
            t.addCraving(CravingInput("payday", 11, emptyList(), emptyList(), null, "", null))
        }
        assertContains(e.message!!, "intensity")
        assertEquals(Problem.INVALID_INPUT, Problem.of(e))
        val mood = assertFailsWith<TandemException.Validation> {
            t.addJournal(JournalInput("text", 9, emptyList()))
        }
        assertContains(mood.message!!, "mood")
        assertFailsWith<TandemException.Validation> { t.init("Sam again", "Mars/Olympus") }
        assertFailsWith<TandemException.Validation> {
            t.addCraving(CravingInput("x", 5, emptyList(), emptyList(), null, "", Long.MAX_VALUE))
        }
        // Nothing of the refused writes landed.
        assertEquals(0u, t.today().cravingsToday)
        assertEquals(0u, t.today().journalToday)
    }

    @Test
    fun aFailureThatIsNotTheCoresOwnIsStillAProblemToShow() {
        assertEquals(Problem.UNEXPECTED, Problem.of(IllegalStateException("panicked") as Exception))
        val typed: Exception = TandemException.Locked("locked")
        assertEquals(Problem.LOCKED, Problem.of(typed))
    }

    @Test
    fun aServerAuthorityThatIsNoCertificateIsRefused() {
        val e = assertFailsWith<TandemException.Validation> { trustServerCa("https://sync.example", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }
        assertContains(e.message!!, "certificate")
        assertFailsWith<TandemException.Validation> { trustServerCa("https://sync.example", "") }
    }

    @Test
    fun missingItemsAndStatesHaveTheirOwnKinds() = Device().use { d ->
        val t = d.tandem
        val notSetUp = assertFailsWith<TandemException.NotInitialized> { t.today() }
        assertContains(notSetUp.message!!, "not set up")
        t.init("Sam", "UTC")
        assertFailsWith<TandemException.AlreadyInitialized> { t.init("Sam", "UTC") }
        val missing = assertFailsWith<TandemException.NotFound> { t.journalEntry("no-such-entry") }
        assertContains(missing.message!!, "no-such-entry")
        t.lock()
        val locked = assertFailsWith<TandemException.Locked> { t.today() }
        assertEquals(Problem.LOCKED, Problem.of(locked))
        assertFailsWith<TandemException.WrongKey> { t.unlock(generateStoreKey()) }
        assertFailsWith<TandemException.Validation> { t.unlock(ByteArray(5)) }
        t.unlock(d.key)
        assertEquals(LocalDate.now(java.time.ZoneOffset.UTC), t.today().date)
    }

    @Test
    fun aWrongKeyLeavesTheStoreAsItWas() {
        val d = Device()
        d.tandem.init("Sam", "UTC")
        d.tandem.close()
        val before = java.io.File(d.path).readBytes()
        val e = assertFailsWith<TandemException.WrongKey> { Tandem.open(d.path, generateStoreKey()) }
        assertContains(e.message!!, "does not open")
        kotlin.test.assertContentEquals(before, java.io.File(d.path).readBytes())
        Tandem.open(d.path, d.key).use { assertEquals("Sam", it.person().name) }
        d.dir.toFile().deleteRecursively()
    }
}
