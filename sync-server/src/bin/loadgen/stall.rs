//! The machine's own stalls during a run. On a shared two-core machine a
//! push can be slow because the server was, or because nothing ran at all
//! for a while; this tells the two apart. A thread asks to sleep 1 ms over
//! and over and keeps every time it slept much longer, and the CPU time the
//! hypervisor took from this machine (steal, in `/proc/stat`) is read at
//! the start and the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the probe asks to sleep each time.
const TICK: Duration = Duration::from_millis(1);

/// Oversleeping by less than this is ordinary scheduling, not a stall.
const NOTICE: Duration = Duration::from_millis(5);

/// One time the probe slept much longer than it asked.
#[derive(Debug, Clone, Copy)]
pub struct Stall {
    /// When it started, in seconds after the run's origin.
    pub at_s: f64,
    /// How much longer than 1 ms it slept.
    pub extra_ms: f64,
}

/// What the probe saw over a run.
#[derive(Debug)]
pub struct Report {
    /// Every stall longer than [`NOTICE`], in order.
    pub stalls: Vec<Stall>,
    /// CPU time taken by the hypervisor over the run, when the kernel says.
    pub steal_ms: Option<f64>,
}

impl Report {
    /// The longest stall, 0 when there was none.
    pub fn worst_ms(&self) -> f64 {
        self.stalls.iter().map(|s| s.extra_ms).fold(0.0, f64::max)
    }
}

/// A running probe; [`Probe::finish`] stops it.
pub struct Probe {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Stall>>,
    steal_at_start: Option<u64>,
}

impl Probe {
    /// Starts probing; stall times are counted from `origin`.
    pub fn start(origin: Instant) -> Probe {
        Probe::start_with(origin, std::thread::sleep)
    }

    /// Like [`Probe::start`], with the sleep to time given (tests).
    fn start_with(origin: Instant, sleep: impl Fn(Duration) + Send + 'static) -> Probe {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut stalls = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                let asked = Instant::now();
                sleep(TICK);
                let slept = asked.elapsed();
                if slept > TICK + NOTICE {
                    stalls.push(Stall {
                        at_s: asked.saturating_duration_since(origin).as_secs_f64(),
                        extra_ms: (slept - TICK).as_secs_f64() * 1e3,
                    });
                }
            }
            stalls
        });
        Probe {
            stop,
            thread,
            steal_at_start: steal_ticks(),
        }
    }

    /// Stops the probe and reports.
    pub fn finish(self) -> Report {
        self.stop.store(true, Ordering::Relaxed);
        let stalls = self.thread.join().unwrap_or_default();
        let steal_ms = match (self.steal_at_start, steal_ticks()) {
            // The kernel counts in USER_HZ ticks, 100 per second on Linux.
            (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 * 10.0),
            _ => None,
        };
        Report { stalls, steal_ms }
    }
}

/// Steal ticks of all CPUs so far, from the `cpu` line of `/proc/stat`.
fn steal_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_steal(&stat)
}

/// The eighth number of the `cpu` line (user nice system idle iowait irq
/// softirq steal …).
fn parse_steal(stat: &str) -> Option<u64> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    line.split_whitespace().nth(8)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steal_is_the_eighth_number_of_the_cpu_line() {
        let stat = "cpu  5848791 4616 1117354 3671408 240362 0 82564 94782 0 0\n\
                    cpu0 2829776 2391 470658 2101554 63956 0 24231 44718 0 0\n";
        assert_eq!(parse_steal(stat), Some(94782));
        assert_eq!(parse_steal("cpu0 1 2 3\n"), None);
        assert_eq!(parse_steal("cpu  1 2 3\n"), None);
    }

    #[test]
    fn a_sleep_far_longer_than_asked_is_a_stall_and_ordinary_ones_are_not() {
        let origin = Instant::now();
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = calls.clone();
        // The fifth sleep takes 40 ms, as if nothing ran for that long.
        let probe = Probe::start_with(origin, move |tick| {
            let n = seen.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(if n == 4 {
                Duration::from_millis(40)
            } else {
                tick
            });
        });
        while calls.load(Ordering::Relaxed) < 20 {
            std::thread::sleep(Duration::from_millis(5));
        }
        let report = probe.finish();
        let long: Vec<_> = report
            .stalls
            .iter()
            .filter(|s| s.extra_ms >= 39.0)
            .collect();
        assert_eq!(long.len(), 1, "{report:?}");
        assert!(report.worst_ms() >= 39.0 && long[0].at_s > 0.0);
        // Every stall kept is over the notice threshold.
        assert!(report.stalls.iter().all(|s| s.extra_ms > 5.0));
    }
}
