//! Insights: plain series computed from the craving log and check-ins, ready
//! for a chart to draw. Pure functions over read-model rows.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::craving::Outcome;

/// One craving as the insights need it (a read-model row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CravingPoint {
    /// Local date it happened on.
    pub local_date: NaiveDate,
    /// Local hour 0–23.
    pub local_hour: u8,
    /// Intensity 0–10.
    pub intensity: u8,
    /// What triggered it (as written).
    pub trigger: String,
    /// Coping strategies tried.
    pub helped: Vec<String>,
    /// How it ended.
    pub outcome: Option<Outcome>,
}

/// Average intensity of one ISO week (weeks start on Monday).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyIntensity {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Cravings that week.
    pub count: u32,
    /// Their average intensity.
    pub average: f64,
}

/// How often a trigger came up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerCount {
    /// The trigger, lower-cased and trimmed.
    pub trigger: String,
    /// How many cravings named it.
    pub count: u32,
}

/// How well a coping strategy worked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyOutcome {
    /// The strategy.
    pub strategy: String,
    /// Cravings where it was tried.
    pub uses: u32,
    /// Of those with a known outcome, how many were resisted.
    pub resisted: u32,
    /// `resisted` over the uses with a known outcome (0 when none is known).
    pub resisted_share: f64,
}

/// One day's mood from its check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoodPoint {
    /// The day.
    pub day: NaiveDate,
    /// Mood 1–5.
    pub mood: u8,
}

/// Every insight series for a range of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    /// First day included.
    pub from: NaiveDate,
    /// Last day included.
    pub to: NaiveDate,
    /// Total cravings in the range.
    pub cravings: u32,
    /// Cravings per local hour, index 0 = midnight to 1 am.
    pub by_hour: [u32; 24],
    /// Cravings per weekday, index 0 = Monday.
    pub by_weekday: [u32; 7],
    /// Average intensity per week, oldest first; weeks without cravings are left out.
    pub weekly_intensity: Vec<WeeklyIntensity>,
    /// The most common triggers, most frequent first (ties by name), at most [`TOP_N`].
    pub top_triggers: Vec<TriggerCount>,
    /// Strategies by share of cravings resisted, best first (ties: more uses first, then name).
    pub what_helped: Vec<StrategyOutcome>,
    /// Mood per day from check-ins, oldest first.
    pub mood: Vec<MoodPoint>,
}

/// How many triggers [`Insights::top_triggers`] lists.
pub const TOP_N: usize = 5;

