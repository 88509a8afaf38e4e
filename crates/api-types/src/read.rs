//! The shapes of the read side: statistics, the overview, log entries and their export, the taxonomy
//! and the sites. Query parameters arrive as text so that the server names the bad one itself.

use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use crate::EventDetail;

/// The query of `GET /api/v1/stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// The feature counted (see `GET /api/v1/features`).
    #[cfg_attr(feature = "openapi", param(required = true, example = "email"))]
    pub feature: Option<String>,
    /// `month` for the twelve months of `year`, `year` for the years `from` to `to`.
    #[cfg_attr(
        feature = "openapi",
        param(required = true, example = "month", pattern = "^(month|year)$")
    )]
    pub granularity: Option<String>,
    /// With `granularity=month`: the year whose months are counted.
    #[cfg_attr(feature = "openapi", param(value_type = Option<i32>, minimum = 1, maximum = 9999, example = 2026))]
    pub year: Option<String>,
    /// With `granularity=year`: the first year counted.
    #[cfg_attr(feature = "openapi", param(value_type = Option<i32>, minimum = 1, maximum = 9999, example = 2022))]
    pub from: Option<String>,
    /// With `granularity=year`: the last year counted, at most 49 years after `from`.
    #[cfg_attr(feature = "openapi", param(value_type = Option<i32>, minimum = 1, maximum = 9999, example = 2026))]
    pub to: Option<String>,
    /// `previous`: each bucket also carries the same month a year earlier, or the year before.
    #[cfg_attr(
        feature = "openapi",
        param(example = "previous", pattern = "^previous$")
    )]
    pub compare: Option<String>,
}

/// The site filter of the read routes, a parameter that may be repeated.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SiteFilter {
    /// Only these sites (repeat the parameter for several: `site=LYON&site=PARIS`); all visible sites
    /// when absent. Hidden sites are always left out.
    #[cfg_attr(feature = "openapi", param(explode, style = Form, example = json!(["LYON"])))]
    #[serde(default)]
    pub site: Vec<String>,
}

/// The uses of one feature counted per month or per year, per outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "feature": "email", "granularity": "month", "timezone": "Europe/Paris", "hidden_sites": 1,
    "buckets": [{"period": "2026-01", "counts": {"success": 3, "error": 1, "stopped": 0},
                 "causes": {"configuration": 1}},
                {"period": "2026-02", "counts": {"success": 0, "error": 0, "stopped": 0},
                 "causes": {"configuration": 0}}]})))]
pub struct Statistics {
    /// The feature counted.
    pub feature: String,
    /// `month` or `year`.
    pub granularity: String,
    /// The company's time zone (IANA name), in which months and years are counted.
    pub timezone: String,
    /// How many of the company's sites are hidden, and so left out of these counts.
    pub hidden_sites: u64,
    /// Every month of the year, or every year of the range, in order; empty ones are zero.
    pub buckets: Vec<Bucket>,
}

/// The uses of one period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Bucket {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// Uses per outcome: every outcome of the feature, in the feature's order.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, u64>))]
    pub counts: OutcomeCounts,
    /// The errors per cause: every cause of the feature, in its order (`{}` for a feature without
    /// errors).
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, u64>))]
    pub causes: OutcomeCounts,
    /// With `compare=previous`: the same month a year earlier, or the year before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousBucket>,
}

/// The uses of the period a year before a bucket's, to compare with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PreviousBucket {
    /// `YYYY-MM` or `YYYY`, a year before the bucket's.
    pub period: String,
    /// Uses per outcome, as in the bucket.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, u64>))]
    pub counts: OutcomeCounts,
}

/// Uses per code (of outcomes, or of causes), kept in the feature's order (a JSON object on the
/// wire).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeCounts(pub Vec<(String, u64)>);

impl OutcomeCounts {
    /// The count of one outcome; 0 when absent.
    pub fn get(&self, outcome: &str) -> u64 {
        self.0
            .iter()
            .find(|(code, _)| code == outcome)
            .map_or(0, |(_, n)| *n)
    }

    /// The uses of every outcome together.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

impl Serialize for OutcomeCounts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(code, n)| (code, n)))
    }
}

