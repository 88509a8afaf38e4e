//! The shapes of alerts: a company's rules, each time one started or stopped holding, the webhooks
//! that tell the host application, and the monthly digest.

use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// When a rule holds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertCondition {
    /// At least `errors` errors (1–1,000,000) within the last `minutes` minutes (1–1,440).
    Errors { errors: u32, minutes: u32 },
    /// Among the last `uses` uses (5–1,000), more than `percent` % (0–99) were errors.
    ErrorShare { percent: u32, uses: u32 },
}

/// A new rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"feature": "email", "site": "LYON",
    "condition": {"type": "errors", "errors": 5, "minutes": 10},
    "webhook_url": "https://erp.example.com/histo/alerts"})))]
#[serde(deny_unknown_fields)]
pub struct AlertRuleInput {
    /// The feature watched.
    pub feature: String,
    /// One site's uses only; every site's when absent.
    #[serde(default)]
    pub site: Option<String>,
    pub condition: AlertCondition,
    /// Where the webhooks go: an `http` or `https` address the server allows (`HISTO_WEBHOOK_ALLOW`).
    pub webhook_url: String,
}

/// A rule of the company.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertRule {
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    pub feature: String,
    /// The site watched; null for every site.
    pub site: Option<String>,
    pub condition: AlertCondition,
    pub webhook_url: String,
    /// Whether the condition held when last looked at.
    pub firing: bool,
    /// When it was made (RFC 3339, company time).
    pub created_at: String,
}

/// A rule just made, with the key of its webhooks' signature: shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewAlertRule {
    #[serde(flatten)]
    pub rule: AlertRule,
    /// Each webhook carries `X-Histo-Signature: sha256=<hex HMAC-SHA256 of the body with this key>`.
    pub secret: String,
}

/// The company's rules.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertRules {
    /// Oldest first.
    pub rules: Vec<AlertRule>,
    /// How many rules a company may have.
    pub limit: usize,
}

/// The uses a rule looked at.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertWindow {
    /// Uses in the window (its last minutes, or its last uses).
    pub uses: u64,
    /// Errors among them.
    pub errors: u64,
}

/// Where a webhook is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookState {
    /// `pending` (being sent, or tried again later), `delivered` or `failed` (given up).
    pub state: String,
    /// What went wrong the last time, if anything.
    pub last_error: Option<String>,
}

/// A rule started (`firing`) or stopped (`recovered`) holding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertEvent {
    /// When (RFC 3339, company time).
    pub at: String,
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub rule_id: String,
    pub feature: String,
    pub site: Option<String>,
    pub condition: AlertCondition,
    /// `firing` or `recovered`.
    pub state: String,
    /// The counts that made the rule change.
    pub window: AlertWindow,
    /// Its webhook; null once forgotten (a month after it finished).
    pub webhook: Option<WebhookState>,
}

/// A page of alert events, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertEventPage {
    pub items: Vec<AlertEvent>,
    /// Pass it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Which page of alert events.
#[derive(Debug, Clone, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AlertEventQuery {
    /// Events per page, 1–500; 50 when absent.
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Where the monthly digest goes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"webhook_url": "https://erp.example.com/histo/digest"})))]
#[serde(deny_unknown_fields)]
pub struct DigestInput {
    /// An `http` or `https` address the server allows (`HISTO_WEBHOOK_ALLOW`).
    pub webhook_url: String,
}

/// The company's monthly digest: on the first day of each month, last month's figures per feature,
/// the change against the same month a year earlier, and the sites with the most errors.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DigestSettings {
    /// Where the digest goes; null when the company has none.
    pub webhook_url: Option<String>,
    /// The last month (`YYYY-MM`) sent, or that was over when the digest was set; null without a
    /// digest.
    pub last_month: Option<String>,
    /// The key of the signature (as for rules); only in the answer that sets the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// The body of an alert's webhook (`X-Histo-Event: alert.firing` or `alert.recovered`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertWebhook {
    /// The webhook's id, also in `X-Histo-Delivery`: the same on every retry.
    pub id: String,
    /// `alert.firing` or `alert.recovered`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the rule changed (RFC 3339, company time).
    pub at: String,
    pub company: String,
    pub rule: AlertRuleRef,
    /// The counts that made the rule change.
    pub window: AlertWindow,
    /// The matching entries in the web app (errors of the feature, and of the site, this month);
    /// null when the server does not know its public address (`HISTO_PUBLIC_URL`).
    pub link: Option<String>,
}

/// The rule a webhook tells about.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AlertRuleRef {
    pub id: String,
    pub feature: String,
    pub site: Option<String>,
    pub condition: AlertCondition,
}

/// The body of the monthly digest's webhook (`X-Histo-Event: digest`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DigestWebhook {
    pub id: String,
    /// `digest`.
    #[serde(rename = "type")]
    pub kind: String,
    pub company: String,
    /// The month told (`YYYY-MM`, company time).
    pub month: String,
    pub timezone: String,
    /// Sites left out of these figures (hidden).
    pub hidden_sites: u64,
    /// Every feature, in the taxonomy's order.
    pub features: Vec<DigestFeature>,
    /// The sites with the most errors in the month (at most five, none without errors).
    pub top_sites_by_errors: Vec<DigestSite>,
    /// The month's statistics in the web app; null without `HISTO_PUBLIC_URL`.
    pub link: Option<String>,
}

/// One feature in a digest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DigestFeature {
    pub feature: String,
    pub uses: u64,
    pub errors: u64,
    /// The uses of the same month a year earlier.
    pub uses_year_before: u64,
    pub errors_year_before: u64,
    /// The change of uses against a year earlier, in % (one decimal); null when there were none.
    pub change_percent: Option<f64>,
}

/// A site in a digest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DigestSite {
    pub site: String,
    pub name: String,
    pub errors: u64,
}
