//! Alert rules: a company asks to be told when a feature (at one site, or at all) starts failing —
//! "at least N errors within M minutes" or "an error share above P % over the last K uses" — and
//! again when it stops. Here the conditions, their bounds and when they hold; counting the uses is
//! the store's, telling the company the server's.

use histo_api_types::limits::{
    ALERT_MAX_ERRORS, ALERT_MAX_MINUTES, ALERT_MAX_PERCENT, ALERT_MAX_USES, ALERT_MIN_USES,
};
use thiserror::Error;

use crate::ids::SiteCode;
use crate::taxonomy::Feature;

/// Rules one company may have.
pub const MAX_RULES: usize = 100;

/// When a rule holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// At least `errors` errors within the last `minutes` minutes (1 to 1,440: a day at most).
    Errors { errors: u32, minutes: u32 },
    /// Among the last `uses` uses (5 to 1,000), more than `percent` % (0 to 99) were errors.
    ErrorShare { percent: u32, uses: u32 },
}

impl Condition {
    /// Checks the bounds; names the field out of them.
    pub fn new(condition: Condition) -> Result<Condition, AlertError> {
        match condition {
            Condition::Errors { errors, minutes } => {
                if !(1..=ALERT_MAX_ERRORS).contains(&errors) {
                    return Err(AlertError::OutOfRange("errors", 1, ALERT_MAX_ERRORS));
                }
                if !(1..=ALERT_MAX_MINUTES).contains(&minutes) {
                    return Err(AlertError::OutOfRange("minutes", 1, ALERT_MAX_MINUTES));
                }
            }
            Condition::ErrorShare { percent, uses } => {
                if percent > ALERT_MAX_PERCENT {
                    return Err(AlertError::OutOfRange("percent", 0, ALERT_MAX_PERCENT));
                }
                if !(ALERT_MIN_USES..=ALERT_MAX_USES).contains(&uses) {
                    return Err(AlertError::OutOfRange(
                        "uses",
                        ALERT_MIN_USES,
                        ALERT_MAX_USES,
                    ));
                }
            }
        }
        Ok(condition)
    }

    /// `errors` or `error_share`.
    pub fn kind(self) -> &'static str {
        self.parts().0
    }

    /// The condition as it is stored: its kind, its threshold (errors or percent) and the size of
    /// its window (minutes or uses).
    pub fn parts(self) -> (&'static str, u32, u32) {
        match self {
            Condition::Errors { errors, minutes } => ("errors", errors, minutes),
            Condition::ErrorShare { percent, uses } => ("error_share", percent, uses),
        }
    }

    /// The condition of stored [`parts`](Condition::parts); `None` for an unknown kind.
    pub fn from_parts(kind: &str, threshold: u32, size: u32) -> Option<Condition> {
        match kind {
            "errors" => Some(Condition::Errors {
                errors: threshold,
                minutes: size,
            }),
            "error_share" => Some(Condition::ErrorShare {
                percent: threshold,
                uses: size,
            }),
            _ => None,
        }
    }

    /// Whether the condition holds for the uses counted in its window.
    pub fn holds(self, window: Window) -> bool {
        match self {
            Condition::Errors { errors, .. } => window.errors >= u64::from(errors),
            Condition::ErrorShare { percent, uses } => {
                // Not before there are as many uses as the rule looks at.
                window.uses >= u64::from(uses)
                    && window.errors * 100 > u64::from(percent) * window.uses
            }
        }
    }
}

/// The uses of a rule's window: its last `minutes`, or its last `uses` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub uses: u64,
    pub errors: u64,
}

/// A rule of a company: a feature, one site or all, a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    pub feature: Feature,
    /// `None`: the uses of every site.
    pub site: Option<SiteCode>,
    pub condition: Condition,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AlertError {
    #[error("must be between {1} and {2}")]
    OutOfRange(&'static str, u32, u32),
}

impl AlertError {
    /// The field concerned.
    pub fn field(&self) -> &'static str {
        match self {
            AlertError::OutOfRange(field, ..) => field,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(uses: u64, errors: u64) -> Window {
        Window { uses, errors }
    }

    #[test]
    fn errors_hold_from_the_threshold_on() {
        let rule = Condition::Errors {
            errors: 3,
            minutes: 10,
        };
        assert!(!rule.holds(window(100, 2)));
        assert!(rule.holds(window(3, 3)));
        assert!(rule.holds(window(4, 4)));
    }

    #[test]
    fn a_share_holds_above_its_percentage_once_there_are_enough_uses() {
        let rule = Condition::ErrorShare {
            percent: 20,
            uses: 10,
        };
        assert!(!rule.holds(window(10, 2)), "20 % is not above 20 %");
        assert!(rule.holds(window(10, 3)));
        assert!(
            !rule.holds(window(9, 9)),
            "fewer uses than the rule looks at"
        );
        let any_error = Condition::ErrorShare {
            percent: 0,
            uses: 5,
        };
        assert!(any_error.holds(window(5, 1)) && !any_error.holds(window(5, 0)));
    }

    #[test]
    fn a_condition_reads_back_from_what_is_stored() {
        for condition in [
            Condition::Errors {
                errors: 3,
                minutes: 10,
            },
            Condition::ErrorShare {
                percent: 20,
                uses: 50,
            },
        ] {
            let (kind, threshold, size) = condition.parts();
            assert_eq!(
                Condition::from_parts(kind, threshold, size),
                Some(condition)
            );
        }
        assert_eq!(Condition::from_parts("spike", 1, 1), None);
        assert_eq!(
            (
                Condition::Errors {
                    errors: 1,
                    minutes: 1
                }
                .kind(),
                Condition::ErrorShare {
                    percent: 1,
                    uses: 5
                }
                .kind()
            ),
            ("errors", "error_share")
        );
    }

    #[test]
    fn bounds_name_their_field() {
        let refused = |c| Condition::new(c).map_err(|e| (e.field(), e.to_string()));
        assert_eq!(
            refused(Condition::Errors {
                errors: 0,
                minutes: 5
            }),
            Err(("errors", "must be between 1 and 1000000".into()))
        );
        assert_eq!(
            refused(Condition::Errors {
                errors: 1,
                minutes: 1441
            })
            .map_err(|e| e.0),
            Err("minutes")
        );
        assert_eq!(
            refused(Condition::ErrorShare {
                percent: 100,
                uses: 10
            })
            .map_err(|e| e.0),
            Err("percent")
        );
        assert_eq!(
            refused(Condition::ErrorShare {
                percent: 10,
                uses: 4
            })
            .map_err(|e| e.0),
            Err("uses")
        );
        assert!(Condition::new(Condition::ErrorShare {
            percent: 99,
            uses: 1000
        })
        .is_ok());
    }
}