impl<'de> Deserialize<'de> for OutcomeCounts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OutcomeCounts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of counts per outcome")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OutcomeCounts, A::Error> {
                let mut counts = Vec::new();
                while let Some(entry) = map.next_entry::<String, u64>()? {
                    counts.push(entry);
                }
                Ok(OutcomeCounts(counts))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The query of `GET /api/v1/stats/overview`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct OverviewQuery {
    /// A month `YYYY-MM` or a year `YYYY`, in the company's time zone.
    #[cfg_attr(feature = "openapi", param(required = true, example = "2026-03"))]
    pub period: Option<String>,
}

/// The uses of every feature in one month or year, for a dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "period": "2026-03", "timezone": "Europe/Paris", "hidden_sites": 0,
    "features": [{"feature": "email", "total": 4, "counts": {"success": 3, "error": 1, "stopped": 0}},
                 {"feature": "dea_update", "total": 0, "counts": {"success": 0}}]})))]
pub struct Overview {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// The company's time zone (IANA name), in which the period is counted.
    pub timezone: String,
    /// How many of the company's sites are hidden, and so left out of these counts.
    pub hidden_sites: u64,
    /// All eight features, in the order of `GET /api/v1/features`.
    pub features: Vec<FeatureTotals>,
}

/// The uses of one feature in the period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FeatureTotals {
    /// The feature's code.
    pub feature: String,
    /// All its uses in the period.
    pub total: u64,
    /// Uses per outcome: every outcome of the feature, in the feature's order.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, u64>))]
    pub counts: OutcomeCounts,
}

/// The entries asked for, by `GET /api/v1/logs` and `GET /api/v1/logs/export`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct LogsQuery {
    /// The feature whose entries are listed.
    #[cfg_attr(feature = "openapi", param(required = true, example = "email"))]
    pub feature: Option<String>,
    /// A month `YYYY-MM` or a year `YYYY`, in the company's time zone: the bar of the chart.
    #[cfg_attr(feature = "openapi", param(required = true, example = "2026-03"))]
    pub period: Option<String>,
    /// Only the entries with this outcome (one of the feature's).
    #[cfg_attr(feature = "openapi", param(example = "error"))]
    pub outcome: Option<String>,
    /// Only the errors of this cause (one of the feature's).
    #[cfg_attr(feature = "openapi", param(example = "configuration"))]
    pub cause: Option<String>,
    /// Only the entries of this user.
    #[cfg_attr(feature = "openapi", param(example = "JDUPONT"))]
    pub user_code: Option<String>,
}

/// A page of a list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Entries per page, 1–500; 50 when absent.
    #[cfg_attr(feature = "openapi", param(value_type = Option<u32>, minimum = 1, maximum = 500, example = 50))]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page, to read the next one.
    #[cfg_attr(
        feature = "openapi",
        param(example = "AAMXbAAGTlpYji4AAZPFoHoue0GcHS8OakuMAQ")
    )]
    pub cursor: Option<String>,
}

/// A page of log entries, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "items": [{"id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01", "occurred_at": "2026-04-01T01:30:00+02:00",
               "site": "LYON", "user_code": "JDUPONT", "feature": "vies", "outcome": "error",
               "cause": "invalid_number", "code": "VIES_FORMAT", "detail": null}],
    "next_cursor": null, "purged": false})))]
pub struct LogPage {
    /// The entries of this page, newest first by time (then by id).
    pub items: Vec<LogEntry>,
    /// Pass it as `cursor` to read the next page; `null` on the last page. Pages stay stable while new
    /// events arrive: no entry is seen twice or skipped.
    pub next_cursor: Option<String>,
    /// `true` when the whole period lies before `retained_from`: its entries have been removed by
    /// the retention policy (its counts stay in the statistics).
    pub purged: bool,
    /// The oldest month (`YYYY-MM`) whose entries are kept: a period partly before it has lost its
    /// older entries.
    pub retained_from: String,
}

/// One use of a feature, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LogEntry {
    /// The event's id.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    /// When the feature was used, RFC 3339 with the company's local offset.
    #[cfg_attr(feature = "openapi", schema(format = "date-time"))]
    pub occurred_at: String,
    /// The site's code.
    pub site: String,
    /// The user's code.
    pub user_code: String,
    /// The feature's code.
    pub feature: String,
    /// The outcome's code.
    pub outcome: String,
    /// Why an `error` happened; `null` for other outcomes.
    pub cause: Option<String>,
    /// The support code sent with the event, if any.
    pub code: Option<String>,
    /// For `dea_update`, what changed; `null` for other features.
    pub detail: Option<EventDetail>,
}

