//! `sync`: push what the server lacks, pull what is new; the first time,
//! connect this device to a server.

use serde_json::json;
use tandem_core::App;
use tandem_core::sync::engine::SyncReport;

use crate::home::err;
use crate::output::Reply;

/// `sync [--server URL]`.
pub fn sync(app: &App, server: Option<String>) -> Result<Reply, String> {
    let report = app.sync_with(server.as_deref()).map_err(err)?;
    let status = app.sync_status().map_err(err)?;
    let mut text = sync_text(&report, status.server.as_deref());
    if status.quarantined > 0 {
        text.push_str(&format!(
            "\n{} received changes could not be taken in and are kept aside; everything else synced.",
            status.quarantined
        ));
    }
    let out = json!({ "report": report, "quarantined": status.quarantined, "status": status });
    Ok(Reply::json(out, text))
}

fn sync_text(report: &SyncReport, server: Option<&str>) -> String {
    let mut lines = vec![format!(
        "Synced with {}: sent {}, received {} ({} new changes).",
        server.unwrap_or("?"),
        report.pushed,
        report.pulled,
        report.applied
    )];
    if !report.refused.is_empty() {
        lines.push(format!(
            "Refused {} records that were tampered with or do not belong here.",
            report.refused.len()
        ));
    }
    lines.join("\n")
}
