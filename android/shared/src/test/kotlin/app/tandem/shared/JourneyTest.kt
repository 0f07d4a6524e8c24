package app.tandem.shared

import app.tandem.core.CravingInput
import app.tandem.core.FirstRunStep
import app.tandem.core.FirstTrack
import app.tandem.core.Launch
import app.tandem.core.RecoveryKeyStep
import app.tandem.core.ShareKind
import app.tandem.core.Side
import app.tandem.core.Tandem
import app.tandem.core.TandemException
import kotlinx.coroutines.runBlocking
import java.time.LocalDate
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue

/**
 * A person's whole journey through the bindings, as the phone apps drive
 * it: a fresh install opens on the first run, which sets up the person,
 * their first track and the sync server (the recovery key shown once and
 * confirmed); then a craving is logged, a mentor joins, the craving is
 * shared, and the mentor's overview shows it. Every screen is one call.
 */
class JourneyTest {
    /** Walks the first run of a fresh device to its end; returns the recovery key shown. */
    private suspend fun firstRun(t: Tandem, name: String, track: FirstTrack?, server: String): String {
        val launch = t.launch()
        assertIs<Launch.FirstRun>(launch)
        assertIs<FirstRunStep.Profile>(launch.step)

        val flow = t.firstRun()
        // Bad input is a typed error and the flow stays where it was.
        assertFailsWith<TandemException.Validation> { flow.profile(name, "Mars/Olympus") }
        assertIs<FirstRunStep.Profile>(flow.step())

        val asked = flow.profile(name, "Europe/Berlin")
        assertIs<FirstRunStep.FirstTrack>(asked)
        assertEquals("Europe/Berlin", asked.timezone)
        assertIs<FirstRunStep.SyncChoice>(flow.firstTrack(track))

        val shown = flow.connect(server)
        assertIs<FirstRunStep.RecoveryKey>(shown)
        val show = assertIs<RecoveryKeyStep.Show>(shown.v1)
        assertTrue(show.key.startsWith("TR1-"))

        val confirm = assertIs<RecoveryKeyStep.Confirm>(assertIs<FirstRunStep.RecoveryKey>(flow.keyKept()).v1)
        // The key is no longer on screen; a wrong group is refused.
        assertFailsWith<TandemException.Validation> { flow.confirmKey("zzzz") }
        val group = show.key.split("-")[confirm.group.toInt()]
        assertIs<FirstRunStep.Done>(flow.confirmKey(group))
        assertIs<Launch.Today>(t.launch())
        return show.key
    }

    @Test
    fun fromAFreshInstallToTheMentorSeeingASharedCraving(): Unit = runBlocking {
        val server = testServer()
        Device().use { robin -> Device().use { alex ->
            val since = LocalDate.now().minusDays(30)
            firstRun(robin.tandem, "Robin", FirstTrack("alcohol", since), server)
            firstRun(alex.tandem, "Alex", null, server)

            val today = robin.tandem.todayScreen()
            assertEquals("alcohol", today.today.tracks.single().name)
            assertTrue(today.sync.connected)
            assertTrue(!today.hasPair)

            val craving = robin.tandem.addCraving(
                CravingInput("payday", 7, emptyList(), listOf("call mentor"), null, "", null),
            )
            val log = robin.tandem.cravingsScreen(null)
            assertEquals(craving.id, log.rows.single().craving.id)
            assertTrue(!log.rows.single().shared && !log.canShare)

            val code = robin.tandem.pairInvite()
            robin.tandem.syncNow()
            val pair = alex.tandem.pairJoin(code)
            assertEquals(Side.MENTOR, pair.side)
            robin.tandem.syncNow()
            assertTrue(robin.tandem.todayScreen().hasPair)

            // Nothing shared yet: the mentor sees Robin, not the craving.
            assertTrue(alex.tandem.mentorOverviewScreen(false).mentees.single().shared.isEmpty())

            robin.tandem.share(ShareKind.CRAVING, craving.id, null)
            val shared = robin.tandem.cravingsScreen(null)
            assertTrue(shared.canShare && shared.rows.single().shared)
            robin.tandem.syncNow()
            alex.tandem.syncNow()

            val overview = alex.tandem.mentorOverviewScreen(true)
            val robinSeen = overview.mentees.single()
            assertEquals("Robin", robinSeen.name)
            assertEquals("payday", robinSeen.shared.single().text)
            assertEquals(0u, overview.openReachOuts)
        } }
    }

    @Test
    fun aFreshInstallMayGoWithoutAServer(): Unit = Device().use { d ->
        val t = d.tandem
        val flow = t.firstRun()
        flow.profile("Sam", "UTC")
        assertIs<FirstRunStep.SyncChoice>(flow.firstTrack(null))
        assertIs<FirstRunStep.Done>(flow.notNow())
        val today = t.todayScreen()
        assertTrue(today.today.tracks.isEmpty())
        // The settings screen carries the longest lock delay the core allows.
        val settings = t.settingsScreen()
        assertTrue(settings.lockAfterMaxSecs > 0u)
        assertTrue(settings.settings.lockAfterSecs <= settings.lockAfterMaxSecs)
        assertTrue(!today.sync.connected)
        // Until the person uses the app, it reopens at the server question.
        val again = t.launch()
        assertIs<Launch.FirstRun>(again)
        assertIs<FirstRunStep.SyncChoice>(again.step)
    }
}
