package app.tandem.shared

import app.tandem.core.CravingInput
import app.tandem.core.FirstRunStep
import app.tandem.core.FirstTrack
import app.tandem.core.RecoveryKeyStep
import app.tandem.core.ReachOutStep
import app.tandem.core.Side
import kotlinx.coroutines.runBlocking
import java.time.LocalDate
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Two people's whole journey through the screens' presenters, as the
 * phone apps drive them, against the real library and a relay on
 * loopback: first run (with the recovery key shown once and confirmed)
 * → a craving logged → connected → paired → the craving shared → the
 * mentee reaches out → the mentor acknowledges → a shared note both
 * edit at once, merged on both phones.
 */
class PresenterJourneyTest {
    /** Walks a first run to its end through the presenter. */
    private suspend fun firstRun(session: TandemSession, name: String, track: FirstTrack?, server: String) {
        val p = FirstRunPresenter(session)
        p.start()
        assertIs<FirstRunStep.Profile>(p.state.value.step)
        p.profile(name, "Mars/Olympus")
        assertEquals(Problem.INVALID_INPUT, p.state.value.problem)
        assertIs<FirstRunStep.Profile>(p.state.value.step, "the flow stays where it was")
        p.profile(name, "Europe/Berlin")
        assertNull(p.state.value.problem)
        assertIs<FirstRunStep.FirstTrack>(p.state.value.step)
        p.firstTrack(track)
        assertIs<FirstRunStep.SyncChoice>(p.state.value.step)
        p.connect(server)
        val show = assertIs<RecoveryKeyStep.Show>(assertIs<FirstRunStep.RecoveryKey>(p.state.value.step).v1)
        p.keyKept()
        val confirm = assertIs<RecoveryKeyStep.Confirm>(assertIs<FirstRunStep.RecoveryKey>(p.state.value.step).v1)
        p.confirmKey("zzzz")
        assertEquals(Problem.INVALID_INPUT, p.state.value.problem)
        p.confirmKey(show.key.split("-")[confirm.group.toInt()])
        assertIs<FirstRunStep.Done>(p.state.value.step)
        assertTrue(!p.state.value.busy)
    }

    @Test
    fun twoPeopleFromAFreshInstallToAMergedNote(): Unit = runBlocking {
        val server = testServer()
        Device().use { r -> Device().use { a ->
            val robin = TandemSession(r.tandem)
            val alex = TandemSession(a.tandem)
            firstRun(robin, "Robin", FirstTrack("alcohol", LocalDate.now().minusDays(30)), server)
            firstRun(alex, "Alex", null, server)

            // A craving, from Today.
            val today = TodayPresenter(robin)
            today.load()
            assertEquals("alcohol", today.state.value.screen!!.today.tracks.single().name)
            today.logCraving(CravingInput("payday", 7, emptyList(), listOf("call mentor"), null, "", null))
            val craving = assertNotNull(today.state.value.logged)
            assertEquals(1u, today.state.value.screen!!.today.cravingsToday)

            // Paired.
            val pairing = PairPresenter(robin)
            pairing.invite()
            val code = assertNotNull(pairing.state.value.invite)
            val pairId = pairing.state.value.screen!!.pairs.single().pairId
            robin.tandem.syncNow()
            val joining = PairPresenter(alex)
            joining.join(code)
            assertEquals(Side.MENTOR, joining.state.value.screen!!.pairs.single().side)
            robin.tandem.syncNow()

            // The craving shared from the log.
            val log = CravingsPresenter(robin)
            log.load()
            assertTrue(log.state.value.screen!!.canShare)
            assertTrue(!log.state.value.screen!!.rows.single { it.craving.id == craving }.shared)
            log.share(craving)
            assertTrue(log.state.value.screen!!.rows.single { it.craving.id == craving }.shared)

            // Reaching out.
            val reach = ReachOutPresenter(robin)
            reach.start()
            assertIs<ReachOutStep.Compose>(reach.state.value.step)
            reach.send("rough night")
            val sent = assertIs<ReachOutStep.Sent>(reach.state.value.step)
            robin.tandem.syncNow()
            alex.tandem.syncNow()

            // The mentor sees the craving and the reach-out, and answers.
            val overview = MentorOverviewPresenter(alex)
            overview.load()
            val seen = overview.state.value.screen!!
            assertEquals(1u, seen.openReachOuts)
            val mentee = seen.mentees.single()
            assertEquals("Robin", mentee.name)
            assertEquals("payday", mentee.shared.single().text)
            assertEquals(sent.reachOutId, mentee.openReachOuts.single().id)
            overview.acknowledge(sent.reachOutId)
            assertEquals(0u, overview.state.value.screen!!.openReachOuts)

            // A shared note, edited on both phones at once, merges.
            val mine = NotesPresenter(robin)
            mine.create("Plan", "Call Alex.", pairId)
            val note = assertNotNull(mine.state.value.created)
            robin.tandem.syncNow()
            alex.tandem.syncNow()
            val theirs = NotesPresenter(alex)
            theirs.load()
            assertEquals("Call Alex.", theirs.state.value.screen!!.notes.single { it.id == note }.body)
            mine.edit(note, "Call Alex.\nLeave the party.")
            theirs.edit(note, "Breathe.\nCall Alex.")
            repeat(2) {
                robin.tandem.syncNow()
                alex.tandem.syncNow()
            }
            mine.load()
            theirs.load()
            val merged = mine.state.value.screen!!.notes.single { it.id == note }.body
            assertEquals(merged, theirs.state.value.screen!!.notes.single { it.id == note }.body)
            assertTrue("Leave the party." in merged && "Breathe." in merged, merged)
        } }
    }
}