impl Insights {
    /// Computes every series from the cravings and moods in `from..=to`.
    /// Points outside the range are ignored.
    pub fn compute(
        from: NaiveDate,
        to: NaiveDate,
        cravings: &[CravingPoint],
        moods: &[MoodPoint],
    ) -> Self {
        let mut by_hour = [0u32; 24];
        let mut by_weekday = [0u32; 7];
        let mut weeks: HashMap<NaiveDate, (u32, u32)> = HashMap::new();
        let mut triggers: HashMap<String, u32> = HashMap::new();
        let mut strategies: HashMap<&str, (u32, u32, u32)> = HashMap::new();
        let mut total = 0;
        for c in cravings
            .iter()
            .filter(|c| (from..=to).contains(&c.local_date))
        {
            total += 1;
            by_hour[usize::from(c.local_hour.min(23))] += 1;
            by_weekday[c.local_date.weekday().num_days_from_monday() as usize] += 1;
            let monday = c.local_date
                - chrono::Days::new(u64::from(c.local_date.weekday().num_days_from_monday()));
            let w = weeks.entry(monday).or_default();
            w.0 += 1;
            w.1 += u32::from(c.intensity);
            *triggers.entry(c.trigger.trim().to_lowercase()).or_default() += 1;
            for s in &c.helped {
                let e = strategies.entry(s.as_str()).or_default();
                e.0 += 1;
                if let Some(outcome) = c.outcome {
                    e.1 += 1;
                    if outcome == Outcome::Resisted {
                        e.2 += 1;
                    }
                }
            }
        }
        let mut weekly_intensity: Vec<WeeklyIntensity> = weeks
            .into_iter()
            .map(|(week_start, (count, sum))| WeeklyIntensity {
                week_start,
                count,
                average: f64::from(sum) / f64::from(count),
            })
            .collect();
        weekly_intensity.sort_by_key(|w| w.week_start);
        let mut top_triggers: Vec<TriggerCount> = triggers
            .into_iter()
            .map(|(trigger, count)| TriggerCount { trigger, count })
            .collect();
        top_triggers.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.trigger.cmp(&b.trigger))
        });
        top_triggers.truncate(TOP_N);
        let mut what_helped: Vec<StrategyOutcome> = strategies
            .into_iter()
            .map(|(s, (uses, known, resisted))| StrategyOutcome {
                strategy: s.to_owned(),
                uses,
                resisted,
                resisted_share: if known == 0 {
                    0.0
                } else {
                    f64::from(resisted) / f64::from(known)
                },
            })
            .collect();
        what_helped.sort_by(|a, b| {
            b.resisted_share
                .total_cmp(&a.resisted_share)
                .then_with(|| b.uses.cmp(&a.uses))
                .then_with(|| a.strategy.cmp(&b.strategy))
        });
        let mut mood: Vec<MoodPoint> = moods
            .iter()
            .filter(|m| (from..=to).contains(&m.day))
            .cloned()
            .collect();
        mood.sort_by_key(|m| m.day);
        Insights {
            from,
            to,
            cravings: total,
            by_hour,
            by_weekday,
            weekly_intensity,
            top_triggers,
            what_helped,
            mood,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn c(
        day: &str,
        hour: u8,
        intensity: u8,
        trigger: &str,
        helped: &[&str],
        outcome: Option<Outcome>,
    ) -> CravingPoint {
        CravingPoint {
            local_date: d(day),
            local_hour: hour,
            intensity,
            trigger: trigger.into(),
            helped: helped.iter().map(|s| s.to_string()).collect(),
            outcome,
        }
    }

    /// A fixed data set whose expected numbers were worked out by hand.
    #[test]
    fn fixed_data_set() {
        use Outcome::*;
        let cravings = vec![
            // Monday 2026-03-02
            c(
                "2026-03-02",
                18,
                8,
                "Payday",
                &["call mentor", "walk"],
                Some(Resisted),
            ),
            c("2026-03-02", 22, 6, "payday ", &["walk"], Some(Used)),
            // Wednesday 2026-03-04
            c("2026-03-04", 18, 4, "bar", &["call mentor"], Some(Resisted)),
            // Sunday 2026-03-08 (same ISO week as the Monday)
            c("2026-03-08", 9, 2, "argument", &[], None),
            // Monday 2026-03-09 (next week)
            c("2026-03-09", 18, 5, "payday", &["walk"], Some(Resisted)),
            c("2026-03-09", 23, 10, "bar", &["call mentor"], None),
            // Outside the range: ignored.
            c("2026-02-28", 18, 9, "payday", &["walk"], Some(Used)),
        ];
        let moods = vec![
            MoodPoint {
                day: d("2026-03-04"),
                mood: 2,
            },
            MoodPoint {
                day: d("2026-03-02"),
                mood: 4,
            },
            MoodPoint {
                day: d("2026-02-01"),
                mood: 1,
            },
        ];
        let i = Insights::compute(d("2026-03-01"), d("2026-03-10"), &cravings, &moods);
        assert_eq!(i.cravings, 6);
        let mut hours = [0; 24];
        hours[18] = 3;
        hours[22] = 1;
        hours[9] = 1;
        hours[23] = 1;
        assert_eq!(i.by_hour, hours);
        // Mon: 2 + 2, Wed: 1, Sun: 1.
        assert_eq!(i.by_weekday, [4, 0, 1, 0, 0, 0, 1]);
        // Week of Mar 2: (8+6+4+2)/4 = 5.0; week of Mar 9: (5+10)/2 = 7.5.
        assert_eq!(
            i.weekly_intensity,
            vec![
                WeeklyIntensity {
                    week_start: d("2026-03-02"),
                    count: 4,
                    average: 5.0
                },
                WeeklyIntensity {
                    week_start: d("2026-03-09"),
                    count: 2,
                    average: 7.5
                },
            ]
        );
        assert_eq!(
            i.top_triggers,
            vec![
                TriggerCount {
                    trigger: "payday".into(),
                    count: 3
                },
                TriggerCount {
                    trigger: "bar".into(),
                    count: 2
                },
                TriggerCount {
                    trigger: "argument".into(),
                    count: 1
                },
            ]
        );
        // call mentor: 3 uses, 2 with outcome, both resisted -> 1.0.
        // walk: 3 uses, all with outcome, 2 resisted -> 2/3.
        assert_eq!(i.what_helped.len(), 2);
        assert_eq!(i.what_helped[0].strategy, "call mentor");
        assert_eq!((i.what_helped[0].uses, i.what_helped[0].resisted), (3, 2));
        assert_eq!(i.what_helped[0].resisted_share, 1.0);
        assert_eq!(i.what_helped[1].strategy, "walk");
        assert_eq!((i.what_helped[1].uses, i.what_helped[1].resisted), (3, 2));
        assert!((i.what_helped[1].resisted_share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            i.mood,
            vec![
                MoodPoint {
                    day: d("2026-03-02"),
                    mood: 4
                },
                MoodPoint {
                    day: d("2026-03-04"),
                    mood: 2
                }
            ]
        );
    }

    #[test]
    fn empty_range() {
        let i = Insights::compute(d("2026-03-01"), d("2026-03-10"), &[], &[]);
        assert_eq!(i.cravings, 0);
        assert!(
            i.weekly_intensity.is_empty() && i.top_triggers.is_empty() && i.what_helped.is_empty()
        );
    }
}
