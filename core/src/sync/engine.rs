//! One sync: push what the server has not acknowledged, pull what came
//! after each space's cursor, apply it.
//!
//! - **Push** reads the outbox (changes made here, appended in the same
//!   transaction as the change), packs each document's pending changes into
//!   one record ([`pack`](super::pack)), seals it for its space, and sends
//!   them in as few requests as the server's bounds allow. Acknowledged rows
//!   leave the outbox; a lost answer leaves them there and the next push
//!   sends them again, which the server de-duplicates.
//! - **Pull** asks for every space's records after its cursor in one
//!   request, opens each record, and applies the changes per document in one
//!   batch, in the same SQLite transaction that moves the cursors. A kill
//!   at any moment leaves the cursor where the applied changes are.
//! - Records that fail to open (tampered, moved, replayed from another epoch)
//!   or whose inside does not match their outside are **reported** in
//!   `sync_refused` and the report, never applied.
//! - A server that reports fewer records than it had already served (rolled
//!   back or truncated) is an error; nothing local is changed.
//! - Nothing here ever discards an unsynced local change: the outbox is only
//!   emptied by the server's acknowledgement.

use std::collections::{BTreeMap, HashMap};

use automerge::Change;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use tandem_protocol::{Cursor, PushRecord};

use super::client::Client;
use super::pack;
use super::run::StoreAccess;
use super::seal::{self, Place, Refusal, SpaceKey, Writer};
use super::signature::{self, Members, Writers};
use crate::document::DocId;
use crate::error::{Error, Result};
use crate::features::{devices, pairs};
use crate::store::{CursorMove, Outgoing, Pulled, RefusedRow, Space, SpaceRole, Store};

/// At most this many changes (so at most this many records) in one push
/// (the server's default bound is 1,000 records).
const PUSH_RECORDS: usize = 500;
/// At most about this many change bytes in one push: padded, sealed and
/// base64-encoded they stay under the server's default 4 MiB body bound.
const PUSH_BYTES: usize = 2 * 1024 * 1024;
/// The longest wait between automatic attempts after failures.
const BACKOFF_MAX_MS: i64 = 15 * 60 * 1000;
/// The first wait after a failure.
const BACKOFF_FIRST_MS: i64 = 5_000;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Records the server acknowledged.
    pub pushed: usize,
    /// Records received.
    pub pulled: usize,
    /// New changes applied to documents.
    pub applied: usize,
    /// Records refused (reported, not applied).
    pub refused: Vec<RefusedRecord>,
    /// Documents loaded from snapshots (a new device's first sync).
    pub from_snapshots: usize,
    /// Snapshots uploaded after this sync.
    pub snapshots_uploaded: usize,
    /// Spaces whose records wait for a key this device has not received yet
    /// (a new epoch after another device was unlinked).
    pub waiting_for_keys: Vec<String>,
    /// Bytes of the automerge changes pushed, as stored locally.
    pub raw_bytes: u64,
    /// Bytes of what was sealed for them: nonces and ciphertexts (padding
    /// and authentication tags included).
    pub sealed_bytes: u64,
    /// Bytes of the push request bodies on the wire (gzipped JSON).
    pub sent_bytes: u64,
    /// The pairs' records were pulled again after the private space's
    /// (which changed what decides how they are read).
    #[serde(skip)]
    pub deferred: bool,
}

/// A record the server sent that was not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedRecord {
    /// Its space.
    pub space_id: String,
    /// Its sequence number there.
    pub seq: i64,
    /// Why.
    pub reason: Refusal,
}

/// Sync status, for the screens: part of the core's view state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The server this device syncs with.
    pub server: Option<String>,
    /// When the last sync succeeded (UTC ms).
    pub last_success_ms: Option<i64>,
    /// When the last sync was tried (UTC ms).
    pub last_attempt_ms: Option<i64>,
    /// The last failure in words, until a sync succeeds.
    pub last_error: Option<String>,
    /// Failures since the last success.
    pub failures: u32,
    /// Local changes the server has not acknowledged yet.
    pub pending_changes: u64,
    /// Records refused so far (tampered, moved, replayed).
    pub refused_records: u64,
    /// Received changes kept aside because they could not be taken into
    /// their document (a field of the wrong type, say); the rest synced.
    pub quarantined: u64,
    /// When an automatic sync should next be tried (backoff after failures).
    pub next_attempt_ms: Option<i64>,
}

