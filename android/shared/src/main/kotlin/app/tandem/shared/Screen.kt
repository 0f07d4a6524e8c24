package app.tandem.shared

import app.tandem.core.Area
import app.tandem.core.ScreenKind
import app.tandem.core.redraws

/**
 * The app's screens and how a person moves between them: one model that
 * the Compose navigation graph is built from, so that the JVM tests can
 * check the paths that matter (a craving is logged in two taps from Today).
 * What each screen draws, and so when it reloads, is the core's: a screen
 * names the core screens whose records it draws, and the core's one table
 * ([redraws]) says which of those a change made stale.
 */
enum class Screen(
    /** The core screens whose records this screen draws (none for a bare form). */
    val draws: Set<ScreenKind>,
) {
    TODAY(setOf(ScreenKind.TODAY)),
    JOURNAL(setOf(ScreenKind.JOURNAL)),
    JOURNAL_ENTRY(setOf(ScreenKind.JOURNAL)),
    LOG_CRAVING(emptySet()),
    CRAVINGS(setOf(ScreenKind.CRAVINGS)),
    CHECK_IN(setOf(ScreenKind.TODAY)),
    GOALS(setOf(ScreenKind.GOALS)),
    INSIGHTS(setOf(ScreenKind.INSIGHTS)),
    NOTES(setOf(ScreenKind.NOTES)),
    MEETINGS(setOf(ScreenKind.MEETINGS)),
    MENTOR_OVERVIEW(setOf(ScreenKind.MENTOR_OVERVIEW, ScreenKind.PAIRS)),
    MEETING(setOf(ScreenKind.MEETINGS)),
    TRACKS(setOf(ScreenKind.TODAY)),
    REACH_OUT(emptySet()),
    PAIR(setOf(ScreenKind.PAIRS)),
    PAIR_INVITE(emptySet()),
    PAIR_JOIN(emptySet()),
    END_PAIR(emptySet()),
    SETTINGS(setOf(ScreenKind.SETTINGS, ScreenKind.SYNC_STATUS)),
    SYNC_STATUS(setOf(ScreenKind.SYNC_STATUS)),
    DEVICES(setOf(ScreenKind.DEVICES)),
    LINK_DEVICE(emptySet()),
    CONNECT(emptySet()),
    EXPORT(emptySet()),
    ERASE(emptySet()),
    ;

    /** Whether this screen must reload after `areas` changed (the core decides). */
    fun needsReload(areas: Collection<Area>): Boolean =
        draws.isNotEmpty() && redraws(areas.toList()).any { it in draws }

    companion object {
        /** The destinations the bottom bar offers on every screen. */
        val tabs = listOf(TODAY, JOURNAL, GOALS, NOTES, SETTINGS)

        /** Where a tap on each screen can lead (besides the tabs). */
        val links: Map<Screen, List<Screen>> = mapOf(
            TODAY to listOf(LOG_CRAVING, CHECK_IN, TRACKS, INSIGHTS, MEETINGS, MENTOR_OVERVIEW, REACH_OUT),
            JOURNAL to listOf(JOURNAL_ENTRY),
            JOURNAL_ENTRY to emptyList(),
            LOG_CRAVING to emptyList(),
            CRAVINGS to listOf(LOG_CRAVING),
            CHECK_IN to emptyList(),
            GOALS to emptyList(),
            INSIGHTS to listOf(CRAVINGS),
            NOTES to emptyList(),
            MEETINGS to listOf(MEETING),
            MEETING to emptyList(),
            TRACKS to emptyList(),
            REACH_OUT to listOf(PAIR_INVITE),
            MENTOR_OVERVIEW to listOf(NOTES, MEETINGS),
            PAIR to listOf(PAIR_INVITE, PAIR_JOIN, END_PAIR),
            PAIR_INVITE to emptyList(),
            PAIR_JOIN to emptyList(),
            END_PAIR to emptyList(),
            SETTINGS to listOf(PAIR, SYNC_STATUS, DEVICES, CONNECT, EXPORT, ERASE),
            SYNC_STATUS to emptyList(),
            DEVICES to listOf(LINK_DEVICE),
            LINK_DEVICE to emptyList(),
            CONNECT to emptyList(),
            EXPORT to emptyList(),
            ERASE to listOf(EXPORT),
        )

        /** The screens one tap away from `from`. */
        fun next(from: Screen): List<Screen> = (links[from].orEmpty() + tabs).distinct() - from

        /** The fewest taps from `from` to `to` (0 if they are the same); null if unreachable. */
        fun taps(from: Screen, to: Screen): Int? {
            val seen = mutableMapOf(from to 0)
            val queue = ArrayDeque(listOf(from))
            while (queue.isNotEmpty()) {
                val here = queue.removeFirst()
                if (here == to) return seen.getValue(here)
                for (n in next(here)) {
                    if (n !in seen) {
                        seen[n] = seen.getValue(here) + 1
                        queue.addLast(n)
                    }
                }
            }
            return null
        }
    }
}
