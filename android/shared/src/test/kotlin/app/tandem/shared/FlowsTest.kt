package app.tandem.shared

import app.tandem.core.ConnectStep
import app.tandem.core.EndPairConsequence
import app.tandem.core.EndPairStep
import app.tandem.core.EraseConsequence
import app.tandem.core.EraseStep
import app.tandem.core.ExportFormat
import app.tandem.core.ExportStep
import app.tandem.core.FirstRunStep
import app.tandem.core.JournalInput
import app.tandem.core.Launch
import app.tandem.core.LinkDeviceStep
import app.tandem.core.LinkThisDeviceStep
import app.tandem.core.PairInviteStep
import app.tandem.core.PairJoinStep
import app.tandem.core.ReachOutStep
import app.tandem.core.RecoveryKeyStep
import app.tandem.core.RestoreStep
import app.tandem.core.Side
import app.tandem.core.Tandem
import app.tandem.core.TandemException
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The core's flows through the bindings, as the phone apps drive them:
 * each flow is an object whose actions return the next step, and whose
 * refused actions are typed errors that leave it where it was.
 */
class FlowsTest {
    /** The group a confirmation step asks for, out of the key shown before. */
    private fun groupOf(key: String, ask: RecoveryKeyStep): String =
        key.split("-")[assertIs<RecoveryKeyStep.Confirm>(ask).group.toInt()]

    /** Sets a fresh device up through the first run, with `server` or none. */
    private suspend fun setUp(t: Tandem, name: String, server: String?) {
        val flow = t.firstRun()
        flow.profile(name, "Europe/Berlin")
        assertIs<FirstRunStep.SyncChoice>(flow.firstTrack(null))
        if (server == null) {
            assertIs<FirstRunStep.Done>(flow.notNow())
            return
        }
        val show = assertIs<RecoveryKeyStep.Show>(assertIs<FirstRunStep.RecoveryKey>(flow.connect(server)).v1)
        val ask = assertIs<FirstRunStep.RecoveryKey>(flow.keyKept()).v1
        assertIs<FirstRunStep.Done>(flow.confirmKey(groupOf(show.key, ask)))
        assertIs<Launch.Today>(t.launch())
    }