/// Connects this device to `server` through `access`: registers it (a new
/// account) and makes its private space there, with a fresh key, unless it
/// already has both. Then syncs. The store is held only between the
/// server's answers.
pub fn connect(access: &mut impl StoreAccess, server: &str) -> Result<SyncReport> {
    let base = Client::new(server)?.base().to_owned();
    let account = match access.with(|s| s.account())? {
        Some(account) => account,
        None => {
            let registered = super::client::register_at(server, None)?;
            // A new account: its identity is made here, by its first
            // device, before any other device of the person exists.
            access.with(|s| {
                let account = s.keep_account(registered)?;
                crate::features::identity::get_or_make(s)?;
                Ok(account)
            })?
        }
    };
    if account.server != base {
        return Err(Error::invalid(
            "server",
            format!("this device already syncs with {}", account.server),
        ));
    }
    if access.with(|s| s.private_space())?.is_none() {
        let info = account.client()?.create_space()?;
        access.with(|s| {
            crate::features::pairs::refuse_known_space(s, &info.space_id)?;
            s.add_space(
                &info.space_id,
                SpaceRole::Private,
                info.epoch,
                &SpaceKey::generate(),
            )?;
            // Made by a build that signs: signed from its first record.
            crate::features::signing::decide(s, &info.space_id, 0)
        })?;
    }
    super::run::sync(access)
}

/// Records how a sync ended in the sync status.
pub(crate) fn record_outcome(store: &mut Store, result: &Result<SyncReport>) -> Result<()> {
    // The outbox was seeded or emptied, in part or whole.
    store.forget_outbox_len();
    let now = store.now().timestamp_millis();
    let mut status = store.stored_sync_status()?;
    status.last_attempt_ms = Some(now);
    match result {
        Ok(_) => {
            status.last_success_ms = Some(now);
            status.last_error = None;
            status.failures = 0;
        }
        Err(e) => {
            status.last_error = Some(e.to_string());
            status.failures = status.failures.saturating_add(1);
        }
    }
    store.keep_sync_status(&status)?;
    Ok(())
}

/// The sync status as the screens show it.
pub fn status(store: &Store) -> Result<SyncStatus> {
    let mut status = store.stored_sync_status()?;
    status.server = store.account()?.map(|a| a.server);
    // Cached statements: the Today screen asks for this on every draw.
    status.pending_changes = store.outbox_len()?;
    status.refused_records = store.refused_count()?;
    status.quarantined = store.quarantined_count()?;
    status.next_attempt_ms = match (status.last_attempt_ms, status.failures) {
        (None, _) => None,
        (Some(at), 0) => Some(at),
        (Some(at), n) => {
            let wait = BACKOFF_FIRST_MS
                .saturating_mul(1i64 << (n - 1).min(20))
                .min(BACKOFF_MAX_MS);
            Some(at + wait)
        }
    };
    Ok(status)
}

/// The first step of a sync: the client for this device's server, once
/// what must go out first is ready (the outbox seeded, the recovery
/// envelope, this device's and the pairs' published documents).
pub(crate) fn begin(store: &mut Store) -> Result<Client> {
    let account = store.account()?.ok_or(Error::NoServer)?;
    if store.private_space()?.is_none() {
        return Err(Error::NoServer);
    }
    let client = account.client()?;
    store.seed_outbox()?;
    devices::upload_recovery(store, &client)?;
    devices::publish_device(store)?;
    devices::publish_box_key(store, &client)?;
    pairs::publish_to_pairs(store)?;
    Ok(client)
}

/// Notes, from the server's list of this device's spaces, the epoch each
/// is at: a space whose key for it is here seals under it from now on; one
/// whose epoch moved on to one this device has no key for waits (what it
/// writes there waits, see [`next_push`], until the key arrives at a
/// pull). Whether any space had moved past the epoch this device sealed
/// under.
pub(crate) fn note_epochs(store: &mut Store, list: &tandem_protocol::SpaceList) -> Result<bool> {
    let mut moved = false;
    for space in store.spaces()? {
        let Some(info) = list.spaces.iter().find(|s| s.space_id == space.space_id) else {
            continue;
        };
        pairs::set_aside_planted_keys(store, &space.space_id, info.epoch)?;
        store.note_server_epoch(&space.space_id, info.epoch)?;
        if info.epoch > space.epoch {
            moved = true;
            if store.space_key(&space.space_id, info.epoch)?.is_none() {
                store.set_waiting_epoch(&space.space_id, Some(info.epoch))?;
            }
        }
    }
    Ok(moved)
}

