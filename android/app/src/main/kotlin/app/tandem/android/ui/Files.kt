package app.tandem.android.ui

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.platform.LocalContext
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** Where a file the person saves stands: written, or not (cancelled, or the write failed). */
enum class Saved { WRITTEN, CANCELLED, FAILED }

/**
 * Saves text through the Storage Access Framework: the system's picker
 * asks where (the person's own choice of folder or cloud), then the text is
 * written there off the main thread. Nothing goes through an intent's
 * extras, where other apps and the system logs could read it.
 *
 * Returns `save(fileName, content)`; `onDone` hears how it went.
 */
@Composable
fun rememberFileSaver(mime: String, onDone: (Saved) -> Unit): (String, String) -> Unit {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    val pending = remember { arrayOfNulls<String>(1) }
    val launcher = rememberLauncherForActivityResult(ActivityResultContracts.CreateDocument(mime)) { uri ->
        val content = pending[0]
        pending[0] = null
        if (uri == null || content == null) {
            onDone(Saved.CANCELLED)
            return@rememberLauncherForActivityResult
        }
        scope.launch {
            val ok = withContext(Dispatchers.IO) {
                runCatching {
                    context.contentResolver.openOutputStream(uri, "wt")!!.use { it.write(content.toByteArray()) }
                }.isSuccess
            }
            onDone(if (ok) Saved.WRITTEN else Saved.FAILED)
        }
    }
    return { name, content ->
        pending[0] = content
        launcher.launch(name)
    }
}
