//! From durable writes to wake-ups sent, off the request path.
//!
//! Two tasks and two bounded queues. The push handler hands each write
//! (space, writing device) to the planner without waiting. The planner
//! takes every write waiting, looks up the devices to wake once per space,
//! and applies the window: a device not woken within the window is woken
//! now (leading), otherwise it is marked and woken once when its window
//! ends (trailing), whatever the number of writes meanwhile. The sender
//! takes wake-ups from the second queue, sends at most
//! [`Settings::sends_at_once`] at a time, retries with backoff on 429, 5xx
//! and network failures, and removes a subscription whose endpoint answers
//! 404 or 410. A full queue drops what does not fit, counted.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;

use super::outbound::{self, refusal_in};
use super::{Inner, Settings, crypto};
use crate::storage::WakeupTarget;

/// A durable write: `writer` stored new records in `space_id`.
#[derive(Debug)]
pub(crate) struct Written {
    /// The space written to.
    pub(crate) space_id: String,
    /// The device that wrote (not woken by its own write).
    pub(crate) writer: String,
}

/// Most writes the planner takes in one go.
const BATCH: usize = 1024;

/// Longest wait before a retry, whatever a `Retry-After` asks for.
const LONGEST_RETRY: Duration = Duration::from_secs(60);

/// Starts the planner and the sender; returns the planner's queue.
pub(crate) fn start(inner: Arc<Inner>) -> mpsc::Sender<Written> {
    let (written_tx, written_rx) = mpsc::channel(inner.settings.queue);
    let (jobs_tx, jobs_rx) = mpsc::channel(inner.settings.queue);
    let client = match outbound::client(inner.settings.policy) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::error!(error = %e, "wake-ups cannot be sent: no HTTP client");
            None
        }
    };
    tokio::spawn(plan(inner.clone(), written_rx, jobs_tx));
    tokio::spawn(send_all(inner, client, jobs_rx));
    written_tx
}

/// A device's place in its window.
struct Slot {
    /// When it was last woken.
    last: Instant,
    /// A wake-up owed at the end of the window (with the newest
    /// subscription seen), if writes came inside it.
    owed: Option<WakeupTarget>,
}

/// The window's bookkeeping: one slot per device woken recently, and the
/// trailing wake-ups owed, by when they fall due.
struct Windows {
    window: Duration,
    slots: HashMap<String, Slot>,
    due: BinaryHeap<Reverse<(Instant, String)>>,
    swept: Instant,
}

impl Windows {
    fn new(window: Duration) -> Self {
        Windows {
            window,
            slots: HashMap::new(),
            due: BinaryHeap::new(),
            swept: Instant::now(),
        }
    }

    /// A write for `target` at `now`: the target, if it is to be woken now.
    fn write(&mut self, target: WakeupTarget, now: Instant) -> Option<WakeupTarget> {
        match self.slots.entry(target.device_id.clone()) {
            Entry::Vacant(e) => {
                e.insert(Slot {
                    last: now,
                    owed: None,
                });
                Some(target)
            }
            Entry::Occupied(mut e) => {
                let slot = e.get_mut();
                if slot.owed.is_none() && now.duration_since(slot.last) >= self.window {
                    slot.last = now;
                    return Some(target);
                }
                if slot.owed.is_none() {
                    self.due
                        .push(Reverse((slot.last + self.window, target.device_id.clone())));
                }
                slot.owed = Some(target);
                None
            }
        }
    }

    /// When the next trailing wake-up falls due.
    fn next_due(&self) -> Option<Instant> {
        self.due.peek().map(|Reverse((at, _))| *at)
    }

    /// The trailing wake-ups due at `now`.
    fn due(&mut self, now: Instant) -> Vec<WakeupTarget> {
        let mut out = Vec::new();
        while let Some(Reverse((at, _))) = self.due.peek()
            && *at <= now
        {
            let Some(Reverse((_, device))) = self.due.pop() else {
                break;
            };
            if let Some(slot) = self.slots.get_mut(&device)
                && let Some(target) = slot.owed.take()
            {
                slot.last = now;
                out.push(target);
            }
        }
        out
    }

    /// Forgets devices whose window has passed with nothing owed, now and
    /// then, so that the slots do not grow with every device ever woken.
    fn sweep(&mut self, now: Instant) {
        if now.duration_since(self.swept) < self.window.max(Duration::from_secs(1)) {
            return;
        }
        self.swept = now;
        let window = self.window;
        self.slots
            .retain(|_, s| s.owed.is_some() || now.duration_since(s.last) < window);
    }
}

