package app.tandem.shared

import app.tandem.core.DeviceView
import app.tandem.core.DevicesScreen
import app.tandem.core.TandemException
import kotlinx.coroutines.flow.update

/** What the Devices screen shows. */
data class DevicesState(
    /** The core's Devices screen record (this person's devices, unlinked ones marked). */
    val screen: DevicesScreen? = null,
    /** The devices as the server lists them, once asked (unknown ones flagged `uncertified`). */
    val onServer: List<DeviceView>? = null,
    /** A link code to show once, as text and as a QR code, on this device. */
    val linkCode: String? = null,
    /** A new recovery key to show once (after an unlink, or when asked for). */
    val recoveryKey: String? = null,
    /** A call is under way. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The Devices screen: link another device with a code, see what the
 * server lists, unlink a lost device (which starts new keys and replaces
 * the recovery key, shown once), make a new recovery key. State out,
 * events in; every failure is a [Problem] in the state.
 */
class DevicesPresenter(private val session: TandemSession) : Presenter<DevicesState>(DevicesState()) {
    /** Loads (or reloads) the core's record. */
    suspend fun load() = act { }

    /** Asks the server which devices it lists for this person. */
    suspend fun checkWithServer() = act {
        val listed = session.tandem.devicesOnServer()
        current.update { it.copy(onServer = listed) }
    }

    /** Makes a one-time code for another device of this person. */
    suspend fun makeLinkCode() = act {
        val code = session.tandem.linkCode()
        current.update { it.copy(linkCode = code) }
    }

    /** The link code was shown (or the screen left): not shown again. */
    fun linkCodeShown() = current.update { it.copy(linkCode = null) }

    /**
     * Confirms that a device flagged as not in the person's device log is
     * theirs, with the [code] that device shows for itself (its row in its
     * own device list): it gets keys from its next sync. A refusal (another
     * code: it may not be their device; this device is not in the log
     * itself; the device never asked to join) is a [Problem] in the state.
     */
    suspend fun confirm(deviceId: String, code: String) = act {
        session.call { it.confirmDevice(deviceId, code) }
        // The server's list on screen was read before the confirmation:
        // read again, so the device no longer shows as flagged there.
        if (current.value.onServer != null) {
            val listed = session.tandem.devicesOnServer()
            current.update { it.copy(onServer = listed) }
        }
    }

    /** Unlinks a lost device; the new recovery key is in the state, to show once. */
    suspend fun unlink(deviceId: String) = act {
        val unlinked = session.tandem.unlinkDevice(deviceId)
        current.update { it.copy(recoveryKey = unlinked.recoveryKey) }
    }

    /** Replaces the recovery key (the old one stops working); the new one is shown once. */
    suspend fun newRecoveryKey() = act {
        val key = session.tandem.newRecoveryKey()
        current.update { it.copy(recoveryKey = key) }
    }

    /** The recovery key was shown and kept: it is not held any longer. */
    fun recoveryKeyShown() = current.update { it.copy(recoveryKey = null) }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun DevicesState.busy(on: Boolean) = copy(busy = on)

    override suspend fun DevicesState.reloaded(problem: Problem?): DevicesState {
        val screen = try {
            session.call { it.devicesScreen() }
        } catch (e: TandemException) {
            screen
        }
        return copy(screen = screen, problem = problem)
    }
}
