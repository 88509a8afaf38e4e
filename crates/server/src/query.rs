//! Reading the query string of the read routes into domain types. Unknown parameters are refused,
//! `site` may be repeated, parameters shared by several routes (the paging of lists, the CSV options
//! of exports) are read apart, and every refusal is a 422 naming the parameter.

use std::future::{ready, Ready};

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use histo_api_types::{CsvQuery, LogsQuery, PageQuery};
use histo_domain::{Cause, Feature, Outcome, Period, SiteCode, UserCode};
use histo_store::EntrySelection;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The parameters of a route that takes none: any parameter is refused.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Parameters that several routes share, read apart from each route's own.
pub trait SharedParams: DeserializeOwned {
    /// Their names in a query string.
    const NAMES: &'static [&'static str];
}

impl SharedParams for NoParams {
    const NAMES: &'static [&'static str] = &[];
}

impl SharedParams for PageQuery {
    const NAMES: &'static [&'static str] = &["limit", "cursor"];
}

impl SharedParams for CsvQuery {
    const NAMES: &'static [&'static str] = &["sep", "bom", "lang"];
}

/// The most `site` parameters one request may repeat.
pub const MAX_SITES: usize = 100;

/// A route's own parameters `T`, the shared ones `U`, and the sites named by the repeatable `site`
/// parameter.
pub struct ReadQuery<T, U = NoParams> {
    pub params: T,
    pub shared: U,
    pub sites: Vec<SiteCode>,
}

impl<T: DeserializeOwned, U: SharedParams> FromRequest for ReadQuery<T, U> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(ReadQuery::parse(req.query_string()))
    }
}

impl<T: DeserializeOwned, U: SharedParams> ReadQuery<T, U> {
    /// serde_urlencoded cannot gather a repeated key into a list: `site` is taken out first, and the
    /// shared parameters next.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let mut sites = Vec::new();
        let mut shared = form_urlencoded::Serializer::new(String::new());
        let mut others = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name == "site" {
                if sites.len() == MAX_SITES {
                    return Err(ApiError::invalid_field(
                        "site",
                        format!("at most {MAX_SITES} sites at once"),
                    ));
                }
                let site = SiteCode::parse(&value)
                    .map_err(|e| ApiError::invalid_field("site", e.to_string()))?;
                sites.push(site);
            } else if U::NAMES.contains(&name.as_ref()) {
                shared.append_pair(&name, &value);
            } else {
                others.append_pair(&name, &value);
            }
        }
        let params = serde_urlencoded::from_str(&others.finish())
            .map_err(|e| refused_query(&e.to_string()))?;
        let shared = serde_urlencoded::from_str(&shared.finish())
            .map_err(|e| refused_query(&e.to_string()))?;
        Ok(ReadQuery {
            params,
            shared,
            sites,
        })
    }
}

/// A query that does not deserialize: serde names the parameter between backticks ("unknown field
/// `x`", "duplicate field `x`"); when it does not, the query as a whole is named.
fn refused_query(message: &str) -> ApiError {
    let field = message
        .split('`')
        .nth(1)
        .filter(|name| !name.is_empty())
        .unwrap_or("query");
    ApiError::invalid_field(field, message)
}

/// Makes actix's own `web::Query` refuse as the read routes do: 422 JSON naming the parameter.
pub fn config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        let message = match &error {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        refused_query(&message).into()
    })
}

/// Makes JSON bodies refused as the rest of the API does: 422 naming the field (or `body`), 400 for
/// what is not JSON at all, 413 over `limit` bytes, 408 for a body that came too slowly.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |error, _| match &error {
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                ApiError::TooLarge { limit }.into()
            }
            JsonPayloadError::Payload(payload) if crate::body::too_slow(payload) => {
                ApiError::BodyTooSlow.into()
            }
            JsonPayloadError::Deserialize(e) if e.is_data() || e.is_eof() => {
                let message = e.to_string();
                let field = message
                    .split('`')
                    .nth(1)
                    .filter(|name| !name.is_empty())
                    .unwrap_or("body");
                ApiError::invalid_field(field, message.clone()).into()
            }
            other => ApiError::BadRequest(format!("the body is not valid JSON: {other}")).into(),
        })
}

/// A parameter that must be given.
pub fn required<'a>(name: &str, value: &'a Option<String>) -> Result<&'a str, ApiError> {
    value
        .as_deref()
        .ok_or_else(|| ApiError::invalid_field(name, "is required"))
}

