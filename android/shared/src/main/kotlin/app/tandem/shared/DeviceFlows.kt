package app.tandem.shared

import app.tandem.core.ConnectFlow
import app.tandem.core.ConnectStep
import app.tandem.core.LinkDeviceFlow
import app.tandem.core.LinkDeviceStep
import app.tandem.core.LinkThisDeviceFlow
import app.tandem.core.LinkThisDeviceStep
import app.tandem.core.RestoreFlow
import app.tandem.core.RestoreStep

/**
 * Connecting a device that was set up without a server: the server's
 * address, then the recovery key shown once and confirmed.
 */
class ConnectPresenter(session: TandemSession, private val authority: ServerAuthority? = null) :
    FlowPresenter<ConnectFlow, ConnectStep>(session, { it.connectFlow() }, { it.step() }), KeyConfirming {
    /**
     * Connects to a self-hosted `server` whose certificate comes from the
     * operator's own authority (`pem`), trusted for that server only and
     * kept for later starts; a PEM the core refuses is a problem and
     * nothing connects.
     */
    suspend fun connectTrusting(server: String, pem: String) = answerAsync { flow ->
        val keep = authority ?: error("no place to keep the server's certificate")
        session.call { keep.trust(server, pem) }
        flow.connect(server.trim())
    }

    /** Connects to `server` (reaches it; the recovery key is shown next). */
    suspend fun connect(server: String) = answerAsync { it.connect(server.trim()) }

    /** The person wrote the recovery key down: it leaves the screen. */
    override suspend fun keyKept() = answer { it.keyKept() }

    /** Shows the recovery key again (before it is confirmed). */
    override suspend fun showKeyAgain() = answer { it.showKeyAgain() }

    /** The group of the recovery key the core asked for. */
    override suspend fun confirmKey(group: String) = answer { it.confirmKey(group.trim()) }
}

/**
 * Linking another phone, on the phone already set up: a one-time code to
 * show as text and QR, then a look whether the new phone arrived.
 */
class LinkDevicePresenter(session: TandemSession) :
    FlowPresenter<LinkDeviceFlow, LinkDeviceStep>(session, { it.linkDeviceFlow() }, { it.step() }) {
    /** Makes a code (a new one replaces the one shown). Reaches the server. */
    suspend fun showCode() = answerAsync { it.showCode() }

    /** Syncs and looks whether the new phone arrived. Reaches the server. */
    suspend fun check() = answerAsync { it.check() }
}

/**
 * Linking this fresh phone to the person's account: the code the other
 * phone shows (typed or scanned) and the server's address.
 */
class LinkThisDevicePresenter(session: TandemSession) :
    FlowPresenter<LinkThisDeviceFlow, LinkThisDeviceStep>(session, { it.linkThisDeviceFlow() }, { it.step() }) {
    /** Links with `code` at `server`, then syncs. Reaches the server. */
    suspend fun link(code: String, server: String) = answerAsync { it.link(code.trim(), server.trim()) }
}

/**
 * Restoring this fresh phone from the recovery key (every other phone
 * lost): the key and the server's address, then the new recovery key shown
 * once and confirmed (the old one stops working).
 */
class RestorePresenter(session: TandemSession) :
    FlowPresenter<RestoreFlow, RestoreStep>(session, { it.restoreFlow() }, { it.step() }), KeyConfirming {
    /** Restores with `recoveryKey` from `server`. Reaches the server. */
    suspend fun restore(recoveryKey: String, server: String) =
        answerAsync { it.restore(recoveryKey.trim(), server.trim()) }

    /** The person wrote the new key down: it leaves the screen. */
    override suspend fun keyKept() = answer { it.keyKept() }

    /** Shows the new key again (before it is confirmed). */
    override suspend fun showKeyAgain() = answer { it.showKeyAgain() }

    /** The group of the new key the core asked for. */
    override suspend fun confirmKey(group: String) = answer { it.confirmKey(group.trim()) }
}
