//! Spaces, invites, membership and snapshots.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tandem_protocol::{
    CompactRequest, CompactResponse, CreateInviteRequest, EpochResponse, ErrorBody, InviteResponse,
    JoinedSpace, RedeemInviteRequest, Snapshot, SnapshotList, SnapshotUpload, SpaceInfo, SpaceList,
};

use super::devices::now_ms;
use super::extract::{Authed, Body, PathParams, PeerIp};
use super::{Shared, validate};
use crate::error::{ApiError, ApiResult};
use crate::limits::{INVITE_TTL_HOURS, INVITE_TTL_MAX_HOURS};
use crate::secret;
use crate::storage::{Membership, Redeemed, SnapshotPut, StoredSnapshot};

/// The caller's membership of `space`, or 404 whether or not the space exists.
pub(crate) async fn member(state: &Shared, account: &str, space: &str) -> ApiResult<Membership> {
    validate::id("space_id", space)?;
    state
        .storage
        .membership(account, space)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Creates a space owned by the caller.
#[utoipa::path(post, path = "/v1/spaces", tag = "spaces", security(("bearer" = [])),
    responses((status = 200, body = SpaceInfo), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn create_space(
    State(state): State<Shared>,
    Authed(device): Authed,
) -> ApiResult<Json<SpaceInfo>> {
    let owned = state
        .storage
        .spaces(&device.account_id)
        .await?
        .iter()
        .filter(|s| s.owner)
        .count();
    let quota = state.limits.spaces_per_account;
    if owned >= quota as usize {
        return Err(ApiError::QuotaExceeded(format!(
            "this account owns {quota} spaces, the most it may"
        )));
    }
    let space_id = secret::new_id();
    state
        .storage
        .create_space(&device.account_id, &space_id, now_ms())
        .await?;
    Ok(Json(SpaceInfo {
        space_id,
        owner: true,
        epoch: 0,
        members: 1,
        head_seq: 0,
    }))
}

/// Lists the caller's spaces.
#[utoipa::path(get, path = "/v1/spaces", tag = "spaces", security(("bearer" = [])),
    responses((status = 200, body = SpaceList), (status = 401, body = ErrorBody)))]
pub async fn list_spaces(
    State(state): State<Shared>,
    Authed(device): Authed,
) -> ApiResult<Json<SpaceList>> {
    Ok(Json(SpaceList {
        spaces: state.storage.spaces(&device.account_id).await?,
    }))
}

