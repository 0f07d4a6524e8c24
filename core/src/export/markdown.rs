//! The export as a Markdown file a person can read, print or hand to a
//! counsellor. Times are shown in the zone each item was written in.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Export;
use crate::domain::craving::Outcome;

/// Renders `x` as Markdown.
pub(super) fn render(x: &Export) -> String {
    let mut out = String::new();
    let home: Tz = x.person.tz();
    let _ = writeln!(out, "# Tandem export: {}\n", one_line(&x.person.name));
    let _ = writeln!(
        out,
        "Exported {} (time zone {}).\n",
        local(x.exported_ms, home),
        x.person.timezone
    );

    out.push_str("## Clean time\n\n");
    if x.tracks.is_empty() {
        out.push_str("No tracks.\n\n");
    }
    for t in &x.tracks {
        let _ = writeln!(
            out,
            "- **{}**: since {}",
            one_line(&t.name),
            t.current_start()
        );
        for r in t.resets.values() {
            let note = if r.note.is_empty() {
                String::new()
            } else {
                format!(": {}", one_line(&r.note))
            };
            let _ = writeln!(out, "  - restarted {}{note}", r.date);
        }
    }
    out.push('\n');

    out.push_str("## Journal\n\n");
    if x.journal.is_empty() {
        out.push_str("No entries.\n\n");
    }
    for e in &x.journal {
        let mood = e.mood.map(|m| format!(" (mood {m}/5)")).unwrap_or_default();
        let _ = writeln!(
            out,
            "### {}{mood}\n",
            local(e.created_ms, zone(&e.tz, home))
        );
        let _ = writeln!(out, "{}\n", e.text.trim_end());
        if !e.tags.is_empty() {
            let _ = writeln!(out, "Tags: {}\n", e.tags.join(", "));
        }
    }

    out.push_str("## Cravings\n\n");
    if x.cravings.is_empty() {
        out.push_str("None logged.\n\n");
    } else {
        out.push_str("| When | Trigger | Strength | Where | What helped | Outcome | Note |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for c in &x.cravings {
            let outcome = match c.outcome {
                Some(Outcome::Resisted) => "resisted",
                Some(Outcome::Used) => "used",
                None => "",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {}/10 | {} | {} | {} | {} |",
                local(c.at_ms, zone(&c.tz, home)),
                cell(&c.trigger),
                c.intensity,
                cell(&c.situation.join(", ")),
                cell(&c.helped.join(", ")),
                outcome,
                cell(&c.note)
            );
        }
        out.push('\n');
    }

    out.push_str("## Check-ins\n\n");
    if x.checkins.is_empty() {
        out.push_str("None.\n\n");
    }
    for c in &x.checkins {
        let used = if c.used { ", used" } else { "" };
        let note = if c.note.is_empty() {
            String::new()
        } else {
            format!(": {}", one_line(&c.note))
        };
        let _ = writeln!(
            out,
            "- {}: mood {}/5, craving {}/10{used}{note}",
            c.day, c.mood, c.craving
        );
    }
    out.push('\n');

    out.push_str("## Goals\n\n");
    if x.goals.is_empty() {
        out.push_str("None.\n\n");
    }
    for g in &x.goals {
        let target = g.target.map(|t| format!(", by {t}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "### {} ({}{target})\n",
            one_line(&g.title),
            g.status.as_str()
        );
        if !g.why.is_empty() {
            let _ = writeln!(out, "{}\n", g.why.trim_end());
        }
        let mut milestones: Vec<_> = g.milestones.values().collect();
        milestones.sort_by_key(|m| (m.position, m.created_ms));
        for m in milestones {
            let mark = if m.done { "x" } else { " " };
            let _ = writeln!(out, "- [{mark}] {}", one_line(&m.title));
        }
        out.push('\n');
    }

    out.push_str("## Shared notes\n\n");
    if x.notes.is_empty() {
        out.push_str("None.\n\n");
    }
    for n in &x.notes {
        let _ = writeln!(out, "### {}\n", one_line(&n.title));
        let _ = writeln!(out, "{}\n", n.body.trim_end());
    }
    out
}

fn zone(name: &str, fallback: Tz) -> Tz {
    name.parse().unwrap_or(fallback)
}

fn local(ms: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "(unknown time)".into())
}

/// Text on one line (headings and list items).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}
