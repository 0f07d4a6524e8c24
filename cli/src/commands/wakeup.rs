//! `wakeup …`: this device's Web Push subscription at the sync server.

use serde_json::json;
use tandem_core::App;
use tandem_core::features::wakeups::WakeupSubscription;

use crate::args::WakeupCommand;
use crate::home::err;
use crate::output::Reply;

/// Runs one `wakeup` command.
pub fn run(app: &App, cmd: WakeupCommand) -> Result<Reply, String> {
    match cmd {
        WakeupCommand::Subscribe {
            endpoint,
            p256dh,
            auth,
        } => {
            let sub = WakeupSubscription::new(&endpoint, &p256dh, &auth).map_err(err)?;
            app.wakeups().subscribe(&sub).map_err(err)?;
            Ok(Reply::json(
                json!({ "subscribed": true }),
                "This device will be woken when something arrives.",
            ))
        }
        WakeupCommand::Unsubscribe => {
            app.wakeups().unsubscribe().map_err(err)?;
            Ok(Reply::json(
                json!({ "subscribed": false }),
                "This device is no longer woken.",
            ))
        }
    }
}
