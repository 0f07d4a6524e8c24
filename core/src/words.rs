//! English wording of the core's counts and kinds ("1 goal", "3 shared
//! entries", what changed since a mentor last looked), used by the terminal
//! and the browser, the two English-only shells. Phone shells localise
//! themselves.

use crate::features::mentor::Changes;

/// `n` and the noun in the number it needs ("1 goal", "3 goals").
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What changed for a mentor since they last looked, in words, leaving out
/// what did not: "Since you last looked: 1 reach-out, 2 milestones done."
pub fn since_last_look(c: &Changes) -> String {
    let parts: Vec<String> = [
        (c.new_reach_outs, "reach-out", "reach-outs"),
        (c.new_shared, "entry shared", "entries shared"),
        (c.milestones_done, "milestone done", "milestones done"),
        (c.goals_changed, "goal changed", "goals changed"),
        (c.notes_edited, "note edited", "notes edited"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| count(n, one, many))
    .collect();
    if parts.is_empty() {
        "Nothing new since you last looked.".into()
    } else {
        format!("Since you last looked: {}.", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_changed_is_said_in_plurals_and_leaves_out_zeros() {
        assert_eq!(
            since_last_look(&Changes::default()),
            "Nothing new since you last looked."
        );
        let c = Changes {
            new_shared: 1,
            milestones_done: 2,
            new_reach_outs: 1,
            ..Changes::default()
        };
        assert_eq!(
            since_last_look(&c),
            "Since you last looked: 1 reach-out, 1 entry shared, 2 milestones done."
        );
    }
}