/// The next push request: the outbox rows after `after` that fit in one
/// request, packed and sealed; `after` moves past them. `None` when the
/// outbox has nothing more.
pub(crate) fn next_push(
    store: &mut Store,
    after: &mut i64,
    report: &mut SyncReport,
) -> Result<Option<PushBatch>> {
    loop {
        let rows = store.outbox_after(*after, PUSH_RECORDS)?;
        if rows.is_empty() {
            return Ok(None);
        }
        // The longest run of rows (at least one) within the request's
        // byte budget; the next request starts after it.
        let mut budget = 0usize;
        let take = rows
            .iter()
            .position(|row| {
                budget += row.bytes.len();
                budget > PUSH_BYTES
            })
            .unwrap_or(rows.len())
            .max(1);
        *after = rows[take - 1].seq;
        // Pack each document's changes by one writer, in outbox order.
        let mut packs: Vec<Pack<'_>> = Vec::new();
        for Outgoing {
            seq,
            doc_id,
            hash,
            bytes: change,
        } in &rows[..take]
        {
            let writer = Change::from_bytes(change.clone())
                .map_err(|e| Error::CorruptDocument {
                    doc_id: doc_id.clone(),
                    reason: e.to_string(),
                })?
                .actor_id()
                .to_bytes()
                .to_vec();
            let open = packs.iter_mut().rev().find(|p| {
                p.doc_id == doc_id.as_str()
                    && p.writer == writer
                    && p.bytes + change.len() <= pack::PACK_BYTES
            });
            match open {
                Some(p) => p.add(*seq, hash, change),
                None => {
                    let mut p = Pack {
                        doc_id: doc_id.as_str(),
                        writer,
                        ..Pack::default()
                    };
                    p.add(*seq, hash, change);
                    packs.push(p);
                }
            }
        }
        let mut records = Vec::with_capacity(packs.len());
        let mut sent = Vec::with_capacity(take);
        // Looked up once per request, not once per record.
        let spaces = store.spaces()?;
        let signer = signature::device_signer(store)?;
        let former = signature::former_signers(store)?;
        let mut keys: HashMap<String, SpaceKey> = HashMap::new();
        let mut held: HashMap<String, bool> = HashMap::new();
        for p in &packs {
            let doc = DocId::parse(p.doc_id)?;
            let Some(space) = space_for(&spaces, &doc) else {
                continue;
            };
            // The space moved to an epoch whose key has not reached this
            // device: what it wrote waits in the outbox for that key
            // rather than going out under one the epoch shut out.
            // So does everything while this device cannot sign yet
            // (linked a moment ago, before the keyring brought the
            // account's identity; a store from before identities until its
            // first full pull): whether a space takes unsigned records is
            // not known before that pull either.
            let waiting = match held.get(&space.space_id) {
                Some(w) => *w,
                None => {
                    let w = signer.is_none()
                        || store
                            .waiting_epoch(&space.space_id)?
                            .is_some_and(|e| e > space.epoch);
                    held.insert(space.space_id.clone(), w);
                    w
                }
            };
            if waiting {
                continue;
            }
            if !keys.contains_key(&space.space_id) {
                let key = store
                    .space_key(&space.space_id, space.epoch)?
                    .ok_or_else(|| {
                        Error::CorruptStore(format!(
                            "no key for space {} epoch {}",
                            space.space_id, space.epoch
                        ))
                    })?;
                keys.insert(space.space_id.clone(), key);
            }
            let key = &keys[&space.space_id];
            let wire_doc_id = key.wire_doc_id(p.doc_id);
            let wire_change_hash = key.wire_change_hash(p.doc_id, &p.hashes);
            let place = Place {
                space_id: &space.space_id,
                wire_doc_id: &wire_doc_id,
                wire_change_hash: &wire_change_hash,
                epoch: space.epoch,
            };
            let payload = pack::encode(p.changes.iter().copied());
            // What this device wrote, it signs; a change by another
            // writer (carried over from before sync) cannot be.
            let writer = match &signer {
                Some(s) if s.writer() == p.writer.as_slice() => Writer::Signed(s),
                _ => match former.iter().find(|s| s.writer() == p.writer.as_slice()) {
                    Some(s) => Writer::Signed(s),
                    None => Writer::Unsigned(&p.writer),
                },
            };
            let (nonce, ciphertext) = seal::seal(key, &place, p.doc_id, writer, &payload)?;
            report.raw_bytes += p.bytes as u64;
            report.sealed_bytes += (nonce.len() + ciphertext.len()) as u64;
            records.push(PushRecord {
                space_id: space.space_id.clone(),
                doc_id: wire_doc_id,
                change_hash: wire_change_hash,
                key_epoch: space.epoch,
                nonce: URL_SAFE_NO_PAD.encode(nonce),
                ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
            });
            sent.push((p.seqs.clone(), space.role == SpaceRole::Private));
        }
        if records.is_empty() {
            continue;
        }
        return Ok(Some(PushBatch {
            records,
            carried: Carried(sent),
        }));
    }
}

