//! Sync: one push of records for all the device's spaces, one pull after each cursor.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use tandem_protocol::{
    Ack, ErrorBody, HeadsResponse, PullRequest, PullResponse, PushRequest, PushResponse,
};

use super::devices::now_ms;
use super::extract::{Authed, Body, SlotBody};
use super::pull_stream;
use super::spaces::member;
use super::{Shared, validate};
use crate::error::{ApiError, ApiResult};
use crate::storage::{Membership, NewRecord};

/// Stores records. Each answer's `seq` is the record's place in its space; a
/// record pushed again (same space and change hash) gets the `seq` it already had.
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 408, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn push(
    State(state): State<Shared>,
    Authed(device): Authed,
    SlotBody {
        body: req,
        slot: _slot,
    }: SlotBody<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    if req.records.len() > state.limits.max_records_per_push {
        return Err(ApiError::TooLarge(format!(
            "at most {} records per push",
            state.limits.max_records_per_push
        )));
    }
    let mut memberships: HashMap<String, Membership> = HashMap::new();
    let mut records = Vec::with_capacity(req.records.len());
    for r in req.records {
        if !memberships.contains_key(&r.space_id) {
            let m = member(&state, &device.account_id, &r.space_id).await?;
            memberships.insert(r.space_id.clone(), m);
        }
        if r.key_epoch > memberships[&r.space_id].epoch {
            return Err(ApiError::BadRequest(
                "key_epoch is newer than the space's epoch".into(),
            ));
        }
        // Refused here already when the epoch moved before this push was
        // read (the storage checks again under the bump's lock): a write
        // refused there costs the SQLite writer its whole group. A retry
        // of a record stored before the bump is refused too; the device
        // seals it again under the new key, and the copy is one change
        // the documents already hold.
        if r.key_epoch < memberships[&r.space_id].epoch {
            return Err(ApiError::StaleEpoch(format!(
                "space {} has moved to a newer key epoch: pull, then seal again",
                r.space_id
            )));
        }
        validate::doc_id(&r.doc_id)?;
        records.push(NewRecord {
            change_hash: validate::hash("change_hash", &r.change_hash)?,
            nonce: validate::bytes("nonce", &r.nonce, validate::NONCE_MAX)?,
            ciphertext: validate::bytes(
                "ciphertext",
                &r.ciphertext,
                state.limits.max_record_bytes,
            )?,
            space_id: r.space_id,
            doc_id: r.doc_id,
            key_epoch: r.key_epoch,
        });
    }
    let bytes: usize = records.iter().map(|r| r.ciphertext.len()).sum();
    let keys: Vec<(String, String)> = records
        .iter()
        .map(|r| (r.space_id.clone(), hex::encode(r.change_hash)))
        .collect();
    let seqs = state.storage.push(records, now_ms()).await?;
    // Durable now: wake the space's other devices if anything is new to
    // it (a record past the head seen before the push; a repeat keeps its
    // old seq).
    let mut woken = std::collections::HashSet::new();
    for ((space, _), seq) in keys.iter().zip(&seqs) {
        if *seq > memberships[space].head_seq && woken.insert(space) {
            state.wakeups.written(space, &device.device_id);
        }
    }
    state.metrics.records.inc_by(seqs.len() as u64);
    state.metrics.bytes.inc_by(bytes as u64);
    let acks = keys
        .into_iter()
        .zip(seqs)
        .map(|((space_id, change_hash), seq)| Ack {
            space_id,
            change_hash,
            seq,
        })
        .collect();
    Ok(Json(PushResponse { acks }))
}

/// The records after each cursor, at most `limit` per space; `more` says whether more follow.
#[utoipa::path(post, path = "/v1/sync/pull", tag = "sync", security(("bearer" = [])), request_body = PullRequest,
    responses((status = 200, body = PullResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn pull(
    State(state): State<Shared>,
    Authed(device): Authed,
    Body(req): Body<PullRequest>,
) -> ApiResult<Response> {
    if req.cursors.len() > state.limits.max_cursors {
        return Err(ApiError::TooLarge(format!(
            "at most {} spaces per pull",
            state.limits.max_cursors
        )));
    }
    let limit = req
        .limit
        .unwrap_or(state.limits.max_pull)
        .clamp(1, state.limits.max_pull);
    let mut cursors = Vec::with_capacity(req.cursors.len());
    for c in req.cursors {
        if c.after < 0 {
            return Err(ApiError::BadRequest("after must not be negative".into()));
        }
        member(&state, &device.account_id, &c.space_id).await?;
        cursors.push((c.space_id, c.after));
    }
    pull_stream::respond(state.storage.clone(), cursors, limit).await
}

/// Every space's newest sequence number and epoch: cheap enough for a timer.
#[utoipa::path(get, path = "/v1/sync/heads", tag = "sync", security(("bearer" = [])),
    responses((status = 200, body = HeadsResponse), (status = 401, body = ErrorBody)))]
pub async fn heads(
    State(state): State<Shared>,
    Authed(device): Authed,
) -> ApiResult<Json<HeadsResponse>> {
    Ok(Json(HeadsResponse {
        spaces: state.storage.heads(&device.account_id).await?,
    }))
}
