//! The storage's rules, decided once for both backends: when an invite
//! admits an account, counts a wrong secret, burns or is gone; when a link
//! code registers a device; what deleting an account removes, in which
//! order, and which spaces start a new key epoch because of it.
//!
//! Everything here is a plain function of rows as a backend read them
//! (inside the transaction that will write the outcome) and the request.
//! Nothing here does I/O: a backend reads the rows, asks the rule, and runs
//! the SQL for what the rule says, in the same transaction.
//!
//! Key epochs: a space starts a new epoch whenever someone who could read
//! it no longer may — a member is removed, a device of its owner is
//! unlinked (`Storage::bump_epoch`: removing nobody), or a member's account
//! is deleted ([`AccountStep::LeaveSpaces`]). The epoch goes up by one in
//! the same transaction as the removal. Joining never starts one: the new
//! member is handed the current epoch ([`Redemption::Join`]).

use tandem_protocol::AccountDeleted;

use super::Redeemed;
use crate::secret::same;

/// An invite as stored, read for redeeming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The space it admits to.
    pub space_id: String,
    /// SHA-256 of its secret.
    pub secret_hash: Vec<u8>,
    /// When it stops working (UTC milliseconds, exclusive).
    pub expires_ms: i64,
    /// Wrong secrets presented so far.
    pub wrong: u32,
}

/// What redeeming an invite comes to: what the backend writes to the
/// invite ([`Redemption::write`]), and then either the answer refusing the
/// account or the space it joins ([`Redemption::join`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// No such invite (never made, already used, or burned): nothing to
    /// write.
    Unknown,
    /// The invite has expired, or was already presented `max_wrong` wrong
    /// secrets (the limit was lowered since): it is deleted.
    Expired,
    /// A wrong secret, with tries left: it is counted.
    CountWrong,
    /// A wrong secret, the last one allowed: the invite is burned (deleted).
    Burn,
    /// The right secret in time: the invite is used up (deleted) and the
    /// account becomes a member at the space's current epoch.
    Join {
        /// The space it joins.
        space_id: String,
    },
}

/// The write to an invite's row that a [`Redemption`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteWrite {
    /// Leave the row as it is.
    Keep,
    /// Add one to its count of wrong secrets.
    CountWrong,
    /// Delete it.
    Delete,
}

/// Decides a redemption of `invite` (`None`: no row with that id) with the
/// presented secret's hash at `now_ms`, when `max_wrong` wrong secrets burn
/// an invite. Expiry is checked first: an expired invite says nothing about
/// its secret.
pub fn redeem(invite: Option<Invite>, secret: &[u8], now_ms: i64, max_wrong: u32) -> Redemption {
    let Some(invite) = invite else {
        return Redemption::Unknown;
    };
    if invite.expires_ms <= now_ms || invite.wrong >= max_wrong {
        return Redemption::Expired;
    }
    if !same(&invite.secret_hash, secret) {
        return if invite.wrong.saturating_add(1) >= max_wrong {
            Redemption::Burn
        } else {
            Redemption::CountWrong
        };
    }
    Redemption::Join {
        space_id: invite.space_id,
    }
}

impl Redemption {
    /// What the backend writes to the invite's row.
    pub fn write(&self) -> InviteWrite {
        match self {
            Redemption::Unknown => InviteWrite::Keep,
            Redemption::CountWrong => InviteWrite::CountWrong,
            Redemption::Expired | Redemption::Burn | Redemption::Join { .. } => InviteWrite::Delete,
        }
    }

    /// The space the account joins (the backend adds the member and
    /// answers [`Redeemed::Joined`] with the space's epoch), or else the
    /// answer that refuses it.
    pub fn join(self) -> Result<String, Redeemed> {
        match self {
            Redemption::Unknown | Redemption::Expired => Err(Redeemed::Gone),
            Redemption::CountWrong | Redemption::Burn => Err(Redeemed::WrongSecret),
            Redemption::Join { space_id } => Ok(space_id),
        }
    }
}