    @Test
    fun aMenteeInvitesAMentorReachesOutAndEndsThePair(): Unit = runBlocking {
        val server = testServer()
        Device().use { robin -> Device().use { alex ->
            setUp(robin.tandem, "Robin", server)
            setUp(alex.tandem, "Alex", server)

            // Robin invites: the code shows as text and as a QR payload, once.
            val invite = robin.tandem.pairInviteFlow()
            assertIs<PairInviteStep.Ready>(invite.step())
            val code = assertIs<PairInviteStep.ShowingCode>(invite.invite()).v1
            assertTrue(code.text.startsWith("TP3-"))
            assertEquals(code.text, code.qrPayload)
            assertFailsWith<TandemException.Validation> { invite.invite() }
            assertIs<PairInviteStep.ShowingCode>(invite.step())

            // Alex joins with the scanned code; an empty one is refused.
            val join = alex.tandem.pairJoinFlow()
            assertIs<PairJoinStep.EnterCode>(join.step())
            assertFailsWith<TandemException.Validation> { join.join(" ") }
            assertIs<PairJoinStep.EnterCode>(join.step())
            val joined = assertIs<PairJoinStep.Joined>(join.join(code.qrPayload)).pair
            assertEquals(Side.MENTOR, joined.side)
            assertEquals("Robin", joined.otherName)

            // Robin's screen sees Alex arrive.
            val mine = assertIs<PairInviteStep.Joined>(invite.check()).pair
            assertEquals(joined.pairId, mine.pairId)
            assertEquals(Side.MENTEE, mine.side)
            assertEquals("Alex", mine.otherName)
            assertTrue(robin.tandem.todayScreen().hasPair)
            // Both phones show one safety code to compare, and no warning.
            alex.tandem.syncNow()
            val alexSees = alex.tandem.pairsScreen().pairs.single()
            assertNotNull(mine.safetyCode)
            assertEquals(mine.safetyCode, alexSees.safetyCode)
            assertFalse(mine.identityMismatch || alexSees.identityMismatch)

            // Only the mentee has someone to reach out to.
            assertIs<ReachOutStep.NoMentor>(alex.tandem.reachOutFlow().step())
            val reach = robin.tandem.reachOutFlow()
            val compose = assertIs<ReachOutStep.Compose>(reach.step())
            assertEquals(mine.pairId, compose.pairs.single().pairId)
            assertEquals(2_000u, compose.textMax)
            assertFailsWith<TandemException.Validation> { reach.send(null, "x".repeat(2_001)) }
            assertIs<ReachOutStep.Compose>(reach.step())
            val sent = assertIs<ReachOutStep.Sent>(reach.send(null, "rough night"))
            assertEquals(mine.pairId, sent.pairId)
            assertTrue(sent.delivered)
            alex.tandem.syncNow()
            val overview = alex.tandem.mentorOverviewScreen(false)
            assertEquals(1u, overview.openReachOuts)
            assertEquals(sent.reachOutId, overview.mentees.single().openReachOuts.single().id)

            // Ending: the confirmation says what happens, then the pair ends.
            assertFailsWith<TandemException.Validation> { robin.tandem.endPairFlow("") }
            val end = robin.tandem.endPairFlow(mine.pairId)
            val confirm = assertIs<EndPairStep.Confirm>(end.step())
            assertEquals(mine.pairId, confirm.pair.pairId)
            assertEquals(
                listOf(
                    EndPairConsequence.OtherPhoneKeepsSharedCopies(0u),
                    EndPairConsequence.OwnEntriesStay,
                    EndPairConsequence.SyncStops,
                    EndPairConsequence.ReachOutsStop,
                    EndPairConsequence.OtherSideSeesItEnded,
                ),
                confirm.consequences,
            )
            val ended = assertIs<EndPairStep.Ended>(end.confirm()).pair
            assertTrue(ended.ended)
            assertFailsWith<TandemException.Validation> { end.confirm() }
            assertTrue(!robin.tandem.todayScreen().hasPair)
            assertFailsWith<TandemException.NotFound> { robin.tandem.endPairFlow(mine.pairId) }
            assertIs<ReachOutStep.NoMentor>(robin.tandem.reachOutFlow().step())

            alex.tandem.syncNow()
            assertTrue(alex.tandem.pairsScreen().pairs.single().ended)
        } }
    }

    @Test
    fun exportingAsJsonThenErasingLeavesALockedApp(): Unit = runBlocking {
        Device().use { d ->
            val t = d.tandem
            setUp(t, "Sam", null)
            t.addJournal(JournalInput("first meeting", null, emptyList()))

            val export = t.exportFlow()
            assertIs<ExportStep.Choose>(export.step())
            val file = assertIs<ExportStep.Ready>(export.export(ExportFormat.JSON)).v1
            assertEquals(ExportFormat.JSON, file.format)
            assertEquals("json", file.extension)
            assertEquals(t.today().date, file.date)
            assertContains(file.content, "first meeting")
            assertEquals(file, assertIs<ExportStep.Ready>(export.step()).v1)
            assertFailsWith<TandemException.Validation> { export.export(ExportFormat.JSON) }
            // The JSON is the one an import takes back.
            Device().use { other ->
                assertTrue(other.tandem.importJson(file.content).documents > 0u)
                assertEquals("Sam", other.tandem.person().name)
            }
            val md = assertIs<ExportStep.Ready>(t.exportFlow().export(ExportFormat.MARKDOWN)).v1
            assertEquals("md", md.extension)
            assertContains(md.content, "first meeting")

            val erase = t.eraseFlow()
            assertEquals(
                listOf(EraseConsequence.DeletesThisDevice, EraseConsequence.ExportFirst),
                assertIs<EraseStep.Confirm>(erase.step()).consequences,
            )
            val report = assertIs<EraseStep.Erased>(erase.confirm(emptyList())).report
            assertNull(report.server)
            assertTrue(report.notRemoved.isEmpty())
            assertTrue(report.removed.any { it.endsWith("tandem.db") }, "${report.removed}")
            assertIs<Launch.Locked>(t.launch())
            assertFailsWith<TandemException.Validation> { erase.confirm(emptyList()) }
        }
    }

