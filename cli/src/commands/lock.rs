//! Lock, unlock, rekey and erase: who may open the store, under which key,
//! and its end.

use serde_json::json;
use tandem_core::erase::{EraseReport, ServerErasure};
use tandem_core::keyfile;
use tandem_core::{App, Store};

use crate::home::{Home, create_private_dir, err, write_private};
use crate::output::Reply;

/// Why `erase` without `--yes` does nothing.
pub const ERASE_UNCONFIRMED: &str = "erase deletes everything on this device and your account \
     at the sync server; nothing can be recovered. Run `tandem erase --yes` to go ahead";

/// `lock`: every command but unlock and erase is refused from now on.
pub fn lock(home: &Home) -> Result<Reply, String> {
    create_private_dir(home.dir())?;
    write_private(&home.lock_file(), "")?;
    Ok(Reply::json(json!({ "locked": true }), "Locked."))
}

/// `unlock`: proves the key still opens the store, then lifts the lock.
pub fn unlock(home: &Home) -> Result<Reply, String> {
    drop(home.open_store()?);
    if let Err(e) = std::fs::remove_file(home.lock_file())
        && e.kind() != std::io::ErrorKind::NotFound
    {
        return Err(format!("cannot unlock: {e}"));
    }
    Ok(Reply::json(json!({ "locked": false }), "Unlocked."))
}

/// `rekey`: the store under a new key, and the key file replaced.
pub fn rekey(store: Store, home: &Home) -> Result<Reply, String> {
    drop(keyfile::rotate(store, &home.key_file()).map_err(err)?);
    Ok(Reply::json(
        json!({ "rekeyed": true }),
        "The store is encrypted under a new key.",
    ))
}

/// `erase --yes`: the store, its key, the lock marker and the account at
/// the sync server.
pub fn erase(app: &App, home: &Home) -> Result<Reply, String> {
    let report = app.erase(&home.erase_also()).map_err(err)?;
    Reply::new(&report, erase_text(&report))
}

fn erase_text(report: &EraseReport) -> String {
    let mut out = vec![format!(
        "Removed {} files from this device.",
        report.removed.len()
    )];
    for (file, why) in &report.not_removed {
        out.push(format!("Could not remove {}: {why}", file.display()));
    }
    out.push(match &report.server {
        None => "This device had no account at a sync server.".into(),
        Some(ServerErasure::Deleted {
            server,
            spaces_deleted,
            ..
        }) => format!("{server} deleted your account and {spaces_deleted} spaces you alone owned."),
        Some(ServerErasure::Failed { server, reason }) => {
            format!("{server} still holds your account's encrypted data: {reason}")
        }
    });
    out.join("\n")
}
