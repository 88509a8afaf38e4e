//! The shapes of administration and access: signing in, the company's settings and retention, hiding
//! sites, and the audit trail.

use serde::{Deserialize, Serialize};
use serde_json::Value;
#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// The sign-in of an account made with `histo user add`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"company": "demo", "user_code": "DEMO", "password": "…"})))]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The company's id.
    pub company: String,
    /// The account's user code.
    pub user_code: String,
    /// The account's password.
    pub password: String,
}

/// A short-lived bearer token carrying the account's scopes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// The company's settings, readable by everyone allowed to read its logs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"retention_months": 24, "timezone": "Europe/Paris",
    "last_purge": {"at": "2026-11-28T03:00:00+01:00", "removed": 1520}, "retained_from": "2024-11"})))]
pub struct Settings {
    /// Months of log entries kept (1–120): an entry goes once its month lies more than this many
    /// months before the current month. The monthly counts stay.
    pub retention_months: u32,
    /// The company's time zone (IANA name), in which months and years are counted.
    pub timezone: String,
    /// The last purge of old entries; null before the first.
    pub last_purge: Option<LastPurge>,
    /// The oldest month (`YYYY-MM`) whose entries are kept: the retention period's, or a later one
    /// when a purge under a shorter period already removed more (lengthening it brings nothing
    /// back). Events of earlier months are answered `expired`.
    pub retained_from: String,
}

/// A purge of the entries older than the retention period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LastPurge {
    /// When it ran (RFC 3339, company time).
    pub at: String,
    /// Entries it removed.
    pub removed: u64,
}

/// A new retention period, with the company's admin password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"months": 12, "admin_password": "…"})))]
#[serde(deny_unknown_fields)]
pub struct RetentionInput {
    /// Months of log entries to keep, 1–120.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 120))]
    pub months: i64,
    /// The company's admin password (set with `histo admin-password`).
    pub admin_password: String,
}

/// The query of `GET /api/v1/settings/retention/preview`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct RetentionPreviewQuery {
    /// The retention period considered, 1–120 months.
    #[cfg_attr(feature = "openapi", param(required = true, value_type = Option<u32>, minimum = 1, maximum = 120, example = 12))]
    pub months: Option<String>,
}

/// What a retention period would do, before anyone types the admin password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"months": 12, "retained_from": "2025-11", "entries": 13140})))]
pub struct RetentionPreview {
    /// The period considered.
    pub months: u32,
    /// The oldest month (`YYYY-MM`) whose entries would be kept.
    pub retained_from: String,
    /// About how many entries would be removed for good (from the monthly counts: exact unless a
    /// purge is running); 0 when the period keeps everything there is.
    pub entries: u64,
}

/// A new admin password for the company.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"current_password": "…", "new_password": "…"})))]
#[serde(deny_unknown_fields)]
pub struct AdminPasswordInput {
    /// The admin password now in force; may be absent only while none is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_password: Option<String>,
    /// The new admin password, 8 to 1,024 characters.
    pub new_password: String,
}

/// The right to erasure: every entry of a user code loses it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"user_code": "JDUPONT", "admin_password": "…"})))]
#[serde(deny_unknown_fields)]
pub struct ErasureInput {
    /// The user code to erase (in the body, so that it stays out of addresses and logs).
    pub user_code: String,
    /// The company's admin password.
    pub admin_password: String,
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"entries": 1520})))]
pub struct Erasure {
    /// Entries whose user code became `ERASED` (the counts are untouched).
    pub entries: u64,
}

/// A site hidden or shown, and optionally renamed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"hidden": true, "name": "Lyon Part-Dieu"})))]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    /// Whether the site is left out of every statistic, list and export, for every user.
    pub hidden: bool,
    /// A new display name (1–100 characters); the name stays when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The query of `GET /api/v1/sites`: a page of the company's sites, ordered by code.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SitesQuery {
    /// Sites per page, 1–10,000; 1,000 when absent.
    #[cfg_attr(feature = "openapi", param(value_type = Option<u32>, minimum = 1, maximum = 10000, example = 1000))]
    pub limit: Option<String>,
    /// The code of the last site of the previous page (the `Link` header of an answer gives the next
    /// page's address).
    #[cfg_attr(feature = "openapi", param(example = "LYON"))]
    pub after: Option<String>,
}

