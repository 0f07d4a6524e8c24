package app.tandem.shared

import app.tandem.core.Side
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The Pair screen's presenter against the real library and a relay on
 * loopback: a mentee invites, a mentor joins with the code, both screens
 * show the same safety code, a wrong code or a bad invite is a problem in
 * the state (never an exception), and ending the pair shows as ended.
 */
class PairPresenterTest {
    @Test
    fun twoPeoplePairCompareCodesAndEndThroughTheirScreens() = runBlocking {
        val server = testServer()
        Device().use { sam -> Device().use { alex ->
            sam.tandem.init("Sam", "Europe/Berlin")
            alex.tandem.init("Alex", "Europe/Berlin")
            val mentee = PairPresenter(TandemSession(sam.tandem))
            val mentor = PairPresenter(TandemSession(alex.tandem))

            mentee.load()
            assertEquals(false, mentee.state.value.screen?.canPair, "no server yet: connect first")
            mentee.invite()
            assertEquals(Problem.NO_SERVER, mentee.state.value.problem)
            assertFalse(mentee.state.value.busy)

            sam.tandem.connect(server)
            alex.tandem.connect(server)
            mentee.invite()
            val code = assertNotNull(mentee.state.value.invite, "${mentee.state.value}")
            assertNull(mentee.state.value.problem, "a success clears the earlier problem")
            mentee.inviteShown()
            assertNull(mentee.state.value.invite, "shown once")

            mentor.join("TP2-not-a-real-code")
            assertEquals(Problem.INVALID_INPUT, mentor.state.value.problem)
            mentor.join(code)
            val joined = mentor.state.value.screen!!.pairs.single()
            assertEquals(Side.MENTOR, joined.side)

            repeat(2) {
                sam.tandem.syncNow()
                alex.tandem.syncNow()
            }
            mentee.load()
            mentor.load()
            val mine = mentee.state.value.screen!!.pairs.single()
            val theirs = mentor.state.value.screen!!.pairs.single()
            assertNotNull(mine.safetyCode)
            assertEquals(mine.safetyCode, theirs.safetyCode, "both phones show one code")

            mentor.confirmIdentity(joined.pairId, "11111 11111 11111 11111")
            assertEquals(Problem.INVALID_INPUT, mentor.state.value.problem)
            mentor.problemSeen()
            assertNull(mentor.state.value.problem)

            mentee.end(mine.pairId)
            assertTrue(mentee.state.value.screen!!.pairs.single().ended)
        } }
    }
}
