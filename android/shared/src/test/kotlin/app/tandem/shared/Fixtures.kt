package app.tandem.shared

import app.tandem.core.Tandem
import app.tandem.core.generateStoreKey
import java.nio.file.Files
import java.nio.file.Path

/** A store in a fresh temporary folder, with its key. */
class Device(val dir: Path = Files.createTempDirectory("tandem-kt")) : AutoCloseable {
    val key: ByteArray = generateStoreKey()
    val path: String = dir.resolve("tandem.db").toString()
    val tandem: Tandem = Tandem.open(path, key)

    override fun close() {
        tandem.close()
        dir.toFile().deleteRecursively()
    }
}

/** The loopback sync server the test script started. */
fun testServer(): String = System.getenv("TANDEM_TEST_SERVER")
    ?: error("TANDEM_TEST_SERVER is not set: run these tests with scripts/test-kotlin")
