//! Prometheus metrics: requests, latencies, records and bytes stored.
//! Labels name routes by their template, never by ids or content.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// The server's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Requests by route and status.
    pub requests: IntCounterVec,
    /// Latency by route, in seconds.
    pub latency: HistogramVec,
    /// Records stored (new ones, not repeats).
    pub records: IntCounter,
    /// Ciphertext bytes stored.
    pub bytes: IntCounter,
    /// Pushes waiting for a slot, their bodies not yet read.
    pub pushes_waiting: IntGauge,
    /// Wake-ups by outcome: `sent` (the push service took it), `failed`
    /// (refused address, rejected, or still failing after the retries),
    /// `dropped` (subscription removed because the endpoint is gone, or
    /// no room in the queue) and `coalesced` (writes folded into a
    /// device's next wake-up).
    pub wakeups: IntCounterVec,
    /// Dropped wake-ups by reason: `gone` (404 or 410: the subscription
    /// was removed) or `queue_full`.
    pub wakeups_dropped: IntCounterVec,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("tandem_requests_total", "HTTP requests by route and status"),
            &["route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("tandem_request_seconds", "HTTP request latency by route").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                ],
            ),
            &["route"],
        )
        .expect("valid metric");
        let records =
            IntCounter::new("tandem_records_stored_total", "Records stored").expect("valid metric");
        let bytes = IntCounter::new("tandem_bytes_stored_total", "Ciphertext bytes stored")
            .expect("valid metric");
        let pushes_waiting = IntGauge::new(
            "tandem_pushes_waiting",
            "Pushes waiting for a slot, their bodies not yet read",
        )
        .expect("valid metric");
        let wakeups = IntCounterVec::new(
            Opts::new("tandem_wakeups_total", "Wake-ups by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let wakeups_dropped = IntCounterVec::new(
            Opts::new("tandem_wakeups_dropped_total", "Dropped wake-ups by reason"),
            &["reason"],
        )
        .expect("valid metric");
        // Every series shows from the start, at zero.
        for outcome in ["sent", "failed", "dropped", "coalesced"] {
            wakeups.with_label_values(&[outcome]);
        }
        for reason in ["gone", "queue_full"] {
            wakeups_dropped.with_label_values(&[reason]);
        }
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(records.clone()),
            Box::new(bytes.clone()),
            Box::new(pushes_waiting.clone()),
            Box::new(wakeups.clone()),
            Box::new(wakeups_dropped.clone()),
        ] {
            registry.register(c).expect("unique metric");
        }
        Metrics {
            registry,
            requests,
            latency,
            records,
            bytes,
            pushes_waiting,
            wakeups,
            wakeups_dropped,
        }
    }

    /// Counts a wake-up's outcome (see [`Metrics::wakeups`]).
    pub fn wakeup(&self, outcome: &str) {
        self.wakeups.with_label_values(&[outcome]).inc();
    }

    /// Counts a dropped wake-up and its reason.
    pub fn wakeup_dropped(&self, reason: &str) {
        self.wakeup("dropped");
        self.wakeups_dropped.with_label_values(&[reason]).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