/// Takes the server's answer to `batch`: the acknowledged changes leave
/// the outbox. Returns how many were acknowledged.
pub(crate) fn acknowledge_push(
    store: &mut Store,
    carried: &Carried,
    answer: &tandem_protocol::PushResponse,
) -> Result<usize> {
    let sent = &carried.0;
    if answer.acks.len() != sent.len() {
        return Err(Error::Server {
            status: 200,
            message: format!(
                "acknowledged {} of {} records",
                answer.acks.len(),
                sent.len()
            ),
        });
    }
    let private: usize = sent.iter().filter(|(_, p)| *p).map(|(s, _)| s.len()).sum();
    store.acknowledge_outbox(sent.iter().flat_map(|(s, _)| s.iter().copied()), private)?;
    Ok(sent.iter().map(|(s, _)| s.len()).sum())
}

/// Records after `cursor` up to before `next` were not served: allowed only
/// when a snapshot sealed by the person's devices covers them (compaction
/// removed them; the snapshots are merged in). Otherwise the server may be
/// hiding them: [`Error::Gap`].
fn excuse_gap(
    store: &mut Store,
    client: &Client,
    space: &Space,
    cursor: i64,
    next: i64,
) -> Result<()> {
    let bound = if space.role == SpaceRole::Private {
        super::snapshots::merge_over_gap(store, client, &space.space_id, cursor)?
    } else {
        None
    };
    if bound.is_none_or(|b| next - 1 > b) {
        return Err(Error::Gap {
            space_id: space.space_id.clone(),
            after: cursor,
            next,
        });
    }
    Ok(())
}

/// Where each space's next pull starts: its cursor.
pub(crate) fn pull_cursors(store: &mut Store) -> Result<Vec<Cursor>> {
    Ok(store
        .spaces()?
        .into_iter()
        .filter(|s| !s.ended)
        .map(|s| Cursor {
            space_id: s.space_id,
            after: s.cursor,
        })
        .collect())
}