/// The planner: writes in, wake-ups out.
async fn plan(
    inner: Arc<Inner>,
    mut written: mpsc::Receiver<Written>,
    jobs: mpsc::Sender<WakeupTarget>,
) {
    let mut windows = Windows::new(inner.settings.window);
    let enqueue = |target: WakeupTarget| {
        if let Err(mpsc::error::TrySendError::Full(_)) = jobs.try_send(target) {
            inner.metrics.wakeup_dropped("queue_full");
        }
    };
    loop {
        let next = windows.next_due();
        tokio::select! {
            got = written.recv() => {
                let Some(first) = got else { return };
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match written.try_recv() {
                        Ok(w) => batch.push(w),
                        Err(_) => break,
                    }
                }
                // One look-up per space, whatever the number of writes.
                let mut writers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
                for w in batch {
                    writers.entry(w.space_id).or_default().insert(w.writer);
                }
                for (space, writers) in writers {
                    // With two writers or more, every device is another
                    // one's reader.
                    let except = match writers.len() {
                        1 => writers.first().map(String::as_str).unwrap_or(""),
                        _ => "",
                    };
                    let targets = match inner.storage.wakeup_targets(&space, except).await {
                        Ok(t) => t,
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot look up whom to wake");
                            inner.metrics.wakeup("failed");
                            continue;
                        }
                    };
                    let now = Instant::now();
                    for target in targets {
                        match windows.write(target, now) {
                            Some(t) => enqueue(t),
                            None => inner.metrics.wakeup("coalesced"),
                        }
                    }
                }
            }
            () = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {
                for target in windows.due(Instant::now()) {
                    enqueue(target);
                }
            }
        }
        windows.sweep(Instant::now());
    }
}

/// The sender: at most `sends_at_once` wake-ups in flight.
async fn send_all(
    inner: Arc<Inner>,
    client: Option<reqwest::Client>,
    mut jobs: mpsc::Receiver<WakeupTarget>,
) {
    let slots = Arc::new(Semaphore::new(inner.settings.sends_at_once));
    while let Some(target) = jobs.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let Some(client) = client.clone() else {
            inner.metrics.wakeup("failed");
            continue;
        };
        tokio::spawn(deliver(inner.clone(), client, target, slot, slots.clone()));
    }
}

/// What one attempt came to.
#[derive(Debug, PartialEq, Eq)]
enum Attempt {
    /// The push service took it.
    Sent,
    /// 404 or 410: the subscription is no more.
    Gone,
    /// Not to be tried again: a refused address or another answer.
    Failed,
    /// 429, 5xx or a network failure: try again after the delay, if given.
    Retry(Option<Duration>),
}

/// Sends one wake-up, retrying as [`Settings`] says; the slot is given
/// back while waiting to retry.
async fn deliver(
    inner: Arc<Inner>,
    client: reqwest::Client,
    target: WakeupTarget,
    slot: OwnedSemaphorePermit,
    slots: Arc<Semaphore>,
) {
    let settings: &Settings = &inner.settings;
    let mut slot = Some(slot);
    let mut delay = settings.backoff;
    for attempt in 1..=settings.attempts.max(1) {
        if slot.is_none() {
            match slots.clone().acquire_owned().await {
                Ok(s) => slot = Some(s),
                Err(_) => return,
            }
        }
        match send_once(&inner, &client, &target).await {
            Attempt::Sent => {
                inner.metrics.wakeup("sent");
                return;
            }
            Attempt::Gone => {
                let sub = &target.subscription;
                if let Err(e) = inner
                    .storage
                    .delete_wakeup(&target.device_id, Some(&sub.endpoint))
                    .await
                {
                    tracing::warn!(error = %e, "cannot remove a gone subscription");
                }
                inner.metrics.wakeup_dropped("gone");
                return;
            }
            Attempt::Failed => break,
            Attempt::Retry(after) if attempt < settings.attempts => {
                slot = None;
                tokio::time::sleep(after.unwrap_or(delay).min(LONGEST_RETRY)).await;
                delay = delay.saturating_mul(2);
            }
            Attempt::Retry(_) => break,
        }
    }
    drop(slot);
    inner.metrics.wakeup("failed");
}

