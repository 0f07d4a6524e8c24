//! `sync`: push what the server lacks, pull what is new; the first time,
//! connect this device to a server.

use serde_json::json;
use tandem_core::Store;
use tandem_core::sync::engine::SyncReport;

use crate::home::err;
use crate::output::Reply;

/// `sync [--server URL]`.
pub fn sync(s: &mut Store, server: Option<String>) -> Result<Reply, String> {
    let connected = s.account().map_err(err)?.is_some();
    let report = match (connected, server) {
        (false, Some(url)) => s.connect(&url),
        (false, None) => Err(tandem_core::Error::NoServer),
        (true, Some(url)) => s.connect(&url),
        (true, None) => s.sync(),
    }
    .map_err(err)?;
    let status = s.sync_status().map_err(err)?;
    let text = sync_text(&report, status.server.as_deref());
    let out = json!({ "report": report, "status": status });
    Ok(Reply::json(out, text))
}

/// Connects the store to `server` if it is not connected yet; without a
/// server, a store that is not connected is an error.
pub fn ensure_connected(s: &mut Store, server: Option<&str>) -> Result<(), String> {
    let connected = s.account().map_err(err)?.is_some();
    match (connected, server) {
        (true, _) => Ok(()),
        (false, Some(url)) => s.connect(url).map(|_| ()).map_err(err),
        (false, None) => Err(tandem_core::Error::NoServer.to_string()),
    }
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
