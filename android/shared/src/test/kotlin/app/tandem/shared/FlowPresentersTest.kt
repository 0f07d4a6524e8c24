package app.tandem.shared

import app.tandem.core.ConnectStep
import app.tandem.core.EndPairConsequence
import app.tandem.core.EndPairStep
import app.tandem.core.EraseStep
import app.tandem.core.ExportFormat
import app.tandem.core.ExportStep
import app.tandem.core.JournalInput
import app.tandem.core.Launch
import app.tandem.core.LinkDeviceStep
import app.tandem.core.LinkThisDeviceStep
import app.tandem.core.PairInviteStep
import app.tandem.core.PairJoinStep
import app.tandem.core.RecoveryKeyStep
import app.tandem.core.RestoreStep
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The presenters over the core's flows (connect, link, restore, invite,
 * join, end a pair, export, erase) against the real library and a
 * loopback server: each shows the flow's step, and a refused answer is a
 * problem in the state with the flow left where it was.
 */
class FlowPresentersTest {
    /** The group a confirmation step asks for, out of the key shown before. */
    private fun groupOf(key: String, ask: RecoveryKeyStep?): String =
        key.split("-")[assertIs<RecoveryKeyStep.Confirm>(ask).group.toInt()]

    @Test
    fun connectingThenLinkingASecondPhoneThenRestoringAThird(): Unit = runBlocking {
        val server = testServer()
        Device().use { phone -> Device().use { tablet -> Device().use { fresh ->
            phone.tandem.init("Robin", "UTC")
            val connect = ConnectPresenter(TandemSession(phone.tandem))
            connect.connect(server)
            assertEquals(Problem.UNEXPECTED, connect.state.value.problem, "not started: a fault, shown")
            connect.start()
            assertIs<ConnectStep.Server>(connect.state.value.step)
            connect.connect("ftp://example")
            assertEquals(Problem.INVALID_INPUT, connect.state.value.problem)
            assertIs<ConnectStep.Server>(connect.state.value.step, "the flow stays")
            // A self-hosted server's own authority: a PEM the core refuses
            // connects nothing and keeps nothing.
            val kept = phone.dir.resolve("server-ca.pem").toFile()
            val trusting = ConnectPresenter(TandemSession(phone.tandem), ServerAuthority(kept))
            trusting.start()
            trusting.connectTrusting(server, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            assertEquals(Problem.INVALID_INPUT, trusting.state.value.problem)
            assertIs<ConnectStep.Server>(trusting.state.value.step)
            assertTrue(!kept.exists(), "a refused authority is not kept")
            assertEquals(0u, ServerAuthority(kept).restore(), "nothing kept: nothing to trust at start")
            trusting.close()
            connect.connect(" $server ")
            val key = assertIs<RecoveryKeyStep.Show>(assertIs<ConnectStep.RecoveryKey>(connect.state.value.step).v1).key
            assertNull(connect.state.value.problem, "a success clears the last problem")
            connect.keyKept()
            connect.confirmKey("wrong")
            assertEquals(Problem.INVALID_INPUT, connect.state.value.problem)
            connect.confirmKey(groupOf(key, (connect.state.value.step as ConnectStep.RecoveryKey).v1))
            assertIs<ConnectStep.Done>(connect.state.value.step)
            connect.close()

            val link = LinkDevicePresenter(TandemSession(phone.tandem))
            link.start()
            assertIs<LinkDeviceStep.Ready>(link.state.value.step)
            link.showCode()
            val code = assertIs<LinkDeviceStep.ShowingCode>(link.state.value.step).v1
            val take = LinkThisDevicePresenter(TandemSession(tablet.tandem))
            take.start()
            take.link("TL1-not-a-code", server)
            assertEquals(Problem.INVALID_INPUT, take.state.value.problem)
            assertEquals(LinkThisDeviceStep.ENTER_CODE, take.state.value.step)
            take.link(code.qrPayload, server)
            assertEquals(LinkThisDeviceStep.DONE, take.state.value.step)
            link.check()
            assertEquals(2u, assertIs<LinkDeviceStep.Linked>(link.state.value.step).devices)

            val restore = RestorePresenter(TandemSession(fresh.tandem))
            restore.start()
            restore.restore("", server)
            assertEquals(Problem.INVALID_INPUT, restore.state.value.problem)
            restore.restore(key, server)
            val newKey = assertIs<RecoveryKeyStep.Show>(assertIs<RestoreStep.RecoveryKey>(restore.state.value.step).v1).key
            restore.keyKept()
            restore.confirmKey(groupOf(newKey, (restore.state.value.step as RestoreStep.RecoveryKey).v1))
            assertIs<RestoreStep.Done>(restore.state.value.step)
            assertEquals("Robin", fresh.tandem.todayScreen().today.name)
            assertTrue(!restore.state.value.busy)
        } } }
    }

    @Test
    fun invitingJoiningAndEndingAPair(): Unit = runBlocking {
        val server = testServer()
        Device().use { robin -> Device().use { alex ->
            robin.tandem.init("Robin", "UTC")
            alex.tandem.init("Alex", "UTC")
            val invite = PairInvitePresenter(TandemSession(robin.tandem))
            invite.start()
            assertIs<PairInviteStep.NeedsServer>(invite.state.value.step, "no server: connect first")
            robin.tandem.connect(server)
            alex.tandem.connect(server)
            invite.start()
            invite.invite()
            val code = assertIs<PairInviteStep.ShowingCode>(invite.state.value.step).v1
            val join = PairJoinPresenter(TandemSession(alex.tandem))
            join.start()
            join.join("TP3-nonsense")
            assertEquals(Problem.INVALID_INPUT, join.state.value.problem)
            assertIs<PairJoinStep.EnterCode>(join.state.value.step)
            join.join(code.text)
            val pair = assertIs<PairJoinStep.Joined>(join.state.value.step).pair
            invite.check()
            assertEquals("Alex", assertIs<PairInviteStep.Joined>(invite.state.value.step).pair.otherName)

            val end = EndPairPresenter(TandemSession(alex.tandem), pair.pairId)
            end.start()
            val ask = assertIs<EndPairStep.Confirm>(end.state.value.step)
            assertTrue(EndPairConsequence.SyncStops in ask.consequences, "${ask.consequences}")
            end.confirm()
            assertIs<EndPairStep.Ended>(end.state.value.step)
            end.confirm()
            assertEquals(Problem.INVALID_INPUT, end.state.value.problem, "ended once only")

            val gone = EndPairPresenter(TandemSession(alex.tandem), "0".repeat(32))
            gone.start()
            assertEquals(Problem.NOT_FOUND, gone.state.value.problem)
            assertNull(gone.state.value.step)
        } }
    }

    @Test
    fun exportingThenErasing(): Unit = runBlocking {
        Device().use { d ->
            d.tandem.init("Sam", "UTC")
            d.tandem.addJournal(JournalInput("first meeting", null, emptyList()))
            val export = ExportPresenter(TandemSession(d.tandem))
            export.start()
            assertIs<ExportStep.Choose>(export.state.value.step)
            export.export(ExportFormat.MARKDOWN)
            val file = assertIs<ExportStep.Ready>(export.state.value.step).v1
            assertEquals("md", file.extension)
            assertContains(file.content, "first meeting")
            export.export(ExportFormat.JSON)
            assertEquals(Problem.INVALID_INPUT, export.state.value.problem, "one file per flow")
            export.handedOver()
            assertIs<ExportStep.Choose>(export.state.value.step, "handed over: forgotten, ready again")
            assertNull(export.state.value.problem)

            val erase = ErasePresenter(TandemSession(d.tandem))
            erase.start()
            assertIs<EraseStep.Confirm>(erase.state.value.step)
            erase.confirm()
            assertIs<EraseStep.Erased>(erase.state.value.step)
            assertIs<Launch.Locked>(d.tandem.launch())
        }
    }
}
