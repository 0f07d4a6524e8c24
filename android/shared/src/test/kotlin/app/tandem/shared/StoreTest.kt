package app.tandem.shared

import app.tandem.core.CheckInInput
import app.tandem.core.CravingInput
import app.tandem.core.GoalInput
import app.tandem.core.GoalStatus
import app.tandem.core.JournalInput
import app.tandem.core.Outcome
import app.tandem.core.PageCursor
import app.tandem.core.Rung
import app.tandem.core.Settings
import app.tandem.core.AppName
import java.time.LocalDate
import java.time.ZoneId
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Each kind of item written through the bindings, read back as view state. */
class StoreTest {
    private val zone = "Europe/Berlin"
    private fun today() = LocalDate.now(ZoneId.of(zone))

    @Test
    fun everyKindOfItemShowsInTheViewState() = Device().use { d ->
        val t = d.tandem
        assertEquals("Sam", t.init("Sam", zone).name)
        val track = t.addTrack("alcohol", today().minusDays(40))
        assertEquals(40L, track.cleanDays)
        assertEquals(Rung.Days(30u), track.lastMilestone?.rung)

        val entry = t.addJournal(JournalInput("Stayed for coffee after the meeting.", 4, listOf("meeting")))
        assertEquals(4.toUByte(), entry.mood)
        val craving = t.addCraving(
            CravingInput("payday", 7, listOf("after work"), listOf("called my mentor"), Outcome.RESISTED, "", null),
        )
        assertEquals(7.toUByte(), craving.intensity)
        t.checkIn(CheckInInput(4, 2, false, "steady"))
        val goal = t.addGoal(GoalInput("Ninety meetings", "the first year", today().plusDays(90)))
        val withMilestone = t.addMilestone(goal.id, "First ten")
        val done = t.setMilestoneDone(goal.id, withMilestone.milestones.single().id, true)
        assertEquals(1u, done.milestonesDone)
        val note = t.createNote("Relapse-prevention plan", "Call Alex first.", null)
        assertEquals("Call Alex first.", t.note(note.id).body)

        val view = t.today()
        assertEquals(today(), view.date)
        assertEquals("Sam", view.name)
        assertEquals(1u, view.journalToday)
        assertEquals(1u, view.cravingsToday)
        assertEquals(1u, view.activeGoals)
        assertEquals(2.toUByte(), assertNotNull(view.checkin).craving)
        assertEquals(listOf("alcohol"), view.tracks.map { it.name })
        assertNotNull(view.tracks.single().nextMilestone)

        val insights = t.insights(30u)
        assertEquals(24, insights.byHour.size)
        assertEquals(1u, insights.byHour.fold(0u) { a, b -> a + b })
        assertEquals(listOf("payday"), insights.topTriggers.map { it.trigger })
        assertEquals(GoalStatus.ACTIVE, t.goals().single().status)
    }

    @Test
    fun journalPagesFollowTheirCursor() = Device().use { d ->
        val t = d.tandem
        t.init("Sam", zone)
        val written = (1..7).map { t.addJournal(JournalInput("entry $it", null, emptyList())) }
        val first = t.journalPage(3u, null)
        assertEquals(3, first.size)
        val last = first.last()
        val second = t.journalPage(3u, PageCursor(last.createdMs, last.id))
        val third = t.journalPage(3u, PageCursor(second.last().createdMs, second.last().id))
        val all = first + second + third
        assertEquals(written.map { it.id }.toSet(), all.map { it.id }.toSet())
        assertEquals(7, all.size)
        t.editJournal(written[0].id, JournalInput("entry 1, rewritten", 3, emptyList()))
        assertEquals("entry 1, rewritten", t.journalEntry(written[0].id).text)
        t.deleteJournal(written[1].id)
        assertEquals(6, t.journalPage(50u, null).size)
    }

    @Test
    fun settingsAndTheLock() = Device().use { d ->
        val t = d.tandem
        t.init("Sam", zone)
        val set = t.setSettings(Settings(60u, AppName.DAILY, 20.toUByte()))
        assertEquals(AppName.DAILY, t.settings().appName)
        assertEquals(set, t.settings())
        t.lock()
        assertTrue(t.isLocked())
        t.unlock(d.key)
        assertEquals("Sam", t.person().name)
    }
}
