//! Samples, percentiles and the `BENCH` summary line.

use std::time::Duration;

/// Measured durations of one operation.
#[derive(Debug, Default, Clone)]
pub struct Samples(Vec<Duration>);

impl Samples {
    /// Adds one measurement.
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    /// Adds all of `other`'s measurements.
    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    fn sorted_us(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.0.iter().map(|d| d.as_secs_f64() * 1e6).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    /// The median in microseconds.
    pub fn median_us(&self) -> f64 {
        let v = self.sorted_us();
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    }

    /// The 99th percentile in microseconds.
    pub fn p99_us(&self) -> f64 {
        let v = self.sorted_us();
        v.get((v.len() * 99 / 100).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    }
}

/// Prints a readable report and the `BENCH` line. With a floor, `ratio` is
/// the median over the floor's median.
pub fn report(name: &str, s: &Samples, floor: Option<&Samples>) {
    let (m, p) = (s.median_us(), s.p99_us());
    match floor {
        Some(f) => {
            let fm = f.median_us();
            eprintln!(
                "{name}: median {m:.1} µs, p99 {p:.1} µs over {} runs; floor median {fm:.1} µs, p99 {:.1} µs",
                s.0.len(),
                f.p99_us()
            );
            println!(
                "BENCH name={name} median_us={m:.1} p99_us={p:.1} floor_median_us={fm:.1} ratio={:.3}",
                m / fm.max(0.001)
            );
        }
        None => {
            eprintln!(
                "{name}: median {m:.1} µs, p99 {p:.1} µs over {} runs",
                s.0.len()
            );
            println!("BENCH name={name} median_us={m:.1} p99_us={p:.1}");
        }
    }
}
