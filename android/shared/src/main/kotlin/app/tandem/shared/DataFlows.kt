package app.tandem.shared

import app.tandem.core.EraseFlow
import app.tandem.core.EraseStep
import app.tandem.core.ExportFlow
import app.tandem.core.ExportFormat
import app.tandem.core.ExportStep
import kotlinx.coroutines.flow.update

/**
 * Exporting everything on this phone: the format, then the file, which
 * the shell hands to the system's file picker (the Storage Access
 * Framework, the iOS document picker) once and forgets ([handedOver]).
 */
class ExportPresenter(session: TandemSession) :
    FlowPresenter<ExportFlow, ExportStep>(session, { it.exportFlow() }, { it.step() }) {
    /** Makes the file in `format`. */
    suspend fun export(format: ExportFormat) = answerAsync { it.export(format) }

    /** The file was saved where the person chose (or dropped): the flow starts over. */
    suspend fun handedOver() {
        start()
        current.update { it.copy(problem = null) }
    }
}

/**
 * Erasing everything: the core words what erasing does (the mentor keeps
 * the copies they synced), then the person confirms. Afterwards the app
 * stays locked for good.
 */
class ErasePresenter(session: TandemSession) :
    FlowPresenter<EraseFlow, EraseStep>(session, { it.eraseFlow() }, { it.step() }) {
    /** Erases the account at the server, this phone's store and `also` (paths). */
    suspend fun confirm(also: List<String> = emptyList()) = answerAsync { it.confirm(also) }
}
