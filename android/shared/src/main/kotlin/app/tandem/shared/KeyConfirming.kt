package app.tandem.shared

/**
 * A flow that shows a recovery key once and has it confirmed (the first
 * run, connecting, restoring): the one set of events the recovery key
 * screen sends, whichever flow it belongs to. Each answers whether it
 * went through (a refused group stays on screen with the problem).
 */
interface KeyConfirming {
    /** The person wrote the key down: it leaves the screen. */
    suspend fun keyKept(): Boolean

    /** Shows the key again (before it is confirmed). */
    suspend fun showKeyAgain(): Boolean

    /** The group of the key the core asked for. */
    suspend fun confirmKey(group: String): Boolean
}
