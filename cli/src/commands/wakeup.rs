//! `wakeup …`: this device's Web Push subscription at the sync server.

use serde_json::json;
use tandem_core::App;
use tandem_core::features::wakeups::{GatewayProvider, WakeupSubscription};

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
        WakeupCommand::Gateway {
            url,
            provider,
            token,
        } => {
            let provider = match provider.as_str() {
                "apns" => GatewayProvider::Apns,
                _ => GatewayProvider::Fcm,
            };
            let sub = app
                .wakeups()
                .subscribe_through_gateway(&url, provider, &token)
                .map_err(err)?;
            Ok(Reply::json(
                json!({ "subscribed": true, "endpoint": sub.endpoint }),
                "This device will be woken through the gateway when something arrives.",
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
