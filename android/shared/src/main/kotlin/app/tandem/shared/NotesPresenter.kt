package app.tandem.shared

import app.tandem.core.NotesScreen
import kotlinx.coroutines.flow.update

/** What the Shared notes screen shows: the core's record and what the person just did. */
data class NotesState(
    /** The core's record: the notes of every pair. */
    val screen: NotesScreen? = null,
    /** The id of the note just made, to open it. */
    val created: String? = null,
    /** A call is under way: the buttons wait. */
    val busy: Boolean = false,
    /** What went wrong with the last action, if anything. */
    val problem: Problem? = null,
)

/**
 * Shared notes (a relapse-prevention plan, check-in notes): both people
 * write them, offline too, and concurrent edits merge.
 */
class NotesPresenter(private val session: TandemSession) : Presenter<NotesState>(NotesState()) {
    /** Loads (or reloads, after a change notice) the core's record. */
    suspend fun load() = act { }

    /** Makes a note in the pair `pairId`, or with none a note of the person's own. */
    suspend fun create(title: String, body: String, pairId: String? = null) = act {
        val note = session.call { it.createNote(title.trim(), body, pairId) }
        current.update { it.copy(created = note.id) }
    }

    /** The new note was opened. */
    fun createdShown() = current.update { it.copy(created = null) }

    /** Replaces a note's text with `body` (merged with the other side's edits). */
    suspend fun edit(id: String, body: String) = act { session.call { it.editNote(id, body) } }

    /** The problem was seen. */
    fun problemSeen() = current.update { it.copy(problem = null) }

    override fun NotesState.busy(on: Boolean) = copy(busy = on)

    override suspend fun NotesState.reloaded(problem: Problem?): NotesState {
        val read = session.readOr(screen) { it.notesScreen() }
        return copy(screen = read.value, problem = problem ?: read.problem)
    }
}
