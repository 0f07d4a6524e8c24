//! Bounds for free text and tag lists, shared by every item type.

use crate::error::{Error, Result};

/// Trims `value` and checks that it holds between `min` and `max` characters.
pub fn bounded(field: &'static str, value: &str, min: usize, max: usize) -> Result<String> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(if min == 1 {
            Error::invalid(field, "must not be empty")
        } else {
            Error::invalid(field, format!("must be at least {min} characters"))
        });
    }
    if len > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters (got {len})"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Normalises a list of short labels (tags, situations, strategies): trimmed,
/// lower-cased, empty ones dropped, duplicates removed (first one kept),
/// each at most `max_len` characters and at most `max_count` of them.
pub fn labels(
    field: &'static str,
    values: &[String],
    max_count: usize,
    max_len: usize,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let label = bounded(field, value, 0, max_len)?.to_lowercase();
        if !label.is_empty() && !out.contains(&label) {
            out.push(label);
        }
    }
    if out.len() > max_count {
        return Err(Error::invalid(
            field,
            format!("at most {max_count} allowed (got {})", out.len()),
        ));
    }
    Ok(out)
}

/// Checks that an integer scale value lies in `min..=max`.
pub fn scale(field: &'static str, value: i64, min: u8, max: u8) -> Result<u8> {
    if value < i64::from(min) || value > i64::from(max) {
        return Err(Error::invalid(
            field,
            format!("must be between {min} and {max} (got {value})"),
        ));
    }
    Ok(value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_trims_and_checks_length() {
        assert_eq!(bounded("name", "  Sam ", 1, 5).unwrap(), "Sam");
        assert!(matches!(
            bounded("name", "   ", 1, 5),
            Err(Error::Validation { field: "name", .. })
        ));
        assert!(bounded("name", "abcdef", 1, 5).is_err());
        // Characters, not bytes.
        assert_eq!(bounded("name", "ééééé", 1, 5).unwrap(), "ééééé");
        assert!(bounded("name", "a\u{0}b", 1, 5).is_err());
        assert!(bounded("text", "line\nline", 1, 20).is_ok());
    }

    #[test]
    fn labels_normalise_and_bound() {
        let got = labels(
            "tag",
            &["Work".into(), " work ".into(), "".into(), "Stress".into()],
            5,
            10,
        )
        .unwrap();
        assert_eq!(got, vec!["work", "stress"]);
        let many: Vec<String> = (0..6).map(|i| format!("t{i}")).collect();
        assert!(labels("tag", &many, 5, 10).is_err());
        assert!(labels("tag", &["x".repeat(11)], 5, 10).is_err());
    }

    #[test]
    fn scale_bounds() {
        assert_eq!(scale("mood", 1, 1, 5).unwrap(), 1);
        assert_eq!(scale("mood", 5, 1, 5).unwrap(), 5);
        assert!(scale("mood", 0, 1, 5).is_err());
        assert!(scale("mood", 6, 1, 5).is_err());
        assert!(scale("intensity", -1, 0, 10).is_err());
        assert!(scale("intensity", 11, 0, 10).is_err());
        assert_eq!(scale("intensity", 0, 0, 10).unwrap(), 0);
    }
}
