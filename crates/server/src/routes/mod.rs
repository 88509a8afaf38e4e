//! The API's routes, one module per area.

pub mod access;
pub mod audit;
pub mod events;
pub mod health;
pub mod logs;
pub mod metrics;
pub mod settings;
pub mod sites;
pub mod stats;
pub mod taxonomy;

use chrono::{DateTime, SecondsFormat, Utc};
use histo_domain::TimeZone;

/// An instant as the API shows it: RFC 3339 with the company's local offset.
pub fn local_time(at: DateTime<Utc>, zone: TimeZone) -> String {
    at.with_timezone(&zone.tz())
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}
