//! The log's rules: which entries count, and so which devices the log
//! certifies (see the parent module for the rules in words).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ed25519_dalek::SigningKey;

use super::entry::{Change, Entry, MAX_PARENTS, device_code};

/// A device the log certifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Certified {
    /// Its Ed25519 signing key.
    pub signing: [u8; 32],
    /// Its X25519 box key: what key envelopes are sealed to.
    pub box_key: [u8; 32],
    /// The device that added it (directly or by an invite it made);
    /// `None` for a founding device.
    pub added_by: Option<[u8; 16]>,
}

/// The log as one device knows it, and what it certifies.
#[derive(Debug, Default)]
pub(crate) struct Log {
    /// Every entry whose parents are all known, parents first.
    entries: Vec<Entry>,
    /// Their hashes, in the same order.
    hashes: Vec<[u8; 32]>,
    /// Which of them count.
    valid: Vec<bool>,
    /// The devices the log certifies now, by server id.
    live: BTreeMap<[u8; 16], Certified>,
    /// The devices a valid entry removed.
    removed: BTreeSet<[u8; 16]>,
    /// The invite keys valid invites entered, with whether each is the
    /// recovery key's.
    invites: HashMap<[u8; 32], bool>,
    /// Whether a device may still found itself: no valid removal or link
    /// invite yet.
    #[cfg(test)]
    founding_open: bool,
}

impl Log {
    /// The log made of `entries` (each already checked by
    /// [`Entry::from_bytes`]); an entry whose parents are not all known
    /// waits, uncounted.
    ///
    /// Three steps, each settled before the next, so the outcome is one
    /// function of the entries (the same on every device) with no rounds
    /// an attacker could play against each other:
    ///
    /// 1. who was ever added, removals aside (founding closed by every
    ///    removal and link invite from a plausible author);
    /// 2. which removals count: made by a device added before it, and not
    ///    answered, that is, the removed device did not remove the remover
    ///    having seen it (a device a lost phone took out, that then takes
    ///    the lost phone out, stays); decided latest first, as only a later
    ///    removal answers an earlier one;
    /// 3. who is certified, with those removals: what a removed device
    ///    made that its removal had not seen counts for nothing, and so
    ///    does what an old recovery invite added that the newer one had not
    ///    seen.
    pub(crate) fn build(entries: impl IntoIterator<Item = Entry>) -> Log {
        let graph = Graph::new(entries);
        let n = graph.entries.len();
        let closing = graph.closers();
        let ever = graph.evaluate(&vec![false; n], &closing, None);
        let counting = graph.counting_removals(&ever);
        let mut void = graph.void_removed(&ever, &counting);
        let first = graph.evaluate(&void, &closing, Some(&counting));
        for (v, r) in void.iter_mut().zip(graph.void_replaced(&first)) {
            *v |= r;
        }
        let state = graph.evaluate(&void, &closing, Some(&counting));
        #[cfg(test)]
        let founding_open = closing.is_empty();
        let (live, removed) = graph.certified(&state);
        let invites = state
            .inviter
            .iter()
            .map(|(key, inv)| (*key, inv.recovery))
            .collect();
        Log {
            entries: graph.entries,
            hashes: graph.hashes,
            valid: state.valid,
            live,
            removed,
            invites,
            #[cfg(test)]
            founding_open,
        }
    }

