package app.tandem.android.ui

import androidx.compose.runtime.Composable
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import app.tandem.android.R
import app.tandem.core.Rung
import app.tandem.shared.Problem
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/** The string resource for each kind of problem. */
fun problemText(p: Problem): Int = when (p) {
    Problem.INVALID_INPUT -> R.string.problem_invalid_input
    Problem.NOT_FOUND -> R.string.problem_not_found
    Problem.NOT_SET_UP -> R.string.problem_not_set_up
    Problem.ALREADY_SET_UP -> R.string.problem_already_set_up
    Problem.DAMAGED_DATA -> R.string.problem_damaged_data
    Problem.NEWER_APP_NEEDED -> R.string.problem_newer_app_needed
    Problem.STORAGE -> R.string.problem_storage
    Problem.WRONG_KEY -> R.string.problem_wrong_key
    Problem.LOCKED -> R.string.problem_locked
    Problem.OFFLINE -> R.string.problem_offline
    Problem.SERVER -> R.string.problem_server
    Problem.NO_SERVER -> R.string.problem_no_server
    Problem.UNEXPECTED -> R.string.problem_unexpected
}

/** A clean-time rung in words ("30 days", "6 months", "1 year"), with the language's plurals. */
@Composable
fun rungText(r: Rung): String = when (r) {
    is Rung.Days -> pluralStringResource(R.plurals.rung_days, r.v1.toInt(), r.v1.toInt())
    is Rung.Months -> pluralStringResource(R.plurals.rung_months, r.v1.toInt(), r.v1.toInt())
    is Rung.Years -> pluralStringResource(R.plurals.rung_years, r.v1.toInt(), r.v1.toInt())
}

/** A weekday by its index in the core's series (0 is Monday). */
@Composable
fun weekdayText(index: Int): String = stringResource(
    when (index) {
        0 -> R.string.weekday_1
        1 -> R.string.weekday_2
        2 -> R.string.weekday_3
        3 -> R.string.weekday_4
        4 -> R.string.weekday_5
        5 -> R.string.weekday_6
        else -> R.string.weekday_7
    },
)

/** An instant in the person's zone, in the phone's date and time style. */
fun whenText(ms: Long, zone: String): String =
    DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
        .format(Instant.ofEpochMilli(ms).atZone(ZoneId.of(zone)))
