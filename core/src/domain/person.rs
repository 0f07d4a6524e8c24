//! The person using this device: a display name and a home time zone.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::text::bounded;
use crate::error::{Error, Result};

/// Longest display name, in characters.
pub const NAME_MAX: usize = 80;

/// The person who owns this device's private space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// How the person wants to be called. Only ever shown on their own devices and their mentor's.
    pub name: String,
    /// The IANA time zone their calendar days are counted in, e.g. `Europe/Berlin`.
    pub timezone: String,
}

impl Person {
    /// Validates a new person.
    pub fn new(name: &str, timezone: &str) -> Result<Self> {
        Ok(Person {
            name: bounded("name", name, 1, NAME_MAX)?,
            timezone: parse_timezone(timezone)?.name().to_owned(),
        })
    }

    /// The person's time zone, parsed. Falls back to UTC only if the stored
    /// name is unknown to this build (a newer tz database wrote it).
    pub fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(Tz::UTC)
    }
}

/// Parses an IANA time zone name such as `America/New_York`.
pub fn parse_timezone(name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        Error::invalid(
            "timezone",
            format!("{name:?} is not an IANA time zone such as Europe/Berlin"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_name_and_zone() {
        let p = Person::new(" Sam ", "Europe/Berlin").unwrap();
        assert_eq!(p.name, "Sam");
        assert_eq!(p.tz(), chrono_tz::Europe::Berlin);
        assert!(matches!(
            Person::new("", "Europe/Berlin"),
            Err(Error::Validation { field: "name", .. })
        ));
        assert!(matches!(
            Person::new("Sam", "Mars/Olympus"),
            Err(Error::Validation {
                field: "timezone",
                ..
            })
        ));
        assert!(Person::new(&"x".repeat(NAME_MAX + 1), "UTC").is_err());
    }
}
