//! Tandem's sync protocol: the JSON bodies that travel between a device and
//! the sync server. Both sides use these types, so they cannot drift apart.
//!
//! The server relays ciphertext. Nothing here carries plaintext: a record's
//! `ciphertext` is sealed by the device with the space's key, its `doc_id` is
//! an opaque name chosen by the device, and binary fields are base64url
//! (no padding) strings. See `docs/protocol.md` for the endpoints.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The API version prefix of every endpoint.
pub const API: &str = "/v1";

/// The protocol version this build speaks. Devices send it in the
/// [`PROTOCOL_HEADER`] of every request; a request without that header
/// speaks version 1 (the devices released before it existed).
pub const PROTOCOL: u32 = 4;

/// The oldest protocol version a server of this build serves: older
/// devices get `426 Upgrade Required`, with a JSON error naming it.
/// Version 2 seals key envelopes between two devices' keys under names
/// only they can compute; a version-1 device would neither open those nor
/// send ones the others accept. Version 3 signs every record: once a
/// space's signing epoch starts, a version-2 device's unsigned records
/// would be refused, so it must upgrade first. Version 4 answers a push
/// sealed under an epoch the space has moved past with `409`
/// (`stale_epoch`) and stores nothing of it; a version-3 device would try
/// that push again at every sync and never reach its pull.
pub const MIN_PROTOCOL: u32 = 4;

/// The request header that carries a device's protocol version.
pub const PROTOCOL_HEADER: &str = "tandem-protocol";

/// `GET /v1/info`: what a server speaks, asked before anything else (no
/// token needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ServerInfo {
    /// The protocol version the server speaks.
    pub protocol: u32,
    /// The oldest protocol version it serves.
    pub min_protocol: u32,
    /// The server's release (its crate version).
    pub version: String,
}

/// Whether `v` has the form of every id the server makes (accounts,
/// devices, spaces, invites): 32 lowercase hex characters. Both sides check
/// it: the server on what comes in, a device before it puts an id into a
/// URL, so that no id can ever become a path such as `../account`.
pub fn is_id(v: &str) -> bool {
    v.len() == 32 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `POST /v1/devices`: registers a device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// A link code from another device of the same account; without one a new account is made.
    #[serde(default)]
    pub link_code: Option<String>,
}

/// The answer to a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegisterResponse {
    /// The account's id.
    pub account_id: String,
    /// This device's id.
    pub device_id: String,
    /// The bearer token for this device. Shown once; the server keeps only its hash.
    pub token: String,
}

/// `POST /v1/devices/link-codes`: a single-use code that adds a device to this account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LinkCodeResponse {
    /// The code (256-bit, base64url). Shown once.
    pub code: String,
    /// When it stops working (UTC ms).
    pub expires_at_ms: i64,
}

/// One device of the caller's account, as the server knows it (`GET
/// /v1/devices`). Times are coarse: the server keeps no finer record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeviceInfo {
    /// The device's id.
    pub device_id: String,
    /// When it registered (UTC ms, rounded down to the hour).
    pub created_at_ms: i64,
    /// The day it last called the server (UTC ms of that day's start), if known.
    pub last_seen_ms: Option<i64>,
    /// The device whose link code registered it; none for an account's first
    /// device and for devices restored with the recovery code.
    pub linked_by: Option<String>,
    /// Whether it is the device asking.
    pub this_device: bool,
    /// The device's X25519 public key for key envelopes (64 lowercase hex),
    /// as the device itself set it with its own token; none until it has.
    /// Another device of the account cannot change it, so a device takes
    /// new keys only from the box key the server lists here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub box_key: Option<String>,
}

/// `PUT /v1/devices/keys`: the calling device's own public keys. Set once;
/// the same again is accepted, another refused (403).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeviceKeys {
    /// The device's X25519 public key for key envelopes (64 lowercase hex).
    pub box_key: String,
}

/// `GET /v1/devices`: every device of the caller's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeviceList {
    /// The devices, oldest first.
    pub devices: Vec<DeviceInfo>,
}

/// `DELETE /v1/devices/{device_id}`: the devices whose tokens stopped working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DevicesRevoked {
    /// The unlinked device first, then every device it linked (directly or
    /// through another) except the caller and the devices that linked the
    /// caller.
    pub revoked: Vec<String>,
}

/// A space the account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SpaceInfo {
    /// The space's id.
    pub space_id: String,
    /// Whether this account owns it.
    pub owner: bool,
    /// The current key epoch: it grows whenever a member leaves or is removed.
    pub epoch: u32,
    /// How many accounts are members.
    pub members: u32,
    /// The newest record's sequence number (0 when empty).
    pub head_seq: i64,
}

/// `GET /v1/spaces`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SpaceList {
    /// The spaces.
    pub spaces: Vec<SpaceInfo>,
}

/// `POST /v1/spaces/{space_id}/invites`: the device made a 256-bit secret and
/// sends only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInviteRequest {
    /// SHA-256 of the invite secret, 64 lowercase hex characters.
    pub secret_hash: String,
    /// Hours until the invite expires (default 72, at most 168).
    #[serde(default)]
    pub ttl_hours: Option<u32>,
}

/// A created invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InviteResponse {
    /// The invite's id (goes into the invite code with the secret).
    pub invite_id: String,
    /// When it expires (UTC ms).
    pub expires_at_ms: i64,
}

/// `POST /v1/invites/{invite_id}/redeem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemInviteRequest {
    /// The invite secret (base64url of 32 bytes).
    pub secret: String,
}

/// The space joined by redeeming an invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JoinedSpace {
    /// The space's id.
    pub space_id: String,
    /// Its current key epoch.
    pub epoch: u32,
}

