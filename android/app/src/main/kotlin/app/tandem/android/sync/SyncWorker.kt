package app.tandem.android.sync

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import app.tandem.android.TandemApplication
import app.tandem.android.wakeup.Notifier
import app.tandem.core.TandemException
import app.tandem.shared.WakeupPresenter
import java.util.concurrent.TimeUnit

/**
 * Background sync: WorkManager runs it when the phone has a network, with
 * the store opened for it if the app is locked ([WakeupPresenter]), and
 * posts the notices due. The core keeps its own backoff and status; a
 * failure here is retried by WorkManager's backoff too, and shown on the
 * Settings screen.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        return try {
            // Opening the store can fail before the phone's first unlock since boot.
            val app = applicationContext as TandemApplication
            val session = app.session
            // A locked store (the usual case in the background) cannot be
            // asked; the presenter opens it, and without a server the sync
            // is a no-op while the notices still come.
            if (!session.tandem.isLocked() && session.call { it.syncStatus().server } == null) {
                return Result.success()
            }
            // One sync and the notices due (check-in and meeting reminders
            // too), with the store opened and locked again if it was locked.
            val wake = WakeupPresenter(session) { app.keys.storeKey() }
                .woken(canPost = Notifier.canPost(applicationContext))
            Notifier.post(applicationContext, wake)
            if (wake.problem?.retryable == true) Result.retry() else Result.success()
        } catch (e: TandemException) {
            Result.failure()
        } catch (e: java.security.GeneralSecurityException) {
            Result.retry()
        }
    }
}

/** Schedules [SyncWorker] every 15 minutes while a network is available. */
object SyncScheduler {
    fun schedule(context: Context) {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(15, TimeUnit.MINUTES)
            .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
            .build()
        WorkManager.getInstance(context)
            .enqueueUniquePeriodicWork("tandem-sync", ExistingPeriodicWorkPolicy.KEEP, request)
    }
}
