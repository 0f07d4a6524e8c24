//! A one-time code shown on screen: as text to type and as a QR code.

use serde::{Deserialize, Serialize};

/// A code to show: a link code or a pair invite. Its `Debug` leaves the
/// code out, so that logs never hold it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownCode {
    /// The code as text, for typing (dash-separated groups).
    pub text: String,
    /// The payload to encode as a QR code: the same code, which the other
    /// side reads exactly as if typed. Its characters (capitals, digits and
    /// dashes) fit a QR code's compact alphanumeric mode.
    pub qr_payload: String,
}

impl std::fmt::Debug for ShownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShownCode").finish_non_exhaustive()
    }
}

impl ShownCode {
    pub(crate) fn new(code: &str) -> ShownCode {
        ShownCode {
            text: code.to_owned(),
            qr_payload: code.to_owned(),
        }
    }
}
