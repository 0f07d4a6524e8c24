//! Checks on ids and binary fields coming in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult};

/// A server-made id: 32 lowercase hex characters.
pub fn id(field: &str, v: &str) -> ApiResult<()> {
    if tandem_protocol::is_id(v) {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "{field} must be 32 lowercase hex characters"
        )))
    }
}

/// A document's opaque name: 1–128 of `A-Z a-z 0-9 - _ . /`.
pub fn doc_id(v: &str) -> ApiResult<()> {
    if !v.is_empty()
        && v.len() <= 128
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
    {
        Ok(())
    } else {
        Err(ApiError::BadRequest(
            "doc_id must be 1-128 of A-Z a-z 0-9 - _ . /".into(),
        ))
    }
}

/// A SHA-256 or change hash: 64 lowercase hex characters.
pub fn hash(field: &str, v: &str) -> ApiResult<[u8; 32]> {
    let mut out = [0u8; 32];
    if v.len() == 64
        && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && hex::decode_to_slice(v, &mut out).is_ok()
    {
        Ok(out)
    } else {
        Err(ApiError::BadRequest(format!(
            "{field} must be 64 lowercase hex characters"
        )))
    }
}

/// A base64url field (no padding) of at most `max` decoded bytes.
pub fn bytes(field: &str, v: &str, max: usize) -> ApiResult<Vec<u8>> {
    if v.len() > max.saturating_mul(4) / 3 + 4 {
        return Err(ApiError::TooLarge(format!(
            "{field} is larger than {max} bytes"
        )));
    }
    let out = URL_SAFE_NO_PAD
        .decode(v)
        .map_err(|_| ApiError::BadRequest(format!("{field} must be base64url without padding")))?;
    if out.len() > max {
        return Err(ApiError::TooLarge(format!(
            "{field} is larger than {max} bytes"
        )));
    }
    Ok(out)
}

/// Encodes bytes as base64url without padding.
pub fn encode(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

/// Most bytes in a nonce.
pub const NONCE_MAX: usize = 64;
