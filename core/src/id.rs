//! Random identifiers for items, devices and spaces.
//!
//! Items are keyed in their documents by these ids (never by a fixed key), so
//! two devices that create items while offline can never collide.

/// A new random 128-bit id as 32 lowercase hex characters.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether `s` looks like an id made by [`new_id`]: used to reject garbage early
/// with a clear error instead of a confusing "not found".
pub fn is_well_formed(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}
