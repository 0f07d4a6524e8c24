//! SVG charts drawn from the core's insights series: bars for counts per
//! hour and weekday, bars for the average strength per week. Each chart has
//! a title and a text description for screen readers, and scales to its
//! container.

use maud::{Markup, html};
use tandem_core::insights::WeeklyIntensity;

const W: f64 = 600.0;
const H: f64 = 160.0;
const BASE: f64 = 140.0;

fn bars(label: &str, desc: &str, values: &[f64], names: &[String], max: f64) -> Markup {
    let n = values.len().max(1) as f64;
    let step = W / n;
    let max = if max > 0.0 { max } else { 1.0 };
    html! {
        svg viewBox={ "0 0 " (W) " " (H) } role="img" aria-label=(label) xmlns="http://www.w3.org/2000/svg" {
            title { (label) }
            desc { (desc) }
            @for (i, v) in values.iter().enumerate() {
                @let h = (BASE - 10.0) * v / max;
                rect x=(format!("{:.1}", i as f64 * step + 1.0)) y=(format!("{:.1}", BASE - h))
                     width=(format!("{:.1}", (step - 2.0).max(1.0))) height=(format!("{:.1}", h)) fill="#2a6" {
                    title { (names[i]) ": " (format!("{v:.1}")) }
                }
            }
            @for (i, name) in names.iter().enumerate() {
                @if values.len() <= 12 || i % 3 == 0 {
                    text x=(format!("{:.1}", i as f64 * step + step / 2.0)) y=(H - 4.0) font-size="11" text-anchor="middle" fill="currentColor" { (name) }
                }
            }
            line x1="0" y1=(BASE) x2=(W) y2=(BASE) stroke="currentColor" stroke-width="1" {}
        }
    }
}

fn describe(values: &[f64], names: &[String], unit: &str) -> String {
    let total: f64 = values.iter().sum();
    match values.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) {
        Some((i, v)) if total > 0.0 => format!("Highest: {} with {v:.1} {unit}.", names[i]),
        _ => format!("No {unit} in this period."),
    }
}

/// Cravings per local hour (24 bars).
pub fn by_hour(counts: &[u32; 24]) -> String {
    let values: Vec<f64> = counts.iter().map(|&c| f64::from(c)).collect();
    let names: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let desc = describe(&values, &names, "cravings");
    bars("Cravings by hour of the day", &desc, &values, &names, max).into_string()
}

/// Cravings per weekday, Monday first (7 bars).
pub fn by_weekday(counts: &[u32; 7]) -> String {
    let values: Vec<f64> = counts.iter().map(|&c| f64::from(c)).collect();
    let names: Vec<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let desc = describe(&values, &names, "cravings");
    bars("Cravings by day of the week", &desc, &values, &names, max).into_string()
}

/// Average strength (0–10) per week, oldest first.
pub fn weekly_intensity(weeks: &[WeeklyIntensity]) -> String {
    let values: Vec<f64> = weeks.iter().map(|w| w.average).collect();
    let names: Vec<String> = weeks
        .iter()
        .map(|w| w.week_start.format("%e %b").to_string())
        .collect();
    let desc = describe(&values, &names, "average strength");
    bars(
        "Average craving strength per week",
        &desc,
        &values,
        &names,
        10.0,
    )
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_describe_it() {
        let mut hours = [0u32; 24];
        hours[21] = 4;
        hours[9] = 2;
        let svg = by_hour(&hours);
        assert_eq!(svg.matches("<rect").count(), 24);
        assert!(svg.contains("Highest: 21 with 4.0 cravings."));
        // The tallest bar reaches the top margin; an empty hour has no height.
        assert!(svg.contains(r#"y="10.0" width"#), "{svg}");
        assert!(svg.contains(r#"height="0.0""#));
        assert!(by_weekday(&[0; 7]).contains("No cravings in this period."));
    }
}
