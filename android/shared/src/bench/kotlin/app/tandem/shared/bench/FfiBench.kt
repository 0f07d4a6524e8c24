package app.tandem.shared.bench

import app.tandem.core.FfiConverterTypeTodayScreen
import app.tandem.core.Tandem
import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * The Kotlin half of the FFI round-trip benchmark: the Today view through
 * uniffi and JNA, on the store `tandem-bench ffi-seed` built, against the
 * same call made from Rust (its `RUST …` line is the last argument).
 *
 * Prints `BENCH name=ffi_today_view …` (ratio: Kotlin over Rust) and
 * `BENCH name=ffi_call_overhead …` (the cheapest call there is,
 * `isLocked`, for the price of one crossing alone), then
 * `BENCH name=ffi_today_screen …`: the whole Today screen in one call,
 * against the same call in Rust plus two empty round trips (ratio ≤ 1 meets
 * the target), and `BENCH name=ffi_today_screen_lift …`: the Kotlin half
 * of that call alone (reading the record out of its bytes), which shows how
 * much of the gap is the crossing rather than the lifting.
 */
fun main(args: Array<String>) {
    val dir = File(args[0])
    val quick = "--quick" in args
    val rust = args.last().split(" ").mapNotNull {
        val kv = it.split("=", limit = 2)
        if (kv.size == 2) kv[0] to kv[1] else null
    }.toMap()
    val rustMedian = rust.getValue("today_median_us").toDouble()
    val key = File(dir, "key").readText().trim().chunked(2).map { it.toInt(16).toByte() }.toByteArray()
    val calls = if (quick) 300 else 2000

    Tandem.open(File(dir, "tandem.db").path, key).use { t ->
        // Warm up: JIT, JNA's method lookup, the core's caches. The JVM
        // compiles a method fully after about ten thousand calls; fewer
        // would time the interpreter lifting the record, not a phone's
        // steady state.
        repeat(WARM_UP) { t.today() }
        val today = LongArray(calls)
        for (i in 0 until calls) {
            val start = System.nanoTime()
            val view = t.today()
            today[i] = System.nanoTime() - start
            check(view.tracks.isNotEmpty())
        }
        val overhead = LongArray(calls * 10)
        repeat(WARM_UP) { t.isLocked() }
        for (i in overhead.indices) {
            val start = System.nanoTime()
            t.isLocked()
            overhead[i] = System.nanoTime() - start
        }
        repeat(WARM_UP) { t.todayScreen() }
        val screen = LongArray(calls)
        for (i in 0 until calls) {
            val start = System.nanoTime()
            val view = t.todayScreen()
            screen[i] = System.nanoTime() - start
            check(view.today.tracks.isNotEmpty())
        }
        // The lifting alone: the same record's bytes read on the JVM, with
        // no crossing at all.
        val record = t.todayScreen()
        val bytes = ByteBuffer.allocateDirect(FfiConverterTypeTodayScreen.allocationSize(record).toInt())
            .order(ByteOrder.BIG_ENDIAN)
        FfiConverterTypeTodayScreen.write(record, bytes)
        repeat(WARM_UP) { FfiConverterTypeTodayScreen.read(bytes.duplicate().apply { position(0) }) }
        val lift = LongArray(calls)
        for (i in 0 until calls) {
            val b = bytes.duplicate().apply { position(0) }
            val start = System.nanoTime()
            val view = FfiConverterTypeTodayScreen.read(b)
            lift[i] = System.nanoTime() - start
            check(view.today.tracks.size == record.today.tracks.size)
        }
        val m = median(today)
        val p = p99(today)
        System.err.printf(
            "today from Kotlin: median %.1f µs, p99 %.1f µs over %d calls; from Rust: median %.1f µs%n",
            m, p, calls, rustMedian,
        )
        println(
            "BENCH name=ffi_today_view median_us=%.1f p99_us=%.1f floor_median_us=%.1f ratio=%.3f"
                .format(m, p, rustMedian, m / rustMedian),
        )
        println(
            "BENCH name=ffi_call_overhead median_us=%.2f p99_us=%.2f"
                .format(median(overhead), p99(overhead)),
        )
        // One crossing per screen: the Today screen from Kotlin against the
        // same call in Rust plus two empty round trips (the call and the
        // freeing of its buffer). Met when the ratio is at most 1.
        val kotlinScreen = median(screen)
        val rustScreen = rust.getValue("screen_median_us").toDouble()
        val budget = rustScreen + 2 * median(overhead)
        println(
            "BENCH name=ffi_today_screen kotlin_median_us=%.1f rust_median_us=%.1f overhead_median_us=%.2f ratio=%.3f"
                .format(kotlinScreen, rustScreen, median(overhead), kotlinScreen / budget),
        )
        println(
            "BENCH name=ffi_today_screen_lift median_us=%.2f bytes=%d share=%.3f"
                .format(median(lift), bytes.capacity(), median(lift) / kotlinScreen),
        )
    }
}

/** Calls made before timing starts: past the JVM's full-compilation threshold. */
private const val WARM_UP = 20_000

private fun sortedUs(ns: LongArray): DoubleArray = ns.map { it / 1000.0 }.sorted().toDoubleArray()

private fun median(ns: LongArray): Double = sortedUs(ns).let { it[it.size / 2] }

private fun p99(ns: LongArray): Double = sortedUs(ns).let { it[minOf(it.size - 1, it.size * 99 / 100)] }
