package app.tandem.shared

import app.tandem.core.TandemException

/**
 * What went wrong, as the screens word it: one stable kind per core error
 * kind, each with a string resource on Android and a localized string on
 * iOS. The core's English message stays for logs only.
 */
enum class Problem(
    /** Whether trying again later can help (offers a Retry button). */
    val retryable: Boolean,
) {
    INVALID_INPUT(false),
    NOT_FOUND(false),
    NOT_SET_UP(false),
    ALREADY_SET_UP(false),
    DAMAGED_DATA(false),
    NEWER_APP_NEEDED(false),
    STORAGE(true),
    WRONG_KEY(false),
    LOCKED(false),
    OFFLINE(true),
    SERVER(true),
    NO_SERVER(false),

    /**
     * Anything else that escaped a core call (a fault in the core surfaces
     * as uniffi's `InternalException`): shown as a message, never a crash.
     */
    UNEXPECTED(true),
    ;

    companion object {
        /** The kind of any failure of a core call. */
        fun of(e: Exception): Problem = if (e is TandemException) of(e) else UNEXPECTED

        /** The kind of `e`. */
        fun of(e: TandemException): Problem = when (e) {
            is TandemException.Validation -> INVALID_INPUT
            is TandemException.NotFound -> NOT_FOUND
            is TandemException.NotInitialized -> NOT_SET_UP
            is TandemException.AlreadyInitialized -> ALREADY_SET_UP
            is TandemException.Corrupt -> DAMAGED_DATA
            is TandemException.TooNew -> NEWER_APP_NEEDED
            is TandemException.Storage -> STORAGE
            is TandemException.WrongKey -> WRONG_KEY
            is TandemException.Locked -> LOCKED
            is TandemException.Network -> OFFLINE
            is TandemException.Server -> SERVER
            is TandemException.NoServer -> NO_SERVER
        }
    }
}

/**
 * Runs one action of a screen: its failure, whatever it is, comes back as
 * the [Problem] to show (none when it succeeded); a cancelled coroutine
 * stays cancelled.
 */
suspend fun attempt(action: suspend () -> Unit): Problem? = try {
    action()
    null
} catch (e: kotlinx.coroutines.CancellationException) {
    throw e
} catch (e: Exception) {
    Problem.of(e)
}
