package app.tandem.shared

import app.tandem.core.JournalEntry
import app.tandem.core.JournalInput
import app.tandem.core.JournalScreen
import app.tandem.core.ShareKind
import app.tandem.core.TandemException
import kotlinx.coroutines.flow.update

/** What the journal screens show: the list's pages and the entry open, if any. */
data class JournalState(
    /** The core's record for every page loaded so far, rows newest first. */
    val screen: JournalScreen? = null,
    /** The entry open for reading or editing (none: a new entry). */
    val entry: JournalEntry? = null,
    /** The pairs the open entry is shared in. */
    val entrySharedIn: List<String> = emptyList(),
    /** The id of the entry just saved, for the entry screen to close on. */
    val saved: String? = null,
    /** A call is under way: the screen's buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * The journal: the list (pages, newest first), one entry to read, write
 * or edit, and sharing an entry with the mentor or taking it back. Writing
 * and sharing a new entry is one core call, so an entry is never left
 * written but not shared.
 */
class JournalPresenter(private val session: TandemSession) : Presenter<JournalState>(JournalState()) {
    private var pages = 1

    /** Loads (or reloads, after a change notice) the pages shown. */
    suspend fun load() = act { }

    /** Loads the next page below the ones shown, if there is one. */
    suspend fun more() = act { if (current.value.screen?.next != null) pages += 1 }

    /** Opens entry `id` for reading or editing. */
    suspend fun open(id: String) = act {
        val (entry, sharedIn) = session.call { it.journalEntry(id) to it.sharedIn(id) }
        current.update { it.copy(entry = entry, entrySharedIn = sharedIn, saved = null) }
    }

    /** A new, empty entry. */
    fun new() = current.update { it.copy(entry = null, entrySharedIn = emptyList(), saved = null) }

    /**
     * Saves the entry open (or a new one); a new one is shared with the
     * mentor of `pairId` (or the only pair) in the same call when `share`.
     */
    suspend fun save(input: JournalInput, share: Boolean = false, pairId: String? = null) = act {
        val open = current.value.entry
        val saved = session.call {
            when {
                open != null -> it.editJournal(open.id, input)
                share -> it.addJournalShared(input, pairId)
                else -> it.addJournal(input)
            }
        }
        current.update { it.copy(entry = saved, saved = saved.id) }
    }

    /** The entry screen closed after a save. */
    fun savedShown() = current.update { it.copy(saved = null) }

    /** Deletes entry `id` (from this phone, and from the pairs it was shared in). */
    suspend fun delete(id: String) = act {
        session.call { it.deleteJournal(id) }
        current.update { if (it.entry?.id == id) it.copy(entry = null, entrySharedIn = emptyList()) else it }
    }

    /** Shares entry `id` with the mentor of `pairId` (or the only pair). */
    suspend fun share(id: String, pairId: String? = null) =
        act { session.call { it.share(ShareKind.JOURNAL, id, pairId) } }

    /**
     * Takes a shared entry back: it leaves the pair. (A copy the mentor's
     * phone already synced stays on it: the screen says so.)
     */
    suspend fun unshare(id: String, pairId: String? = null) =
        act { session.call { it.unshare(ShareKind.JOURNAL, id, pairId) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun JournalState.busy(on: Boolean) = copy(busy = on)

    override suspend fun JournalState.reloaded(problem: Problem?): JournalState {
        var failed: Problem? = null
        val read = try {
            session.call { t ->
                val list = readPages(pages, t::journalScreen, { it.next }) { shown, next ->
                    next.copy(rows = shown.rows + next.rows, empty = shown.empty && next.empty)
                }
                val open = entry?.let { e -> runCatching { t.journalEntry(e.id) to t.sharedIn(e.id) }.getOrNull() }
                list to open
            }
        } catch (e: TandemException) {
            // A screen that cannot be read shows why (the last record stays).
            failed = Problem.of(e)
            null
        }
        val (list, open) = read ?: return copy(problem = problem ?: failed)
        return copy(
            screen = list,
            entry = open?.first,
            entrySharedIn = open?.second.orEmpty(),
            problem = problem ?: failed,
        )
    }
}
