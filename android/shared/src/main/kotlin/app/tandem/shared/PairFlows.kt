package app.tandem.shared

import app.tandem.core.EndPairFlow
import app.tandem.core.EndPairStep
import app.tandem.core.PairInviteFlow
import app.tandem.core.PairInviteStep
import app.tandem.core.PairJoinFlow
import app.tandem.core.PairJoinStep

/**
 * The mentee inviting a mentor: an invite to show as text and QR (good
 * once), then a look whether the mentor joined.
 */
class PairInvitePresenter(session: TandemSession) :
    FlowPresenter<PairInviteFlow, PairInviteStep>(session, { it.pairInviteFlow() }, { it.step() }) {
    /** Makes the pair and its invite. Reaches the server. */
    suspend fun invite() = answerAsync { it.invite() }

    /** Syncs and looks whether the mentor joined. Reaches the server. */
    suspend fun check() = answerAsync { it.check() }
}

/** The mentor joining a mentee's pair with the invite (typed or scanned). */
class PairJoinPresenter(session: TandemSession) :
    FlowPresenter<PairJoinFlow, PairJoinStep>(session, { it.pairJoinFlow() }, { it.step() }) {
    /** Joins with `code`. Reaches the server. */
    suspend fun join(code: String) = answerAsync { it.join(code.trim()) }
}

/**
 * Ending the pair `pairId`: the core words what ending does (the other
 * phone keeps the copies it synced), then the person confirms.
 */
class EndPairPresenter(session: TandemSession, pairId: String) :
    FlowPresenter<EndPairFlow, EndPairStep>(session, { it.endPairFlow(pairId) }, { it.step() }) {
    /** Ends the pair. Reaches the server when it can; otherwise the next sync does. */
    suspend fun confirm() = answerAsync { it.confirm() }
}
