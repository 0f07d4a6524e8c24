//! Codes a person reads out, types or scans: a device-link code and a pair
//! invite code. Both carry a key that must never reach the server, so they
//! travel from phone to phone only (QR code, reading aloud, a message).
//!
//! Text form: a prefix naming the kind (`TL2-` link, `TP3-` pair), then the
//! payload in base32 (RFC 4648, no padding) in groups of four, the last four
//! bytes a checksum so that a typo is caught before anything is sent.
//! Letters may be typed in either case; dashes and spaces are ignored.

use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::sync::seal::SpaceKey;

/// What a device-link code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCode {
    /// The server's single-use link code (32 bytes).
    pub server_code: [u8; 32],
    /// The private space's id (16 bytes).
    pub space_id: [u8; 16],
    /// The private space's current epoch.
    pub epoch: u32,
    /// The private space's key for that epoch.
    pub key: SpaceKey,
    /// The seed of the one-time invite key the linking device entered in
    /// the device log (`TL2-` codes): the new device adds itself to the
    /// log with it (see `features::devices::log`).
    pub invite: Option<SpaceKey>,
}

/// What a pair invite code carries. The invite secret is derived from the
/// key (one-way, domain-separated), so the code stays short and the server,
/// which sees only the secret's hash, learns nothing about the key. Every
/// invite is for a new pair space with a new key, so secrets never repeat.
///
/// A `TP2-` code also names the pair space and the fingerprint of the
/// mentee's identity: the joining device checks that the server let it
/// into that space, and pins the mentee's identity from the code rather
/// than from what arrives through the server. A `TP1-` code (made before
/// identities) carries neither; the mentor's device then pins the first
/// identity the mentee publishes. A `TP3-` code carries what a `TP2-` one
/// does and says the pair space takes only signed records from its first
/// epoch (it was made by a build that signs); a pair joined with an older
/// code starts its signing epoch later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteCode {
    /// The server's invite id (16 bytes).
    pub invite_id: [u8; 16],
    /// The pair space's key for its current epoch.
    pub key: SpaceKey,
    /// The pair space's id (`TP2-` codes).
    pub space_id: Option<[u8; 16]>,
    /// The fingerprint of the mentee's identity (`TP2-` codes).
    pub identity: Option<[u8; 16]>,
    /// The pair space takes only signed records from its first epoch
    /// (`TP3-` codes).
    pub signed: bool,
}

impl InviteCode {
    /// The invite's secret: what the server stores the hash of.
    pub fn secret(&self) -> [u8; 32] {
        invite_secret(&self.key)
    }
}

/// The invite secret for a pair space's key.
pub fn invite_secret(key: &SpaceKey) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tandem invite secret v1\0");
    h.update(key.as_bytes());
    h.finalize().into()
}

/// The recovery key: 256 random bits, shown once at set-up, that restore a
/// person's private space (and through its keyring, their pairs) on a new
/// device when every old one is lost.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(pub [u8; 32]);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

impl RecoveryKey {
    const PREFIX: &'static str = "TR1-";

    /// A fresh random key.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        RecoveryKey(bytes)
    }

    /// The key as text, to write down.
    pub fn to_text(&self) -> Zeroizing<String> {
        encode(Self::PREFIX, &self.0)
    }

    /// Reads a key typed in.
    pub fn parse(text: &str) -> Result<Self> {
        let p = decode(Self::PREFIX, "recovery key", text)?;
        let bytes: [u8; 32] = p[..]
            .try_into()
            .map_err(|_| Error::invalid("recovery key", "it has the wrong length"))?;
        Ok(RecoveryKey(bytes))
    }

    fn derive(&self, label: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"tandem recovery v1\0");
        h.update(label);
        h.update([0]);
        h.update(self.0);
        h.finalize().into()
    }

    /// The server-side recovery code (a never-expiring link code), as text.
    pub fn server_code(&self) -> Zeroizing<String> {
        use base64::Engine as _;
        Zeroizing::new(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.derive(b"server code")),
        )
    }

    /// The key that wraps the private space's key in the recovery envelope.
    pub fn wrap_key(&self) -> SpaceKey {
        SpaceKey::from_bytes(self.derive(b"wrap"))
    }

    /// The opaque name of the recovery envelope among the private space's snapshots.
    pub fn envelope_name(&self) -> String {
        self.wrap_key().wire_doc_id("envelope")
    }
}