    /// Whether the log holds no entry at all (no device has written one
    /// yet: every device is still from before the log).
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry whose parents are all known, parents first (counted or
    /// not).
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The device `device` (server id) if the log certifies it now.
    pub(crate) fn live(&self, device: &[u8; 16]) -> Option<&Certified> {
        self.live.get(device)
    }

    /// Every device the log certifies now, by server id.
    pub(crate) fn live_devices(&self) -> &BTreeMap<[u8; 16], Certified> {
        &self.live
    }

    /// Whether the log decides who is the person's: it certifies a device,
    /// or a removal counts in it. A log that certifies no one and removed
    /// no one (nothing written yet, or founding entries from before the
    /// log closing each other out) leaves the rules before it in force; a
    /// log whose removals took everyone out certifies no one, and nothing
    /// goes to anyone on its word.
    pub(crate) fn decides(&self) -> bool {
        !self.live.is_empty() || !self.removed.is_empty()
    }

    /// The code of the keys device `device` has in the log: those it is
    /// certified with, or, while it is not, those it asked to join with
    /// (when only one set asked under its id). See [`device_code`].
    pub(crate) fn code_of(&self, device: &[u8; 16]) -> Option<String> {
        if let Some(c) = self.live(device) {
            return Some(device_code(&c.signing, &c.box_key));
        }
        let asked = self.asked_with(device);
        let mut asked = asked.iter();
        match (asked.next(), asked.next()) {
            (Some((signing, box_key)), None) => Some(device_code(signing, box_key)),
            _ => None,
        }
    }

    /// The devices that removed `device` in a counted removal, and
    /// whether `device` has itself removed each (a counted removal that had
    /// not seen theirs: the two were made at the same time).
    pub(crate) fn removed_by(&self, device: &[u8; 16]) -> Vec<([u8; 16], bool)> {
        let owner: HashMap<[u8; 32], [u8; 16]> = self
            .entries
            .iter()
            .zip(&self.valid)
            .filter_map(|(e, v)| match e.change {
                Change::Add {
                    device, signing, ..
                } if *v => Some((signing, device)),
                _ => None,
            })
            .collect();
        let mine: Option<[u8; 32]> = owner.iter().find(|(_, d)| *d == device).map(|(k, _)| *k);
        let removals = || {
            self.entries
                .iter()
                .zip(&self.valid)
                .filter(|(_, v)| **v)
                .filter_map(|(e, _)| match e.change {
                    Change::Remove { device: gone } => Some((e.author, gone)),
                    _ => None,
                })
        };
        let mut out: Vec<([u8; 16], bool)> = Vec::new();
        for (author, gone) in removals() {
            if gone != *device {
                continue;
            }
            let Some(remover) = owner.get(&author).copied() else {
                continue;
            };
            let removed_it = mine.is_some_and(|m| removals().any(|(a, g)| a == m && g == remover));
            if !out.iter().any(|(d, _)| *d == remover) {
                out.push((remover, removed_it));
            }
        }
        out
    }

    /// Whether a valid entry removed device `device`.
    pub(crate) fn was_removed(&self, device: &[u8; 16]) -> bool {
        self.removed.contains(device)
    }

    /// Whether a device may still found itself: no device has been
    /// removed, and none added with a link code's invite, yet.
    #[cfg(test)]
    pub(crate) fn founding_open(&self) -> bool {
        self.founding_open
    }

    /// Whether a valid invite for `key` is in the log.
    pub(crate) fn has_invite(&self, key: &[u8; 32]) -> bool {
        self.invites.contains_key(key)
    }

    /// Whether the log holds a valid recovery invite.
    pub(crate) fn has_recovery_invite(&self) -> bool {
        self.invites.values().any(|recovery| *recovery)
    }

    /// The entries no other entry names as a parent (for tests: what a
    /// device that saw all of them would name).
    #[cfg(test)]
    pub(crate) fn heads(&self) -> Vec<[u8; 32]> {
        let named: HashSet<&[u8; 32]> = self.entries.iter().flat_map(|e| &e.parents).collect();
        self.hashes
            .iter()
            .filter(|h| !named.contains(h))
            .copied()
            .collect()
    }

    /// The keys device `device` asked to join with: those of each Add it
    /// signed itself (a founding entry that came too late to count); more
    /// than one set means someone else asked under its id too.
    pub(crate) fn asked_with(&self, device: &[u8; 16]) -> BTreeSet<([u8; 32], [u8; 32])> {
        self.entries
            .iter()
            .filter_map(|e| match e.change {
                Change::Add {
                    device: d,
                    signing,
                    box_key,
                } if d == *device && signing == e.author => Some((signing, box_key)),
                _ => None,
            })
            .collect()
    }

    /// Whether writer id `writer` (hex) is the one bound to the signing
    /// key of a device the log certifies now.
    pub(crate) fn certified_writer(&self, writer: &str) -> bool {
        self.live
            .values()
            .any(|c| hex::encode(crate::sync::signature::bound_writer(&c.signing)) == writer)
    }

    /// Whether any entry (counted or not) is signed by `author` and adds
    /// a device: a device does not add itself twice the same way.
    pub(crate) fn has_add_by(&self, author: &[u8; 32]) -> bool {
        self.entries
            .iter()
            .any(|e| e.author == *author && matches!(e.change, Change::Add { .. }))
    }

    /// The entries another reader needs to build the same log: every
    /// counted entry and everything in its past (an entry that no longer
    /// counts, by a device removed since, can still be the parent of one
    /// that does). What counts for nothing and nothing counted saw (a lost
    /// phone's flood) is left out.
    pub(crate) fn published(&self) -> impl Iterator<Item = &Entry> {
        let index: HashMap<&[u8; 32], usize> = self
            .hashes
            .iter()
            .enumerate()
            .map(|(i, h)| (h, i))
            .collect();
        let mut needed = self.valid.clone();
        // Parents come first, so one pass from the end reaches every
        // ancestor.
        for i in (0..self.entries.len()).rev() {
            if needed[i] {
                for p in &self.entries[i].parents {
                    if let Some(&j) = index.get(p) {
                        needed[j] = true;
                    }
                }
            }
        }
        self.entries
            .iter()
            .zip(needed)
            .filter_map(|(e, n)| n.then_some(e))
    }

    /// What a new entry by `author` names as its parents: the newest
    /// counted entry `author` signed (so its own place in the log is
    /// always in the new entry's past), then the other counted entries
    /// no counted entry names, up to what an entry can carry. Entries
    /// that do not count are never named: nobody can crowd out the
    /// parents a device's entry needs by writing many.
    pub(crate) fn parents_for(&self, author: &[u8; 32]) -> Vec<[u8; 32]> {
        let counted = || (0..self.entries.len()).filter(|i| self.valid[*i]);
        let named: HashSet<&[u8; 32]> = counted().flat_map(|i| &self.entries[i].parents).collect();
        let own = counted()
            .rev()
            .find(|i| self.entries[*i].author == *author)
            .map(|i| self.hashes[i]);
        let mut out: Vec<[u8; 32]> = own.into_iter().collect();
        for i in counted().rev() {
            if out.len() >= MAX_PARENTS {
                break;
            }
            let h = self.hashes[i];
            if !named.contains(&h) && !out.contains(&h) {
                out.push(h);
            }
        }
        out
    }
}

/// Builds a log of `devices` devices, each added by the one before with
/// an invite, then `noise` more entries by the last of them (invites no
/// one uses, each naming the one before: the longest pasts) and as many
/// entries no device signed, and returns how long building it took and
/// how many devices it certifies: for the benchmark of what a lost phone
/// can make every sync cost.
#[doc(hidden)]
pub fn synthetic_build(devices: usize, noise: usize) -> (std::time::Duration, usize) {
    let key = |n: usize, salt: u8| {
        let mut seed = [salt; 32];
        seed[..8].copy_from_slice(&(n as u64).to_be_bytes());
        SigningKey::from_bytes(&seed)
    };
    let add = |n: usize| Change::Add {
        device: {
            let mut d = [0u8; 16];
            d[..8].copy_from_slice(&(n as u64).to_be_bytes());
            d
        },
        signing: key(n, 1).verifying_key().to_bytes(),
        box_key: [2; 32],
    };
    let mut entries = vec![Entry::sign(add(0), &[], &key(0, 1))];
    let mut head = entries[0].hash();
    for n in 1..devices.max(1) {
        let invite = Entry::sign(
            Change::Invite {
                key: key(n, 3).verifying_key().to_bytes(),
                recovery: false,
            },
            &[head],
            &key(n - 1, 1),
        );
        let added = Entry::sign(add(n), &[invite.hash()], &key(n, 3));
        head = added.hash();
        entries.push(invite);
        entries.push(added);
    }
    let last = key(devices.max(1) - 1, 1);
    for n in 0..noise {
        let invite = Entry::sign(
            Change::Invite {
                key: key(n, 4).verifying_key().to_bytes(),
                recovery: false,
            },
            &[head],
            &last,
        );
        head = invite.hash();
        entries.push(invite);
        entries.push(Entry::sign(
            Change::Remove {
                device: [n as u8; 16],
            },
            &[],
            &key(n, 5),
        ));
    }
    let started = std::time::Instant::now();
    let log = Log::build(entries);
    (started.elapsed(), log.live_devices().len())
}

/// A set of entry positions.
#[derive(Clone, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn has(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn set(&mut self, i: usize) {
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn union(&mut self, other: &Bits) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (w, o) in self.0.iter_mut().zip(&other.0) {
            *w |= o;
        }
    }
}

