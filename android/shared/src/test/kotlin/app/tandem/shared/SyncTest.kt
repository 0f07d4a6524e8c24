package app.tandem.shared

import app.tandem.core.Area
import app.tandem.core.ChangeListener
import app.tandem.core.GoalInput
import app.tandem.core.JournalInput
import app.tandem.core.ShareKind
import app.tandem.core.Side
import kotlinx.coroutines.runBlocking
import java.util.Collections
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Two stores sync through a real server on loopback, driven from Kotlin. */
class SyncTest {
    @Test
    fun aMentorSeesWhatIsSharedAndNothingElse() = runBlocking {
        val server = testServer()
        Device().use { sam -> Device().use { alex ->
            sam.tandem.init("Sam", "Europe/Berlin")
            alex.tandem.init("Alex", "Europe/Berlin")
            sam.tandem.connect(server)
            alex.tandem.connect(server)

            val code = sam.tandem.pairInvite()
            val pair = alex.tandem.pairJoin(code)
            assertEquals(Side.MENTOR, pair.side)

            val goal = sam.tandem.addGoal(GoalInput("Ninety meetings", "", null))
            val withMilestone = sam.tandem.addMilestone(goal.id, "First ten")
            sam.tandem.share(ShareKind.GOAL, goal.id, null)
            sam.tandem.setMilestoneDone(goal.id, withMilestone.milestones.single().id, true)
            sam.tandem.addJournal(JournalInput("Private: not for anyone else", 2, emptyList()))
            val pushed = sam.tandem.syncNow()
            assertTrue(pushed.pushed > 0u)

            val heard = Collections.synchronizedList(mutableListOf<Area>())
            alex.tandem.setListener(object : ChangeListener {
                override fun changed(areas: List<Area>) { heard += areas }
            })
            val pulled = alex.tandem.syncNow()
            assertTrue(pulled.applied > 0u)
            assertTrue(Area.OVERVIEW in heard && Area.SYNC in heard)

            val overview = alex.tandem.mentorOverview(true).single()
            assertEquals("Sam", overview.name)
            assertEquals(1u, overview.goals.single().milestonesDone)
            assertTrue(overview.shared.none { it.text.contains("Private") })
            assertEquals(0L, alex.tandem.syncStatus().pendingChanges.toLong())

            // A shared note: both edit offline, both see both edits after sync.
            val note = sam.tandem.createNote("Plan", "Call Alex.", pair.pairId)
            sam.tandem.syncNow()
            alex.tandem.syncNow()
            alex.tandem.editNote(note.id, "Call Alex. Go to a meeting.")
            sam.tandem.editNote(note.id, "First: Call Alex.")
            alex.tandem.syncNow()
            sam.tandem.syncNow()
            alex.tandem.syncNow()
            val merged = "First: Call Alex. Go to a meeting."
            assertEquals(merged, sam.tandem.note(note.id).body)
            assertEquals(merged, alex.tandem.note(note.id).body)
        } }
    }
}
