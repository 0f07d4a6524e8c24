package app.tandem.shared

import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The Devices screen's presenter against the real library and a relay on
 * loopback: a second phone links with the code the first shows, both are
 * listed (by this device and by the server), the second is unlinked as
 * lost (a new recovery key shown once; it can no longer sync), and this
 * device cannot unlink itself.
 */
class DevicesPresenterTest {
    @Test
    fun aSecondPhoneLinksAndIsUnlinkedAsLost(): Unit = runBlocking {
        val server = testServer()
        Device().use { phone -> Device().use { tablet ->
            phone.tandem.init("Sam", "Europe/Berlin")
            val devices = DevicesPresenter(TandemSession(phone.tandem))
            devices.load()
            assertEquals(false, devices.state.value.screen?.canLink)
            devices.makeLinkCode()
            assertEquals(Problem.NO_SERVER, devices.state.value.problem)

            phone.tandem.connect(server)
            devices.makeLinkCode()
            val code = assertNotNull(devices.state.value.linkCode, "${devices.state.value}")
            assertNull(devices.state.value.problem)
            devices.linkCodeShown()
            assertNull(devices.state.value.linkCode)

            tablet.tandem.link(code, server)
            phone.tandem.syncNow()
            devices.load()
            val listed = devices.state.value.screen!!.devices
            assertEquals(2, listed.size, "$listed")
            val mine = listed.single { it.thisDevice }
            val other = listed.single { !it.thisDevice }
            devices.checkWithServer()
            val onServer = devices.state.value.onServer!!
            assertEquals(setOf(mine.deviceId, other.deviceId), onServer.map { it.deviceId }.toSet())
            assertTrue(onServer.none { it.uncertified }, "$onServer")
            // Each device shows the code of its keys, the same on both ends;
            // confirming takes the code the device shows for itself.
            val shownThere = assertNotNull(tablet.tandem.devices().single { it.thisDevice }.code)
            assertEquals(shownThere, other.code)
            assertEquals(4, shownThere.split(' ').size, shownThere)
            devices.confirm(other.deviceId, assertNotNull(mine.code))
            assertEquals(Problem.INVALID_INPUT, devices.state.value.problem, "another device's code")
            devices.problemSeen()
            // Both are in the device log: confirming one is nothing to do,
            // and an id that never asked to join is refused, as a problem.
            devices.confirm(other.deviceId, shownThere)
            assertNull(devices.state.value.problem)
            assertTrue(devices.state.value.onServer!!.none { it.uncertified }, "read again after confirming")
            devices.confirm("ab".repeat(16), shownThere)
            assertEquals(Problem.INVALID_INPUT, devices.state.value.problem)
            devices.problemSeen()

            devices.unlink(mine.deviceId)
            assertEquals(Problem.INVALID_INPUT, devices.state.value.problem, "not this device")
            devices.unlink(other.deviceId)
            assertNull(devices.state.value.problem)
            assertNotNull(devices.state.value.recoveryKey, "the new recovery key, to show once")
            assertTrue(devices.state.value.screen!!.devices.single { it.deviceId == other.deviceId }.unlinked)
            devices.recoveryKeyShown()
            assertNull(devices.state.value.recoveryKey)
            assertFailsWith<app.tandem.core.TandemException> { tablet.tandem.syncNow() }
        } }
    }
}
