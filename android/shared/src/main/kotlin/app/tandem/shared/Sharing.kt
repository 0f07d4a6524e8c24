package app.tandem.shared

import app.tandem.core.ShareKind
import app.tandem.core.Tandem

/**
 * Takes item `id` back from the pair `pairId`, or, with none, from every
 * pair it is shared in: a person with two mentors who turns sharing off
 * means off for both. (Copies the mentors' phones already synced stay on
 * them: the screens say so.) An item shared nowhere is left to the core to
 * refuse, so the screen shows why.
 */
internal fun Tandem.unshareFrom(kind: ShareKind, id: String, pairId: String?) {
    val pairs = if (pairId != null) listOf(pairId) else sharedIn(id)
    if (pairs.isEmpty()) {
        unshare(kind, id, null)
        return
    }
    for (pair in pairs) unshare(kind, id, pair)
}