/// How an export is written as CSV.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CsvQuery {
    /// The column separator: `comma` (the default) or `semicolon` (French spreadsheets).
    #[cfg_attr(
        feature = "openapi",
        param(example = "semicolon", pattern = "^(comma|semicolon)$")
    )]
    pub sep: Option<String>,
    /// `true` to start the file with a UTF-8 byte order mark (French spreadsheets); `false` by default.
    #[cfg_attr(feature = "openapi", param(value_type = Option<bool>, example = true))]
    pub bom: Option<String>,
    /// `fr`: for people reading French (French header, outcome and cause labels, dates as
    /// `dd/mm/yyyy hh:mm:ss` in the company's time); `en`: for machines and English readers (English
    /// header, codes, RFC 3339). Absent: a French header over codes and RFC 3339.
    #[cfg_attr(feature = "openapi", param(example = "fr", pattern = "^(fr|en)$"))]
    pub lang: Option<String>,
}

/// The query of `GET /api/v1/stats/sites`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SiteStatsQuery {
    /// The feature counted.
    #[cfg_attr(feature = "openapi", param(required = true, example = "sms"))]
    pub feature: Option<String>,
    /// A month `YYYY-MM` or a year `YYYY`, in the company's time zone.
    #[cfg_attr(feature = "openapi", param(required = true, example = "2026-03"))]
    pub period: Option<String>,
}

/// The uses of one feature in one period, site by site.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "feature": "sms", "period": "2026-03", "timezone": "Europe/Paris", "hidden_sites": 1,
    "sites": [{"site": "LYON", "name": "Lyon Part-Dieu", "total": 120,
               "counts": {"success": 100, "error": 15, "stopped": 5}, "causes": {"configuration": 15}},
              {"site": "PARIS", "name": "PARIS", "total": 80,
               "counts": {"success": 80, "error": 0, "stopped": 0}, "causes": {"configuration": 0}}]})))]
pub struct SiteStatistics {
    /// The feature counted.
    pub feature: String,
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// The company's time zone (IANA name), in which the period is counted.
    pub timezone: String,
    /// How many of the company's sites are hidden, and so left out.
    pub hidden_sites: u64,
    /// Every visible site with at least one use in the period, the largest total first (then by
    /// code).
    pub sites: Vec<SiteStats>,
}

/// The uses of one feature at one site.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SiteStats {
    /// The site's code.
    pub site: String,
    /// Its display name.
    pub name: String,
    /// All its uses in the period.
    pub total: u64,
    /// Uses per outcome: every outcome of the feature, in the feature's order.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, u64>))]
    pub counts: OutcomeCounts,
    /// The errors per cause: every cause of the feature.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::HashMap<String, u64>))]
    pub causes: OutcomeCounts,
}

/// A text in French and English.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Label {
    /// In French.
    pub fr: String,
    /// In English.
    pub en: String,
}

/// A code with its labels.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Labelled {
    /// The code used in the API.
    pub code: String,
    /// What to show for it.
    pub label: Label,
}

/// A feature of the host application, with what its uses can end with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "code": "email", "label": {"fr": "Envoi d'e-mails", "en": "Sending e-mails"},
    "outcomes": [{"code": "success", "label": {"fr": "Envoyés", "en": "Sent"}}],
    "causes": [{"code": "configuration", "label": {"fr": "Problème de configuration", "en": "Configuration problem"}}],
    "detail": null})))]
pub struct FeatureInfo {
    /// The feature's code.
    pub code: String,
    /// The feature's name.
    pub label: Label,
    /// Its outcomes in the order charts stack them, labelled for this feature.
    pub outcomes: Vec<Labelled>,
    /// The causes an `error` of this feature can have; empty when it has no `error`.
    pub causes: Vec<Labelled>,
    /// The detail its events carry (`dea_update` only); `null` for the others.
    pub detail: Option<DetailInfo>,
}

/// The detail field of a feature's events and its values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DetailInfo {
    /// The field inside `detail` (`changed`).
    pub field: String,
    /// Its possible values.
    pub values: Vec<Labelled>,
}

/// A site (branch) of the company.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"code": "LYON", "name": "LYON", "hidden": false})))]
pub struct Site {
    /// The site's code, as events name it.
    pub code: String,
    /// Its display name (its code until renamed).
    pub name: String,
    /// Whether it is left out of every statistic, list and export.
    pub hidden: bool,
}
