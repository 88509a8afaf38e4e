//! How long a company keeps its log entries: a number of months, counted back from the current
//! company-local month. The monthly counts stay; only the entries behind them go.

use thiserror::Error;

use crate::period::{Month, Period};

/// Months of log entries a company keeps: 1–120, 24 unless the company chose otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    months: u32,
}

impl RetentionPolicy {
    pub const DEFAULT_MONTHS: u32 = 24;
    pub const MAX_MONTHS: u32 = histo_api_types::limits::RETENTION_MAX_MONTHS;

    pub fn new(months: u32) -> Result<Self, RetentionError> {
        if (1..=Self::MAX_MONTHS).contains(&months) {
            Ok(RetentionPolicy { months })
        } else {
            Err(RetentionError::OutOfRange)
        }
    }

    pub fn months(self) -> u32 {
        self.months
    }

    /// The oldest month whose entries are kept: with 24 months in November 2026, November 2024.
    pub fn oldest_kept(self, current: Month) -> Month {
        current.plus(-(self.months as i32))
    }

    /// The oldest month whose entries are kept: the policy's, or a later one when a purge under a
    /// shorter period has already removed more (`purged_before`), since lengthening the period
    /// brings nothing back.
    pub fn retained_from(self, current: Month, purged_before: Option<Month>) -> Month {
        let oldest_kept = self.oldest_kept(current);
        purged_before.map_or(oldest_kept, |purged| purged.max(oldest_kept))
    }
}

/// Whether every entry of `period` has been (or is due to be) removed, entries being kept from the
/// month `retained_from`.
pub fn has_purged(period: Period, retained_from: Month) -> bool {
    let (_, last) = period.months();
    last < retained_from
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            months: Self::DEFAULT_MONTHS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RetentionError {
    #[error("must be between 1 and 120 months")]
    OutOfRange,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_24_months_in_november_2026_october_2024_is_purged_and_november_2024_kept() {
        let now = Month::new(2026, 11).unwrap();
        let kept = RetentionPolicy::default().retained_from(now, None);
        assert_eq!(kept, Month::new(2024, 11).unwrap());
        let period = |text| Period::parse(text).unwrap();
        assert!(has_purged(period("2024-10"), kept));
        assert!(!has_purged(period("2024-11"), kept));
        assert!(has_purged(period("2023"), kept));
        // A year partly kept is not purged.
        assert!(!has_purged(period("2024"), kept));
        assert!(!has_purged(period("2026-11"), kept));
    }

    #[test]
    fn a_lengthened_period_brings_no_purged_month_back() {
        let now = Month::new(2026, 11).unwrap();
        let purged_before = Some(Month::new(2026, 10).unwrap());
        let long = RetentionPolicy::new(120).unwrap();
        assert_eq!(
            long.retained_from(now, purged_before),
            Month::new(2026, 10).unwrap()
        );
        assert_eq!(long.retained_from(now, None), Month::new(2016, 11).unwrap());
        let short = RetentionPolicy::new(1).unwrap();
        assert_eq!(
            short.retained_from(now, Some(Month::new(2020, 1).unwrap())),
            Month::new(2026, 10).unwrap()
        );
    }

    #[test]
    fn the_policy_takes_1_to_120_months() {
        assert!(RetentionPolicy::new(0).is_err());
        assert!(RetentionPolicy::new(121).is_err());
        assert_eq!(RetentionPolicy::new(120).map(|p| p.months()), Ok(120));
    }
}
