package app.tandem.shared

import app.tandem.core.AppName
import app.tandem.core.GatewayProvider
import app.tandem.core.Notice
import app.tandem.core.TandemException
import kotlinx.coroutines.sync.withLock

/** What a wake-up leaves the shell to do: post [notices] under [appName]. */
data class Wake(
    /** The notices to post, each told once (the core remembers). */
    val notices: List<Notice>,
    /** The app name the person chose: every notification's title. */
    val appName: AppName?,
    /** Why the sync did not run, if it did not; the notices still come. */
    val problem: Problem?,
)

/**
 * Wake-ups, whatever delivered them: UnifiedPush on Android, APNs through
 * the wake-up gateway on iOS. The shell's push receiver calls these and
 * only posts what [woken] returns.
 *
 * A wake-up usually arrives while the app is locked (the store closed
 * after the person's delay). [woken] then opens it with the key from
 * [storeKey] (the Keystore or Keychain copy, which needs no fingerprint),
 * syncs once, collects the notices and locks again, so the screens stay
 * behind the app lock; the key's bytes are wiped after use.
 */
class WakeupPresenter(
    private val session: TandemSession,
    private val storeKey: () -> ByteArray,
) {
    /** A push service handed this phone a Web Push endpoint and its keys. */
    suspend fun endpointChanged(endpoint: String, p256dh: String, auth: String): Problem? = attempt {
        whileOpen { session.tandem.wakeupSubscribe(endpoint, p256dh, auth) }
    }

    /**
     * A platform push token (APNs, or FCM without UnifiedPush): the
     * gateway at [gateway] turns it into an endpoint. Returns the problem,
     * if any; the endpoint itself is the core's business.
     */
    suspend fun tokenChanged(gateway: String, provider: GatewayProvider, token: String): Problem? = attempt {
        whileOpen { session.tandem.wakeupSubscribeGateway(gateway, provider, token) }
    }

    /** The push service no longer reaches this phone. */
    suspend fun endpointLost(): Problem? = attempt { whileOpen { session.tandem.wakeupUnsubscribe() } }

    /**
     * A wake-up arrived (or the periodic sync runs): one sync, then the
     * notices due, each told once. When the shell cannot post
     * notifications ([canPost] false: no permission), the notices are
     * left due rather than marked as told.
     */
    suspend fun woken(canPost: Boolean = true): Wake = whileOpen {
        val problem = try {
            session.tandem.syncNow()
            null
        } catch (e: TandemException) {
            Problem.of(e)
        }
        val notices = try {
            if (canPost) session.call { it.announceNotices() } else emptyList()
        } catch (e: TandemException) {
            emptyList()
        }
        val name = try {
            session.call { it.settings().appName }
        } catch (e: TandemException) {
            null
        }
        Wake(notices, name, problem)
    }

    /**
     * Runs [block] with the store open, one background job at a time; a
     * store this opened is locked again after, unless the screens opened
     * it meanwhile (the person unlocked while the job ran).
     */
    private suspend fun <T> whileOpen(block: suspend () -> T): T = session.backgroundOpen.withLock {
        val wasLocked = session.tandem.isLocked()
        if (wasLocked) {
            val key = storeKey()
            try {
                session.call { it.unlock(key) }
            } finally {
                key.fill(0)
            }
        }
        try {
            block()
        } finally {
            if (wasLocked && !session.openForScreens) session.tandem.lock()
        }
    }
}