/// The entries whose parents are all known, parents first (ties by
/// hash), with each one's past.
struct Graph {
    entries: Vec<Entry>,
    hashes: Vec<[u8; 32]>,
    /// Each entry's ancestors, by position.
    past: Vec<Bits>,
}

/// A valid invite: where it is, the device key that made it, and whether
/// it is the recovery key's.
#[derive(Clone, Copy)]
struct Invite {
    at: usize,
    by: [u8; 32],
    recovery: bool,
}

/// What one evaluation found.
struct State {
    valid: Vec<bool>,
    /// Each certified-once device's first valid Add: where, and its keys.
    added: HashMap<[u8; 16], (usize, [u8; 32], [u8; 32])>,
    /// Which device each signing key belongs to.
    device_of: HashMap<[u8; 32], [u8; 16]>,
    /// The valid removals of each device, by position.
    removals: HashMap<[u8; 16], Vec<usize>>,
    /// The valid invites, by key.
    inviter: HashMap<[u8; 32], Invite>,
    /// The invite keys a valid Add used.
    used: HashSet<[u8; 32]>,
    /// Positions of valid recovery invites.
    recovery: Vec<usize>,
}

impl Graph {
    fn new(entries: impl IntoIterator<Item = Entry>) -> Graph {
        let all: BTreeMap<[u8; 32], Entry> = entries.into_iter().map(|e| (e.hash(), e)).collect();
        // Kahn's algorithm, the smallest ready hash first: each entry once,
        // after all of its parents.
        let mut waiting: HashMap<[u8; 32], usize> = HashMap::new();
        let mut children: HashMap<[u8; 32], Vec<[u8; 32]>> = HashMap::new();
        let mut ready: BTreeSet<[u8; 32]> = BTreeSet::new();
        for (h, e) in &all {
            let known: Vec<&[u8; 32]> = e.parents.iter().filter(|p| all.contains_key(*p)).collect();
            if known.len() < e.parents.len() {
                continue;
            }
            if known.is_empty() {
                ready.insert(*h);
            }
            waiting.insert(*h, known.len());
            for p in known {
                children.entry(*p).or_default().push(*h);
            }
        }
        let mut position: HashMap<[u8; 32], usize> = HashMap::new();
        let mut graph = Graph {
            entries: Vec::new(),
            hashes: Vec::new(),
            past: Vec::new(),
        };
        while let Some(h) = ready.pop_first() {
            let e = &all[&h];
            let mut past = Bits::default();
            for p in &e.parents {
                let at = position[p];
                past.set(at);
                past.union(&graph.past[at]);
            }
            position.insert(h, graph.entries.len());
            graph.entries.push(e.clone());
            graph.hashes.push(h);
            graph.past.push(past);
            for child in children.get(&h).into_iter().flatten() {
                // An entry whose parents wait on a missing one never gets
                // here: it was left out above.
                if let Some(n) = waiting.get_mut(child) {
                    *n -= 1;
                    if *n == 0 {
                        ready.insert(*child);
                    }
                }
            }
        }
        graph
    }