/// The query of `GET /api/v1/audit`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries per page, 1–500; 50 when absent.
    #[cfg_attr(feature = "openapi", param(value_type = Option<u32>, example = 50))]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One change in the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"at": "2026-11-28T10:15:00.123456+01:00",
    "actor": "JDUPONT", "action": "retention_changed",
    "before": {"retention_months": 24}, "after": {"retention_months": 12}})))]
pub struct AuditEntry {
    /// When (RFC 3339, company time).
    pub at: String,
    /// Who: the user code of the token, `system` for the scheduled purge, `cli` for an operator's
    /// command.
    pub actor: String,
    /// `retention_changed`, `purge`, `site_hidden`, `site_shown`, `site_renamed`,
    /// `admin_password_changed`, `admin_password_refused` (a wrong admin password),
    /// `admin_password_locked` (too many: refused for a while), `user_erased` (the number of
    /// entries, never the user code), `alert_rule_added`, `alert_rule_removed` or `digest_changed`.
    pub action: String,
    /// What it was before (a JSON object), or null.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    /// What it is after (a JSON object), or null.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
}

/// What an audit entry records (its `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    RetentionChanged,
    Purge,
    SiteHidden,
    SiteShown,
    SiteRenamed,
    AdminPasswordChanged,
    /// A wrong admin password was typed.
    AdminPasswordRefused,
    /// Too many wrong admin passwords: the company's admin password is refused for a while.
    AdminPasswordLocked,
    /// A user code was erased from the entries (the right to erasure).
    UserErased,
    AlertRuleAdded,
    AlertRuleRemoved,
    /// The monthly digest's address was set, changed or removed.
    DigestChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 12] = [
        AuditAction::RetentionChanged,
        AuditAction::Purge,
        AuditAction::SiteHidden,
        AuditAction::SiteShown,
        AuditAction::SiteRenamed,
        AuditAction::AdminPasswordChanged,
        AuditAction::AdminPasswordRefused,
        AuditAction::AdminPasswordLocked,
        AuditAction::UserErased,
        AuditAction::AlertRuleAdded,
        AuditAction::AlertRuleRemoved,
        AuditAction::DigestChanged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditAction::RetentionChanged => "retention_changed",
            AuditAction::Purge => "purge",
            AuditAction::SiteHidden => "site_hidden",
            AuditAction::SiteShown => "site_shown",
            AuditAction::SiteRenamed => "site_renamed",
            AuditAction::AdminPasswordChanged => "admin_password_changed",
            AuditAction::AdminPasswordRefused => "admin_password_refused",
            AuditAction::AdminPasswordLocked => "admin_password_locked",
            AuditAction::UserErased => "user_erased",
            AuditAction::AlertRuleAdded => "alert_rule_added",
            AuditAction::AlertRuleRemoved => "alert_rule_removed",
            AuditAction::DigestChanged => "digest_changed",
        }
    }

    pub fn parse(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// The `actor` of the entries of the scheduled purge.
pub const PURGE_ACTOR: &str = "system";
/// The `actor` of the entries of an operator's `histo` command.
pub const CLI_ACTOR: &str = "cli";

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditPage {
    /// The entries, newest first.
    pub items: Vec<AuditEntry>,
    /// Pass it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// What recomputing the company's audit chain found: each entry carries the hash of the one before
/// it, so that an entry changed, removed or slipped into the database by hand shows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"intact": true, "entries": 42,
    "verified_up_to": "2026-11-28T10:15:00.123456+01:00", "first_break": null,
    "message": "42 entries, verified up to 2026-11-28T10:15:00.123456+01:00"})))]
pub struct AuditVerification {
    /// Whether every entry is as Histo wrote it.
    pub intact: bool,
    /// Entries in the chain.
    pub entries: i64,
    /// The time of the last entry found intact with all those before it (RFC 3339, company time);
    /// null when none is.
    pub verified_up_to: Option<String>,
    /// The first entry found wrong, or null.
    pub first_break: Option<AuditBreak>,
    /// What was found, in a sentence.
    pub message: String,
}

/// The first entry of the audit trail that is not as Histo wrote it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditBreak {
    /// Its place in the chain (1 for the first entry); null for an entry added outside the chain.
    pub entry: Option<i64>,
    /// `changed`, `removed` or `added`.
    pub problem: String,
    /// When the entry found there says it was made (RFC 3339, company time), if one is there.
    pub at: Option<String>,
    /// The action the entry found there names, if one is there.
    pub action: Option<String>,
}
