//! Months and years as the company sees them: calendar periods in the company's IANA time zone,
//! daylight-saving changes included. An event's month is computed once, when it is stored.

use chrono::{DateTime, Datelike, Utc};
use thiserror::Error;

pub const DEFAULT_TIMEZONE: &str = "Europe/Paris";

/// A company's IANA time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub fn parse(name: &str) -> Result<Self, PeriodError> {
        name.parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| PeriodError::UnknownTimeZone(name.to_owned()))
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone(chrono_tz::Europe::Paris)
    }
}

/// A calendar month, stored as `year * 100 + month` so that months sort and range as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Self, PeriodError> {
        if !(1..=12).contains(&month) {
            return Err(PeriodError::BadMonth);
        }
        if !(1..=9999).contains(&year) {
            return Err(PeriodError::BadYear);
        }
        Ok(Month { year, month })
    }

    pub fn key(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    pub fn from_key(key: i32) -> Result<Self, PeriodError> {
        Month::new(key / 100, (key % 100) as u32)
    }

    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Self {
        let index = self.year * 12 + self.month as i32 - 1 + n;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The month an instant falls in, in the given time zone.
pub fn month_of(at: DateTime<Utc>, zone: TimeZone) -> Month {
    let local = at.with_timezone(&zone.tz());
    Month {
        year: local.year(),
        month: local.month(),
    }
}

/// A bar of a chart: one month (`YYYY-MM`) or one year (`YYYY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(Month),
    Year(i32),
}

impl Period {
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match text.split_once('-') {
            None if text.len() == 4 && digits(text) => {
                let year = text.parse().map_err(|_| PeriodError::Malformed)?;
                Month::new(year, 1).map(|_| Period::Year(year))
            }
            Some((y, m)) if y.len() == 4 && m.len() == 2 && digits(y) && digits(m) => {
                let year = y.parse().map_err(|_| PeriodError::Malformed)?;
                let month = m.parse().map_err(|_| PeriodError::Malformed)?;
                Month::new(year, month).map(Period::Month)
            }
            _ => Err(PeriodError::Malformed),
        }
    }

    /// The first and last month of the period, inclusive.
    pub fn months(self) -> (Month, Month) {
        match self {
            Period::Month(m) => (m, m),
            Period::Year(y) => (Month { year: y, month: 1 }, Month { year: y, month: 12 }),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month(m) => m.fmt(f),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("must be YYYY-MM or YYYY")]
    Malformed,
    #[error("the month must be between 1 and 12")]
    BadMonth,
    #[error("the year must be between 1 and 9999")]
    BadYear,
    #[error("unknown time zone '{0}' (expected an IANA name such as Europe/Paris)")]
    UnknownTimeZone(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn months_follow_paris_time_across_daylight_saving_and_new_year() {
        let paris = TimeZone::default();
        assert_eq!(
            month_of(utc("2026-03-31T23:30:00Z"), paris).to_string(),
            "2026-04"
        );
        assert_eq!(
            month_of(utc("2026-03-31T21:59:59Z"), paris).to_string(),
            "2026-03"
        );
        assert_eq!(
            month_of(utc("2026-10-31T22:59:59Z"), paris).to_string(),
            "2026-10"
        );
        assert_eq!(
            month_of(utc("2026-10-31T23:00:00Z"), paris).to_string(),
            "2026-11"
        );
        assert_eq!(
            month_of(utc("2026-12-31T23:30:00Z"), paris).to_string(),
            "2027-01"
        );
        let utc_zone = TimeZone::parse("UTC").unwrap();
        assert_eq!(
            month_of(utc("2026-12-31T23:30:00Z"), utc_zone).to_string(),
            "2026-12"
        );
    }

    #[test]
    fn periods_read_months_and_years_and_refuse_the_rest() {
        assert_eq!(
            Period::parse("2026-03"),
            Ok(Period::Month(Month {
                year: 2026,
                month: 3
            }))
        );
        assert_eq!(Period::parse("2026"), Ok(Period::Year(2026)));
        for text in ["2026-03", "2026", "0999"] {
            assert_eq!(
                Period::parse(text).map(|p| p.to_string()),
                Ok(text.to_owned())
            );
        }
        assert_eq!(Period::parse("2026-13"), Err(PeriodError::BadMonth));
        for bad in ["26-03", "2026-3", "2026/03", "", "x", "2026-03-01", "+202"] {
            assert_eq!(Period::parse(bad), Err(PeriodError::Malformed), "{bad}");
        }
    }

    #[test]
    fn months_add_across_years() {
        let nov = Month::new(2026, 11).unwrap();
        assert_eq!(nov.plus(-24).to_string(), "2024-11");
        assert_eq!(nov.plus(2).to_string(), "2027-01");
        assert_eq!(Month::from_key(nov.key()), Ok(nov));
    }

    #[test]
    fn unknown_time_zones_are_refused() {
        assert_eq!(
            TimeZone::parse("America/Guadeloupe").map(TimeZone::name),
            Ok("America/Guadeloupe")
        );
        assert!(TimeZone::parse("Mars/Olympus").is_err());
    }
}