/// One attempt: checks the endpoint again, seals a fresh wake-up, signs
/// for the endpoint's origin, and posts it.
async fn send_once(inner: &Inner, client: &reqwest::Client, target: &WakeupTarget) -> Attempt {
    let sub = &target.subscription;
    let Ok(url) = inner.settings.policy.check_url(&sub.endpoint) else {
        tracing::debug!("a stored endpoint is refused at send time");
        return Attempt::Failed;
    };
    let Ok(subscriber) = crypto::Subscriber::new(&sub.p256dh, &sub.auth) else {
        return Attempt::Failed;
    };
    let body = crypto::seal_wakeup(&subscriber);
    let audience = url.origin().ascii_serialization();
    let authorization = match inner.authorization(&audience).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "no VAPID key to sign with");
            return Attempt::Retry(None);
        }
    };
    let response = client
        .post(url)
        .header("TTL", inner.settings.ttl_seconds)
        .header("Urgency", "high")
        .header(header::CONTENT_ENCODING, "aes128gcm")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::AUTHORIZATION, authorization)
        .body(body)
        .send()
        .await;
    match response {
        Ok(r) => judge(r.status().as_u16(), retry_after(r.headers())),
        Err(e) if refusal_in(&e).is_some() => {
            tracing::debug!("an endpoint's host resolves to no public address");
            Attempt::Failed
        }
        Err(e) => {
            // Without the URL: an endpoint identifies a device, and logs
            // carry no ids.
            let timeout = e.is_timeout();
            tracing::debug!(error = %e.without_url(), timeout, "a wake-up was not delivered");
            Attempt::Retry(None)
        }
    }
}

/// What a push service's answer means.
fn judge(status: u16, retry_after: Option<Duration>) -> Attempt {
    match status {
        200..=299 => Attempt::Sent,
        404 | 410 => Attempt::Gone,
        429 | 500..=599 => Attempt::Retry(retry_after),
        _ => Attempt::Failed,
    }
}

/// A `Retry-After` given in seconds.
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    headers
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::PushSubscription;

    fn target(device: &str) -> WakeupTarget {
        WakeupTarget {
            device_id: device.into(),
            subscription: PushSubscription {
                endpoint: format!("https://push.example/{device}"),
                p256dh: vec![],
                auth: vec![],
            },
        }
    }

    #[test]
    fn a_burst_gives_one_leading_and_one_trailing_wakeup() {
        let window = Duration::from_secs(10);
        let mut w = Windows::new(window);
        let t0 = Instant::now();
        assert!(w.write(target("a"), t0).is_some(), "leading");
        for i in 1..100 {
            let at = t0 + Duration::from_millis(10 * i);
            assert!(w.write(target("a"), at).is_none());
            assert!(w.due(at).is_empty());
        }
        assert_eq!(w.next_due(), Some(t0 + window));
        assert!(w.due(t0 + window - Duration::from_millis(1)).is_empty());
        let trailing = w.due(t0 + window);
        assert_eq!(trailing.len(), 1, "one trailing");
        assert_eq!(w.next_due(), None);
        // A write right after the trailing one waits for its own window.
        let t1 = t0 + window + Duration::from_millis(5);
        assert!(w.write(target("a"), t1).is_none());
        assert_eq!(w.due(t0 + 2 * window).len(), 1);
        // Quiet for a window: the next write is a leading one again.
        assert!(w.write(target("a"), t0 + 4 * window).is_some());
    }

    #[test]
    fn devices_have_windows_of_their_own_and_are_forgotten() {
        let window = Duration::from_secs(1);
        let mut w = Windows::new(window);
        let t0 = Instant::now();
        assert!(w.write(target("a"), t0).is_some());
        assert!(
            w.write(target("b"), t0 + Duration::from_millis(10))
                .is_some()
        );
        w.sweep(t0 + Duration::from_secs(5));
        assert!(w.slots.is_empty());
    }

    #[test]
    fn answers_are_judged() {
        assert_eq!(judge(201, None), Attempt::Sent);
        assert_eq!(judge(404, None), Attempt::Gone);
        assert_eq!(judge(410, None), Attempt::Gone);
        assert_eq!(
            judge(429, Some(Duration::from_secs(3))),
            Attempt::Retry(Some(Duration::from_secs(3)))
        );
        assert_eq!(judge(503, None), Attempt::Retry(None));
        assert_eq!(judge(301, None), Attempt::Failed, "no redirects");
        assert_eq!(judge(400, None), Attempt::Failed);
        assert_eq!(judge(413, None), Attempt::Failed);
    }
}
