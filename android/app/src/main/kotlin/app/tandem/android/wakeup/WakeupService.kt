package app.tandem.android.wakeup

import android.app.Activity
import android.content.Context
import androidx.work.Constraints
import androidx.work.Data
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import org.unifiedpush.android.connector.FailedReason
import org.unifiedpush.android.connector.PushService
import org.unifiedpush.android.connector.UnifiedPush
import org.unifiedpush.android.connector.data.PushEndpoint
import org.unifiedpush.android.connector.data.PushMessage

/**
 * UnifiedPush: a distributor the person installed (ntfy, or any other)
 * hands this app a Web Push endpoint, and the relay wakes the phone
 * through it. No Google service is involved. Every callback only
 * enqueues work: the core's calls run in [WakeWorker], off this thread.
 *
 * The message itself is not read: every wake-up says the same thing
 * ("sync now"), so there is nothing in it to trust or to show.
 */
class WakeupService : PushService() {
    override fun onNewEndpoint(endpoint: PushEndpoint, instance: String) {
        val keys = endpoint.pubKeySet ?: return // a distributor without Web Push keys cannot be used
        WakeWorker.enqueue(
            applicationContext,
            WakeWorker.Job.Subscribe(endpoint.url, keys.pubKey, keys.auth),
        )
    }

    override fun onMessage(message: PushMessage, instance: String) {
        WakeWorker.enqueue(applicationContext, WakeWorker.Job.Wake)
    }

    override fun onRegistrationFailed(reason: FailedReason, instance: String) {
        // Nothing to undo: periodic sync still runs, Settings shows no wake-ups.
    }

    override fun onUnregistered(instance: String) {
        WakeWorker.enqueue(applicationContext, WakeWorker.Job.Unsubscribe)
    }

    companion object {
        /**
         * Registers with the distributor the person uses (or the only one
         * installed); asks nothing when there is none. Called from the
         * activity once the device syncs with a server.
         */
        fun register(activity: Activity) {
            if (android.os.Build.VERSION.SDK_INT >= 33 && !Notifier.canPost(activity)) {
                activity.requestPermissions(arrayOf(android.Manifest.permission.POST_NOTIFICATIONS), 0)
            }
            UnifiedPush.tryUseCurrentOrDefaultDistributor(activity) { found ->
                if (found) UnifiedPush.register(activity)
            }
        }

        /**
         * Stops wake-ups (Settings, or erasing everything): the distributor
         * forgets the endpoint and the relay the subscription
         * (`unregister` does not call [onUnregistered]).
         */
        fun unregister(context: Context) {
            UnifiedPush.unregister(context)
            WakeWorker.enqueue(context, WakeWorker.Job.Unsubscribe)
        }
    }
}

/** Work names and inputs kept in one place. */
internal fun Context.enqueueWake(job: WakeWorker.Job) {
    // Not expedited: below Android 12 expedited work runs as a foreground
    // service, with a notification of its own. A high-priority push lets
    // ordinary work start at once on the phones that matter.
    val request = OneTimeWorkRequestBuilder<WakeWorker>()
        .setInputData(job.toData())
        .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
        .build()
    // Wake-ups that pile up while one runs collapse into one more sync.
    val policy = if (job is WakeWorker.Job.Wake) ExistingWorkPolicy.APPEND_OR_REPLACE else ExistingWorkPolicy.REPLACE
    WorkManager.getInstance(this).enqueueUniqueWork(job.uniqueName, policy, request)
}

internal fun Data.Builder.job(kind: String): Data.Builder = putString(WakeWorker.KIND, kind)