/// Applies one pull answer in one transaction that also moves the
/// cursors. Spaces are read again here, not when the request left: a
/// write or another sync may have come in between. With `defer`, the
/// pairs' pages wait for the next answer when the private space's page
/// brought key-ring or devices-document changes or waits for a key
/// (`report.deferred` says so). Returns whether the server has more.
pub(crate) fn apply_pull(
    store: &mut Store,
    client: &Client,
    answer: tandem_protocol::PullResponse,
    report: &mut SyncReport,
    defer: bool,
) -> Result<bool> {
    let spaces: Vec<_> = store.spaces()?.into_iter().filter(|s| !s.ended).collect();
    let mut batch: BTreeMap<DocId, Vec<Vec<u8>>> = BTreeMap::new();
    let mut moves: Vec<CursorMove> = Vec::new();
    let mut refused: Vec<RefusedRecord> = Vec::new();
    let mut refused_rows: Vec<RefusedRow> = Vec::new();
    let mut writers = Writers::load(store)?;
    let mut more = false;
    let mut private_waiting = false;
    // The private space first: what it brings of the key ring and the
    // devices document (where a pair's unsigned records end, which
    // devices are the person's) decides how the pairs' records are read.
    let mut pages = answer.spaces;
    pages.sort_by_key(|p| {
        spaces
            .iter()
            .find(|s| s.space_id == p.space_id)
            .is_none_or(|s| s.role != SpaceRole::Private)
    });
    for page in pages {
        let Some(space) = spaces.iter().find(|s| s.space_id == page.space_id) else {
            continue;
        };
        // When it did bring some (or waits for a key to read them), the
        // pairs are pulled again once that is applied.
        if defer
            && space.role == SpaceRole::Pair
            && (private_waiting
                || batch.contains_key(&DocId::keyring())
                || batch.contains_key(&DocId::devices()))
        {
            report.deferred = true;
            more = true;
            continue;
        }
        if page.head_seq < space.high_water {
            return Err(Error::RolledBack {
                space_id: space.space_id.clone(),
                had: space.high_water,
                now: page.head_seq,
            });
        }
        // Keys for this epoch may now be sealed under; none beyond it.
        pairs::set_aside_planted_keys(store, &space.space_id, page.epoch)?;
        store.note_server_epoch(&space.space_id, page.epoch)?;
        if page.epoch > space.epoch {
            let ready = if space.role == SpaceRole::Private {
                devices::receive_epoch_keys(store, client, &space.space_id, page.epoch)?
            } else {
                pairs::next_epoch_key(store, client, space, page.epoch, page.head_seq)?
            };
            store.set_waiting_epoch(&space.space_id, (!ready).then_some(page.epoch))?;
            if !ready {
                report.waiting_for_keys.push(space.space_id.clone());
            }
        }
        // Every key of the space and whose writing it takes, read once
        // for the whole page.
        let mut keys: BTreeMap<u32, SpaceKey> =
            store.space_keys(&space.space_id)?.into_iter().collect();
        // A device linked after the private space moved on holds only the
        // epoch its link code carried: the earlier keys come in an
        // envelope from the device that linked it.
        let older_missing = |keys: &BTreeMap<u32, SpaceKey>| {
            page.records.iter().any(|r| {
                r.seq > space.cursor
                    && r.key_epoch < space.epoch
                    && !keys.contains_key(&r.key_epoch)
            })
        };
        if space.role == SpaceRole::Private && older_missing(&keys) {
            devices::receive_epoch_keys(store, client, &space.space_id, space.epoch)?;
            keys = store.space_keys(&space.space_id)?.into_iter().collect();
        }
        let members = Members::of(store, space)?;
        let mut cursor = space.cursor;
        let mut waiting = false;
        for record in page.records {
            if record.seq <= cursor {
                continue;
            }
            // The server numbers each space's records without gaps: one it
            // skips is one it may be hiding.
            if record.seq != cursor + 1 {
                excuse_gap(store, client, space, cursor, record.seq)?;
            }
            // A record of a real epoch whose key has not reached this
            // device yet waits, with the cursor before it, until the key
            // arrives (from another of the person's devices, or for a
            // pair, from the other side's).
            // Behind a later epoch this device holds the key of, a record
            // of one it has no key for holds nothing back (its starter may
            // never have sent the key, and this device or another of the
            // person's moved on): it is refused, and pulled again should
            // the key come after all.
            if record.key_epoch <= page.epoch
                && !keys.contains_key(&record.key_epoch)
                && !keys.keys().any(|e| *e > record.key_epoch)
            {
                waiting = true;
                break;
            }
            cursor = record.seq;
            report.pulled += 1;
            // The server takes no record under an epoch the space has not
            // reached: one that claims such an epoch was sealed with a key
            // planted ahead of it, and never opens.
            let opened = if record.key_epoch > page.epoch {
                Err(Refusal::Forged)
            } else {
                open_record(space, &keys, &members, &mut writers, &record)
            };
            match opened {
                Ok((doc_id, changes)) => batch.entry(doc_id).or_default().extend(changes),
                Err(reason) => {
                    refused_rows.push(RefusedRow {
                        space_id: space.space_id.clone(),
                        seq: record.seq,
                        reason: super::retry::reason_for(&reason, record.key_epoch),
                    });
                    refused.push(RefusedRecord {
                        space_id: space.space_id.clone(),
                        seq: record.seq,
                        reason,
                    });
                }
            }
        }
        // An answer that ends before the head it reports, with nothing
        // more to come, left the last records out.
        if !waiting && !page.more && cursor < page.head_seq {
            excuse_gap(store, client, space, cursor, page.head_seq + 1)?;
            cursor = page.head_seq;
        }
        if cursor < space.cursor.max(0) {
            continue;
        }
        moves.push(CursorMove {
            space_id: space.space_id.clone(),
            cursor,
            high_water: space.high_water.max(page.head_seq),
        });
        if waiting {
            private_waiting |= space.role == SpaceRole::Private;
            if !report.waiting_for_keys.contains(&space.space_id) {
                report.waiting_for_keys.push(space.space_id.clone());
            }
        } else {
            more |= page.more;
        }
    }
    let at_ms = store.now().timestamp_millis();
    if other_side_wrote(store, &batch)? {
        store.note_pair_activity(at_ms)?;
    }
    let private: usize = batch
        .iter()
        .filter(|(doc, _)| doc.pair_space().is_none())
        .map(|(_, changes)| changes.len())
        .sum();
    let pulled = Pulled {
        private_changes: private,
        moves,
        refused: refused_rows,
        writers: writers.learned().to_vec(),
        at_ms,
    };
    report.applied += store.apply_pulled(batch.into_iter().collect(), &pulled)?;
    report.refused.extend(refused);
    Ok(more)
}

