//! Which relays may push through the gateway: RFC 8292 VAPID, as a push
//! service checks it for a restricted subscription. With relay keys
//! given, a push must carry `Authorization: vapid t=JWT, k=KEY` with `KEY`
//! one of them, the JWT signed by it, its `aud` the gateway's origin and
//! its `exp` in the future (at most 24 hours away).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};

/// Longest validity RFC 8292 allows a JWT.
const MAX_AHEAD_SECONDS: u64 = 24 * 3600;

/// Why a push was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// No `vapid` authorization, or one that does not parse.
    #[error("a push needs `Authorization: vapid t=…, k=…`")]
    Missing,
    /// The key is not one of the relays this gateway serves.
    #[error("this gateway does not serve that relay's key")]
    UnknownKey,
    /// The JWT's signature, audience or expiry is wrong.
    #[error("the VAPID JWT does not verify: {0}")]
    BadJwt(&'static str),
}

/// Checks `authorization` from a relay whose key must be in `allowed`
/// (base64url uncompressed points), for a gateway at `origin`, at `now`
/// (Unix seconds).
pub fn check(
    authorization: Option<&str>,
    allowed: &[String],
    origin: &str,
    now: u64,
) -> Result<(), Refused> {
    let value = authorization.ok_or(Refused::Missing)?;
    let (scheme, rest) = value.split_once(' ').ok_or(Refused::Missing)?;
    if !scheme.eq_ignore_ascii_case("vapid") {
        return Err(Refused::Missing);
    }
    let (mut jwt, mut key) = (None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => jwt = Some(v),
            Some(("k", v)) => key = Some(v),
            _ => {}
        }
    }
    let (jwt, key) = jwt.zip(key).ok_or(Refused::Missing)?;
    if !allowed.iter().any(|k| k == key) {
        return Err(Refused::UnknownKey);
    }
    let point = URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| Refused::UnknownKey)?;
    let verifying = VerifyingKey::from_sec1_bytes(&point).map_err(|_| Refused::UnknownKey)?;
    let (input, signature) = jwt.rsplit_once('.').ok_or(Refused::BadJwt("not a JWT"))?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or(Refused::BadJwt("not an ES256 signature"))?;
    verifying
        .verify(input.as_bytes(), &signature)
        .map_err(|_| Refused::BadJwt("signature"))?;
    let claims = input
        .split('.')
        .nth(1)
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .and_then(|c| serde_json::from_slice::<serde_json::Value>(&c).ok())
        .ok_or(Refused::BadJwt("claims"))?;
    if claims["aud"].as_str() != Some(origin) {
        return Err(Refused::BadJwt("audience"));
    }
    match claims["exp"].as_u64() {
        Some(exp) if exp > now && exp <= now + MAX_AHEAD_SECONDS => Ok(()),
        _ => Err(Refused::BadJwt("expiry")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wakeup::vapid::VapidKey;

    #[test]
    fn only_a_fresh_jwt_from_a_served_relay_for_this_origin_passes() {
        let relay = VapidKey::generate();
        let other = VapidKey::generate();
        let allowed = vec![relay.public_key().to_owned()];
        let origin = "https://gw.example";
        let now = 1_000_000;
        let ok = relay.authorization(origin, now + 3600, None);
        assert_eq!(check(Some(&ok), &allowed, origin, now), Ok(()));
        assert_eq!(check(None, &allowed, origin, now), Err(Refused::Missing));
        assert_eq!(
            check(
                Some(&other.authorization(origin, now + 60, None)),
                &allowed,
                origin,
                now
            ),
            Err(Refused::UnknownKey)
        );
        assert_eq!(
            check(
                Some(&relay.authorization("https://else.example", now + 60, None)),
                &allowed,
                origin,
                now
            ),
            Err(Refused::BadJwt("audience"))
        );
        assert_eq!(
            check(
                Some(&relay.authorization(origin, now - 1, None)),
                &allowed,
                origin,
                now
            ),
            Err(Refused::BadJwt("expiry"))
        );
        // Another key's signature under the served key's name.
        let forged = format!(
            "vapid t={}, k={}",
            other.jwt(origin, now + 60, None),
            relay.public_key()
        );
        assert_eq!(
            check(Some(&forged), &allowed, origin, now),
            Err(Refused::BadJwt("signature"))
        );
    }
}
