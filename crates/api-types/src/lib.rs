//! The JSON shapes of Histo's API, and the words both ends must agree on (a token's claims and
//! scopes, the audit's actions, the bounds of what users type), shared by the server and the web app.
//! With the `openapi` feature the shapes also describe themselves for the OpenAPI document; every
//! field's `///` text becomes its doc.

use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

mod admin;
mod alerts;
pub mod limits;
mod read;
mod token;
pub use admin::*;
pub use alerts::*;
pub use read::*;
pub use token::*;

/// One use of one feature, as the host application reports it. No other field is taken: Histo stores
/// no free text, so an unknown field is refused, not dropped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01", "feature": "vies", "outcome": "error",
    "cause": "invalid_number", "site": "LYON", "user_code": "JDUPONT",
    "occurred_at": "2026-03-31T23:30:00+02:00", "code": "VIES_MS_UNAVAILABLE"})))]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// Chosen by the client so that a retry is stored once; a time-ordered UUIDv7 is best (fastest to
    /// store). Made by the server (UUIDv7) when absent.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `email`, `sms`, `attachment`, `sirene`, `vies`, `dea_update`, `php_web_api` or
    /// `google_calendar_sync`.
    pub feature: String,
    /// `success`, `no_result`, `error` or `stopped`, among those the feature has (see `GET /api/v1/features`).
    pub outcome: String,
    /// Why an `error` happened (`configuration`, `execution`, `remote_api`, `invalid_number`, among
    /// those the feature has); required for `error`, refused for other outcomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The site (branch): 1–64 letters, digits, `_`, `.` or `-`. Created when first named.
    pub site: String,
    /// The user: 1–64 letters, digits, `_`, `.` or `-`. The only personal datum Histo keeps.
    pub user_code: String,
    /// When the feature was used: RFC 3339 with an offset, from the year 2000 to one day ahead.
    #[cfg_attr(feature = "openapi", schema(format = "date-time"))]
    pub occurred_at: String,
    /// A short machine token for support, such as `SMTP_AUTH` or `HTTP_429` (1–64 letters, digits,
    /// `_`, `.`, `:` or `-`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Required for `dea_update` (what changed), refused for every other feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<EventDetail>,
}

/// What a DEA update changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventDetail {
    /// `code` or `amount`.
    pub changed: String,
}

/// Up to 10,000 events, stored all together or not at all.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// 1 to 10,000 events.
    pub events: Vec<EventInput>,
}

/// One event, or a batch of events.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum RecordEvents {
    One(EventInput),
    Batch(EventBatch),
}

/// The events are durably stored: `accepted + duplicates + expired` is the number sent.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"accepted": 998, "duplicates": 2, "expired": 0})))]
pub struct Recorded {
    /// Events newly stored.
    pub accepted: u64,
    /// Events already stored under the same id (a retry), counted once.
    pub duplicates: u64,
    /// Events of a month the company no longer keeps (before `retained_from` in `GET
    /// /api/v1/settings`): acknowledged, but neither stored nor counted, so that a retry after a
    /// purge never counts an event twice.
    #[serde(default)]
    pub expired: u64,
}

/// Why a request was refused.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "error": "2 of 3 events are invalid; nothing was stored",
    "details": [{"index": 1, "field": "cause", "message": "is required when the outcome is 'error' (one of: configuration)"}]})))]
pub struct ErrorBody {
    /// What went wrong, in a sentence.
    pub error: String,
    /// Each bad field, for bad input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// One bad field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    /// The position of the event in a batch (from 0); absent for a single event or a parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The field or query parameter (`detail.changed` for a nested one).
    pub field: String,
    /// Why it was refused.
    pub message: String,
}

/// Whether Histo and its database answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// `ok`, or `unavailable` when the database does not answer.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// Histo's version.
    pub version: String,
}
