//! Printing results as text for people or JSON for scripts.

use serde::Serialize;
use serde_json::Value;
use tandem_core::clean_time::Rung;
use tandem_core::track::TrackStats;

/// Prints `value` as pretty JSON, or `text()` for people.
pub fn emit<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<(), String> {
    if json {
        let v = serde_json::to_value(value).map_err(|e| e.to_string())?;
        print(&serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?)
    } else {
        let t = text();
        if t.is_empty() { Ok(()) } else { print(&t) }
    }
}

/// Writes one line to stdout. A reader that went away (`| head`) is not an error.
pub fn print(line: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(()),
    }
}

/// A JSON object `{ "id": id, …extra }`.
pub fn with_id(id: &str, extra: Value) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("id".into(), Value::String(id.to_owned()));
    if let Value::Object(m) = extra {
        obj.extend(m);
    }
    Value::Object(obj)
}

/// A rung in words: "7 days", "18 months", "2 years".
pub fn rung(r: Rung) -> String {
    let (n, unit) = match r {
        Rung::Days(n) => (n, "day"),
        Rung::Months(n) => (n, "month"),
        Rung::Years(n) => (n, "year"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// One line about a track.
pub fn track_line(t: &TrackStats) -> String {
    let mut line = format!(
        "{}  {}: {} day{} clean since {}",
        t.id,
        t.name,
        t.clean_days,
        if t.clean_days == 1 { "" } else { "s" },
        t.current_start
    );
    if let Some(next) = t.next_milestone {
        line.push_str(&format!(
            "; next milestone {} on {} (in {} day{})",
            rung(next.rung),
            next.date,
            t.days_to_next_milestone.unwrap_or(0),
            if t.days_to_next_milestone == Some(1) {
                ""
            } else {
                "s"
            }
        ));
    }
    if t.attempts > 1 {
        line.push_str(&format!(
            "; attempt {}, longest streak {} days, {} clean days in all",
            t.attempts, t.longest_streak_days, t.total_clean_days
        ));
    }
    line
}

/// A UTC millisecond instant shown in the zone `tz`.
pub fn local_time(ms: i64, tz: &str) -> String {
    let tz: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