    /// Which entries count, leaving out `void`, with founding closed by
    /// the entries at `closing` that do not have it in their past.
    ///
    /// In causal order: an Add counts when it clashes with no earlier
    /// one (a device keeps the keys it was first added with, a signing
    /// key belongs to one device) and it is a founding no closing entry
    /// missed, or made by a device its past certifies, or made with an
    /// invite in its past that no earlier Add used (and, for a recovery
    /// invite, that no other recovery invite in its past replaced); an
    /// invite counts when made by a device its past certifies (its key
    /// being no device's and no other invite's); a removal counts as
    /// `counting` says (none with `None`: who was ever added).
    fn evaluate(&self, void: &[bool], closing: &[usize], counting: Option<&[bool]>) -> State {
        let n = self.entries.len();
        let mut st = State {
            valid: vec![false; n],
            added: HashMap::new(),
            device_of: HashMap::new(),
            removals: HashMap::new(),
            inviter: HashMap::new(),
            used: HashSet::new(),
            recovery: Vec::new(),
        };
        for (i, e) in self.entries.iter().enumerate() {
            if void[i] {
                continue;
            }
            let past = &self.past[i];
            let by_device = self.device_at(&st, past, &e.author).is_some();
            let ok = match e.change {
                Change::Add {
                    device,
                    signing,
                    box_key,
                } => {
                    let clash = st
                        .added
                        .get(&device)
                        .is_some_and(|(_, s, b)| (*s, *b) != (signing, box_key))
                        || st.device_of.get(&signing).is_some_and(|d| *d != device)
                        || st.inviter.contains_key(&signing);
                    if clash {
                        false
                    } else if e.founding() {
                        closing.iter().all(|c| self.past[*c].has(i))
                    } else if by_device {
                        true
                    } else if let Some(invite) = st.inviter.get(&e.author).copied() {
                        past.has(invite.at)
                            && !st.used.contains(&e.author)
                            && !(invite.recovery
                                && st.recovery.iter().any(|r| {
                                    *r != invite.at && past.has(*r) && self.past[*r].has(invite.at)
                                }))
                    } else {
                        false
                    }
                }
                // Which removals count is settled apart (see
                // `counting_removals`); none while finding who was ever
                // added.
                Change::Remove { .. } => counting.is_some_and(|c| c[i]),
                Change::Invite { key, .. } => {
                    by_device && !st.device_of.contains_key(&key) && !st.inviter.contains_key(&key)
                }
            };
            if !ok {
                continue;
            }
            st.valid[i] = true;
            match e.change {
                Change::Add {
                    device,
                    signing,
                    box_key,
                } => {
                    st.added.entry(device).or_insert((i, signing, box_key));
                    st.device_of.entry(signing).or_insert(device);
                    // An invite adds one device: later uses do not count.
                    if st.inviter.contains_key(&e.author) {
                        st.used.insert(e.author);
                    }
                }
                Change::Remove { device } => {
                    st.removals.entry(device).or_default().push(i);
                }
                Change::Invite { key, recovery } => {
                    st.inviter.insert(
                        key,
                        Invite {
                            at: i,
                            by: e.author,
                            recovery,
                        },
                    );
                    if recovery {
                        st.recovery.push(i);
                    }
                }
            }
        }
        st
    }