/// The space's key epoch after a membership change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EpochResponse {
    /// The new epoch: devices seal what they write from now on with a new key.
    pub epoch: u32,
}

/// A record as a device pushes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRecord {
    /// The space it belongs to.
    pub space_id: String,
    /// The document's opaque name (1–128 of `A-Z a-z 0-9 - _ . /`).
    pub doc_id: String,
    /// The change's hash, 64 lowercase hex characters: the de-duplication key.
    pub change_hash: String,
    /// The key epoch it was sealed under.
    pub key_epoch: u32,
    /// The nonce (base64url).
    pub nonce: String,
    /// The sealed change (base64url).
    pub ciphertext: String,
}

/// `POST /v1/sync/push`: records for any of the device's spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The records, in the order the device made them.
    pub records: Vec<PushRecord>,
}

/// The sequence number a pushed record has (new or, for a repeat, the one it already had).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ack {
    /// The space.
    pub space_id: String,
    /// The change's hash.
    pub change_hash: String,
    /// Its sequence number in the space.
    pub seq: i64,
}

/// The answer to a push: one ack per pushed record, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResponse {
    /// The acks.
    pub acks: Vec<Ack>,
}

/// Where a device stands in one space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// The space.
    pub space_id: String,
    /// The last sequence number the device has (0 for none).
    pub after: i64,
}

/// `POST /v1/sync/pull`: the records after each cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// One cursor per space to pull.
    pub cursors: Vec<Cursor>,
    /// Most records per space in this answer (default and upper bound set by the server).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A stored record as the server hands it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StoredRecord {
    /// Its sequence number in the space.
    pub seq: i64,
    /// The document's opaque name.
    pub doc_id: String,
    /// The change's hash.
    pub change_hash: String,
    /// The key epoch it was sealed under.
    pub key_epoch: u32,
    /// The nonce (base64url).
    pub nonce: String,
    /// The sealed change (base64url).
    pub ciphertext: String,
}

/// The records of one space after the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SpaceRecords {
    /// The space.
    pub space_id: String,
    /// Records in sequence order.
    pub records: Vec<StoredRecord>,
    /// Whether more records follow: pull again after the last one.
    pub more: bool,
    /// The space's newest sequence number.
    pub head_seq: i64,
    /// The space's current key epoch.
    pub epoch: u32,
}

/// The answer to a pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullResponse {
    /// One entry per requested space, in request order.
    pub spaces: Vec<SpaceRecords>,
}

/// One space's newest sequence number and epoch: a cheap "anything new?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SpaceHead {
    /// The space.
    pub space_id: String,
    /// Its newest sequence number.
    pub head_seq: i64,
    /// Its key epoch.
    pub epoch: u32,
}

/// `GET /v1/sync/heads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HeadsResponse {
    /// Every space of the account.
    pub spaces: Vec<SpaceHead>,
}

/// `PUT /v1/spaces/{space_id}/snapshots`: an encrypted compacted document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnapshotUpload {
    /// The document's opaque name.
    pub doc_id: String,
    /// The snapshot holds every record of this document up to this sequence number.
    pub upto_seq: i64,
    /// The key epoch it was sealed under.
    pub key_epoch: u32,
    /// The nonce (base64url).
    pub nonce: String,
    /// The sealed snapshot (base64url).
    pub ciphertext: String,
}

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Snapshot {
    /// The document's opaque name.
    pub doc_id: String,
    /// Covers every record of the document up to this sequence number.
    pub upto_seq: i64,
    /// The key epoch.
    pub key_epoch: u32,
    /// The nonce (base64url).
    pub nonce: String,
    /// The sealed snapshot (base64url).
    pub ciphertext: String,
}

/// `GET /v1/spaces/{space_id}/snapshots`: the newest snapshot of every document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SnapshotList {
    /// One per document that has one.
    pub snapshots: Vec<Snapshot>,
}

/// `POST /v1/spaces/{space_id}/compact`: the owner drops change records a snapshot covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompactRequest {
    /// The document.
    pub doc_id: String,
}

/// How many records a compaction removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CompactResponse {
    /// Records removed.
    pub removed: u64,
}

/// `PUT /v1/account/recovery`: the hash of the account's recovery code.
///
/// A recovery code is a link code that does not expire; an account has at
/// most one (setting a new one retires the old). A device registers with it
/// as with any link code, which uses it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RecoveryRequest {
    /// SHA-256 of the recovery code's text, 64 lowercase hex.
    pub code_hash: String,
}

/// `DELETE /v1/account`: what was erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountDeleted {
    /// Spaces the account alone owned, now deleted with all their records.
    pub spaces_deleted: u32,
    /// Spaces the account left (shared ones owned by others).
    pub spaces_left: u32,
}

/// `PUT /v1/devices/self/wakeup`: this device's Web Push subscription
/// (RFC 8030), where the server sends content-free wake-ups when another
/// device writes to a space this device's account belongs to.
///
/// The three fields are those a push service hands a subscriber: the
/// endpoint URL and the subscriber's message-encryption keys (RFC 8291).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WakeupSubscription {
    /// The push endpoint: an `https://` URL at a public address.
    pub endpoint: String,
    /// The subscriber's P-256 public key, uncompressed (65 bytes), base64url.
    pub p256dh: String,
    /// The subscriber's authentication secret (16 bytes), base64url.
    pub auth: String,
}

/// `GET /v1/wakeup/vapid`: the server's VAPID public key (RFC 8292), for a
/// device to subscribe with at its push service (`applicationServerKey`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VapidPublicKey {
    /// The P-256 public key, uncompressed (65 bytes), base64url without padding.
    pub public_key: String,
}

/// Every error answer's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// A stable code, e.g. `not_found`, `too_large`, `rate_limited`.
    pub error: String,
    /// An English sentence for logs.
    pub message: String,
}
