//! The one renderer: every command hands back a [`Reply`], and [`render`]
//! alone decides whether it goes out as text for people or JSON for scripts.
//! Also the phrases more than one command's text uses.

use serde::Serialize;
use serde_json::Value;
use tandem_core::clean_time::Rung;
use tandem_core::track::TrackStats;

/// What a command has to say.
#[derive(Debug)]
pub enum Reply {
    /// A result: `json` with `--json`, else `text` (nothing when empty).
    Value {
        /// The result for scripts.
        json: Value,
        /// The same result for people.
        text: String,
    },
    /// Text printed as it is, with or without `--json` (an export on stdout).
    Raw(String),
    /// Nothing more to print: what there was to say went out as it happened.
    Quiet,
}

impl Reply {
    /// `value` for scripts and `text` for people.
    pub fn new(value: &impl Serialize, text: impl Into<String>) -> Result<Reply, String> {
        Ok(Reply::Value {
            json: serde_json::to_value(value).map_err(|e| e.to_string())?,
            text: text.into(),
        })
    }

    /// A JSON value already built, and its text.
    pub fn json(json: Value, text: impl Into<String>) -> Reply {
        Reply::Value {
            json,
            text: text.into(),
        }
    }
}

/// Prints `reply`: as pretty JSON when `json`, else as text.
pub fn render(reply: Reply, json: bool) -> Result<(), String> {
    match reply {
        Reply::Value { json: value, .. } if json => {
            print(&serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?)
        }
        Reply::Value { text, .. } if text.is_empty() => Ok(()),
        Reply::Value { text, .. } | Reply::Raw(text) => print(&text),
        Reply::Quiet => Ok(()),
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

/// Lines joined with newlines: a list for people.
pub fn lines<T>(items: &[T], line: impl FnMut(&T) -> String) -> String {
    items.iter().map(line).collect::<Vec<_>>().join("\n")
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
