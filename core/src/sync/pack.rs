//! Several changes of one document in one record.
//!
//! A record's fixed cost on the wire (nonce, tag, opaque names, JSON) is
//! about as large as a typical change, so the push packs the pending changes
//! of each document (by one writer) into one record, up to [`PACK_BYTES`].
//! The record's opaque change hash is then the keyed hash of the packed
//! changes' hashes in order, so a retried push of the same pack still
//! de-duplicates on the server; a pack that differs on retry (more changes
//! were made meanwhile) only repeats changes the receiver already drops.
//!
//! Format: a marker byte `0x01`, then for each change its length (u32,
//! big-endian) and its bytes. A payload that starts with anything else is
//! one bare change (what earlier builds sent).

use crate::sync::seal::Refusal;

/// The most change bytes one record carries (a larger change travels alone).
pub const PACK_BYTES: usize = 64 * 1024;

const MARKER: u8 = 0x01;

/// Encodes `changes` as one payload.
pub fn encode<'a>(changes: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = vec![MARKER];
    for c in changes {
        out.extend_from_slice(&(c.len() as u32).to_be_bytes());
        out.extend_from_slice(c);
    }
    out
}

/// The changes in `payload`, in order.
pub fn decode(payload: &[u8]) -> Result<Vec<&[u8]>, Refusal> {
    let Some((&MARKER, mut rest)) = payload.split_first() else {
        return if payload.is_empty() {
            Err(Refusal::Malformed)
        } else {
            Ok(vec![payload])
        };
    };
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest.split_at_checked(4).ok_or(Refusal::Malformed)?;
        let len = u32::from_be_bytes(len.try_into().map_err(|_| Refusal::Malformed)?) as usize;
        let (change, tail) = tail.split_at_checked(len).ok_or(Refusal::Malformed)?;
        if change.is_empty() {
            return Err(Refusal::Malformed);
        }
        out.push(change);
        rest = tail;
    }
    if out.is_empty() {
        return Err(Refusal::Malformed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_round_trip_and_bare_changes_still_read() {
        let a = [0x85u8, 0x6f, 1, 2, 3];
        let b = [0x85u8, 0x6f, 9];
        let packed = encode([&a[..], &b[..]]);
        assert_eq!(decode(&packed).unwrap(), vec![&a[..], &b[..]]);
        assert_eq!(decode(&a).unwrap(), vec![&a[..]]);
    }

    #[test]
    fn damaged_packs_are_refused() {
        let packed = encode([&[0x85u8, 1, 2][..]]);
        assert_eq!(decode(&packed[..packed.len() - 1]), Err(Refusal::Malformed));
        assert_eq!(decode(&[MARKER]), Err(Refusal::Malformed));
        assert_eq!(decode(&[MARKER, 0, 0, 0, 0]), Err(Refusal::Malformed));
        assert_eq!(decode(&[]), Err(Refusal::Malformed));
    }
}
