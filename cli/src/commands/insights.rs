//! `insights`: cravings by hour, triggers, what helped, weekly intensity.

use tandem_core::App;
use tandem_core::insights::Insights;

use crate::home::err;
use crate::output::Reply;

/// `insights --days N`.
pub fn insights(app: &App, days: u32) -> Result<Reply, String> {
    let i = app.insights(days).map_err(err)?;
    Reply::new(&i, insights_text(&i))
}

/// The series in a few lines: the busiest hour, the top triggers, what
/// helped, and the last week's intensity.
fn insights_text(i: &Insights) -> String {
    let mut lines = vec![format!(
        "{} cravings from {} to {}",
        i.cravings, i.from, i.to
    )];
    let peak = i.by_hour.iter().enumerate().max_by_key(|(_, n)| **n);
    if let Some((h, n)) = peak.filter(|(_, n)| **n > 0) {
        lines.push(format!(
            "Most cravings at {h:02}:00-{:02}:00 ({n})",
            (h + 1) % 24
        ));
    }
    for t in &i.top_triggers {
        lines.push(format!("trigger {:>4}x  {}", t.count, t.trigger));
    }
    for h in &i.what_helped {
        lines.push(format!(
            "helped  {:>3.0}% resisted of {} uses  {}",
            h.resisted_share * 100.0,
            h.uses,
            h.strategy
        ));
    }
    if let Some(w) = i.weekly_intensity.last() {
        lines.push(format!(
            "Week of {}: average intensity {:.1} over {}",
            w.week_start, w.average, w.count
        ));
    }
    lines.join("\n")
}