/// Whether `batch` holds a change to a pair's document made by someone
/// other than this person (by none of their devices): what a pair-activity
/// notice tells of.
fn other_side_wrote(store: &Store, batch: &BTreeMap<DocId, Vec<Vec<u8>>>) -> Result<bool> {
    let mut pair_changes = batch
        .iter()
        .filter(|(doc, _)| doc.pair_space().is_some())
        .flat_map(|(_, changes)| changes)
        .peekable();
    if pair_changes.peek().is_none() {
        return Ok(false);
    }
    let mine = store.own_device_ids()?;
    Ok(pair_changes.any(|bytes| {
        Change::from_bytes(bytes.clone())
            .is_ok_and(|c| !mine.contains(&c.actor_id().to_hex_string()))
    }))
}

/// The automerge change hashes a record pulled from `space_id` holds,
/// opened with this device's keys exactly as a pull would (for
/// diagnostics and tests); `Err` names why a pull would refuse it.
pub fn changes_in_record(
    store: &Store,
    space_id: &str,
    record: &tandem_protocol::StoredRecord,
) -> Result<std::result::Result<Vec<automerge::ChangeHash>, Refusal>> {
    let Some(space) = store.spaces()?.into_iter().find(|s| s.space_id == space_id) else {
        return Err(Error::not_found("space", space_id));
    };
    let keys: BTreeMap<u32, SpaceKey> = store.space_keys(space_id)?.into_iter().collect();
    let members = Members::of(store, &space)?;
    let mut writers = Writers::load(store)?;
    Ok(
        open_record(&space, &keys, &members, &mut writers, record).map(|(_, changes)| {
            changes
                .into_iter()
                .filter_map(|c| Change::from_bytes(c).ok().map(|c| c.hash()))
                .collect()
        }),
    )
}

/// The identity that certified the device which signed a record pulled
/// from `space_id` (`None`: unsigned), opened with this device's keys
/// exactly as a pull would (for diagnostics and tests); `Err` names why a
/// pull would refuse it.
pub fn record_signer(
    store: &Store,
    space_id: &str,
    record: &tandem_protocol::StoredRecord,
) -> Result<std::result::Result<Option<[u8; 32]>, Refusal>> {
    let Some(space) = store.spaces()?.into_iter().find(|s| s.space_id == space_id) else {
        return Err(Error::not_found("space", space_id));
    };
    let Some(key) = store.space_key(space_id, record.key_epoch)? else {
        return Ok(Err(Refusal::UnknownEpoch));
    };
    let (Ok(nonce), Ok(ciphertext)) = (
        URL_SAFE_NO_PAD.decode(&record.nonce),
        URL_SAFE_NO_PAD.decode(&record.ciphertext),
    ) else {
        return Ok(Err(Refusal::Forged));
    };
    let place = Place {
        space_id: &space.space_id,
        wire_doc_id: &record.doc_id,
        wire_change_hash: &record.change_hash,
        epoch: record.key_epoch,
    };
    Ok(seal::open(&key, &place, &nonce, &ciphertext).map(|o| o.signer))
}

