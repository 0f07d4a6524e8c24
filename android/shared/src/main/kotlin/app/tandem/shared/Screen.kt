package app.tandem.shared

import app.tandem.core.Area

/**
 * The app's screens and how a person moves between them: one model that
 * the Compose navigation graph is built from, so that the JVM tests can
 * check the paths that matter (a craving is logged in two taps from Today).
 */
enum class Screen(
    /** The areas of view state this screen shows: it reloads when one changes. */
    val shows: Set<Area>,
) {
    TODAY(setOf(Area.TODAY, Area.SYNC)),
    JOURNAL(setOf(Area.JOURNAL)),
    JOURNAL_ENTRY(setOf(Area.JOURNAL)),
    LOG_CRAVING(emptySet()),
    CRAVINGS(setOf(Area.CRAVINGS)),
    CHECK_IN(setOf(Area.TODAY)),
    GOALS(setOf(Area.GOALS)),
    INSIGHTS(setOf(Area.INSIGHTS)),
    NOTES(setOf(Area.NOTES)),
    MENTOR_OVERVIEW(setOf(Area.OVERVIEW, Area.PAIRS)),
    PAIR(setOf(Area.PAIRS)),
    SETTINGS(setOf(Area.SETTINGS, Area.SYNC, Area.DEVICES)),
    ;

    /** Whether this screen must reload after `areas` changed. */
    fun needsReload(areas: Set<Area>): Boolean = areas.any { it in shows }

    companion object {
        /** The destinations the bottom bar offers on every screen. */
        val tabs = listOf(TODAY, JOURNAL, GOALS, NOTES, SETTINGS)

        /** Where a tap on each screen can lead (besides the tabs). */
        val links: Map<Screen, List<Screen>> = mapOf(
            TODAY to listOf(LOG_CRAVING, CHECK_IN, INSIGHTS, MENTOR_OVERVIEW),
            JOURNAL to listOf(JOURNAL_ENTRY),
            JOURNAL_ENTRY to emptyList(),
            LOG_CRAVING to emptyList(),
            CRAVINGS to listOf(LOG_CRAVING),
            CHECK_IN to emptyList(),
            GOALS to emptyList(),
            INSIGHTS to listOf(CRAVINGS),
            NOTES to emptyList(),
            MENTOR_OVERVIEW to listOf(NOTES),
            PAIR to emptyList(),
            SETTINGS to listOf(PAIR),
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
