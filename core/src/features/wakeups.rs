//! Wake-ups: this device's Web Push subscription at the relay, so that a
//! write by the other side of a pair wakes the phone within seconds.
//!
//! The shell gets a Web Push endpoint from its push service (UnifiedPush on
//! Android, a gateway for FCM or APNs) with the subscription's public key
//! and auth secret, and hands them here. The relay keeps them for this
//! device only and sends a content-free wake-up (no space, no kind) when
//! something is written to a space this device reads; the shell then runs
//! one sync and shows [`announce`](crate::notify::announce)'s notices.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::sync::Client;
use crate::sync::run::StoreAccess;

/// The server takes the subscription again after this long, so that one it
/// lost (or dropped after a failed delivery) comes back.
pub const REFRESH_AFTER_MS: i64 = 24 * 3_600 * 1_000;

/// A Web Push subscription (RFC 8030, keys per RFC 8291).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeupSubscription {
    /// The push service's endpoint URL.
    pub endpoint: String,
    /// The subscription's P-256 public key, uncompressed, base64url.
    pub p256dh: String,
    /// The subscription's 16-byte auth secret, base64url.
    pub auth: String,
}

impl WakeupSubscription {
    /// A subscription, checked: an `https://` endpoint (or `http://` on
    /// this machine, for tests), a 65-byte uncompressed P-256 point and a
    /// 16-byte secret.
    pub fn new(endpoint: &str, p256dh: &str, auth: &str) -> Result<Self> {
        let endpoint = endpoint.trim();
        let url = reqwest::Url::parse(endpoint)
            .map_err(|_| Error::invalid("endpoint", "expected an https:// URL"))?;
        let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if !(url.scheme() == "https" || url.scheme() == "http" && local) || url.host().is_none() {
            return Err(Error::invalid("endpoint", "expected an https:// URL"));
        }
        let key = decode("p256dh", p256dh)?;
        if key.len() != 65 || key[0] != 4 {
            return Err(Error::invalid(
                "p256dh",
                "expected an uncompressed P-256 public key (65 bytes)",
            ));
        }
        if decode("auth", auth)?.len() != 16 {
            return Err(Error::invalid("auth", "expected a 16-byte secret"));
        }
        Ok(WakeupSubscription {
            endpoint: endpoint.to_owned(),
            p256dh: p256dh.trim().trim_end_matches('=').to_owned(),
            auth: auth.trim().trim_end_matches('=').to_owned(),
        })
    }
}

/// A platform push service reached through a `tandem-wakeup-gateway`,
/// for phones a Web Push endpoint cannot reach directly (an iPhone; an
/// Android phone without a UnifiedPush distributor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayProvider {
    /// Firebase Cloud Messaging: the token is the app's registration token.
    Fcm,
    /// Apple Push Notification service: the token is the device token, hex.
    Apns,
}

impl WakeupSubscription {
    /// A subscription to `endpoint` with Web Push keys made here. For an
    /// endpoint a gateway made: the gateway does not pass the encrypted
    /// body on (every wake-up says the same thing, "sync now"), so the
    /// private key is never needed and is not kept.
    pub fn with_fresh_keys(endpoint: &str) -> Result<Self> {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        use rand::RngCore as _;
        let secret = loop {
            let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
            rand::rng().fill_bytes(bytes.as_mut());
            // Fails only for zero or a value past the group order.
            if let Ok(k) = p256::SecretKey::from_slice(bytes.as_ref()) {
                break k;
            }
        };
        let point = secret.public_key().to_encoded_point(false);
        let mut auth = [0u8; 16];
        rand::rng().fill_bytes(&mut auth);
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        Self::new(endpoint, &b64(point.as_bytes()), &b64(&auth))
    }
}

fn decode(field: &'static str, text: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|_| Error::invalid(field, "expected base64url"))
}

super::handle!(
    /// This device's wake-ups.
    Wakeups
);

impl Wakeups<'_> {
    /// Keeps `sub` and gives it to the server (at once if the device
    /// syncs, else at its first sync).
    pub fn subscribe(&self, sub: &WakeupSubscription) -> Result<()> {
        self.app.on_network(|steps| subscribe(steps, sub))
    }

    /// Asks the gateway at `gateway` for an endpoint that reaches this
    /// phone through `provider` with its `token`, bound to this device's
    /// relay (its VAPID key), and subscribes with it. The relay then holds
    /// only the gateway's sealed endpoint, never the provider token, and no
    /// other relay can use it. Needs a server; reaches the network.
    pub fn subscribe_through_gateway(
        &self,
        gateway: &str,
        provider: GatewayProvider,
        token: &str,
    ) -> Result<WakeupSubscription> {
        let token = token.trim();
        if token.is_empty() || token.len() > 512 {
            return Err(Error::invalid("token", "expected the push service's token"));
        }
        let gateway = Client::new(gateway)?;
        self.app.on_network(|steps| {
            let relay = steps.with(client_of)?.ok_or(Error::NoServer)?;
            let endpoint = gateway.gateway_endpoint(provider, token, &relay.wakeup_vapid()?)?;
            let sub = WakeupSubscription::with_fresh_keys(&endpoint)?;
            subscribe(steps, &sub)?;
            Ok(sub)
        })
    }

    /// Forgets the subscription here and at the server.
    pub fn unsubscribe(&self) -> Result<()> {
        self.app.on_network(|steps| unsubscribe(steps))
    }

    /// The subscription this device keeps, if any.
    pub fn current(&self) -> Result<Option<WakeupSubscription>> {
        self.app
            .read(|s| Ok(s.wakeup_subscription()?.map(|(sub, _)| sub)))
    }
}

/// Keeps `sub` and registers it with the server when the device has one.
pub fn subscribe(access: &mut impl StoreAccess, sub: &WakeupSubscription) -> Result<()> {
    access.with(|s| s.set_wakeup_subscription(Some(sub)))?;
    let Some(client) = access.with(client_of)? else {
        return Ok(());
    };
    client.put_wakeup(sub)?;
    access.with(|s| s.wakeup_registered(s.now().timestamp_millis()))
}

/// Forgets the subscription here, then at the server.
pub fn unsubscribe(access: &mut impl StoreAccess) -> Result<()> {
    access.with(|s| s.set_wakeup_subscription(None))?;
    if let Some(client) = access.with(client_of)? {
        client.delete_wakeup()?;
    }
    Ok(())
}

/// During a sync: gives the server the subscription again when it has
/// not taken it yet or took it more than [`REFRESH_AFTER_MS`] ago. A
/// refusal does not fail the sync.
pub(crate) fn refresh(access: &mut impl StoreAccess, client: &Client) -> Result<()> {
    let due = access.with(|s| {
        let now = s.now().timestamp_millis();
        Ok(s.wakeup_subscription()?
            .filter(|(_, at)| at.is_none_or(|at| now - at >= REFRESH_AFTER_MS))
            .map(|(sub, _)| sub))
    })?;
    // Wake-ups are a help, not the sync: a server without them (an older
    // one, or one run with wake-ups off) leaves the subscription to be
    // given again at the next sync, and this sync goes on.
    if let Some(sub) = due
        && client.put_wakeup(&sub).is_ok()
    {
        access.with(|s| s.wakeup_registered(s.now().timestamp_millis()))?;
    }
    Ok(())
}

fn client_of(store: &mut Store) -> Result<Option<Client>> {
    store.account()?.map(|a| a.client()).transpose()
}
