//! `device …`: this person's devices: linking, unlinking, restoring.

use serde_json::json;
use tandem_core::App;

use crate::args::DeviceCommand;
use crate::home::err;
use crate::output::{Reply, lines};

/// Runs one `device` command.
pub fn run(app: &App, cmd: DeviceCommand) -> Result<Reply, String> {
    match cmd {
        DeviceCommand::LinkCode => {
            let code = app.devices().link_code().map_err(err)?;
            let text = format!(
                "{}\nType or scan this on your other device within 15 minutes: \
                 tandem device link CODE --server URL. It carries your key: show it to no one.",
                code.as_str()
            );
            Ok(Reply::json(json!({ "code": code.as_str() }), text))
        }
        DeviceCommand::List => list(app),
        DeviceCommand::Unlink { id } => unlink(app, &id),
        DeviceCommand::Confirm { id, code } => {
            app.devices().confirm(&id, code.as_deref()).map_err(err)?;
            Ok(Reply::json(
                json!({ "device_id": id, "confirmed": true }),
                format!(
                    "Confirmed {id} as one of your devices: it gets your keys from its next sync."
                ),
            ))
        }
        DeviceCommand::Restore {
            recovery_key,
            server,
        } => restore(
            app,
            &crate::secret::from_arg("recovery key", recovery_key)?,
            &server,
        ),
        DeviceCommand::Link { code, server } => {
            let code = crate::secret::from_arg("link code", code)?;
            let report = app.devices().link(&code, &server).map_err(err)?;
            let person = app.person().map_err(err)?;
            let out =
                json!({ "name": person.name, "device_id": device_id(app)?, "report": report });
            let text = format!(
                "Linked. Welcome back, {}: {} changes arrived.",
                person.name, report.applied
            );
            Ok(Reply::json(out, text))
        }
    }
}

/// `device list`: the recorded devices with the server's view of each, and
/// any device only the server knows, flagged. Offline (or without a
/// server) the recorded devices alone, with a note on standard error.
fn list(app: &App) -> Result<Reply, String> {
    let ds = match app.devices().list_with_server() {
        Ok(ds) => ds,
        Err(e @ (tandem_core::Error::NoServer | tandem_core::Error::Network(_))) => {
            if !matches!(e, tandem_core::Error::NoServer) {
                eprintln!(
                    "The server was not reached ({e}); these are the devices this one recorded."
                );
            }
            app.devices().list().map_err(err)?
        }
        Err(e) => return Err(err(e)),
    };
    let text = lines(&ds, |d| {
        let seen = d
            .server
            .as_ref()
            .and_then(|s| s.last_seen_ms)
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| format!("  last seen {}", t.format("%Y-%m-%d")))
            .unwrap_or_default();
        format!(
            "{}{}{}{}{}{}{}",
            d.device_id,
            if d.this_device { "  (this device)" } else { "" },
            if d.unlinked { "  (unlinked)" } else { "" },
            if d.unlink_unfinished {
                "  (UNLINKING DID NOT FINISH: unlink it again)"
            } else {
                ""
            },
            match (d.uncertified, d.this_device) {
                (true, false) => {
                    "  (NOT ADDED BY ANY OF YOUR DEVICES: it gets no new keys; unlink it if you do not know it)"
                }
                (true, true) => {
                    "  (NOT IN YOUR DEVICE LOG: it gets no new keys; link it again from one of your devices)"
                }
                _ => "",
            },
            d.code
                .as_ref()
                .map(|c| format!("  code {c}"))
                .unwrap_or_default(),
            seen
        )
    });
    Reply::new(&ds, text)
}

/// `device unlink`: the lost device shut out, and a new recovery key shown once.
fn unlink(app: &App, id: &str) -> Result<Reply, String> {
    let (d, recovery) = app.devices().unlink(id).map_err(err)?;
    let mut out = serde_json::to_value(&d).map_err(|e| e.to_string())?;
    out["recovery_key"] = json!(recovery.as_str());
    let text = format!(
        "Unlinked {}. The server no longer takes it, and what you write from now on \
         is sealed under a new key it never gets. What it already held stays on it, \
         behind its lock.\n\nYour recovery key changed too (shown this once):\n\n    {}",
        d.device_id,
        recovery.as_str()
    );
    Ok(Reply::json(out, text))
}

/// `device restore`: everything back from the recovery key, which is then
/// replaced by a new one, shown once.
fn restore(app: &App, recovery_key: &str, server: &str) -> Result<Reply, String> {
    let (report, new_key) = app.devices().restore(recovery_key, server).map_err(err)?;
    let person = app.person().map_err(err)?;
    let out = json!({
        "name": person.name,
        "device_id": device_id(app)?,
        "report": report,
        "recovery_key": new_key.as_str(),
    });
    let text = format!(
        "Restored. Welcome back, {}: {} changes arrived.\n\nYour old recovery key is \
         used up. Your new one (shown this once):\n\n    {}",
        person.name,
        report.applied,
        new_key.as_str()
    );
    Ok(Reply::json(out, text))
}

/// This device's id, which no feature handle hands out: read from the store.
pub fn device_id(app: &App) -> Result<String, String> {
    app.read(|s| Ok(s.device_id())).map_err(err)
}
