package app.tandem.android.wakeup

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.Data
import androidx.work.WorkerParameters
import app.tandem.android.TandemApplication
import app.tandem.shared.WakeupPresenter

/**
 * Runs what [WakeupService] received, with the core, off the main thread:
 * giving the relay a new endpoint, dropping it, or answering a wake-up
 * with one sync and the notices the core says are due ([Notifier]).
 */
class WakeWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    /** One thing to do. */
    sealed class Job(val uniqueName: String) {
        data class Subscribe(val endpoint: String, val p256dh: String, val auth: String) : Job("tandem-wakeup-endpoint")
        data object Unsubscribe : Job("tandem-wakeup-endpoint")
        data object Wake : Job("tandem-wake")

        fun toData(): Data = when (this) {
            is Subscribe -> Data.Builder().job("subscribe")
                .putString("endpoint", endpoint).putString("p256dh", p256dh).putString("auth", auth).build()
            Unsubscribe -> Data.Builder().job("unsubscribe").build()
            Wake -> Data.Builder().job("wake").build()
        }
    }

    override suspend fun doWork(): Result {
        val app = applicationContext as TandemApplication
        val presenter = try {
            WakeupPresenter(app.session) { app.keys.storeKey() }
        } catch (e: Exception) {
            // The store cannot open before the phone's first unlock since boot.
            return Result.retry()
        }
        val problem = when (inputData.getString(KIND)) {
            "subscribe" -> presenter.endpointChanged(
                inputData.getString("endpoint") ?: return Result.failure(),
                inputData.getString("p256dh") ?: return Result.failure(),
                inputData.getString("auth") ?: return Result.failure(),
            )
            "unsubscribe" -> presenter.endpointLost()
            "wake" -> {
                val wake = presenter.woken(canPost = Notifier.canPost(applicationContext))
                Notifier.post(applicationContext, wake)
                wake.problem // a sync that failed for a reason worth retrying is retried
            }
            else -> return Result.failure()
        }
        return if (problem?.retryable == true) Result.retry() else Result.success()
    }

    companion object {
        const val KIND = "kind"

        fun enqueue(context: Context, job: Job) = context.enqueueWake(job)
    }
}