pub fn feature(value: &Option<String>) -> Result<Feature, ApiError> {
    let text = required("feature", value)?;
    Feature::parse(text).ok_or_else(|| {
        ApiError::invalid_field(
            "feature",
            format!(
                "unknown feature {} (expected one of: {})",
                histo_domain::quoted(text),
                histo_domain::list(Feature::ALL)
            ),
        )
    })
}

pub fn period(value: &Option<String>) -> Result<Period, ApiError> {
    Period::parse(required("period", value)?)
        .map_err(|e| ApiError::invalid_field("period", e.to_string()))
}

/// An optional outcome, which must be one of the feature's.
pub fn outcome(feature: Feature, value: &Option<String>) -> Result<Option<Outcome>, ApiError> {
    let Some(text) = value.as_deref() else {
        return Ok(None);
    };
    match Outcome::parse(text) {
        Some(outcome) if feature.has_outcome(outcome) => Ok(Some(outcome)),
        _ => Err(ApiError::invalid_field(
            "outcome",
            format!(
                "'{feature}' has no outcome {} (expected one of: {})",
                histo_domain::quoted(text),
                histo_domain::list(feature.outcomes())
            ),
        )),
    }
}

/// A calendar year, 1–9999.
pub fn year(name: &str, value: &Option<String>) -> Result<i32, ApiError> {
    required(name, value)?
        .parse::<i32>()
        .ok()
        .filter(|year| (1..=9999).contains(year))
        .ok_or_else(|| ApiError::invalid_field(name, "must be a year between 1 and 9999"))
}

/// An optional cause, which must be one of the feature's.
pub fn cause(feature: Feature, value: &Option<String>) -> Result<Option<Cause>, ApiError> {
    let Some(text) = value.as_deref() else {
        return Ok(None);
    };
    match Cause::parse(text) {
        Some(cause) if feature.causes().contains(&cause) => Ok(Some(cause)),
        _ => Err(ApiError::invalid_field(
            "cause",
            format!(
                "'{feature}' has no cause {} (expected one of: {})",
                histo_domain::quoted(text),
                histo_domain::list(feature.causes())
            ),
        )),
    }
}

/// The entries behind one bar of a chart: the same selection for the list and for the export.
pub fn drilldown(params: &LogsQuery, sites: Vec<SiteCode>) -> Result<EntrySelection, ApiError> {
    let feature = self::feature(&params.feature)?;
    let cause = self::cause(feature, &params.cause)?;
    let outcome = self::outcome(feature, &params.outcome)?;
    if cause.is_some() && outcome.is_some_and(|o| o != Outcome::Error) {
        return Err(ApiError::invalid_field(
            "cause",
            "only an 'error' has a cause: leave out 'outcome' or ask for 'error'",
        ));
    }
    let user = params
        .user_code
        .as_deref()
        .map(UserCode::parse)
        .transpose()
        .map_err(|e| ApiError::invalid_field("user_code", e.to_string()))?;
    Ok(EntrySelection {
        feature,
        period: self::period(&params.period)?,
        outcome: cause.map_or(outcome, |_| Some(Outcome::Error)),
        cause,
        user,
        sites,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use histo_api_types::StatsQuery;

    fn field(error: ApiError) -> String {
        match error {
            ApiError::Invalid { details, .. } => details[0].field.clone(),
            other => panic!("not a 422: {other}"),
        }
    }

    #[test]
    fn sites_repeat_and_the_rest_is_named_when_refused() {
        let query = ReadQuery::<StatsQuery>::parse("feature=email&site=LYON&site=PARIS").unwrap();
        assert!(ReadQuery::<StatsQuery>::parse(&"site=S&".repeat(MAX_SITES)).is_ok());
        let too_many = ReadQuery::<StatsQuery>::parse(&"site=S&".repeat(MAX_SITES + 1));
        assert_eq!(field(too_many.err().unwrap()), "site");
        let paged =
            ReadQuery::<LogsQuery, PageQuery>::parse("feature=sms&limit=5&cursor=x").unwrap();
        assert_eq!(
            (
                paged.params.feature.as_deref(),
                paged.shared.limit.as_deref()
            ),
            (Some("sms"), Some("5"))
        );
        assert_eq!(
            field(
                ReadQuery::<LogsQuery>::parse("feature=sms&limit=5")
                    .err()
                    .unwrap()
            ),
            "limit"
        );
        assert_eq!(query.params.feature.as_deref(), Some("email"));
        assert_eq!(query.sites.len(), 2);
        let refused = |q| field(ReadQuery::<StatsQuery>::parse(q).err().unwrap());
        assert_eq!(refused("feature=email&colour=red"), "colour");
        assert_eq!(refused("feature=email&feature=sms"), "feature");
        assert_eq!(refused("site=a%20b"), "site");
    }
}