    @Test
    fun connectingLinkingAndRestoringAFreshPhone(): Unit = runBlocking {
        val server = testServer()
        Device().use { phone -> Device().use { tablet -> Device().use { fresh ->
            setUp(phone.tandem, "Robin", null)

            // Not syncing yet: no code to show until connected.
            assertIs<LinkDeviceStep.NeedsServer>(phone.tandem.linkDeviceFlow().step())
            val connect = phone.tandem.connectFlow()
            assertIs<ConnectStep.Server>(connect.step())
            assertFailsWith<TandemException.Validation> { connect.connect("ftp://example") }
            assertIs<ConnectStep.Server>(connect.step())
            val show = assertIs<RecoveryKeyStep.Show>(assertIs<ConnectStep.RecoveryKey>(connect.connect(server)).v1)
            val ask = assertIs<ConnectStep.RecoveryKey>(connect.keyKept()).v1
            assertIs<RecoveryKeyStep.Show>(assertIs<ConnectStep.RecoveryKey>(connect.showKeyAgain()).v1)
            connect.keyKept()
            val again = assertIs<ConnectStep.RecoveryKey>(connect.step()).v1
            assertIs<ConnectStep.Done>(connect.confirmKey(groupOf(show.key, again)))
            assertIs<RecoveryKeyStep.Confirm>(ask)
            assertIs<ConnectStep.Done>(phone.tandem.connectFlow().step())

            // The phone shows a link code; the tablet takes it.
            val link = phone.tandem.linkDeviceFlow()
            assertIs<LinkDeviceStep.Ready>(link.step())
            val code = assertIs<LinkDeviceStep.ShowingCode>(link.showCode()).v1
            assertTrue(code.text.startsWith("TL2-"))
            assertEquals(code.text, code.qrPayload)
            assertIs<LinkDeviceStep.ShowingCode>(link.check())
            val take = tablet.tandem.linkThisDeviceFlow()
            assertEquals(LinkThisDeviceStep.ENTER_CODE, take.step())
            assertFailsWith<TandemException.Validation> { take.link(" ", server) }
            assertEquals(LinkThisDeviceStep.DONE, take.link(code.qrPayload, server))
            assertEquals("Robin", tablet.tandem.todayScreen().today.name)
            assertEquals(2u, assertIs<LinkDeviceStep.Linked>(link.check()).devices)
            assertFailsWith<TandemException.AlreadyInitialized> { phone.tandem.linkThisDeviceFlow() }

            // A new phone restores from the key; the key is used up.
            val restore = fresh.tandem.restoreFlow()
            assertIs<RestoreStep.EnterKey>(restore.step())
            assertFailsWith<TandemException.Validation> { restore.restore("", server) }
            val newKey = assertIs<RecoveryKeyStep.Show>(
                assertIs<RestoreStep.RecoveryKey>(restore.restore(show.key, server)).v1,
            ).key
            assertNotEquals(show.key, newKey)
            val confirm = assertIs<RestoreStep.RecoveryKey>(restore.keyKept()).v1
            assertIs<RestoreStep.Done>(restore.confirmKey(groupOf(newKey, confirm)))
            assertEquals("Robin", fresh.tandem.todayScreen().today.name)
            assertFailsWith<TandemException.AlreadyInitialized> { fresh.tandem.restoreFlow() }
        } } }
    }
}
