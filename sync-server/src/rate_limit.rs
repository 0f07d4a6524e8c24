//! Fixed-window attempt counters, kept in memory only (addresses are never stored).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts attempts per key within a window.
#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    max: u32,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Allows `max` attempts per key in each `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimiter {
            window,
            max,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records an attempt for `key`; false when over the limit.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_and_resets() {
        let r = RateLimiter::new(2, Duration::from_millis(50));
        assert!(r.allow("a") && r.allow("a"));
        assert!(!r.allow("a"));
        assert!(r.allow("b"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(r.allow("a"));
    }
}
