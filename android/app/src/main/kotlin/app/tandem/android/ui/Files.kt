package app.tandem.android.ui

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
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
 * The text is read from `content` (the presenter's state) when the picker
 * answers, so an activity recreated meanwhile still writes it. Returns
 * `save(fileName)`; `onDone` hears how it went.
 */
@Composable
fun rememberFileSaver(mime: String, content: () -> String?, onDone: (Saved) -> Unit): (String) -> Unit {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    val latest by rememberUpdatedState(content)
    val done by rememberUpdatedState(onDone)
    val launcher = rememberLauncherForActivityResult(ActivityResultContracts.CreateDocument(mime)) { uri ->
        val text = latest()
        if (uri == null || text == null) {
            done(Saved.CANCELLED)
            return@rememberLauncherForActivityResult
        }
        scope.launch {
            val ok = withContext(Dispatchers.IO) {
                runCatching {
                    context.contentResolver.openOutputStream(uri, "wt")!!.use { it.write(text.toByteArray()) }
                }.isSuccess
            }
            done(if (ok) Saved.WRITTEN else Saved.FAILED)
        }
    }
    return { name -> launcher.launch(name) }
}

/**
 * Asks where to save once for each file `key` names (none: nothing to
 * save): not again when the activity is recreated while the picker is open.
 */
@Composable
fun SaveOnce(key: String?, save: () -> Unit) {
    var asked by rememberSaveable { mutableStateOf<String?>(null) }
    LaunchedEffect(key) {
        // Handed over (the key gone): the same file may be asked for again.
        if (key == null) asked = null
        if (key != null && asked != key) {
            asked = key
            save()
        }
    }
}
