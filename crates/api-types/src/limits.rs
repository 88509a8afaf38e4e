//! The bounds of what users type or ask for, shared so that the web app's forms stop where the server
//! would refuse.

/// A company id, a site code, a user code or a support code: 1 to this many characters.
pub const CODE_MAX_CHARS: usize = 64;
/// A site's display name: 1 to this many characters.
pub const SITE_NAME_MAX_CHARS: usize = 100;
/// An account's password or a company's admin password: at most this many characters.
pub const PASSWORD_MAX_CHARS: usize = 1_024;
/// A webhook address: at most this many characters.
pub const WEBHOOK_URL_MAX_CHARS: usize = 2000;
/// Months of log entries a company may keep: 1 to this many.
pub const RETENTION_MAX_MONTHS: u32 = 120;
/// The longest range of years one statistic covers.
pub const STATS_MAX_YEARS: i32 = 50;

/// An alert rule "at least `errors` errors within `minutes` minutes": errors from 1 to this.
pub const ALERT_MAX_ERRORS: u32 = 1_000_000;
/// … and minutes from 1 to this (a day).
pub const ALERT_MAX_MINUTES: u32 = 1440;
/// An alert rule "more than `percent` % errors over the last `uses` uses": percent from 0 to this.
pub const ALERT_MAX_PERCENT: u32 = 99;
/// … and uses from this …
pub const ALERT_MIN_USES: u32 = 5;
/// … to this.
pub const ALERT_MAX_USES: u32 = 1000;