/// One push request, sealed: the records, and the outbox rows they carry.
pub(crate) struct PushBatch {
    /// What goes to the server.
    pub(crate) records: Vec<PushRecord>,
    /// What its acknowledgement settles.
    pub(crate) carried: Carried,
}

/// The outbox rows of one push request, per record: their seqs, and
/// whether the record belongs to the private space.
pub(crate) struct Carried(Vec<(Vec<i64>, bool)>);

/// Pending changes of one document by one writer, sent as one record.
#[derive(Default)]
struct Pack<'a> {
    doc_id: &'a str,
    writer: Vec<u8>,
    seqs: Vec<i64>,
    hashes: Vec<u8>,
    changes: Vec<&'a [u8]>,
    bytes: usize,
}

impl<'a> Pack<'a> {
    fn add(&mut self, seq: i64, hash: &[u8], change: &'a [u8]) {
        self.seqs.push(seq);
        self.hashes.extend_from_slice(hash);
        self.changes.push(change);
        self.bytes += change.len();
    }
}

/// Opens one pulled record of `space` with its `keys` (by epoch): its
/// document and the changes inside, checked against everything outside it
/// and signed as the space's `members` require, by a device of the
/// identity its writer belongs to (`writers`).
pub(crate) fn open_record(
    space: &Space,
    keys: &BTreeMap<u32, SpaceKey>,
    members: &Members,
    writers: &mut Writers,
    record: &tandem_protocol::StoredRecord,
) -> std::result::Result<(DocId, Vec<Vec<u8>>), Refusal> {
    let space_id = space.space_id.as_str();
    members.admit_epoch(record.key_epoch, record.seq)?;
    let key = keys.get(&record.key_epoch).ok_or(Refusal::UnknownEpoch)?;
    let nonce = URL_SAFE_NO_PAD
        .decode(&record.nonce)
        .map_err(|_| Refusal::Forged)?;
    let ciphertext = URL_SAFE_NO_PAD
        .decode(&record.ciphertext)
        .map_err(|_| Refusal::Forged)?;
    let place = Place {
        space_id,
        wire_doc_id: &record.doc_id,
        wire_change_hash: &record.change_hash,
        epoch: record.key_epoch,
    };
    let opened = seal::open(key, &place, &nonce, &ciphertext)?;
    members.admit(record.seq, opened.signer)?;
    let doc_id = DocId::parse(&opened.doc_id).map_err(|_| Refusal::Malformed)?;
    // A record may only touch documents of its own space: a pair space
    // can never write into the person's private documents.
    let belongs = match doc_id.pair_space() {
        Some(pair) => pair == space_id,
        None => space.role == SpaceRole::Private,
    };
    if !belongs {
        return Err(Refusal::Mismatch);
    }
    // Every change inside is by the writer, and together they hash to the
    // record's opaque change hash.
    let mut hashes = Vec::new();
    let mut changes = Vec::new();
    for bytes in pack::decode(&opened.payload)? {
        let change = Change::from_bytes(bytes.to_vec()).map_err(|_| Refusal::Malformed)?;
        if change.actor_id().to_bytes() != opened.writer.as_slice() {
            return Err(Refusal::Mismatch);
        }
        hashes.extend_from_slice(&change.hash().0);
        changes.push(bytes.to_vec());
    }
    if key.wire_change_hash(doc_id.as_str(), &hashes) != record.change_hash {
        return Err(Refusal::Mismatch);
    }
    // Last, once everything else holds: whose device the writer is (a
    // record refused for another reason teaches nothing).
    if opened.bound {
        // The key's own certificate says whose device this is.
        let signer = opened
            .signer
            .map(|s| crate::features::identity::fingerprint(&s));
        if let Some(identity) = signer {
            writers.admit(&opened.writer, identity, true)?;
        }
    } else if let Some(identity) = members.writer_identity(opened.signer) {
        writers.admit(&opened.writer, identity, false)?;
    }
    Ok((doc_id, changes))
}

/// The space among `spaces` a local document is synced in: its pair space,
/// or the private space. `None` when that space is not (or no longer) synced.
fn space_for<'a>(spaces: &'a [Space], doc_id: &DocId) -> Option<&'a Space> {
    match doc_id.pair_space() {
        None => spaces.iter().find(|s| s.role == SpaceRole::Private),
        Some(pair) => spaces.iter().find(|s| s.space_id == pair && !s.ended),
    }
}