    /// The device whose signing key is `key`, if an entry's `past`
    /// certifies it: its Add is in that past, and no removal of it.
    fn device_at(&self, st: &State, past: &Bits, key: &[u8; 32]) -> Option<[u8; 16]> {
        let device = *st.device_of.get(key)?;
        let (at, _, _) = st.added.get(&device)?;
        let removed = st
            .removals
            .get(&device)
            .is_some_and(|rs| rs.iter().any(|r| past.has(*r)));
        (past.has(*at) && !removed).then_some(device)
    }

    /// The device key an entry counts as made by: its author, or for an
    /// Add with an invite, the device that made the invite.
    fn made_by(&self, st: &State, i: usize) -> [u8; 32] {
        let author = self.entries[i].author;
        st.inviter.get(&author).map_or(author, |inv| inv.by)
    }

    /// The entries that close founding: removals and link invites whose
    /// author's own Add is in their past (one made by a key nobody added,
    /// or naming nothing, closes nothing).
    fn closers(&self) -> Vec<usize> {
        let mut adds: HashMap<[u8; 32], Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            if let Change::Add { signing, .. } = e.change {
                adds.entry(signing).or_default().push(i);
            }
        }
        (0..self.entries.len())
            .filter(|i| {
                let e = &self.entries[*i];
                matches!(
                    e.change,
                    Change::Remove { .. }
                        | Change::Invite {
                            recovery: false,
                            ..
                        }
                ) && adds
                    .get(&e.author)
                    .is_some_and(|at| at.iter().any(|a| self.past[*i].has(*a)))
            })
            .collect()
    }

    /// Which removals count (see [`Log::build`]): made by a device `ever`
    /// added in the removal's past, and not answered by a counting
    /// removal of the remover made by the removed device having seen it.
    fn counting_removals(&self, ever: &State) -> Vec<bool> {
        let n = self.entries.len();
        let remover_of = |i: usize| -> Option<[u8; 16]> {
            let e = &self.entries[i];
            let device = *ever.device_of.get(&e.author)?;
            let (at, _, _) = ever.added.get(&device)?;
            self.past[i].has(*at).then_some(device)
        };
        let candidates: Vec<(usize, [u8; 16], [u8; 16])> = (0..n)
            .filter_map(|i| match self.entries[i].change {
                Change::Remove { device } => Some((i, remover_of(i)?, device)),
                _ => None,
            })
            .collect();
        let mut counts = vec![false; n];
        // Latest first: an answer is always later than what it answers.
        for (r, remover, target) in candidates.iter().rev() {
            let target_key = ever.added.get(target).map(|(_, s, _)| *s);
            let answered = candidates.iter().any(|(a, a_remover, a_target)| {
                counts[*a]
                    && self.past[*a].has(*r)
                    && Some(self.entries[*a].author) == target_key
                    && a_remover == target
                    && a_target == remover
            });
            counts[*r] = !answered;
        }
        counts
    }

    /// What the `counting` removals take back: everything (but removals)
    /// made by a removed device, directly or with an invite it made, that
    /// its removal had not seen.
    fn void_removed(&self, ever: &State, counting: &[bool]) -> Vec<bool> {
        let n = self.entries.len();
        let mut void = vec![false; n];
        let mut by_maker: HashMap<[u8; 32], Vec<usize>> = HashMap::new();
        for i in 0..n {
            by_maker.entry(self.made_by(ever, i)).or_default().push(i);
        }
        for (r, counts) in counting.iter().enumerate() {
            let (true, Change::Remove { device }) = (*counts, &self.entries[r].change) else {
                continue;
            };
            let Some((_, signing, _)) = ever.added.get(device) else {
                continue;
            };
            for i in by_maker.get(signing).into_iter().flatten() {
                if *i != r
                    && !self.past[r].has(*i)
                    && !matches!(self.entries[*i].change, Change::Remove { .. })
                {
                    void[*i] = true;
                }
            }
        }
        void
    }

    /// What `st`'s recovery invites take back: every Add with a recovery
    /// invite that the invite replacing it had not seen.
    fn void_replaced(&self, st: &State) -> Vec<bool> {
        let n = self.entries.len();
        let mut void = vec![false; n];
        let mut by_author: HashMap<[u8; 32], Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            by_author.entry(e.author).or_default().push(i);
        }
        for r in &st.recovery {
            for (key, old) in &st.inviter {
                if !old.recovery || old.at == *r || !self.past[*r].has(old.at) {
                    continue;
                }
                for i in by_author.get(key).into_iter().flatten() {
                    if !self.past[*r].has(*i) {
                        void[*i] = true;
                    }
                }
            }
        }
        void
    }

    /// The devices `st` certifies (added, not removed) and the devices it
    /// removed.
    fn certified(&self, st: &State) -> (BTreeMap<[u8; 16], Certified>, BTreeSet<[u8; 16]>) {
        let removed: BTreeSet<[u8; 16]> = st.removals.keys().copied().collect();
        let live = st
            .added
            .iter()
            .filter(|(d, _)| !removed.contains(*d))
            .map(|(device, (at, signing, box_key))| {
                let e = &self.entries[*at];
                let added_by = if e.founding() {
                    None
                } else {
                    st.device_of
                        .get(&self.made_by(st, *at))
                        .copied()
                        .filter(|d| d != device)
                };
                (
                    *device,
                    Certified {
                        signing: *signing,
                        box_key: *box_key,
                        added_by,
                    },
                )
            })
            .collect();
        (live, removed)
    }
}