fn encode(prefix: &str, payload: &[u8]) -> Zeroizing<String> {
    let mut bytes = Zeroizing::new(payload.to_vec());
    bytes.extend_from_slice(&Sha256::digest(payload)[..4]);
    let text = Zeroizing::new(BASE32_NOPAD.encode(&bytes));
    let mut out = Zeroizing::new(String::with_capacity(text.len() * 5 / 4 + 8));
    out.push_str(prefix);
    for (i, c) in text.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

fn decode(prefix: &str, what: &'static str, text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let clean: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_uppercase)
            .collect(),
    );
    let bare = prefix.replace('-', "");
    let body = clean
        .strip_prefix(&bare)
        .ok_or_else(|| Error::invalid(what, format!("it should start with {prefix}")))?;
    let bytes = Zeroizing::new(
        BASE32_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| Error::invalid(what, "it has a character that does not belong"))?,
    );
    if bytes.len() < 4 {
        return Err(Error::invalid(what, "it is too short"));
    }
    let (payload, check) = bytes.split_at(bytes.len() - 4);
    if Sha256::digest(payload)[..4] != *check {
        return Err(Error::invalid(
            what,
            "it has a typo (the checksum does not match)",
        ));
    }
    Ok(Zeroizing::new(payload.to_vec()))
}

impl LinkCode {
    const PREFIX_V1: &'static str = "TL1-";
    const PREFIX: &'static str = "TL2-";

    /// The code as text: `TL2-` with an invite key, `TL1-` without.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut p = Zeroizing::new(Vec::with_capacity(116));
        p.extend_from_slice(&self.server_code);
        p.extend_from_slice(&self.space_id);
        p.extend_from_slice(&self.epoch.to_be_bytes());
        p.extend_from_slice(self.key.as_bytes());
        match &self.invite {
            Some(invite) => {
                p.extend_from_slice(invite.as_bytes());
                encode(Self::PREFIX, &p)
            }
            None => encode(Self::PREFIX_V1, &p),
        }
    }

    /// Reads a code typed or scanned.
    pub fn parse(text: &str) -> Result<Self> {
        let v1 = text
            .trim_start()
            .get(..3)
            .is_some_and(|p| p.eq_ignore_ascii_case("TL1"));
        let (prefix, len) = if v1 {
            (Self::PREFIX_V1, 84)
        } else {
            (Self::PREFIX, 116)
        };
        let p = decode(prefix, "link code", text)?;
        if p.len() != len {
            return Err(Error::invalid("link code", "it has the wrong length"));
        }
        Ok(LinkCode {
            server_code: p[..32].try_into().expect("sized"),
            space_id: p[32..48].try_into().expect("sized"),
            epoch: u32::from_be_bytes(p[48..52].try_into().expect("sized")),
            key: SpaceKey::from_bytes(p[52..84].try_into().expect("sized")),
            invite: (!v1).then(|| SpaceKey::from_bytes(p[84..116].try_into().expect("sized"))),
        })
    }
}

impl InviteCode {
    const PREFIX_V1: &'static str = "TP1-";
    const PREFIX_V2: &'static str = "TP2-";
    const PREFIX: &'static str = "TP3-";