/// Creates an invite to a space the caller's account owns (other members
/// get 403). The device sends only the secret's SHA-256.
#[utoipa::path(post, path = "/v1/spaces/{space_id}/invites", tag = "spaces", security(("bearer" = [])),
    params(("space_id" = String, Path)), request_body = CreateInviteRequest,
    responses((status = 200, body = InviteResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn create_invite(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams(space_id): PathParams<String>,
    Body(req): Body<CreateInviteRequest>,
) -> ApiResult<Json<InviteResponse>> {
    // Membership belongs to the owner: a member who could invite could
    // bring a third account into a pair behind the owner's back.
    if !member(&state, &device.account_id, &space_id).await?.owner {
        return Err(ApiError::Forbidden(
            "only the space's owner creates invites".into(),
        ));
    }
    let hash = validate::hash("secret_hash", &req.secret_hash)?;
    let hours = req.ttl_hours.unwrap_or(INVITE_TTL_HOURS);
    if hours == 0 || hours > INVITE_TTL_MAX_HOURS {
        return Err(ApiError::BadRequest(format!(
            "ttl_hours must be 1-{INVITE_TTL_MAX_HOURS}"
        )));
    }
    let invite_id = secret::new_id();
    let expires_at_ms = now_ms() + i64::from(hours) * 3_600_000;
    state
        .storage
        .create_invite(&space_id, &invite_id, hash, expires_at_ms)
        .await?;
    Ok(Json(InviteResponse {
        invite_id,
        expires_at_ms,
    }))
}

/// Redeems an invite: the caller becomes a member. Attempts are limited per
/// address and per account (429), and an invite burns after too many wrong secrets.
#[utoipa::path(post, path = "/v1/invites/{invite_id}/redeem", tag = "spaces", security(("bearer" = [])),
    params(("invite_id" = String, Path)), request_body = RedeemInviteRequest,
    responses((status = 200, body = JoinedSpace), (status = 403, body = ErrorBody), (status = 410, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn redeem_invite(
    State(state): State<Shared>,
    PeerIp(peer): PeerIp,
    Authed(device): Authed,
    PathParams(invite_id): PathParams<String>,
    Body(req): Body<RedeemInviteRequest>,
) -> ApiResult<Json<JoinedSpace>> {
    let address_ok = peer.is_none_or(|ip| {
        state
            .redeem_by_address
            .allow(&crate::rate_limit::address_key(ip))
    });
    if !address_ok || !state.redeem_by_account.allow(&device.account_id) {
        return Err(ApiError::RateLimited);
    }
    validate::id("invite_id", &invite_id)?;
    if req.secret.is_empty() || req.secret.len() > 128 {
        return Err(ApiError::BadRequest("secret is malformed".into()));
    }
    let outcome = state
        .storage
        .redeem_invite(
            &invite_id,
            secret::hash(&req.secret),
            &device.account_id,
            now_ms(),
            state.limits.invite_max_wrong,
        )
        .await?;
    match outcome {
        Redeemed::Joined { space_id, epoch } => Ok(Json(JoinedSpace { space_id, epoch })),
        Redeemed::WrongSecret => Err(ApiError::Forbidden("the invite secret is wrong".into())),
        Redeemed::Gone => Err(ApiError::Gone(
            "the invite is unknown, used, expired or burned".into(),
        )),
    }
}

/// Removes a member: the owner removes anyone else, a member removes themself
/// (leaves). A new key epoch starts; its number is returned.
#[utoipa::path(delete, path = "/v1/spaces/{space_id}/members/{account_id}", tag = "spaces", security(("bearer" = [])),
    params(("space_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 200, body = EpochResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams((space_id, account_id)): PathParams<(String, String)>,
) -> ApiResult<Json<EpochResponse>> {
    let me = member(&state, &device.account_id, &space_id).await?;
    validate::id("account_id", &account_id)?;
    let leaving = account_id == device.account_id;
    if leaving && me.owner {
        return Err(ApiError::Forbidden(
            "the owner cannot leave; delete the space's account instead".into(),
        ));
    }
    if !leaving && !me.owner {
        return Err(ApiError::Forbidden(
            "only the owner removes other members".into(),
        ));
    }
    if !leaving
        && state
            .storage
            .membership(&account_id, &space_id)
            .await?
            .is_none()
    {
        return Err(ApiError::NotFound);
    }
    let epoch = state.storage.remove_member(&space_id, &account_id).await?;
    Ok(Json(EpochResponse { epoch }))
}

/// Starts a new key epoch of a space without removing anyone: a member
/// does this after unlinking a lost device (the owner of a pair space or
/// its other member alike), so that what is written next is sealed under a
/// key that device never gets. Limited per account and space (429).
#[utoipa::path(post, path = "/v1/spaces/{space_id}/epoch", tag = "spaces", security(("bearer" = [])),
    params(("space_id" = String, Path)),
    responses((status = 200, body = EpochResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn new_epoch(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams(space_id): PathParams<String>,
) -> ApiResult<Json<EpochResponse>> {
    member(&state, &device.account_id, &space_id).await?;
    if !state
        .epochs_by_member
        .allow(&format!("{}:{space_id}", device.account_id))
    {
        return Err(ApiError::RateLimited);
    }
    let epoch = state.storage.bump_epoch(&space_id).await?;
    Ok(Json(EpochResponse { epoch }))
}

/// The owner stores an encrypted snapshot of one document (replacing an
/// older one), covering records up to at most the space's head; any member
/// stores a key envelope (a snapshot covering no records).
#[utoipa::path(put, path = "/v1/spaces/{space_id}/snapshots", tag = "spaces", security(("bearer" = [])),
    params(("space_id" = String, Path)), request_body = SnapshotUpload,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn put_snapshot(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams(space_id): PathParams<String>,
    Body(req): Body<SnapshotUpload>,
) -> ApiResult<StatusCode> {
    let m = member(&state, &device.account_id, &space_id).await?;
    // Only the owner's devices make snapshots of documents; another member
    // stores key envelopes only (covering no records: `upto_seq` 0), for
    // the epoch it started. A snapshot covers only records that exist, and
    // one is never replaced by one covering fewer (so an envelope under a
    // document's name changes nothing).
    if !m.owner && req.upto_seq != 0 {
        return Err(ApiError::Forbidden(
            "only the owner stores snapshots of documents; others store key envelopes".into(),
        ));
    }
    validate::doc_id(&req.doc_id)?;
    if req.upto_seq < 0 || req.upto_seq > m.head_seq || req.key_epoch > m.epoch {
        return Err(ApiError::BadRequest(
            "upto_seq or key_epoch is out of range".into(),
        ));
    }
    let snapshot = StoredSnapshot {
        doc_id: req.doc_id,
        upto_seq: req.upto_seq,
        key_epoch: req.key_epoch,
        nonce: validate::bytes("nonce", &req.nonce, validate::NONCE_MAX)?,
        ciphertext: validate::bytes("ciphertext", &req.ciphertext, state.limits.max_body_bytes)?,
    };
    // A partner's envelopes may fill at most half of the space's quota, so
    // that the owner's snapshots always fit.
    let quota = if m.owner {
        state.limits.snapshots_per_space
    } else {
        state.limits.snapshots_per_space / 2
    };
    match state
        .storage
        .put_snapshot(&space_id, snapshot, now_ms(), quota)
        .await?
    {
        SnapshotPut::Stored => Ok(StatusCode::NO_CONTENT),
        SnapshotPut::OverQuota => Err(ApiError::QuotaExceeded(format!(
            "the space holds {quota} snapshots; replace one or delete a superseded key envelope"
        ))),
    }
}

/// The owner deletes a snapshot that covers no records (a key envelope a
/// newer epoch superseded). A document's snapshot, which compaction may
/// rely on, is never deleted: it is replaced.
#[utoipa::path(delete, path = "/v1/spaces/{space_id}/snapshots/{doc_id}", tag = "spaces", security(("bearer" = [])),
    params(("space_id" = String, Path), ("doc_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_snapshot(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams((space_id, doc_id)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    let m = member(&state, &device.account_id, &space_id).await?;
    if !m.owner {
        return Err(ApiError::Forbidden(
            "only the owner deletes snapshots".into(),
        ));
    }
    validate::doc_id(&doc_id)?;
    if state.storage.delete_snapshot(&space_id, &doc_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The newest snapshot of every document of a space.
#[utoipa::path(get, path = "/v1/spaces/{space_id}/snapshots", tag = "spaces", security(("bearer" = [])),
    params(("space_id" = String, Path)),
    responses((status = 200, body = SnapshotList), (status = 404, body = ErrorBody)))]
pub async fn get_snapshots(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams(space_id): PathParams<String>,
) -> ApiResult<Json<SnapshotList>> {
    member(&state, &device.account_id, &space_id).await?;
    let snapshots = state
        .storage
        .snapshots(&space_id)
        .await?
        .into_iter()
        .map(|s| Snapshot {
            doc_id: s.doc_id,
            upto_seq: s.upto_seq,
            key_epoch: s.key_epoch,
            nonce: validate::encode(&s.nonce),
            ciphertext: validate::encode(&s.ciphertext),
        })
        .collect();
    Ok(Json(SnapshotList { snapshots }))
}

/// The owner removes the change records of a document that its snapshot covers.
#[utoipa::path(post, path = "/v1/spaces/{space_id}/compact", tag = "spaces", security(("bearer" = [])),
    params(("space_id" = String, Path)), request_body = CompactRequest,
    responses((status = 200, body = CompactResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn compact(
    State(state): State<Shared>,
    Authed(device): Authed,
    PathParams(space_id): PathParams<String>,
    Body(req): Body<CompactRequest>,
) -> ApiResult<Json<CompactResponse>> {
    let m = member(&state, &device.account_id, &space_id).await?;
    if !m.owner {
        return Err(ApiError::Forbidden("only the owner compacts".into()));
    }
    validate::doc_id(&req.doc_id)?;
    Ok(Json(CompactResponse {
        removed: state.storage.compact(&space_id, &req.doc_id).await?,
    }))
}