/// Whether a link code as stored (`stored_hash`, `expires_ms`; `None`: no
/// such code) registers a device when `code` is presented at `now_ms`. The
/// code is used up either way: the backend deletes it in the same
/// transaction.
pub fn link_code_admits(stored: Option<(&[u8], i64)>, code: &[u8], now_ms: i64) -> bool {
    stored.is_some_and(|(hash, expires_ms)| same(hash, code) && expires_ms > now_ms)
}

/// Whether a code that admits a device (expiring at `expires_ms`) may add
/// one more to an account that has `count`: a link code only while the
/// account has fewer than `max` devices (a stolen token cannot fill an
/// account with devices), the recovery code always (a person who lost
/// every phone must get back in, however many the account still lists).
pub fn device_fits(count: i64, expires_ms: i64, max: u32) -> bool {
    expires_ms == crate::storage::RECOVERY_EXPIRES_MS || count < i64::from(max)
}

/// Whether a snapshot may be stored in a space that holds `count`
/// snapshots, `exists` saying whether the document already has one there.
/// Replacing a document's snapshot always fits; a new document fits while
/// the space holds fewer than `quota`. Only live snapshots count: a
/// replaced one is gone, and devices delete the key envelopes a new epoch
/// supersedes.
pub fn snapshot_fits(count: i64, exists: bool, quota: u32) -> bool {
    exists || count < i64::from(quota)
}

/// The devices that unlinking `target` revokes, given every device of the
/// account as `(id, linked_by)`: `target` first, then each device it
/// linked, directly or through another, but never `caller` or the devices
/// on the line that linked `caller` (the person is using that line to
/// unlink). Empty when `target` is not a device of the account, or when
/// `caller` no longer is one (it was revoked by an unlink that ran first).
///
/// A lost phone can make link codes before it is unlinked; a device
/// registered with one would otherwise keep reading the account after
/// its parent is gone. A device the person linked from the lost phone goes
/// too and is linked again from one that stays.
pub fn revoked(devices: &[(String, Option<String>)], target: &str, caller: &str) -> Vec<String> {
    let known = |who: &str| devices.iter().any(|(id, _)| id == who);
    if !known(target) || !known(caller) {
        return Vec::new();
    }
    let parent = |id: &str| {
        devices
            .iter()
            .find(|(d, _)| d == id)
            .and_then(|(_, p)| p.as_deref())
    };
    // The caller and its ancestors, each at most once (a damaged table
    // with a cycle must not loop).
    let mut line = vec![caller];
    while let Some(p) = line.last().and_then(|id| parent(id)) {
        if line.contains(&p) {
            break;
        }
        line.push(p);
    }
    let mut out = vec![target.to_owned()];
    let mut i = 0;
    while i < out.len() {
        let parent_id = out[i].clone();
        for (id, p) in devices {
            if p.as_deref() == Some(parent_id.as_str())
                && !line.contains(&id.as_str())
                && !out.contains(id)
            {
                out.push(id.clone());
            }
        }
        i += 1;
    }
    out
}

/// One step of deleting an account. The steps run in the order of
/// [`ACCOUNT_DELETION`], in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStep {
    /// Delete every space the account owns, with its members, invites,
    /// records and snapshots, even where other members are left: the
    /// owner's erasure wins. Counted as `spaces_deleted`.
    DeleteOwnedSpaces,
    /// Start a new key epoch in every space the account is still a member
    /// of (those it owned are gone by now). Counted as `spaces_left`.
    LeaveSpaces,
    /// Delete the account; its devices, link codes and memberships go with
    /// it. Last, because the step before finds the spaces by membership.
    DeleteAccount,
}

/// What deleting an account does, in order.
pub const ACCOUNT_DELETION: [AccountStep; 3] = [
    AccountStep::DeleteOwnedSpaces,
    AccountStep::LeaveSpaces,
    AccountStep::DeleteAccount,
];

/// Counts what an account's deletion touched, step by step, into the
/// answer the device is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeletionTally {
    spaces_deleted: u32,
    spaces_left: u32,
}

