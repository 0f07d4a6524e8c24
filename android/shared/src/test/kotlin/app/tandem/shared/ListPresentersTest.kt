package app.tandem.shared

import app.tandem.core.CravingInput
import app.tandem.core.GoalInput
import app.tandem.core.GoalStatus
import app.tandem.core.JournalInput
import app.tandem.core.MarkAs
import app.tandem.core.MeetingKind
import app.tandem.core.Recurrence
import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The presenters of the journal, goals, insights, tracks and meetings
 * against the real library: what each shows, what each event changes, and
 * a refused event shown as a problem with nothing changed.
 */
class ListPresentersTest {
    private fun today(): LocalDate = LocalDate.now(java.time.ZoneOffset.UTC)

    @Test
    fun theJournalWritesEditsPagesAndDeletes(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            val p = JournalPresenter(TandemSession(d.tandem))
            p.load()
            assertTrue(p.state.value.screen!!.empty)
            p.new()
            p.save(JournalInput("", null, emptyList()))
            assertEquals(Problem.INVALID_INPUT, p.state.value.problem, "an empty entry is refused")
            assertNull(p.state.value.saved)
            p.save(JournalInput("first meeting", 4, listOf("meeting")), share = true)
            assertEquals(Problem.NOT_FOUND, p.state.value.problem, "no pair: nothing written")
            assertTrue(p.state.value.screen!!.empty)
            p.save(JournalInput("first meeting", 4, listOf("meeting")))
            val id = assertNotNull(p.state.value.saved)
            assertEquals("first meeting", p.state.value.entry!!.text)
            p.savedShown()
            // Saving the open entry edits it, and the list shows the edit.
            p.save(JournalInput("first meeting, went well", 4, listOf("meeting")))
            assertEquals(id, p.state.value.saved)
            assertEquals(listOf("first meeting, went well"), p.state.value.screen!!.rows.map { it.entry.text })
            repeat(60) { d.tandem.addJournal(JournalInput("day $it", null, emptyList())) }
            p.load()
            val first = p.state.value.screen!!.rows.size
            assertTrue(first < 61 && p.state.value.screen!!.next != null, "$first")
            while (p.state.value.screen!!.next != null) p.more()
            assertEquals(61, p.state.value.screen!!.rows.map { it.entry.id }.toSet().size)
            p.share(id)
            assertEquals(Problem.NOT_FOUND, p.state.value.problem)
            p.delete(id)
            assertNull(p.state.value.entry, "the deleted entry closes")
            assertEquals(60, p.state.value.screen!!.rows.size)
            p.open(id)
            assertEquals(Problem.NOT_FOUND, p.state.value.problem)
            assertTrue(!p.state.value.busy)
        }
    }

    @Test
    fun goalsGainMilestonesAndChangeStatus(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            val p = GoalsPresenter(TandemSession(d.tandem))
            p.load()
            assertTrue(p.state.value.screen!!.empty)
            p.add(GoalInput("   ", "", null))
            assertEquals(Problem.INVALID_INPUT, p.state.value.problem, "a blank title is refused")
            p.add(GoalInput(" Ninety meetings ", "the first year", today().plusDays(90)))
            val goal = p.state.value.screen!!.rows.single().goal
            assertEquals("Ninety meetings", goal.title)
            p.addMilestone(goal.id, "thirty")
            val milestone = p.state.value.screen!!.rows.single().goal.milestones.single()
            p.setMilestoneDone(goal.id, milestone.id, true)
            assertEquals(1u, p.state.value.screen!!.rows.single().goal.milestonesDone)
            p.setStatus(goal.id, GoalStatus.DONE)
            assertEquals(GoalStatus.DONE, p.state.value.screen!!.rows.single().goal.status)
            p.setMilestoneDone(goal.id, "no-such-milestone", true)
            assertEquals(Problem.NOT_FOUND, p.state.value.problem)
            assertTrue(!p.state.value.screen!!.canShare)
        }
    }

    @Test
    fun insightsFollowTheCravingLog(): Unit = runBlocking {
        Device().use { d ->
            val p = InsightsPresenter(TandemSession(d.tandem))
            p.load()
            assertEquals(Problem.NOT_SET_UP, p.state.value.problem)
            d.tandem.init("Sam", "UTC")
            p.problemSeen()
            p.load()
            assertTrue(p.state.value.screen!!.empty)
            d.tandem.addCraving(CravingInput("payday", 7, emptyList(), listOf("called Alex"), null, "", null))
            p.load()
            val screen = p.state.value.screen!!
            assertTrue(!screen.empty)
            assertEquals(1, screen.insights.byHour.sumOf { it.toInt() })
        }
    }

    @Test
    fun aTrackResetKeepsItsHistory(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            val p = TracksPresenter(TandemSession(d.tandem))
            p.add("alcohol", today().plusDays(3))
            assertEquals(Problem.INVALID_INPUT, p.state.value.problem, "clean time cannot start tomorrow")
            assertTrue(p.state.value.tracks.isEmpty())
            p.add(" alcohol ", today().minusDays(40))
            val track = p.state.value.tracks.single()
            assertEquals("alcohol", track.name)
            assertEquals(40L, track.cleanDays)
            p.reset(track.id, today().minusDays(2), "a wedding")
            val after = p.state.value.tracks.single()
            assertEquals(2L, after.cleanDays)
            assertEquals(2u, after.attempts)
            assertEquals(37L, after.longestStreakDays, "days -40 to -3 clean: the streak before the reset stays")
            p.reset("no-such-track", today(), "")
            assertEquals(Problem.NOT_FOUND, p.state.value.problem)
        }
    }

    @Test
    fun meetingsNeedAPairAndAreMarkedOnceScheduled(): Unit = runBlocking {
        val server = testServer()
        Device().use { robin -> Device().use { alex ->
            robin.tandem.init("Robin", "UTC")
            alex.tandem.init("Alex", "UTC")
            val p = MeetingsPresenter(TandemSession(robin.tandem))
            p.load()
            assertTrue(p.state.value.screen!!.noPair)
            p.schedule(Recurrence.Once(today()), "19:00", "UTC", MeetingKind.IN_PERSON)
            assertEquals(Problem.NOT_FOUND, p.state.value.problem, "no pair to meet in")

            robin.tandem.connect(server)
            alex.tandem.connect(server)
            val code = robin.tandem.pairInvite()
            alex.tandem.pairJoin(code)
            robin.tandem.syncNow()
            p.problemSeen()
            p.schedule(Recurrence.Once(today().minusDays(1)), "25:00", "UTC", MeetingKind.IN_PERSON)
            assertEquals(Problem.INVALID_INPUT, p.state.value.problem, "no hour 25")
            p.schedule(Recurrence.Weekly(listOf(today().minusDays(1).dayOfWeek), today().minusDays(14)), "00:00", "UTC", MeetingKind.IN_PERSON, " church hall ")
            assertNull(p.state.value.problem)
            val screen = p.state.value.screen!!
            assertEquals("church hall", screen.plans.single().place)
            val past = screen.recent.first()
            p.open(past.id)
            assertTrue(p.state.value.meeting!!.canMark)
            p.mark(past.id, MarkAs.Held, "good talk")
            assertEquals("good talk", p.state.value.meeting!!.meeting.note)
            p.calendar()
            assertContains(p.state.value.calendar!!, "BEGIN:VCALENDAR")
            p.calendarHandedOver()
            assertNull(p.state.value.calendar)
            p.endPlan(screen.plans.single().id)
            assertNull(p.state.value.problem)
        } }
    }

    @Test
    fun aCravingSharedWithOneOfTwoMentorsIsTakenBackFromThere(): Unit = runBlocking {
        val server = testServer()
        Device().use { sam -> Device().use { alex -> Device().use { kim ->
            for ((d, name) in listOf(sam to "Sam", alex to "Alex", kim to "Kim")) {
                d.tandem.init(name, "UTC")
                d.tandem.connect(server)
            }
            alex.tandem.pairJoin(sam.tandem.pairInvite())
            kim.tandem.pairJoin(sam.tandem.pairInvite())
            sam.tandem.syncNow()
            val pairs = sam.tandem.pairs().map { it.pairId }
            assertEquals(2, pairs.size)
            val id = sam.tandem.addCraving(CravingInput("payday", 6, emptyList(), emptyList(), null, "", null)).id
            val p = CravingsPresenter(TandemSession(sam.tandem))
            p.share(id)
            assertEquals(Problem.INVALID_INPUT, p.state.value.problem, "two mentors: the screen must say which")
            assertTrue(sam.tandem.sharedIn(id).isEmpty())
            p.share(id, pairs[1])
            assertEquals(listOf(pairs[1]), sam.tandem.sharedIn(id))
            assertTrue(p.state.value.screen!!.rows.single().shared)
            // Off means off: taken back from where it is, without naming the pair.
            p.unshare(id)
            assertNull(p.state.value.problem)
            assertTrue(sam.tandem.sharedIn(id).isEmpty())
            assertTrue(!p.state.value.screen!!.rows.single().shared)
        } } }
    }
}
