package app.tandem.shared

import app.tandem.core.trustServerCa
import java.io.File

/**
 * A self-hosting operator's own certificate authority, which the person
 * adds when connecting: handed to the core (`trustServerCa`, for that
 * server only, beside the built-in web roots) and kept in `file` (the
 * app's no-backup folder on Android) so that every later start trusts it
 * again before the first sync.
 */
class ServerAuthority(private val file: File) {
    /**
     * Trusts the authorities in `pem` for `server` and keeps them; returns
     * how many were new. A PEM the core refuses throws
     * `TandemException.Validation` and nothing is kept.
     */
    fun trust(server: String, pem: String): UInt {
        val added = trustServerCa(server.trim(), pem)
        val tmp = File(file.path + ".tmp")
        tmp.writeText(server.trim() + "\n" + pem)
        if (!tmp.renameTo(file)) {
            tmp.delete()
            error("could not keep the server's certificate")
        }
        return added
    }

    /** Trusts again what was kept (at start, before any sync); 0 when nothing was. */
    fun restore(): UInt {
        if (!file.exists()) return 0u
        val text = file.readText()
        val server = text.substringBefore('\n')
        val pem = text.substringAfter('\n', "")
        return trustServerCa(server, pem)
    }

    /** Forgets the kept authority (it stays trusted until the app restarts). */
    fun forget() {
        file.delete()
    }
}
