//! `init` and `timezone`: who this device is for, and the zone their days
//! are counted in.

use serde_json::json;
use tandem_core::App;

use crate::commands::device::device_id;
use crate::home::err;
use crate::output::Reply;

/// `init`: sets up this device for a person and shows the recovery key once.
pub fn init(app: &App, name: &str, timezone: &str) -> Result<Reply, String> {
    let p = app.init(name, timezone).map_err(err)?;
    let recovery = app.devices().new_recovery_key().map_err(err)?;
    let out = json!({
        "name": p.name,
        "timezone": p.timezone,
        "device_id": device_id(app)?,
        "recovery_key": recovery.as_str(),
    });
    let text = format!(
        "Welcome, {}. Days are counted in {}.\n\nYour recovery key (shown this once; \
         write it down and keep it somewhere safe — it brings your data back on a new \
         phone, and anyone holding it can read your data):\n\n    {}",
        p.name,
        p.timezone,
        recovery.as_str()
    );
    Ok(Reply::json(out, text))
}

/// `timezone`: the zone days are counted in from now on.
pub fn timezone(app: &App, timezone: &str) -> Result<Reply, String> {
    let p = app.tracks().set_timezone(timezone).map_err(err)?;
    Reply::new(&p, format!("Days are now counted in {}.", p.timezone))
}
