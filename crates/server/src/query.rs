//! Reading the query string of the read routes into domain types. Unknown parameters are refused,
//! `site` may be repeated, and every refusal is a 422 naming the parameter.

use std::future::{ready, Ready};

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use histo_domain::{Feature, Outcome, Period, SiteCode};
use histo_store::EntrySelection;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The parameters of a route that takes none: any parameter is refused.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// A route's parameters `T`, and the sites named by the repeatable `site` parameter.
pub struct ReadQuery<T> {
    pub params: T,
    pub sites: Vec<SiteCode>,
}

impl<T: DeserializeOwned> FromRequest for ReadQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(ReadQuery::parse(req.query_string()))
    }
}

impl<T: DeserializeOwned> ReadQuery<T> {
    /// serde_urlencoded cannot gather a repeated key into a list: `site` is taken out first.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let mut sites = Vec::new();
        let mut others = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name == "site" {
                let site = SiteCode::parse(&value)
                    .map_err(|e| ApiError::invalid_field("site", e.to_string()))?;
                sites.push(site);
            } else {
                others.append_pair(&name, &value);
            }
        }
        let params = serde_urlencoded::from_str(&others.finish())
            .map_err(|e| refused_query(&e.to_string()))?;
        Ok(ReadQuery { params, sites })
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
                "unknown feature '{text}' (expected one of: {})",
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
                "'{feature}' has no outcome '{text}' (expected one of: {})",
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

/// The entries behind one bar of a chart: the same selection for the list and for the export.
pub fn drilldown(
    feature: &Option<String>,
    period: &Option<String>,
    outcome: &Option<String>,
    sites: Vec<SiteCode>,
) -> Result<EntrySelection, ApiError> {
    let feature = self::feature(feature)?;
    Ok(EntrySelection {
        feature,
        period: self::period(period)?,
        outcome: self::outcome(feature, outcome)?,
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
        assert_eq!(query.params.feature.as_deref(), Some("email"));
        assert_eq!(query.sites.len(), 2);
        let refused = |q| field(ReadQuery::<StatsQuery>::parse(q).err().unwrap());
        assert_eq!(refused("feature=email&colour=red"), "colour");
        assert_eq!(refused("feature=email&feature=sms"), "feature");
        assert_eq!(refused("site=a%20b"), "site");
    }
}
