package app.tandem.shared

import app.tandem.core.PageCursor

/**
 * Reads the first `pages` pages of a list the core pages (the journal, the
 * craving log) and joins them into one page record: the rows of all, the
 * cursor of the last. Stops early at the last page.
 */
internal fun <P> readPages(
    pages: Int,
    page: (PageCursor?) -> P,
    nextOf: (P) -> PageCursor?,
    join: (shown: P, next: P) -> P,
): P {
    var shown = page(null)
    repeat(pages - 1) {
        val cursor = nextOf(shown) ?: return shown
        shown = join(shown, page(cursor))
    }
    return shown
}