impl DeletionTally {
    /// Records that `step` touched `rows` rows.
    pub fn add(&mut self, step: AccountStep, rows: u64) {
        let rows = u32::try_from(rows).unwrap_or(u32::MAX);
        match step {
            AccountStep::DeleteOwnedSpaces => {
                self.spaces_deleted = self.spaces_deleted.saturating_add(rows)
            }
            AccountStep::LeaveSpaces => self.spaces_left = self.spaces_left.saturating_add(rows),
            AccountStep::DeleteAccount => {}
        }
    }

    /// The answer to the deletion.
    pub fn answer(self) -> AccountDeleted {
        AccountDeleted {
            spaces_deleted: self.spaces_deleted,
            spaces_left: self.spaces_left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::hash;

    fn invite(expires_ms: i64, wrong: u32) -> Invite {
        Invite {
            space_id: "space".into(),
            secret_hash: hash("secret").to_vec(),
            expires_ms,
            wrong,
        }
    }

    #[test]
    fn the_right_secret_in_time_joins_and_uses_the_invite_up() {
        let r = redeem(Some(invite(1_000, 0)), &hash("secret"), 999, 5);
        assert_eq!(r.write(), InviteWrite::Delete);
        assert_eq!(r.join(), Ok("space".to_owned()));
    }

    #[test]
    fn an_invite_expires_at_its_expiry_not_after() {
        let secret = hash("secret");
        assert!(
            redeem(Some(invite(1_000, 0)), &secret, 999, 5)
                .join()
                .is_ok()
        );
        let at = redeem(Some(invite(1_000, 0)), &secret, 1_000, 5);
        assert_eq!(at, Redemption::Expired);
        assert_eq!(at.write(), InviteWrite::Delete);
        assert_eq!(at.join(), Err(Redeemed::Gone));
    }

    #[test]
    fn an_expired_invite_says_nothing_about_the_secret() {
        let r = redeem(Some(invite(1_000, 0)), &hash("wrong"), 2_000, 5);
        assert_eq!(r.join(), Err(Redeemed::Gone));
    }

    #[test]
    fn wrong_secrets_are_counted_and_the_fifth_burns() {
        let wrong = hash("wrong");
        for before in 0..4 {
            let r = redeem(Some(invite(1_000, before)), &wrong, 10, 5);
            assert_eq!(r, Redemption::CountWrong, "after {before}");
            assert_eq!(r.write(), InviteWrite::CountWrong);
            assert_eq!(r.join(), Err(Redeemed::WrongSecret));
        }
        let fifth = redeem(Some(invite(1_000, 4)), &wrong, 10, 5);
        assert_eq!(fifth, Redemption::Burn);
        assert_eq!(fifth.write(), InviteWrite::Delete);
        assert_eq!(fifth.join(), Err(Redeemed::WrongSecret));
    }

    #[test]
    fn the_right_secret_after_wrong_ones_still_joins() {
        let r = redeem(Some(invite(1_000, 4)), &hash("secret"), 10, 5);
        assert_eq!(r.write(), InviteWrite::Delete);
        assert_eq!(r.join(), Ok("space".to_owned()));
    }

    #[test]
    fn an_invite_over_a_lowered_limit_is_gone_even_with_the_right_secret() {
        let r = redeem(Some(invite(1_000, 3)), &hash("secret"), 10, 3);
        assert_eq!(r, Redemption::Expired);
        assert_eq!(r.write(), InviteWrite::Delete);
        assert_eq!(
            redeem(Some(invite(1_000, 0)), &hash("secret"), 10, 0),
            Redemption::Expired
        );
    }

    #[test]
    fn a_used_or_unknown_invite_refuses_and_writes_nothing() {
        let r = redeem(None, &hash("secret"), 10, 5);
        assert_eq!(r, Redemption::Unknown);
        assert_eq!(r.write(), InviteWrite::Keep);
        assert_eq!(r.join(), Err(Redeemed::Gone));
    }

    #[test]
    fn a_damaged_secret_hash_never_matches() {
        let mut damaged = invite(1_000, 0);
        damaged.secret_hash.truncate(31);
        let r = redeem(Some(damaged), &hash("secret"), 10, 5);
        assert_eq!(r, Redemption::CountWrong);
    }

    #[test]
    fn a_counter_at_its_largest_does_not_overflow() {
        let r = redeem(Some(invite(1_000, u32::MAX - 1)), &hash("x"), 10, u32::MAX);
        assert_eq!(r, Redemption::Burn);
    }

    #[test]
    fn a_link_code_admits_only_itself_before_its_expiry() {
        let code = hash("code");
        assert!(link_code_admits(Some((&code, 1_000)), &code, 999));
        assert!(!link_code_admits(Some((&code, 1_000)), &code, 1_000));
        assert!(!link_code_admits(Some((&code, 1_000)), &hash("other"), 10));
        assert!(!link_code_admits(None, &code, 10));
        assert!(link_code_admits(
            Some((&code, crate::storage::RECOVERY_EXPIRES_MS)),
            &code,
            i64::MAX - 1
        ));
    }

    fn tree(rows: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        rows.iter()
            .map(|(id, p)| (id.to_string(), p.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn unlinking_a_device_revokes_every_device_it_linked() {
        // a linked l; l linked x and y; x linked z.
        let t = tree(&[
            ("a", None),
            ("l", Some("a")),
            ("x", Some("l")),
            ("y", Some("l")),
            ("z", Some("x")),
        ]);
        assert_eq!(revoked(&t, "l", "a"), ["l", "x", "y", "z"]);
        assert_eq!(revoked(&t, "x", "a"), ["x", "z"]);
        assert_eq!(revoked(&t, "z", "a"), ["z"]);
        assert!(revoked(&t, "nobody", "a").is_empty());
        // A caller revoked by an unlink that ran first revokes nothing.
        assert!(revoked(&t, "a", "gone").is_empty());
    }

    #[test]
    fn the_caller_and_the_devices_that_linked_it_stay() {
        // The person's tablet t was linked through l -> m; t unlinks l.
        let t = tree(&[
            ("a", None),
            ("l", Some("a")),
            ("m", Some("l")),
            ("t", Some("m")),
            ("x", Some("l")),
            ("w", Some("m")),
        ]);
        assert_eq!(revoked(&t, "l", "t"), ["l", "x"]);
        assert_eq!(revoked(&t, "m", "a"), ["m", "t", "w"]);
    }

    #[test]
    fn a_cycle_in_damaged_rows_ends() {
        let t = tree(&[("a", Some("b")), ("b", Some("a")), ("c", Some("a"))]);
        assert_eq!(revoked(&t, "a", "c"), ["a"]);
        assert_eq!(revoked(&t, "b", "c"), ["b"]);
    }

    #[test]
    fn account_deletion_drops_owned_spaces_before_leaving_the_rest() {
        let at = |s| ACCOUNT_DELETION.iter().position(|&x| x == s).unwrap();
        assert!(at(AccountStep::DeleteOwnedSpaces) < at(AccountStep::LeaveSpaces));
        assert!(at(AccountStep::LeaveSpaces) < at(AccountStep::DeleteAccount));
        assert_eq!(ACCOUNT_DELETION.len(), 3);
    }

    #[test]
    fn the_tally_counts_spaces_not_the_account() {
        let mut t = DeletionTally::default();
        t.add(AccountStep::DeleteOwnedSpaces, 2);
        t.add(AccountStep::LeaveSpaces, 3);
        t.add(AccountStep::DeleteAccount, 1);
        assert_eq!(
            t.answer(),
            AccountDeleted {
                spaces_deleted: 2,
                spaces_left: 3
            }
        );
        let mut huge = DeletionTally::default();
        huge.add(AccountStep::LeaveSpaces, u64::MAX);
        assert_eq!(huge.answer().spaces_left, u32::MAX);
    }
}