    /// The code as text (`TP3-` when it names the space and identity and
    /// the space is signed from its start).
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut p = Zeroizing::new(Vec::with_capacity(80));
        p.extend_from_slice(&self.invite_id);
        p.extend_from_slice(self.key.as_bytes());
        match (self.space_id, self.identity) {
            (Some(space_id), Some(identity)) => {
                p.extend_from_slice(&space_id);
                p.extend_from_slice(&identity);
                encode(
                    if self.signed {
                        Self::PREFIX
                    } else {
                        Self::PREFIX_V2
                    },
                    &p,
                )
            }
            _ => encode(Self::PREFIX_V1, &p),
        }
    }

    /// Reads a code typed or scanned (`TP3-`, or `TP2-`/`TP1-` from
    /// before).
    pub fn parse(text: &str) -> Result<Self> {
        let version = text.trim_start().get(..3).map(str::to_ascii_uppercase);
        let v1 = version.as_deref() == Some("TP1");
        let signed = !v1 && version.as_deref() != Some("TP2");
        let prefix = match (v1, signed) {
            (true, _) => Self::PREFIX_V1,
            (false, false) => Self::PREFIX_V2,
            (false, true) => Self::PREFIX,
        };
        let p = decode(prefix, "invite code", text)?;
        if p.len() != if v1 { 48 } else { 80 } {
            return Err(Error::invalid("invite code", "it has the wrong length"));
        }
        let sized =
            |range: std::ops::Range<usize>| -> [u8; 16] { p[range].try_into().expect("sized") };
        Ok(InviteCode {
            invite_id: sized(0..16),
            key: SpaceKey::from_bytes(p[16..48].try_into().expect("sized")),
            space_id: (!v1).then(|| sized(48..64)),
            identity: (!v1).then(|| sized(64..80)),
            signed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_forgive_case_and_dashes_and_catch_typos() {
        let link = LinkCode {
            server_code: [3; 32],
            space_id: [4; 16],
            epoch: 2,
            key: SpaceKey::generate(),
            invite: Some(SpaceKey::generate()),
        };
        let text = link.to_text();
        assert!(text.starts_with("TL2-"));
        assert_eq!(LinkCode::parse(&text).unwrap(), link);
        assert_eq!(
            LinkCode::parse(&text.to_lowercase().replace('-', " ")).unwrap(),
            link
        );
        // A code from before the device log still reads, with no invite.
        let before = LinkCode {
            invite: None,
            ..link.clone()
        };
        let text = before.to_text();
        assert!(text.starts_with("TL1-"));
        assert_eq!(LinkCode::parse(&text).unwrap(), before);

        let invite = InviteCode {
            invite_id: [9; 16],
            key: SpaceKey::generate(),
            space_id: Some([7; 16]),
            identity: Some([5; 16]),
            signed: true,
        };
        let text = invite.to_text();
        assert!(text.starts_with("TP3-"));
        assert!(text.len() <= 172, "{} characters", text.len());
        assert_eq!(InviteCode::parse(&text).unwrap(), invite);
        assert_eq!(InviteCode::parse(&text.to_lowercase()).unwrap(), invite);
        // A code from before signatures still reads, as unsigned.
        let unsigned = InviteCode {
            signed: false,
            ..invite.clone()
        };
        let unsigned_text = unsigned.to_text();
        assert!(unsigned_text.starts_with("TP2-"));
        assert_eq!(InviteCode::parse(&unsigned_text).unwrap(), unsigned);
        // A code from before identities still reads, naming neither.
        let old = InviteCode {
            space_id: None,
            identity: None,
            signed: false,
            ..invite.clone()
        };
        let old_text = old.to_text();
        assert!(old_text.starts_with("TP1-") && old_text.len() <= 108);
        assert_eq!(InviteCode::parse(&old_text).unwrap(), old);
        // A TP1 payload under the TP2 prefix (or the reverse) is refused.
        assert!(InviteCode::parse(&old_text.replacen("TP1-", "TP2-", 1)).is_err());
        assert!(InviteCode::parse(&text.replacen("TP3-", "TP1-", 1)).is_err());
        assert!(InviteCode::parse(&text.replacen("TP3-", "TP9-", 1)).is_err());
        assert_ne!(invite.secret(), *invite.key.as_bytes());

        // One character changed: refused before anything is sent.
        let mut typo: Vec<char> = text.chars().collect();
        let i = typo.len() / 2;
        typo[i] = if typo[i] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert_eq!(
            InviteCode::parse(&typo).unwrap_err().kind(),
            crate::ErrorKind::Validation
        );
        assert!(InviteCode::parse(&LinkCode::parse(&link.to_text()).unwrap().to_text()).is_err());
        assert!(InviteCode::parse("").is_err());
        assert!(InviteCode::parse("TP1-!!!!").is_err());
    }
}
