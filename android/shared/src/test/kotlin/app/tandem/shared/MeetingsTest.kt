package app.tandem.shared

import app.tandem.core.AppName
import app.tandem.core.MarkAs
import app.tandem.core.MarkStatus
import app.tandem.core.MeetingKind
import app.tandem.core.MeetingStatus
import app.tandem.core.Notice
import app.tandem.core.Recurrence
import app.tandem.core.Settings
import app.tandem.core.Side
import app.tandem.core.Tandem
import app.tandem.core.TandemException
import app.tandem.core.notificationText
import kotlinx.coroutines.runBlocking
import java.time.Duration
import java.time.LocalDate
import java.time.LocalTime
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * Meetings through the bindings: a mentee in Berlin and a mentor in New
 * York agree on a weekly meeting, each sees it at their own local time, and
 * two different marks on one meeting are both kept.
 */
class MeetingsTest {
    private val berlin = ZoneId.of("Europe/Berlin")
    private val newYork = ZoneId.of("America/New_York")
    private val at = LocalTime.of(19, 0)

    /**
     * A day at least a week back on which 19:00 in Berlin is 13:00 in New
     * York: outside the weeks of March and of October–November when only
     * one of the two has changed its clocks.
     */
    private fun pastDaySixHoursApart(): LocalDate {
        var day = LocalDate.now(berlin).minusDays(7)
        while (true) {
            val instant = day.atTime(at).atZone(berlin).toInstant()
            val gap = berlin.rules.getOffset(instant).totalSeconds - newYork.rules.getOffset(instant).totalSeconds
            if (gap == 6 * 3600) return day
            day = day.minusDays(1)
        }
    }

    private suspend fun syncAll(vararg ts: Tandem) {
        for (t in ts) t.syncNow()
        ts.first().syncNow()
    }

    @Test
    fun aWeeklyBerlinMeetingIsSixHoursEarlierInNewYorkAndTwoMarksMakeAConflict(): Unit = runBlocking {
        val server = testServer()
        Device().use { robin -> Device().use { alex ->
            val mentee = robin.tandem
            val mentor = alex.tandem
            mentee.init("Robin", "Europe/Berlin")
            mentor.init("Alex", "America/New_York")
            mentee.connect(server)
            mentor.connect(server)
            val code = mentee.pairInvite()
            mentee.syncNow()
            assertEquals(Side.MENTOR, mentor.pairJoin(code).side)
            mentee.syncNow()

            // Bad text is a typed error, and nothing is scheduled.
            val day = pastDaySixHoursApart()
            val weekly = Recurrence.Weekly(listOf(day.dayOfWeek), day)
            assertFailsWith<TandemException.Validation> {
                mentee.scheduleMeeting(null, weekly, "7pm", "Europe/Berlin", MeetingKind.VIDEO, "")
            }
            assertTrue(mentee.meetingsScreen(null).plans.isEmpty())

            val plan = mentee.scheduleMeeting(null, weekly, "19:00", "Europe/Berlin", MeetingKind.VIDEO, "")
            assertEquals(Side.MENTEE, plan.by)
            assertEquals(weekly, plan.recurrence)
            syncAll(mentee, mentor)

            // The same schedule and the same meeting ids on both phones.
            val theirs = mentor.meetingsScreen(null)
            assertEquals(plan.id, theirs.plans.single().id)
            assertEquals(
                mentee.meetingsScreen(null).upcoming.map { it.id },
                theirs.upcoming.map { it.id },
            )

            // The meeting on `day`: 19:00 in Berlin, 13:00 in New York.
            val id = "${plan.id}.${day.format(DateTimeFormatter.BASIC_ISO_DATE)}"
            val mine = mentee.meetingScreen(id).meeting
            val seen = mentor.meetingScreen(id).meeting
            assertEquals(id, seen.id)
            assertEquals(day.atTime(at), mine.localTime)
            assertEquals(day.atTime(at), seen.zoneTime)
            assertEquals(mine.localTime.minusHours(6), seen.localTime)
            assertEquals(mine.startsAt, seen.startsAt)

            // Each marks it, differently, before hearing from the other.
            assertEquals(MeetingStatus.HELD, mentee.markMeeting(id, MarkAs.Held, null).status)
            assertEquals(MeetingStatus.MISSED, mentor.markMeeting(id, MarkAs.Missed, "Did not get through").status)
            syncAll(mentee, mentor)
            for (t in listOf(mentee, mentor)) {
                val screen = t.meetingScreen(id)
                assertEquals(MeetingStatus.CONFLICT, screen.meeting.status)
                assertTrue(screen.conflict)
                assertEquals(
                    mapOf(Side.MENTEE to MarkStatus.HELD, Side.MENTOR to MarkStatus.MISSED),
                    screen.meeting.marks.associate { it.by to it.status },
                )
                assertEquals("Did not get through", screen.meeting.note)
            }
            assertTrue(mentor.mentorOverview(false).single().meetings.scheduled)

            // A move to a local time in the agreed zone (seconds dropped) reaches the mentor.
            val next = mentee.meetingsScreen(null).upcoming.first()
            val to = next.zoneTime.plusDays(1).withSecond(30)
            val moved = mentee.markMeeting(next.id, MarkAs.MovedTo(to), null)
            assertEquals(MeetingStatus.MOVED, moved.status)
            assertEquals(to.withSecond(0), moved.zoneTime)
            assertEquals(to.withSecond(0).atZone(berlin).toInstant(), moved.startsAt)
            syncAll(mentee, mentor)
            val theirMove = mentor.meetingScreen(next.id).meeting
            assertEquals(MeetingStatus.MOVED, theirMove.status)
            assertEquals(moved.startsAt, theirMove.startsAt)
            assertEquals(Duration.ZERO, Duration.between(moved.startsAt, theirMove.localTime.atZone(newYork).toInstant()))
        } }
    }

    @Test
    fun theMeetingReminderSaysNothingAboutMeetings() {
        for (name in AppName.entries) {
            val text = notificationText(Notice.MEETING_SOON, name)
            // Under the person's chosen app name, like every other notice.
            assertEquals(notificationText(Notice.CHECK_IN_REMINDER, name).title, text.title)
            assertEquals("Something on your calendar starts soon", text.body)
        }
    }

    @Test
    fun settingsMadeWithoutALeadTimeGetTheCoresDefault(): Unit = Device().use { d ->
        d.tandem.init("Sam", "UTC")
        val fresh = d.tandem.settings()
        val made = Settings(fresh.lockAfterSecs, fresh.appName, fresh.reminderHour)
        assertEquals(fresh.meetingLeadMinutes, made.meetingLeadMinutes)
        assertEquals(fresh, d.tandem.setSettings(made))
        assertFailsWith<TandemException.Validation> { d.tandem.setSettings(made.copy(meetingLeadMinutes = 100_000u)) }
    }
}
