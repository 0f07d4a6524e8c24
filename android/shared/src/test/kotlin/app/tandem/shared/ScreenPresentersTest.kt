package app.tandem.shared

import app.tandem.core.CheckInInput
import app.tandem.core.CravingInput
import app.tandem.core.FirstRunStep
import app.tandem.core.ReachOutStep
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * One test per screen presenter against the real library: what each
 * shows, what each event changes, and a failure shown as a problem in the
 * state (never an exception, never a busy screen left behind).
 */
class ScreenPresentersTest {
    @Test
    fun firstRunWithoutAServerEndsOnToday(): Unit = runBlocking {
        Device().use { d ->
            val p = FirstRunPresenter(TandemSession(d.tandem))
            p.connect("https://example.invalid")
            assertEquals(Problem.UNEXPECTED, p.state.value.problem, "not started: a fault, shown")
            p.start()
            p.profile("  Sam ", "UTC")
            p.firstTrack(null)
            assertIs<FirstRunStep.SyncChoice>(p.state.value.step)
            p.notNow()
            assertIs<FirstRunStep.Done>(p.state.value.step)
            assertEquals("Sam", d.tandem.person().name, "the name is trimmed")
        }
    }

    @Test
    fun todayLogsACravingAndTheCheckIn(): Unit = runBlocking {
        Device().use { d ->
            val p = TodayPresenter(TandemSession(d.tandem))
            p.load()
            assertEquals(Problem.NOT_SET_UP, p.state.value.problem)
            d.tandem.init("Sam", "UTC")
            p.logCraving(CravingInput("payday", 42, emptyList(), emptyList(), null, "", null))
            assertEquals(Problem.INVALID_INPUT, p.state.value.problem, "strength is 1 to 10")
            assertNull(p.state.value.logged)
            p.logCraving(CravingInput("payday", 6, emptyList(), emptyList(), null, "", null))
            assertNotNull(p.state.value.logged)
            p.loggedShown()
            assertNull(p.state.value.logged)
            p.logCraving(CravingInput("party", 4, emptyList(), emptyList(), null, "", null), share = true)
            assertEquals(Problem.NOT_FOUND, p.state.value.problem, "no pair to share into: nothing written")
            assertEquals(1u, p.state.value.screen!!.today.cravingsToday)
            p.checkIn(CheckInInput(4, 2, false, "ok"))
            assertNull(p.state.value.problem)
            assertEquals(4.toUByte(), p.state.value.screen!!.today.checkin!!.mood)
            assertTrue(!p.state.value.busy)
        }
    }

    @Test
    fun theCravingLogPagesAndCannotShareWithoutAPair(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            repeat(60) { d.tandem.addCraving(CravingInput("t$it", 5, emptyList(), emptyList(), null, "", null)) }
            val p = CravingsPresenter(TandemSession(d.tandem))
            p.load()
            val first = p.state.value.screen!!
            assertTrue(first.rows.size < 60 && first.next != null, "${first.rows.size}")
            while (p.state.value.screen!!.next != null) p.more()
            assertEquals(60, p.state.value.screen!!.rows.map { it.craving.id }.toSet().size)
            assertTrue(!p.state.value.screen!!.canShare)
            p.share(first.rows.first().craving.id)
            assertEquals(Problem.NOT_FOUND, p.state.value.problem)
        }
    }

    @Test
    fun reachingOutWithoutAMentorSaysSo(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            val p = ReachOutPresenter(TandemSession(d.tandem))
            p.start()
            assertIs<ReachOutStep.NoMentor>(p.state.value.step)
            p.send("hello")
            assertNotNull(p.state.value.problem)
            assertIs<ReachOutStep.NoMentor>(p.state.value.step)
        }
    }

    @Test
    fun aMentorWithNoMenteesSeesAnEmptyOverview(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Alex", "UTC")
            val p = MentorOverviewPresenter(TandemSession(d.tandem))
            p.load()
            assertTrue(p.state.value.screen!!.empty)
            p.acknowledge("0123456789abcdef0123456789abcdef")
            assertNotNull(p.state.value.problem)
        }
    }

    @Test
    fun notesAreMadeAndEditedInPlace(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            val p = NotesPresenter(TandemSession(d.tandem))
            p.load()
            assertTrue(p.state.value.screen!!.empty)
            assertFalse(
                p.create("Plan", "Call Alex.", "0123456789abcdef0123456789abcdef"),
                "refused: the form keeps what was typed",
            )
            assertEquals(Problem.NOT_FOUND, p.state.value.problem, "no such pair: nothing made")
            assertNull(p.state.value.created)
            assertTrue(p.create("  Plan ", "Call Alex."), "saved: the form may clear")
            val id = assertNotNull(p.state.value.created, "a note of the person's own")
            p.createdShown()
            p.edit(id, "Call Alex.\nLeave the party.")
            val note = p.state.value.screen!!.notes.single()
            assertEquals("Plan", note.title)
            assertEquals("Call Alex.\nLeave the party.", note.body)
            p.edit("0123456789abcdef0123456789abcdef", "x")
            assertEquals(Problem.NOT_FOUND, p.state.value.problem)
        }
    }
}
