package app.tandem.shared

import app.tandem.core.Notice
import app.tandem.core.Side
import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.runBlocking
import java.math.BigInteger
import java.net.InetSocketAddress
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.Base64
import java.util.Collections
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * A reach-out wakes the mentor's locked phone: a push service on loopback
 * stands in for the UnifiedPush distributor, the presenter subscribes with
 * its endpoint, and the wake-up it gets becomes one discreet notice.
 */
class WakeupTest {
    /** A push service on loopback: the paths of the POSTs it got. */
    private class PushService : AutoCloseable {
        val posts: MutableList<String> = Collections.synchronizedList(mutableListOf())
        private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0).apply {
            createContext("/") { exchange ->
                exchange.requestBody.readAllBytes()
                posts += exchange.requestURI.path
                exchange.sendResponseHeaders(201, -1)
                exchange.close()
            }
            start()
        }
        val origin = "http://127.0.0.1:${server.address.port}"

        fun waitFor(n: Int, millis: Long): Int {
            val until = System.currentTimeMillis() + millis
            while (posts.size < n && System.currentTimeMillis() < until) Thread.sleep(20)
            return posts.size
        }

        override fun close() = server.stop(0)
    }

    /** Web Push keys as a distributor makes them: an uncompressed P-256 point and 16 bytes. */
    private fun webPushKeys(): Pair<String, String> {
        val generator = KeyPairGenerator.getInstance("EC")
        generator.initialize(ECGenParameterSpec("secp256r1"))
        val point = (generator.generateKeyPair().public as ECPublicKey).w
        fun fixed(v: BigInteger) = v.toByteArray().takeLast(32).toByteArray().let { ByteArray(32 - it.size) + it }
        val uncompressed = byteArrayOf(4) + fixed(point.affineX) + fixed(point.affineY)
        val auth = ByteArray(16).also { SecureRandom().nextBytes(it) }
        val b64 = Base64.getUrlEncoder().withoutPadding()
        return b64.encodeToString(uncompressed) to b64.encodeToString(auth)
    }

    @Test
    fun aReachOutWakesTheLockedMentorWithOneDiscreetNotice() = runBlocking {
        val server = testServer()
        PushService().use { push -> Device().use { sam -> Device().use { alex ->
            sam.tandem.init("Sam", "Europe/Berlin")
            alex.tandem.init("Alex", "America/New_York")
            sam.tandem.connect(server)
            alex.tandem.connect(server)
            val pair = alex.tandem.pairJoin(sam.tandem.pairInvite())
            assertEquals(Side.MENTOR, pair.side)
            sam.tandem.syncNow()

            val handed = mutableListOf<ByteArray>()
            val session = TandemSession(alex.tandem)
            val presenter = WakeupPresenter(session) {
                alex.key.copyOf().also { handed += it }
            }
            val (p256dh, auth) = webPushKeys()
            assertNull(presenter.endpointChanged("${push.origin}/push/alex", p256dh, auth))

            // The mentor's phone is in a pocket, the app locked.
            alex.tandem.lock()
            sam.tandem.reachOut(pair.pairId, "Rough night, can we talk?")
            sam.tandem.syncNow()
            assertEquals(1, push.waitFor(1, 3_000), "the mentor's push service is reached within 3 s")
            assertEquals(listOf("/push/alex"), push.posts.toList())

            // Without permission to post, the notices stay due.
            val silent = presenter.woken(canPost = false)
            assertTrue(silent.notices.isEmpty(), "${silent.notices}")
            assertTrue(alex.tandem.isLocked())

            val wake = presenter.woken()
            assertNull(wake.problem)
            assertTrue(Notice.REACH_OUT in wake.notices, "${wake.notices}")
            assertTrue(wake.appName != null)
            assertTrue(alex.tandem.isLocked(), "the app is locked again after the wake-up")
            assertTrue(handed.isNotEmpty() && handed.all { k -> k.all { it == 0.toByte() } }, "the key copy is wiped")

            // Told once: a second wake-up with nothing new shows nothing.
            val again = presenter.woken()
            assertTrue(Notice.REACH_OUT !in again.notices, "${again.notices}")

            // The person unlocked the app meanwhile: the job leaves it open.
            alex.tandem.unlock(alex.key.copyOf())
            session.openForScreens = true
            presenter.woken()
            assertTrue(!alex.tandem.isLocked(), "the screens keep the store open")

            // Unsubscribing stops the wake-ups.
            assertNull(presenter.endpointLost())
            sam.tandem.reachOut(pair.pairId, "Still here")
            sam.tandem.syncNow()
            Thread.sleep(500)
            assertEquals(1, push.posts.size, "no wake-up after unsubscribing")
        } } }
    }
}
