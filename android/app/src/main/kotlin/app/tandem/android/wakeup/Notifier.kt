package app.tandem.android.wakeup

import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import app.tandem.android.R
import app.tandem.android.ui.MainActivity
import app.tandem.core.AppName
import app.tandem.core.Notice
import app.tandem.shared.Wake

/**
 * Posts the core's notices as discreet notifications: the title is the
 * app name the person chose, the line is the app's own neutral wording
 * for the notice's kind (string resources, translated), never content.
 * On a lock screen only the title shows ([NotificationCompat.VISIBILITY_PRIVATE]
 * with a public version that says the same neutral line).
 */
object Notifier {
    private const val CHANNEL = "tandem-notices"

    /** Whether notifications may be posted (checked before notices are announced). */
    fun canPost(context: Context): Boolean =
        (
            Build.VERSION.SDK_INT < 33 ||
                ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED
            ) && NotificationManagerCompat.from(context).areNotificationsEnabled()

    fun post(context: Context, wake: Wake) {
        if (wake.notices.isEmpty() || !canPost(context)) return
        ensureChannel(context)
        val title = context.getString(appNameRes(wake.appName))
        val open = PendingIntent.getActivity(
            context,
            0,
            Intent(context, MainActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP),
            PendingIntent.FLAG_IMMUTABLE,
        )
        val manager = NotificationManagerCompat.from(context)
        for (notice in wake.notices) {
            val line = context.getString(lineRes(notice))
            val public = NotificationCompat.Builder(context, CHANNEL)
                .setSmallIcon(R.drawable.ic_notice)
                .setContentTitle(title)
                .setContentText(line)
                .build()
            val notification = NotificationCompat.Builder(context, CHANNEL)
                .setSmallIcon(R.drawable.ic_notice)
                .setContentTitle(title)
                .setContentText(line)
                .setContentIntent(open)
                .setAutoCancel(true)
                .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
                .setPublicVersion(public)
                .setPriority(if (notice == Notice.REACH_OUT) NotificationCompat.PRIORITY_HIGH else NotificationCompat.PRIORITY_DEFAULT)
                .build()
            try {
                manager.notify(notice.ordinal, notification)
            } catch (e: SecurityException) {
                // Permission withdrawn between the check and the post: the
                // rest cannot be posted either.
                return
            }
        }
    }

    private fun ensureChannel(context: Context) {
        val manager = context.getSystemService(NotificationManager::class.java)
        if (manager.getNotificationChannel(CHANNEL) == null) {
            manager.createNotificationChannel(
                NotificationChannel(CHANNEL, context.getString(R.string.notice_channel), NotificationManager.IMPORTANCE_HIGH),
            )
        }
    }

    private fun appNameRes(name: AppName?): Int = when (name) {
        AppName.NOTES -> R.string.app_name_notes
        AppName.DAILY -> R.string.app_name_daily
        AppName.STEPS -> R.string.app_name_steps
        AppName.TANDEM, null -> R.string.app_name_tandem
    }

    private fun lineRes(notice: Notice): Int = when (notice) {
        Notice.CHECK_IN_REMINDER -> R.string.notice_check_in
        Notice.MILESTONE_REACHED -> R.string.notice_milestone
        Notice.PAIR_ACTIVITY -> R.string.notice_pair_activity
        Notice.REACH_OUT -> R.string.notice_reach_out
        Notice.SYNC_TROUBLE -> R.string.notice_sync_trouble
        Notice.MEETING_SOON -> R.string.notice_meeting_soon
    }
}
