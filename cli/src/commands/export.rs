//! `export` and `import`: everything on this device as one file, and back.

use std::path::{Path, PathBuf};

use serde_json::json;
use tandem_core::App;
use tandem_core::export::Export;

use crate::args::ExportFormat;
use crate::home::{err, write_private};
use crate::output::Reply;

/// `export`: to stdout as it is, or to a private file.
pub fn export(app: &App, format: ExportFormat, out: Option<PathBuf>) -> Result<Reply, String> {
    let x = app.export().map_err(err)?;
    let text = match format {
        ExportFormat::Json => x.to_json().map_err(err)?,
        ExportFormat::Markdown => x.to_markdown(),
    };
    match out {
        None => Ok(Reply::Raw(text.trim_end().to_owned())),
        Some(path) => {
            write_private(&path, &text)?;
            let done = json!({ "path": path, "bytes": text.len() });
            Ok(Reply::json(
                done,
                format!("Exported to {}.", path.display()),
            ))
        }
    }
}

/// `import`: a JSON export into this device's fresh store.
pub fn import(app: &App, file: &Path) -> Result<Reply, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let export = Export::from_json(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let done = app.import(&export).map_err(err)?;
    let said = format!(
        "Imported {} documents ({} changes).",
        done.documents, done.changes
    );
    Reply::new(&done, said)
}
