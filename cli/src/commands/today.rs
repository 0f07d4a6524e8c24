//! `today`: clean time per track, the next milestone, today's check-in and
//! today's counts.

use tandem_core::App;
use tandem_core::view::TodayView;

use crate::home::err;
use crate::output::{Reply, track_line};

/// `today`.
pub fn today(app: &App) -> Result<Reply, String> {
    let t = app.today().map_err(err)?;
    Reply::new(&t, today_text(&t))
}

fn today_text(t: &TodayView) -> String {
    let mut lines = vec![format!("{}, today is {} ({})", t.name, t.date, t.timezone)];
    lines.extend(t.tracks.iter().map(track_line));
    lines.push(match &t.checkin {
        Some(c) => format!(
            "Check-in: mood {}/5, craving {}/10{}",
            c.mood,
            c.craving,
            if c.used { ", used" } else { "" }
        ),
        None => "No check-in yet today.".into(),
    });
    lines.push(format!(
        "Today: {} journal entr{}, {} craving{}; {} active goal{}",
        t.journal_today,
        if t.journal_today == 1 { "y" } else { "ies" },
        t.cravings_today,
        if t.cravings_today == 1 { "" } else { "s" },
        t.active_goals,
        if t.active_goals == 1 { "" } else { "s" }
    ));
    lines.join("\n")
}
