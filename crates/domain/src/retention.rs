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
    pub const MAX_MONTHS: u32 = 120;

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

    /// Whether every entry of `period` has been (or is due to be) removed.
    pub fn has_purged(self, period: Period, current: Month) -> bool {
        let (_, last) = period.months();
        last < self.oldest_kept(current)
    }
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
        let policy = RetentionPolicy::default();
        let now = Month::new(2026, 11).unwrap();
        let period = |text| Period::parse(text).unwrap();
        assert!(policy.has_purged(period("2024-10"), now));
        assert!(!policy.has_purged(period("2024-11"), now));
        assert!(policy.has_purged(period("2023"), now));
        // A year partly kept is not purged.
        assert!(!policy.has_purged(period("2024"), now));
        assert!(!policy.has_purged(period("2026-11"), now));
    }

    #[test]
    fn the_policy_takes_1_to_120_months() {
        assert!(RetentionPolicy::new(0).is_err());
        assert!(RetentionPolicy::new(121).is_err());
        assert_eq!(RetentionPolicy::new(120).map(|p| p.months()), Ok(120));
    }
}
