//! The SQLite storage's statements: one function per storage operation,
//! run on a connection the caller hands in (the writer's inside a group
//! commit, or a reader's). The decisions about invites, link codes and
//! account deletion are [`rules`]'; these run the SQL they call for.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rusqlite::{Connection, OptionalExtension, params};
use tandem_protocol::{AccountDeleted, SpaceHead, SpaceInfo};

use crate::secret::{Hash, new_id, same};
use crate::storage::rules::{self, AccountStep, InviteWrite};
use crate::storage::{
    Device, DeviceRow, Membership, NewRecord, Page, PushSubscription, RECOVERY_EXPIRES_MS, Record,
    Redeemed, Registration, SnapshotPut, StorageError, StorageResult, StoredSnapshot, WakeupTarget,
    coarse, hash32,
};

/// Registers a device into a new account, or with `link_code` into the
/// code's account (the code is used up); the device records which device
/// made the code.
pub(super) fn register(
    c: &Connection,
    token: &Hash,
    link_code: Option<&Hash>,
    now_ms: i64,
    max_devices: u32,
) -> StorageResult<Registration> {
    let (account, linked_by) = match link_code {
        Some(code) => {
            let found: Option<(Vec<u8>, String, i64, Option<String>)> = c
                .query_row(
                    "SELECT code_hash, account_id, expires_ms, created_by FROM link_codes WHERE code_hash = ?1",
                    [&code[..]],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            c.execute("DELETE FROM link_codes WHERE code_hash = ?1", [&code[..]])?;
            let stored = found
                .as_ref()
                .map(|(hash, _, expires, _)| (hash.as_slice(), *expires));
            let creator_gone = |by: &Option<String>| -> StorageResult<bool> {
                let Some(by) = by else { return Ok(false) };
                let n: i64 =
                    c.query_row("SELECT count(*) FROM devices WHERE id = ?1", [by], |r| {
                        r.get(0)
                    })?;
                Ok(n == 0)
            };
            match found {
                Some((_, account, expires, by))
                    if rules::link_code_admits(stored, code, now_ms) && !creator_gone(&by)? =>
                {
                    let count: i64 = c.query_row(
                        "SELECT count(*) FROM devices WHERE account_id = ?1",
                        [&account],
                        |r| r.get(0),
                    )?;
                    if !rules::device_fits(count, expires, max_devices) {
                        return Ok(Registration::TooManyDevices);
                    }
                    (account, by)
                }
                _ => return Ok(Registration::CodeGone),
            }
        }
        None => {
            let account = new_id();
            c.execute(
                "INSERT INTO accounts (id, created_hour) VALUES (?1, ?2)",
                params![account, coarse(now_ms)],
            )?;
            (account, None)
        }
    };
    let device_id = new_id();
    c.prepare_cached(
        "INSERT INTO devices (id, account_id, token_hash, created_hour, linked_by) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![device_id, account, &token[..], coarse(now_ms), linked_by])?;
    Ok(Registration::Done(Device {
        account_id: account,
        device_id,
    }))
}

/// Stores a single-use link code made by `device`.
pub(super) fn create_link_code(
    c: &Connection,
    device: &Device,
    code: &Hash,
    expires_ms: i64,
) -> StorageResult<()> {
    c.execute(
        "INSERT INTO link_codes (code_hash, account_id, expires_ms, created_by)
         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?4)",
        params![&code[..], device.account_id, expires_ms, device.device_id],
    )?;
    Ok(())
}

/// Unlinks `device_id` for `caller`: deletes it, every device it linked
/// that [`rules::revoked`] names, and their pending link codes. Returns the
/// revoked devices (none: no such device in the caller's account).
pub(super) fn delete_device(
    c: &Connection,
    caller: &Device,
    device_id: &str,
) -> StorageResult<Vec<String>> {
    let tree = c
        .prepare(
            "SELECT id, linked_by FROM devices WHERE account_id = ?1 ORDER BY created_hour, id",
        )?
        .query_map([&caller.account_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(String, Option<String>)>, _>>()?;
    let revoked = rules::revoked(&tree, device_id, &caller.device_id);
    for id in &revoked {
        c.execute(
            "DELETE FROM link_codes WHERE created_by = ?1 AND account_id = ?2",
            params![id, caller.account_id],
        )?;
        c.execute(
            "DELETE FROM devices WHERE id = ?1 AND account_id = ?2",
            params![id, caller.account_id],
        )?;
    }
    Ok(revoked)
}

/// Every device of an account, oldest first.
pub(super) fn devices(c: &Connection, account: &str) -> StorageResult<Vec<DeviceRow>> {
    let rows = c
        .prepare(
            "SELECT id, created_hour, seen_day, linked_by, box_key FROM devices WHERE account_id = ?1 ORDER BY created_hour, id",
        )?
        .query_map([account], |r| {
            Ok(DeviceRow {
                device_id: r.get(0)?,
                created_hour: r.get(1)?,
                seen_day: r.get(2)?,
                linked_by: r.get(3)?,
                box_key: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Sets a device's box key unless one is set; whether it is now `box_key`.
pub(super) fn set_box_key(
    c: &Connection,
    device: &Device,
    box_key: &[u8; 32],
) -> StorageResult<bool> {
    c.execute(
        "UPDATE devices SET box_key = ?2 WHERE id = ?1 AND box_key IS NULL",
        params![device.device_id, &box_key[..]],
    )?;
    let kept: Option<Vec<u8>> = c
        .query_row(
            "SELECT box_key FROM devices WHERE id = ?1",
            [&device.device_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(kept.as_deref() == Some(&box_key[..]))
}

/// Records that a device called on the day starting at `day_ms`, unless a
/// later day is already recorded.
pub(super) fn touch_device(c: &Connection, device_id: &str, day_ms: i64) -> StorageResult<()> {
    c.prepare_cached(
        "UPDATE devices SET seen_day = ?2 WHERE id = ?1 AND (seen_day IS NULL OR seen_day < ?2)",
    )?
    .execute(params![device_id, day_ms])?;
    Ok(())
}

/// Replaces an account's recovery code.
pub(super) fn set_recovery_code(c: &Connection, device: &Device, code: &Hash) -> StorageResult<()> {
    c.execute(
        "DELETE FROM link_codes WHERE account_id = ?1 AND expires_ms = ?2",
        params![device.account_id, RECOVERY_EXPIRES_MS],
    )?;
    c.execute(
        "INSERT OR REPLACE INTO link_codes (code_hash, account_id, expires_ms, created_by)
         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?4)",
        params![
            &code[..],
            device.account_id,
            RECOVERY_EXPIRES_MS,
            device.device_id
        ],
    )?;
    Ok(())
}

/// The device holding the token with this hash.
pub(super) fn authenticate(c: &Connection, token: &Hash) -> StorageResult<Option<Device>> {
    let row: Option<(String, String, Vec<u8>)> = c
        .prepare_cached("SELECT id, account_id, token_hash FROM devices WHERE token_hash = ?1")?
        .query_row([&token[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row
        .filter(|(_, _, stored)| same(stored, token))
        .map(|(device_id, account_id, _)| Device {
            account_id,
            device_id,
        }))
}

/// Creates a space, its number and its owner's membership.
pub(super) fn create_space(
    c: &Connection,
    account: &str,
    space: &str,
    now_ms: i64,
) -> StorageResult<()> {
    c.execute(
        "INSERT INTO spaces (id, owner, created_hour) VALUES (?1, ?2, ?3)",
        params![space, account, coarse(now_ms)],
    )?;
    c.execute("INSERT INTO space_nums (space_id) VALUES (?1)", [space])?;
    c.execute(
        "INSERT INTO members (space_id, account_id) VALUES (?1, ?2)",
        params![space, account],
    )?;
    Ok(())
}

/// The spaces an account is a member of.
pub(super) fn spaces(c: &Connection, account: &str) -> StorageResult<Vec<SpaceInfo>> {
    let mut stmt = c.prepare_cached(
        "SELECT s.id, s.owner = ?1, s.epoch, (SELECT COUNT(*) FROM members m2 WHERE m2.space_id = s.id), s.head_seq
         FROM members m JOIN spaces s ON s.id = m.space_id WHERE m.account_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([account], |r| {
        Ok(SpaceInfo {
            space_id: r.get(0)?,
            owner: r.get(1)?,
            epoch: r.get(2)?,
            members: r.get(3)?,
            head_seq: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An account's membership of a space.
pub(super) fn membership(
    c: &Connection,
    account: &str,
    space: &str,
) -> StorageResult<Option<Membership>> {
    Ok(c.prepare_cached(
        "SELECT s.owner = ?1, s.epoch, s.head_seq FROM members m JOIN spaces s ON s.id = m.space_id
         WHERE m.space_id = ?2 AND m.account_id = ?1",
    )?
    .query_row(params![account, space], |r| {
        Ok(Membership {
            owner: r.get(0)?,
            epoch: r.get(1)?,
            head_seq: r.get(2)?,
        })
    })
    .optional()?)
}

/// Stores an invite.
pub(super) fn create_invite(
    c: &Connection,
    space: &str,
    id: &str,
    secret: &Hash,
    expires_ms: i64,
) -> StorageResult<()> {
    c.execute(
        "INSERT INTO invites (id, space_id, secret_hash, expires_ms) VALUES (?1, ?2, ?3, ?4)",
        params![id, space, &secret[..], expires_ms],
    )?;
    Ok(())
}

/// Reads an invite, writes what [`rules::redeem`] decides and, when the
/// account joins, adds it at the space's epoch.
pub(super) fn redeem_invite(
    c: &Connection,
    id: &str,
    secret: &Hash,
    account: &str,
    now_ms: i64,
    max_wrong: u32,
) -> StorageResult<Redeemed> {
    let invite = c
        .query_row(
            "SELECT space_id, secret_hash, expires_ms, wrong FROM invites WHERE id = ?1",
            [id],
            |r| {
                Ok(rules::Invite {
                    space_id: r.get(0)?,
                    secret_hash: r.get(1)?,
                    expires_ms: r.get(2)?,
                    wrong: r.get(3)?,
                })
            },
        )
        .optional()?;
    let decision = rules::redeem(invite, secret, now_ms, max_wrong);
    match decision.write() {
        InviteWrite::Keep => {}
        InviteWrite::CountWrong => {
            c.execute("UPDATE invites SET wrong = wrong + 1 WHERE id = ?1", [id])?;
        }
        InviteWrite::Delete => {
            c.execute("DELETE FROM invites WHERE id = ?1", [id])?;
        }
    }
    let space = match decision.join() {
        Ok(space) => space,
        Err(refused) => return Ok(refused),
    };
    c.execute(
        "INSERT OR IGNORE INTO members (space_id, account_id) VALUES (?1, ?2)",
        params![space, account],
    )?;
    let epoch: u32 = c.query_row("SELECT epoch FROM spaces WHERE id = ?1", [&space], |r| {
        r.get(0)
    })?;
    Ok(Redeemed::Joined {
        space_id: space,
        epoch,
    })
}

/// Removes a member (nobody, for `""`) and starts the space's next epoch.
pub(super) fn remove_member(c: &Connection, space: &str, member: &str) -> StorageResult<u32> {
    c.execute(
        "DELETE FROM members WHERE space_id = ?1 AND account_id = ?2",
        params![space, member],
    )?;
    Ok(c.query_row(
        "UPDATE spaces SET epoch = epoch + 1 WHERE id = ?1 RETURNING epoch",
        [space],
        |r| r.get(0),
    )?)
}

/// Stores records, de-duplicated by change hash; each one's `seq`.
pub(super) fn push(c: &Connection, records: &[NewRecord]) -> StorageResult<Vec<i64>> {
    // Per space named: its number, its head so far and its epoch.
    let mut heads: HashMap<&str, (i64, i64, u32)> = HashMap::new();
    let mut seqs = Vec::with_capacity(records.len());
    let mut insert = c.prepare_cached(
        "INSERT INTO records (space, seq, doc_id, change_hash, key_epoch, nonce, ciphertext)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    // The index finds the rows whose hash starts the same; the row
    // decides. Named, because without statistics the planner would
    // rather walk the space's whole primary key.
    let mut existing = c.prepare_cached(
        "SELECT seq FROM records INDEXED BY records_by_hash
         WHERE space = ?1 AND substr(change_hash, 1, 8) = ?2 AND change_hash = ?3",
    )?;
    let mut space_of = c.prepare_cached(
        "SELECT n.num, s.head_seq, s.epoch FROM spaces s JOIN space_nums n ON n.space_id = s.id
         WHERE s.id = ?1",
    )?;
    for r in records {
        let (num, head, epoch) = match heads.entry(r.space_id.as_str()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let found = space_of.query_row([&r.space_id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get::<_, u32>(2)?))
                })?;
                e.insert(found)
            }
        };
        let hash = &r.change_hash[..];
        let known: Option<i64> = existing
            .query_row(params![*num, &hash[..8], hash], |row| row.get(0))
            .optional()?;
        if let Some(seq) = known {
            seqs.push(seq);
            continue;
        }
        if r.key_epoch < *epoch {
            return Err(StorageError::StaleEpoch(r.space_id.clone()));
        }
        *head += 1;
        insert.execute(params![
            *num,
            *head,
            r.doc_id,
            hash,
            r.key_epoch,
            r.nonce,
            r.ciphertext
        ])?;
        seqs.push(*head);
    }
    let mut update = c.prepare_cached("UPDATE spaces SET head_seq = ?2 WHERE id = ?1")?;
    for (space, (_, head, _)) in heads {
        update.execute(params![space, head])?;
    }
    Ok(seqs)
}

/// Up to `limit` records of a space after `after`, with its head and epoch.
pub(super) fn pull(c: &Connection, space: &str, after: i64, limit: u32) -> StorageResult<Page> {
    // One read transaction: the head and epoch are those of the records
    // read (a bump and a push between two statements would otherwise give
    // a record under an epoch the answer does not report yet).
    let tx = c.unchecked_transaction()?;
    let c = &*tx;
    let (num, head_seq, epoch): (i64, i64, u32) = c
        .prepare_cached(
            "SELECT n.num, s.head_seq, s.epoch FROM spaces s
             JOIN space_nums n ON n.space_id = s.id WHERE s.id = ?1",
        )?
        .query_row([space], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let mut stmt = c.prepare_cached(
        "SELECT seq, doc_id, change_hash, key_epoch, nonce, ciphertext FROM records
         WHERE space = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let records: Vec<Record> = stmt
        .query_map(params![num, after, i64::from(limit) + 1], |r| {
            Ok(Record {
                seq: r.get(0)?,
                doc_id: r.get(1)?,
                change_hash: hash32(r.get(2)?),
                key_epoch: r.get(3)?,
                nonce: r.get(4)?,
                ciphertext: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    drop(stmt);
    tx.commit()?;
    Ok(Page::cut(records, limit, head_seq, epoch))
}

/// Head and epoch of every space of an account.
pub(super) fn heads(c: &Connection, account: &str) -> StorageResult<Vec<SpaceHead>> {
    let mut stmt = c.prepare_cached(
        "SELECT s.id, s.head_seq, s.epoch FROM members m JOIN spaces s ON s.id = m.space_id
         WHERE m.account_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([account], |r| {
        Ok(SpaceHead {
            space_id: r.get(0)?,
            head_seq: r.get(1)?,
            epoch: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a snapshot unless a newer one of the document is stored, or the
/// document is new to the space and the space already holds `quota`
/// snapshots. The writer thread runs one write at a time, so the count and
/// the insert cannot interleave with another put.
pub(super) fn put_snapshot(
    c: &Connection,
    space: &str,
    s: &StoredSnapshot,
    now_ms: i64,
    quota: u32,
) -> StorageResult<SnapshotPut> {
    let (count, exists): (i64, bool) = c.query_row(
        "SELECT count(*), coalesce(max(doc_id = ?2), 0) FROM snapshots WHERE space_id = ?1",
        params![space, s.doc_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if !rules::snapshot_fits(count, exists, quota) {
        return Ok(SnapshotPut::OverQuota);
    }
    c.execute(
        "INSERT INTO snapshots (space_id, doc_id, upto_seq, key_epoch, nonce, ciphertext, stored_hour)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (space_id, doc_id) DO UPDATE SET upto_seq = excluded.upto_seq,
            key_epoch = excluded.key_epoch, nonce = excluded.nonce, ciphertext = excluded.ciphertext,
            stored_hour = excluded.stored_hour
         WHERE excluded.upto_seq >= snapshots.upto_seq",
        params![space, s.doc_id, s.upto_seq, s.key_epoch, s.nonce, s.ciphertext, coarse(now_ms)],
    )?;
    Ok(SnapshotPut::Stored)
}

/// Deletes a snapshot that covers no records (`upto_seq = 0`: a key
/// envelope). Returns whether one was deleted.
pub(super) fn delete_snapshot(c: &Connection, space: &str, doc: &str) -> StorageResult<bool> {
    let n = c.execute(
        "DELETE FROM snapshots WHERE space_id = ?1 AND doc_id = ?2 AND upto_seq = 0",
        params![space, doc],
    )?;
    Ok(n > 0)
}

/// The newest snapshot of every document of a space.
pub(super) fn snapshots(c: &Connection, space: &str) -> StorageResult<Vec<StoredSnapshot>> {
    let mut stmt = c.prepare_cached(
        "SELECT doc_id, upto_seq, key_epoch, nonce, ciphertext FROM snapshots WHERE space_id = ?1 ORDER BY doc_id",
    )?;
    let rows = stmt.query_map([space], |r| {
        Ok(StoredSnapshot {
            doc_id: r.get(0)?,
            upto_seq: r.get(1)?,
            key_epoch: r.get(2)?,
            nonce: r.get(3)?,
            ciphertext: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes a document's records that its snapshot covers.
pub(super) fn compact(c: &Connection, space: &str, doc: &str) -> StorageResult<u64> {
    let n = c.execute(
        "DELETE FROM records
         WHERE space = (SELECT num FROM space_nums WHERE space_id = ?1) AND doc_id = ?2
           AND seq <= (SELECT upto_seq FROM snapshots WHERE space_id = ?1 AND doc_id = ?2)",
        params![space, doc],
    )?;
    Ok(n as u64)
}

/// Deletes an account in the steps [`rules::ACCOUNT_DELETION`] gives.
pub(super) fn delete_account(c: &Connection, account: &str) -> StorageResult<AccountDeleted> {
    let mut tally = rules::DeletionTally::default();
    for step in rules::ACCOUNT_DELETION {
        let rows = match step {
            AccountStep::DeleteOwnedSpaces => {
                c.execute("DELETE FROM spaces WHERE owner = ?1", [account])?
            }
            AccountStep::LeaveSpaces => c.execute(
                "UPDATE spaces SET epoch = epoch + 1
                 WHERE id IN (SELECT space_id FROM members WHERE account_id = ?1)",
                [account],
            )?,
            AccountStep::DeleteAccount => {
                c.execute("DELETE FROM accounts WHERE id = ?1", [account])?
            }
        };
        tally.add(step, rows as u64);
    }
    Ok(tally.answer())
}

/// Keeps a device's one wake-up subscription (none for a device that is gone).
pub(super) fn put_wakeup(
    c: &Connection,
    device_id: &str,
    s: &PushSubscription,
) -> StorageResult<()> {
    c.execute(
        "INSERT INTO wakeups (device_id, endpoint, p256dh, auth)
         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?1)
         ON CONFLICT (device_id) DO UPDATE SET endpoint = excluded.endpoint,
             p256dh = excluded.p256dh, auth = excluded.auth",
        params![device_id, s.endpoint, s.p256dh, s.auth],
    )?;
    Ok(())
}

/// Removes a device's wake-up subscription (only if it goes to `endpoint`, when given).
pub(super) fn delete_wakeup(
    c: &Connection,
    device_id: &str,
    endpoint: Option<&str>,
) -> StorageResult<bool> {
    let n = c.execute(
        "DELETE FROM wakeups WHERE device_id = ?1 AND (?2 IS NULL OR endpoint = ?2)",
        params![device_id, endpoint],
    )?;
    Ok(n > 0)
}

/// The subscriptions of a space's member devices, but one.
pub(super) fn wakeup_targets(
    c: &Connection,
    space: &str,
    except: &str,
) -> StorageResult<Vec<WakeupTarget>> {
    let mut stmt = c.prepare_cached(
        "SELECT w.device_id, w.endpoint, w.p256dh, w.auth FROM members m
         JOIN devices d ON d.account_id = m.account_id
         JOIN wakeups w ON w.device_id = d.id
         WHERE m.space_id = ?1 AND d.id <> ?2 ORDER BY w.device_id",
    )?;
    let rows = stmt.query_map(params![space, except], |r| {
        Ok(WakeupTarget {
            device_id: r.get(0)?,
            subscription: PushSubscription {
                endpoint: r.get(1)?,
                p256dh: r.get(2)?,
                auth: r.get(3)?,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores `candidate` as the VAPID key unless one is stored; the stored one.
pub(super) fn vapid_key(c: &Connection, candidate: &[u8; 32]) -> StorageResult<Vec<u8>> {
    c.execute(
        "INSERT OR IGNORE INTO vapid_key (id, private_key) VALUES (1, ?1)",
        [&candidate[..]],
    )?;
    Ok(
        c.query_row("SELECT private_key FROM vapid_key WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}
