//! Every endpoint over real HTTP on loopback.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;
use tandem_protocol::{PullResponse, PushResponse};
use tandem_sync_server::limits::Limits;

async fn push(c: &Client, records: &[tandem_protocol::PushRecord]) -> (StatusCode, Value) {
    c.call(
        Method::POST,
        "/v1/sync/push",
        Some(&json!({ "records": records })),
    )
    .await
}

async fn pull(c: &Client, space: &str, after: i64, limit: Option<u32>) -> (StatusCode, Value) {
    c.call(
        Method::POST,
        "/v1/sync/pull",
        Some(&json!({ "cursors": [{ "space_id": space, "after": after }], "limit": limit })),
    )
    .await
}

#[tokio::test]
async fn register_link_a_second_device_and_list_spaces() {
    let s = start(Limits::default()).await;
    let a = Client::register(&s.url).await;
    let space = a.create_space().await;
    let code: Value = a.post_ok("/v1/devices/link-codes", &json!({})).await;
    let b = Client::register_with(&s.url, json!({ "link_code": code["code"] }))
        .await
        .unwrap();
    assert_eq!(a.account_id, b.account_id);
    assert_ne!(a.token, b.token);
    let list: Value = b.get_ok("/v1/spaces").await;
    assert_eq!(list["spaces"][0]["space_id"], space.as_str());
    assert_eq!(list["spaces"][0]["owner"], true);
    // A link code is single use.
    let again = Client::register_with(&s.url, json!({ "link_code": code["code"] })).await;
    assert_eq!(again.err(), Some(StatusCode::GONE));
    let bogus = Client::register_with(&s.url, json!({ "link_code": "nope" })).await;
    assert_eq!(bogus.err(), Some(StatusCode::GONE));
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let s = start(Limits::default()).await;
    let http = support::http_client();
    for (method, path) in [
        (Method::GET, "/v1/spaces"),
        (Method::POST, "/v1/sync/pull"),
        (Method::GET, "/v1/sync/heads"),
    ] {
        let r = http
            .request(method.clone(), format!("{}{path}", s.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized");
        let r = http
            .request(method, format!("{}{path}", s.url))
            .bearer_auth("forged")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn non_members_cannot_tell_a_space_exists() {
    let s = start(Limits::default()).await;
    let owner = Client::register(&s.url).await;
    let stranger = Client::register(&s.url).await;
    let space = owner.create_space().await;
    let missing = "0".repeat(32);
    for target in [&space, &missing] {
        let (st, body) = pull(&stranger, target, 0, None).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert_eq!(body["error"], "not_found");
        let (st, _) = push(&stranger, &[record(target, "d", 0, 10)]).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = stranger
            .call(
                Method::POST,
                &format!("/v1/spaces/{target}/invites"),
                Some(&json!({ "secret_hash": "a".repeat(64) })),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = stranger
            .call::<()>(Method::GET, &format!("/v1/spaces/{target}/snapshots"), None)
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn push_is_idempotent_and_pull_returns_exactly_what_is_missing() {
    let s = start(Limits::default()).await;
    let a = Client::register(&s.url).await;
    let space = a.create_space().await;
    let batch: Vec<_> = (0..30).map(|i| record(&space, "journal", i, 300)).collect();
    let (st, first) = push(&a, &batch[..20]).await;
    assert_eq!(st, StatusCode::OK);
    let first: PushResponse = serde_json::from_value(first).unwrap();
    assert_eq!(
        first.acks.iter().map(|a| a.seq).collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
    // The response was "lost": the device pushes the same 20 plus 10 new ones.
    let (_, second) = push(&a, &batch).await;
    let second: PushResponse = serde_json::from_value(second).unwrap();
    assert_eq!(
        second.acks.iter().map(|a| a.seq).collect::<Vec<_>>(),
        (1..=30).collect::<Vec<_>>()
    );
    // A batch that repeats one record twice stores it once.
    let (_, third) = push(&a, &[batch[0].clone(), batch[0].clone()]).await;
    assert_eq!(third["acks"][1]["seq"], 1);

    let (_, page) = pull(&a, &space, 12, Some(10)).await;
    let page: PullResponse = serde_json::from_value(page).unwrap();
    let got = &page.spaces[0];
    assert_eq!(
        got.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (13..=22).collect::<Vec<_>>()
    );
    assert!(got.more);
    assert_eq!(got.head_seq, 30);
    assert_eq!(got.records[0].change_hash, batch[12].change_hash);
    assert_eq!(got.records[0].ciphertext, batch[12].ciphertext);
    let (_, rest) = pull(&a, &space, 22, Some(100)).await;
    assert_eq!(rest["spaces"][0]["records"].as_array().unwrap().len(), 8);
    assert_eq!(rest["spaces"][0]["more"], false);
    let heads: Value = a.get_ok("/v1/sync/heads").await;
    assert_eq!(heads["spaces"][0]["head_seq"], 30);
}

#[tokio::test]
async fn a_large_pull_of_several_spaces_arrives_whole_and_in_order() {
    // Larger than the chunks the server reads and sends at a time, so the
    // answer is streamed in pieces that must join into one exact answer.
    let s = start(Limits::default()).await;
    let a = Client::register(&s.url).await;
    let (big, small) = (a.create_space().await, a.create_space().await);
    let records: Vec<_> = (0..2500).map(|i| record(&big, "journal", i, 300)).collect();
    for part in records.chunks(1000) {
        assert_eq!(push(&a, part).await.0, StatusCode::OK);
    }
    let few: Vec<_> = (0..3).map(|i| record(&small, "plan", i, 40)).collect();
    assert_eq!(push(&a, &few).await.0, StatusCode::OK);

    let (st, page) = a
        .call(
            Method::POST,
            "/v1/sync/pull",
            Some(&json!({ "cursors": [
                { "space_id": big, "after": 10 },
                { "space_id": small, "after": 0 },
            ], "limit": 2200 })),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let page: PullResponse = serde_json::from_value(page).unwrap();
    let (got_big, got_small) = (&page.spaces[0], &page.spaces[1]);
    assert_eq!(got_big.space_id, big);
    assert_eq!(
        got_big.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (11..=2210).collect::<Vec<_>>()
    );
    for (got, sent) in got_big.records.iter().zip(&records[10..]) {
        assert_eq!(
            (&got.change_hash, &got.nonce, &got.ciphertext),
            (&sent.change_hash, &sent.nonce, &sent.ciphertext)
        );
    }
    assert!(got_big.more);
    assert_eq!(got_big.head_seq, 2500);
    assert_eq!(got_small.space_id, small);
    assert_eq!(got_small.records.len(), 3);
    assert!(!got_small.more);

    // A small pull of several spaces is answered whole, not streamed.
    let small_pull = a
        .http
        .post(format!("{}/v1/sync/pull", s.url))
        .bearer_auth(&a.token)
        .json(&json!({ "cursors": [
            { "space_id": big, "after": 2495 },
            { "space_id": small, "after": 0 },
        ] }))
        .send()
        .await
        .unwrap();
    assert!(small_pull.headers().contains_key("content-length"));
    let small_pull: PullResponse = small_pull.json().await.unwrap();
    assert_eq!(small_pull.spaces[0].records.len(), 5);
    assert_eq!(small_pull.spaces[1].records.len(), 3);

    // Without a limit the server's own bound applies: everything, and no more.
    let (_, all) = pull(&a, &big, 0, None).await;
    let all: PullResponse = serde_json::from_value(all).unwrap();
    assert_eq!(all.spaces[0].records.len(), 2500);
    assert_eq!(all.spaces[0].records[2499].seq, 2500);
    assert!(!all.spaces[0].more);
}

#[tokio::test]
async fn invites_expired_reused_wrong_and_burned_are_refused() {
    let s = start(Limits::default()).await;
    let mentee = Client::register(&s.url).await;
    let mentor = Client::register(&s.url).await;
    let space = pair(&mentee, &mentor).await.0;
    let list: Value = mentor.get_ok("/v1/spaces").await;
    assert_eq!(list["spaces"][0]["members"], 2);
    assert_eq!(list["spaces"][0]["owner"], false);

    // Only the owner invites: a member who could would bring a third
    // account into the pair behind the owner's back.
    let (_, hash) = invite_secret();
    let (st, body) = mentor
        .call(
            Method::POST,
            &format!("/v1/spaces/{space}/invites"),
            Some(&json!({ "secret_hash": hash })),
        )
        .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("owner"),
        "{body}"
    );

    // Reused.
    let (secret, hash) = invite_secret();
    let inv: Value = mentee
        .post_ok(
            &format!("/v1/spaces/{space}/invites"),
            &json!({ "secret_hash": hash }),
        )
        .await;
    let path = format!("/v1/invites/{}/redeem", inv["invite_id"].as_str().unwrap());
    let other = Client::register(&s.url).await;
    let (st, _) = other
        .call(Method::POST, &path, Some(&json!({ "secret": secret })))
        .await;
    assert_eq!(st, StatusCode::OK);
    let late = Client::register(&s.url).await;
    let (st, body) = late
        .call(Method::POST, &path, Some(&json!({ "secret": secret })))
        .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::GONE, Some("gone"))
    );

    // Wrong five times burns it, even for the right secret afterwards.
    let (secret, hash) = invite_secret();
    let inv: Value = mentee
        .post_ok(
            &format!("/v1/spaces/{space}/invites"),
            &json!({ "secret_hash": hash }),
        )
        .await;
    let path = format!("/v1/invites/{}/redeem", inv["invite_id"].as_str().unwrap());
    for _ in 0..5 {
        let guesser = Client::register(&s.url).await;
        let (st, _) = guesser
            .call(Method::POST, &path, Some(&json!({ "secret": "guess" })))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let (st, _) = late
        .call(Method::POST, &path, Some(&json!({ "secret": secret })))
        .await;
    assert_eq!(st, StatusCode::GONE);

    // Expired: the shortest lifetime is an hour, so plant one in the past directly.
    let (_, hash) = invite_secret();
    let (st, _) = mentee
        .call(
            Method::POST,
            &format!("/v1/spaces/{space}/invites"),
            Some(&json!({ "secret_hash": hash, "ttl_hours": 0 })),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let conn = rusqlite::Connection::open(s.dir.path().join("sync.db")).unwrap();
    let (secret, hash) = invite_secret();
    let inv: Value = mentee
        .post_ok(
            &format!("/v1/spaces/{space}/invites"),
            &json!({ "secret_hash": hash }),
        )
        .await;
    conn.execute(
        "UPDATE invites SET expires_ms = 1 WHERE id = ?1",
        [inv["invite_id"].as_str().unwrap()],
    )
    .unwrap();
    let (st, _) = late
        .call(
            Method::POST,
            &format!("/v1/invites/{}/redeem", inv["invite_id"].as_str().unwrap()),
            Some(&json!({ "secret": secret })),
        )
        .await;
    assert_eq!(st, StatusCode::GONE);
    // The server stored only the hash of the secret.
    let stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM invites WHERE instr(secret_hash, ?1) > 0",
            [secret.as_bytes()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn redeem_attempts_are_rate_limited() {
    let s = start(Limits {
        redeem_per_minute: 3,
        ..Limits::default()
    })
    .await;
    let owner = Client::register(&s.url).await;
    let space = owner.create_space().await;
    let (_, hash) = invite_secret();
    let inv: Value = owner
        .post_ok(
            &format!("/v1/spaces/{space}/invites"),
            &json!({ "secret_hash": hash }),
        )
        .await;
    let path = format!("/v1/invites/{}/redeem", inv["invite_id"].as_str().unwrap());
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let c = Client::register(&s.url).await;
        statuses.push(
            c.call(Method::POST, &path, Some(&json!({ "secret": "x" })))
                .await
                .0,
        );
    }
    // Same address: after three attempts, 429.
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_removed_member_can_no_longer_pull_or_push_and_the_epoch_moves() {
    let s = start(Limits::default()).await;
    let mentee = Client::register(&s.url).await;
    let mentor = Client::register(&s.url).await;
    let space = pair(&mentee, &mentor).await.0;
    let (st, _) = push(&mentor, &[record(&space, "note", 0, 50)]).await;
    assert_eq!(st, StatusCode::OK);
    // Only the owner removes others.
    let (st, _) = mentor
        .call::<()>(
            Method::DELETE,
            &format!("/v1/spaces/{space}/members/{}", mentee.account_id),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body) = mentee
        .call::<()>(
            Method::DELETE,
            &format!("/v1/spaces/{space}/members/{}", mentor.account_id),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["epoch"], 1);
    let (st, _) = pull(&mentor, &space, 0, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = push(&mentor, &[record(&space, "note", 1, 50)]).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let heads: Value = mentee.get_ok("/v1/sync/heads").await;
    assert_eq!(heads["spaces"][0]["epoch"], 1);
    // Records sealed under an epoch that does not exist yet are refused.
    let mut future = record(&space, "note", 2, 50);
    future.key_epoch = 2;
    let (st, _) = push(&mentee, &[future]).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // And so are new records sealed under an epoch the space moved past
    // (a 409 with a JSON body), with the whole push; under the current
    // epoch they are taken.
    let mut stale = record(&space, "note", 3, 50);
    stale.key_epoch = 0;
    let mut current = record(&space, "note", 4, 50);
    current.key_epoch = 1;
    let (st, body) = push(&mentee, &[current.clone(), stale]).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("stale_epoch"))
    );
    let (_, page) = pull(&mentee, &space, 0, None).await;
    assert_eq!(page["spaces"][0]["head_seq"], 1, "nothing of it was stored");
    let (st, _) = push(&mentee, &[current]).await;
    assert_eq!(st, StatusCode::OK);
    // A member can leave on their own.
    let other = Client::register(&s.url).await;
    let space2 = pair(&mentee, &other).await.0;
    let (st, body) = other
        .call::<()>(
            Method::DELETE,
            &format!("/v1/spaces/{space2}/members/{}", other.account_id),
            None,
        )
        .await;
    assert_eq!((st, body["epoch"].as_i64()), (StatusCode::OK, Some(1)));
}

#[tokio::test]
async fn snapshots_and_compaction() {
    let s = start(Limits::default()).await;
    let a = Client::register(&s.url).await;
    let space = a.create_space().await;
    let records: Vec<_> = (0..10)
        .map(|i| record(&space, "journal/2026-11", i, 100))
        .collect();
    push(&a, &records).await;
    push(&a, &[record(&space, "goals", 0, 10)]).await;
    let snap = json!({ "doc_id": "journal/2026-11", "upto_seq": 6, "key_epoch": 0, "nonce": b64(&[1; 24]), "ciphertext": b64(b"sealed snapshot") });
    let (st, _) = a
        .call(
            Method::PUT,
            &format!("/v1/spaces/{space}/snapshots"),
            Some(&snap),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // An older snapshot does not replace a newer one.
    let older = json!({ "doc_id": "journal/2026-11", "upto_seq": 3, "key_epoch": 0, "nonce": b64(&[2; 24]), "ciphertext": b64(b"old") });
    a.call(
        Method::PUT,
        &format!("/v1/spaces/{space}/snapshots"),
        Some(&older),
    )
    .await;
    let list: Value = a.get_ok(&format!("/v1/spaces/{space}/snapshots")).await;
    assert_eq!(list["snapshots"][0]["upto_seq"], 6);
    assert_eq!(list["snapshots"][0]["ciphertext"], b64(b"sealed snapshot"));
    let done: Value = a
        .post_ok(
            &format!("/v1/spaces/{space}/compact"),
            &json!({ "doc_id": "journal/2026-11" }),
        )
        .await;
    assert_eq!(done["removed"], 6);
    let (_, page) = pull(&a, &space, 0, None).await;
    let seqs: Vec<i64> = page["spaces"][0]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![7, 8, 9, 10, 11]);
}

/// One account cannot fill the server with spaces: past its quota of
/// owned spaces, making another is 413 `quota_exceeded` with a JSON body;
/// being invited into another's space is not counted.
#[tokio::test]
async fn an_account_owns_at_most_its_quota_of_spaces() {
    let s = start(Limits {
        spaces_per_account: 2,
        ..Limits::default()
    })
    .await;
    let mentor = Client::register(&s.url).await;
    let mentee = Client::register(&s.url).await;
    pair(&mentee, &mentor).await;
    for _ in 0..2 {
        let (st, body) = mentor.call::<()>(Method::POST, "/v1/spaces", None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }
    let (st, body) = mentor.call::<()>(Method::POST, "/v1/spaces", None).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("quota_exceeded")),
        "{body}"
    );
    let list: Value = mentor.get_ok("/v1/spaces").await;
    assert_eq!(
        list["spaces"].as_array().unwrap().len(),
        3,
        "two owned, one joined"
    );
}

#[tokio::test]
async fn a_space_holds_a_quota_of_live_snapshots_and_the_owner_deletes_envelopes() {
    let s = start(Limits {
        snapshots_per_space: 4,
        ..Limits::default()
    })
    .await;
    let mentee = Client::register(&s.url).await;
    let mentor = Client::register(&s.url).await;
    let space = pair(&mentee, &mentor).await.0;
    let put = async |c: &Client, doc: &str, upto: i64| {
        let body = json!({ "doc_id": doc, "upto_seq": upto, "key_epoch": 0, "nonce": b64(&[1; 24]), "ciphertext": b64(b"sealed") });
        c.call(
            Method::PUT,
            &format!("/v1/spaces/{space}/snapshots"),
            Some(&body),
        )
        .await
    };
    let envelope = "0123456789abcdef0123456789abcdef";
    let from_mentor = "fedcba9876543210fedcba9876543210";
    let records: Vec<_> = (0..3).map(|i| record(&space, "goals", i, 10)).collect();
    push(&mentee, &records).await;
    // Only the owner stores snapshots of documents, and only of records
    // that exist; the partner stores key envelopes (covering nothing), for
    // an epoch it started after losing a phone.
    let (st, _) = put(&mentor, "notes", 1).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "documents are the owner's");
    let (st, body) = mentor
        .call::<()>(Method::POST, &format!("/v1/spaces/{space}/epoch"), None)
        .await;
    assert_eq!(
        (st, body["epoch"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{body}"
    );
    assert_eq!(put(&mentor, from_mentor, 0).await.0, StatusCode::NO_CONTENT);
    assert_eq!(put(&mentee, "goals", 4).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(put(&mentee, "goals", 0).await.0, StatusCode::NO_CONTENT);
    assert_eq!(put(&mentee, envelope, 0).await.0, StatusCode::NO_CONTENT);
    // The partner's envelopes may take at most half of the quota: it cannot
    // fill the owner's space.
    let (st, body) = put(&mentor, "00112233445566778899aabbccddeeff", 0).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("quota_exceeded")),
        "the partner cannot fill the quota"
    );
    // The owner's last document fits; one more is over the quota, with a
    // JSON body that says so; replacing a document's snapshot still fits.
    assert_eq!(put(&mentee, "notes", 0).await.0, StatusCode::NO_CONTENT);
    let (st, body) = put(&mentee, "extra", 0).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"], "quota_exceeded");
    assert_eq!(put(&mentee, "goals", 3).await.0, StatusCode::NO_CONTENT);
    // Only the owner deletes, and only a snapshot that covers nothing.
    let path = |doc: &str| format!("/v1/spaces/{space}/snapshots/{doc}");
    let (st, body) = mentor
        .call::<()>(Method::DELETE, &path(envelope), None)
        .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (st, _) = mentee
        .call::<()>(Method::DELETE, &path("goals"), None)
        .await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "a document's snapshot is never deleted"
    );
    let (st, _) = mentee
        .call::<()>(Method::DELETE, &path(envelope), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = mentee
        .call::<()>(Method::DELETE, &path(envelope), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(put(&mentee, "extra", 0).await.0, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_link_code_adds_no_device_past_the_cap() {
    let s = start(Limits {
        devices_per_account: 2,
        ..Limits::default()
    })
    .await;
    let first = Client::register(&s.url).await;
    let link = async || -> Result<Client, StatusCode> {
        let code: Value = first.post_ok("/v1/devices/link-codes", &json!({})).await;
        Client::register_with(&s.url, json!({ "link_code": code["code"] })).await
    };
    link().await.unwrap();
    assert_eq!(link().await.err(), Some(StatusCode::FORBIDDEN));
}

#[tokio::test]
async fn a_device_older_than_the_server_serves_gets_426_and_info_answers_anyone() {
    let s = start(Limits::default()).await;
    let http = support::http_client();
    let info: Value = http
        .get(format!("{}/v1/info", s.url))
        .header(tandem_protocol::PROTOCOL_HEADER, "0")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["protocol"], tandem_protocol::PROTOCOL);
    assert_eq!(info["min_protocol"], tandem_protocol::MIN_PROTOCOL);
    let old = http
        .post(format!("{}/v1/devices", s.url))
        .header(tandem_protocol::PROTOCOL_HEADER, "0")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UPGRADE_REQUIRED);
    let body: Value = old.json().await.unwrap();
    assert_eq!(body["error"], "upgrade_required");
    let min = tandem_protocol::MIN_PROTOCOL.to_string();
    assert!(body["message"].as_str().unwrap().contains(&min), "{body}");
    let garbled = http
        .post(format!("{}/v1/devices", s.url))
        .header(tandem_protocol::PROTOCOL_HEADER, "two")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
    // A device released before the header existed speaks version 1, older
    // than this server serves; today's devices are served.
    let bare = reqwest::Client::new();
    let unversioned = bare
        .post(format!("{}/v1/devices", s.url))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unversioned.status() == StatusCode::UPGRADE_REQUIRED,
        tandem_protocol::MIN_PROTOCOL > 1
    );
    let current = bare
        .post(format!("{}/v1/devices", s.url))
        .header(tandem_protocol::PROTOCOL_HEADER, tandem_protocol::PROTOCOL)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), StatusCode::OK);
}

#[tokio::test]
async fn deleting_the_account_erases_what_it_owns() {
    let s = start(Limits::default()).await;
    let mentee = Client::register(&s.url).await;
    let mentor = Client::register(&s.url).await;
    let space = pair(&mentee, &mentor).await.0;
    let other_space = mentor.create_space().await;
    push(
        &mentee,
        &(0..5)
            .map(|i| record(&space, "d", i, 40))
            .collect::<Vec<_>>(),
    )
    .await;
    let done: Value = mentee
        .call::<()>(Method::DELETE, "/v1/account", None)
        .await
        .1;
    assert_eq!(done["spaces_deleted"], 1);
    // The token is gone, and so is the space with its records.
    let (st, _) = mentee.call::<()>(Method::GET, "/v1/spaces", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = pull(&mentor, &space, 0, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let conn = rusqlite::Connection::open(s.dir.path().join("sync.db")).unwrap();
    let left: i64 = conn
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    let list: Value = mentor.get_ok("/v1/spaces").await;
    assert_eq!(list["spaces"].as_array().unwrap().len(), 1);
    assert_eq!(list["spaces"][0]["space_id"], other_space.as_str());
}

#[tokio::test]
async fn bounds_give_413_or_400_with_a_json_body() {
    let limits = Limits {
        max_body_bytes: 64 * 1024,
        max_records_per_push: 10,
        max_record_bytes: 1000,
        max_cursors: 3,
        ..Limits::default()
    };
    let s = start(limits).await;
    let a = Client::register(&s.url).await;
    let space = a.create_space().await;
    let check = |st: StatusCode, body: &Value, want: StatusCode| {
        assert_eq!(st, want, "{body}");
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{body}"
        );
    };
    let (st, body) = push(
        &a,
        &(0..11)
            .map(|i| record(&space, "d", i, 10))
            .collect::<Vec<_>>(),
    )
    .await;
    check(st, &body, StatusCode::PAYLOAD_TOO_LARGE);
    let (st, body) = push(&a, &[record(&space, "d", 0, 1001)]).await;
    check(st, &body, StatusCode::PAYLOAD_TOO_LARGE);
    let (st, body) = push(
        &a,
        &[
            record(&space, "d", 0, 60_000),
            record(&space, "d", 1, 60_000),
        ],
    )
    .await;
    check(st, &body, StatusCode::PAYLOAD_TOO_LARGE);
    let cursors: Vec<Value> = (0..4)
        .map(|_| json!({ "space_id": space, "after": 0 }))
        .collect();
    let (st, body) = a
        .call(
            Method::POST,
            "/v1/sync/pull",
            Some(&json!({ "cursors": cursors })),
        )
        .await;
    check(st, &body, StatusCode::PAYLOAD_TOO_LARGE);
    let mut bad = record(&space, "d", 0, 10);
    bad.change_hash = "xyz".into();
    let (st, body) = push(&a, &[bad]).await;
    check(st, &body, StatusCode::BAD_REQUEST);
    let mut bad = record(&space, "d", 0, 10);
    bad.doc_id = "../../etc/passwd\n".into();
    let (st, body) = push(&a, &[bad]).await;
    check(st, &body, StatusCode::BAD_REQUEST);
    let mut bad = record(&space, "d", 0, 10);
    bad.ciphertext = "not base64!".into();
    let (st, body) = push(&a, &[bad]).await;
    check(st, &body, StatusCode::BAD_REQUEST);
    let r = a
        .http
        .post(format!("{}/v1/sync/push", s.url))
        .bearer_auth(&a.token)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let st = r.status();
    check(st, &r.json().await.unwrap(), StatusCode::BAD_REQUEST);
    let (st, body) = a
        .call(
            Method::POST,
            "/v1/sync/push",
            Some(&json!({ "records": [], "extra": 1 })),
        )
        .await;
    check(st, &body, StatusCode::BAD_REQUEST);
    let (st, body) = a
        .call(
            Method::POST,
            "/v1/spaces/not-an-id/invites",
            Some(&json!({ "secret_hash": "a".repeat(64) })),
        )
        .await;
    check(st, &body, StatusCode::BAD_REQUEST);
    let (st, body) = a.call::<()>(Method::GET, "/v1/nowhere", None).await;
    check(st, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn operations_endpoints_and_the_openapi_document() {
    let s = start(Limits::default()).await;
    let http = support::http_client();
    assert_eq!(
        http.get(format!("{}/healthz", s.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        http.get(format!("{}/readyz", s.url))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let a = Client::register(&s.url).await;
    let space = a.create_space().await;
    push(&a, &[record(&space, "d", 0, 123)]).await;
    let metrics = metrics_text(&s.url).await;
    assert!(
        metrics.contains("tandem_records_stored_total 1"),
        "{metrics}"
    );
    assert!(metrics.contains("tandem_bytes_stored_total 123"));
    assert!(metrics.contains(r#"route="/v1/sync/push",status="200""#));
    assert!(!metrics.contains(&space), "metrics must not name spaces");
    let doc: Value = http
        .get(format!("{}/openapi.json", s.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/v1/devices",
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/sync/heads",
        "/v1/spaces/{space_id}/invites",
        "/v1/invites/{invite_id}/redeem",
        "/v1/account",
    ] {
        assert!(paths.contains_key(p), "{p} missing from openapi.json");
    }
    assert!(doc["components"]["schemas"]["PushRecord"].is_object());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[tokio::test]
async fn gzipped_pushes_are_accepted_and_limits_apply_to_the_inflated_body() {
    let limits = Limits {
        max_body_bytes: 64 * 1024,
        ..Limits::default()
    };
    let s = start(limits).await;
    let a = Client::register(&s.url).await;
    let space = a.create_space().await;
    let body = serde_json::to_vec(&json!({ "records": [record(&space, "d", 0, 100)] })).unwrap();
    let answer = a
        .http
        .post(format!("{}/v1/sync/push", s.url))
        .bearer_auth(&a.token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gzip(&body))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let acks: Value = answer.json().await.unwrap();
    assert_eq!(acks["acks"][0]["seq"], 1);

    // A small gzip that inflates past the body limit: refused, not inflated whole.
    let bomb = gzip(&vec![b' '; 10 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024);
    let answer = a
        .http
        .post(format!("{}/v1/sync/push", s.url))
        .bearer_auth(&a.token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(bomb)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = answer.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");

    // An encoding the server does not speak: 415 with a JSON error like
    // every other, not an empty body a client cannot read.
    let answer = a
        .http
        .post(format!("{}/v1/sync/push", s.url))
        .bearer_auth(&a.token)
        .header("content-type", "application/json")
        .header("content-encoding", "compress")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_media_type", "{body}");
    assert!(body["message"].as_str().unwrap().contains("gzip"), "{body}");
}

/// The server's `/metrics` text.
async fn metrics_text(url: &str) -> String {
    http_client()
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of a gauge or counter in the server's `/metrics` text.
async fn metric(url: &str, name: &str) -> Option<f64> {
    metrics_text(url)
        .await
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_push_waits_for_a_slot_and_a_body_that_never_arrives_gives_its_slot_up() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = start(Limits {
        pushes_in_flight: 1,
        body_seconds: 1,
        ..Limits::default()
    })
    .await;
    let a = Client::register(&s.url).await;
    let space = a.create_space().await;

    // A push that sends its head and the start of its body, then stalls,
    // takes the only slot.
    let addr = s.url.trim_start_matches("http://").to_owned();
    let mut stalled = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/sync/push HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\n\
         {}: {}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"records\":[",
        a.token,
        tandem_protocol::PROTOCOL_HEADER,
        tandem_protocol::PROTOCOL
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    // The next push waits, its body unread, and the metric shows it.
    let waiting = tokio::spawn({
        let a = a.clone();
        let records = vec![record(&space, "d", 0, 100)];
        async move { push(&a, &records).await }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while metric(&s.url, "tandem_pushes_waiting").await != Some(1.0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the push never waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!waiting.is_finished());

    // The stalled push is answered 408 with a JSON body once its time is up...
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stalled.read_to_end(&mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""error":"timeout""#), "{answer}");

    // ...and the waiting push gets the slot and is stored.
    let (st, body) = waiting.await.unwrap();
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["acks"].as_array().unwrap().len(), 1);
    assert_eq!(metric(&s.url, "tandem_pushes_waiting").await, Some(0.0));
}

/// Registers from `forwarded` (an `X-Forwarded-For` value, if any); the status.
async fn register_from(url: &str, forwarded: Option<&str>) -> (StatusCode, Value) {
    let mut req = http_client()
        .post(format!("{url}/v1/devices"))
        .json(&json!({}));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn registrations_and_link_codes_are_limited_per_address() {
    let s = start(Limits {
        register_per_hour: 3,
        link_codes_per_hour: 2,
        ..Limits::default()
    })
    .await;
    let a = Client::register(&s.url).await;
    for _ in 0..2 {
        assert_eq!(register_from(&s.url, None).await.0, StatusCode::OK);
    }
    let (st, body) = register_from(&s.url, None).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{body}"
    );
    // Without a trusted proxy the header is the client's word: ignored.
    let (st, _) = register_from(&s.url, Some("192.0.2.1")).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);

    for _ in 0..2 {
        let (st, _) = a
            .call(Method::POST, "/v1/devices/link-codes", Some(&json!({})))
            .await;
        assert_eq!(st, StatusCode::OK);
    }
    let (st, body) = a
        .call(Method::POST, "/v1/devices/link-codes", Some(&json!({})))
        .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{body}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_counts_alone() {
    let s = start(Limits {
        register_per_hour: 1,
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..Limits::default()
    })
    .await;
    assert_eq!(
        register_from(&s.url, Some("192.0.2.1")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        register_from(&s.url, Some("192.0.2.1")).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        register_from(&s.url, Some("192.0.2.2")).await.0,
        StatusCode::OK
    );
    // A client that writes its own entry to the left is still counted by
    // the address the proxy saw (the rightmost untrusted one).
    assert_eq!(
        register_from(&s.url, Some("198.51.100.7, 192.0.2.1"))
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Trusted hops on the right are skipped.
    assert_eq!(
        register_from(&s.url, Some("192.0.2.3, 127.0.0.5")).await.0,
        StatusCode::OK
    );
    // No header: the proxy itself is the client.
    assert_eq!(register_from(&s.url, None).await.0, StatusCode::OK);
    assert_eq!(
        register_from(&s.url, None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// This device's id, as the device list names it.
async fn own_id(c: &Client) -> String {
    let list: Value = c.get_ok("/v1/devices").await;
    let me = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["this_device"] == true)
        .unwrap();
    me["device_id"].as_str().unwrap().to_owned()
}

async fn linked_from(parent: &Client) -> Client {
    let code: Value = parent.post_ok("/v1/devices/link-codes", &json!({})).await;
    Client::register_with(&parent.url, json!({ "link_code": code["code"] }))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_device_linked_by_a_lost_phone_is_revoked_with_it() {
    let s = start(Limits::default()).await;
    let phone = Client::register(&s.url).await;
    let space = phone.create_space().await;
    let lost = linked_from(&phone).await;
    let lost_id = own_id(&lost).await;
    // Whoever holds the lost phone links a device of their own, and keeps
    // a code for another.
    let squatter = linked_from(&lost).await;
    let squatter_id = own_id(&squatter).await;
    let pending: Value = lost.post_ok("/v1/devices/link-codes", &json!({})).await;

    let list: Value = phone.get_ok("/v1/devices").await;
    let listed = list["devices"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    let squatter_row = listed
        .iter()
        .find(|d| d["device_id"] == squatter_id.as_str())
        .unwrap();
    assert_eq!(squatter_row["linked_by"], lost_id.as_str());
    assert_eq!(squatter_row["this_device"], false);
    let hour = squatter_row["created_at_ms"].as_i64().unwrap();
    assert_eq!(hour % 3_600_000, 0, "created is kept to the hour");
    let seen = squatter_row["last_seen_ms"].as_i64().unwrap();
    assert_eq!(seen % 86_400_000, 0, "last seen is kept to the day");

    let (status, body) = phone
        .call::<()>(Method::DELETE, &format!("/v1/devices/{lost_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], json!([lost_id, squatter_id]));
    for gone in [&lost, &squatter] {
        let (status, _) = gone
            .call::<()>(Method::GET, &format!("/v1/spaces/{space}/snapshots"), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let late = Client::register_with(&s.url, json!({ "link_code": pending["code"] })).await;
    assert_eq!(late.err(), Some(StatusCode::GONE));
    let list: Value = phone.get_ok("/v1/devices").await;
    assert_eq!(list["devices"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unlinking_the_phone_that_linked_you_keeps_you() {
    let s = start(Limits::default()).await;
    let first = Client::register(&s.url).await;
    let first_id = own_id(&first).await;
    let tablet = linked_from(&first).await;
    let sibling = linked_from(&first).await;
    let sibling_id = own_id(&sibling).await;
    let (status, body) = tablet
        .call::<()>(Method::DELETE, &format!("/v1/devices/{first_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], json!([first_id, sibling_id]));
    let list: Value = tablet.get_ok("/v1/devices").await;
    assert_eq!(list["devices"].as_array().unwrap().len(), 1);
    let (status, _) = tablet
        .call::<()>(Method::DELETE, &format!("/v1/devices/{first_id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A device sets its own box key once; the account's other devices see it
/// in the list and cannot change it: no call names another device, and a
/// second key from the device itself is refused with a JSON error.
#[tokio::test]
async fn a_device_sets_its_own_box_key_once_and_the_others_see_it() {
    let s = start(Limits::default()).await;
    let phone = Client::register(&s.url).await;
    let tablet = linked_from(&phone).await;
    let tablet_id = own_id(&tablet).await;
    let key = "ab".repeat(32);
    let listed = |list: &Value, id: &str| {
        list["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device_id"] == id)
            .unwrap()
            .clone()
    };
    let before: Value = phone.get_ok("/v1/devices").await;
    assert!(listed(&before, &tablet_id).get("box_key").is_none());

    for bad in ["AB".repeat(32), "ab".repeat(31), String::new()] {
        let (status, body) = tablet
            .call(
                Method::PUT,
                "/v1/devices/keys",
                Some(&json!({ "box_key": bad })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "bad_request");
    }
    for _ in 0..2 {
        let (status, body) = tablet
            .call(
                Method::PUT,
                "/v1/devices/keys",
                Some(&json!({ "box_key": key })),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let (status, body) = tablet
        .call(
            Method::PUT,
            "/v1/devices/keys",
            Some(&json!({ "box_key": "cd".repeat(32) })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "forbidden");

    let after: Value = phone.get_ok("/v1/devices").await;
    assert_eq!(listed(&after, &tablet_id)["box_key"], key.as_str());
    let phone_id = own_id(&phone).await;
    assert!(listed(&after, &phone_id).get("box_key").is_none());
}

/// A member starts at most `epochs_per_hour` new epochs of one space in an
/// hour (a hostile partner cannot bump a pair's epoch in a loop), with a
/// JSON error past it; the other member, and another space, count apart.
#[tokio::test]
async fn new_epochs_are_limited_per_member_and_space() {
    let s = start(Limits {
        epochs_per_hour: 3,
        ..Limits::default()
    })
    .await;
    let mentee = Client::register(&s.url).await;
    let mentor = Client::register(&s.url).await;
    let space = pair(&mentee, &mentor).await.0;
    let bump = async |c: &Client, space: &str| {
        c.call::<()>(Method::POST, &format!("/v1/spaces/{space}/epoch"), None)
            .await
    };
    for expected in 1..=3u64 {
        let (st, body) = bump(&mentor, &space).await;
        assert_eq!(
            (st, body["epoch"].as_u64()),
            (StatusCode::OK, Some(expected))
        );
    }
    let (st, body) = bump(&mentor, &space).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{body}"
    );
    let (st, body) = bump(&mentee, &space).await;
    assert_eq!((st, body["epoch"].as_u64()), (StatusCode::OK, Some(4)));
    let (st, own) = mentor.call::<()>(Method::POST, "/v1/spaces", None).await;
    assert_eq!(st, StatusCode::OK, "{own}");
    let other = own["space_id"].as_str().unwrap().to_owned();
    assert_eq!(bump(&mentor, &other).await.0, StatusCode::OK);
}
