//! `GET /api/v1/stats` and `GET /api/v1/stats/overview`: how often features were used, per outcome,
//! month by month or year by year in the company's time zone, read from the monthly counts.

use actix_web::{get, web, HttpResponse};
use histo_api_types::{
    ApiError as ErrorBody, Bucket, FeatureTotals, OutcomeCounts, Overview, OverviewQuery,
    SiteFilter, Statistics, StatsQuery,
};
use histo_domain::{Feature, Month, Period};
use histo_store::{Usage, UsageQuery};

use crate::auth::{Authorized, LogsRead};
use crate::error::ApiError;
use crate::query::{self, ReadQuery};
use crate::AppState;

/// The longest range of years one statistic covers.
pub const MAX_YEARS: i32 = 50;

/// The bars of a chart: the months of one year, or a range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Months { year: i32 },
    Years { from: i32, to: i32 },
}

impl Span {
    fn parse(params: &StatsQuery) -> Result<Span, ApiError> {
        let only_with = |name: &str, value: &Option<String>, granularity: &str| match value {
            Some(_) => Err(ApiError::invalid_field(
                name,
                format!("is only taken with granularity={granularity}"),
            )),
            None => Ok(()),
        };
        match query::required("granularity", &params.granularity)? {
            "month" => {
                only_with("from", &params.from, "year")?;
                only_with("to", &params.to, "year")?;
                Ok(Span::Months {
                    year: query::year("year", &params.year)?,
                })
            }
            "year" => {
                only_with("year", &params.year, "month")?;
                let from = query::year("from", &params.from)?;
                let to = query::year("to", &params.to)?;
                if to < from {
                    return Err(ApiError::invalid_field("to", "must not be before 'from'"));
                }
                if to - from >= MAX_YEARS {
                    return Err(ApiError::invalid_field(
                        "to",
                        format!("a statistic covers at most {MAX_YEARS} years"),
                    ));
                }
                Ok(Span::Years { from, to })
            }
            other => Err(ApiError::invalid_field(
                "granularity",
                format!("must be 'month' or 'year', not '{other}'"),
            )),
        }
    }

    fn granularity(self) -> &'static str {
        match self {
            Span::Months { .. } => "month",
            Span::Years { .. } => "year",
        }
    }

    /// Every bar, in order.
    fn periods(self) -> Vec<Period> {
        match self {
            Span::Months { year } => (1..=12)
                .filter_map(|month| Month::new(year, month).ok())
                .map(Period::Month)
                .collect(),
            Span::Years { from, to } => (from..=to).map(Period::Year).collect(),
        }
    }
}

/// Uses of one feature per outcome
///
/// For one feature, the uses per outcome in each month of a year (`granularity=month&year=2026`) or in
/// each year of a range of at most 50 years (`granularity=year&from=2022&to=2026`), counted in the
/// company's time zone. Every bar is present, zero-filled, with every outcome of the feature. Hidden
/// sites are left out; `hidden_sites` says how many there are.
#[utoipa::path(
    tag = "statistics",
    params(StatsQuery, SiteFilter),
    responses(
        (status = 200, description = "The counts, one bucket per month or year", body = Statistics),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/stats")]
pub async fn statistics(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    query: ReadQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let feature = query::feature(&query.params.feature)?;
    let span = Span::parse(&query.params)?;
    let periods = span.periods();
    let (first, last) = match (periods.first(), periods.last()) {
        (Some(first), Some(last)) => (first.months().0, last.months().1),
        _ => return Err(ApiError::invalid_field("granularity", "no period to count")),
    };
    let report = state
        .store
        .usage(
            auth.caller.company,
            UsageQuery {
                feature: Some(feature),
                first,
                last,
                sites: query.sites,
            },
        )
        .await?;
    let buckets = periods
        .into_iter()
        .map(|period| Bucket {
            period: period.to_string(),
            counts: counts(feature, period, &report.usage),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Statistics {
        feature: feature.code().into(),
        granularity: span.granularity().into(),
        timezone: report.company.timezone.name().into(),
        hidden_sites: report.company.hidden_sites as u64,
        buckets,
    }))
}

/// Uses of every feature in one period
///
/// For a dashboard: the uses per outcome of all eight features in one month (`period=2026-03`) or one
/// year (`period=2026`), counted in the company's time zone, hidden sites left out.
#[utoipa::path(
    tag = "statistics",
    params(OverviewQuery, SiteFilter),
    responses(
        (status = 200, description = "The totals of every feature", body = Overview),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/stats/overview")]
pub async fn overview(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    query: ReadQuery<OverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = query::period(&query.params.period)?;
    let (first, last) = period.months();
    let report = state
        .store
        .usage(
            auth.caller.company,
            UsageQuery {
                feature: None,
                first,
                last,
                sites: query.sites,
            },
        )
        .await?;
    let features = Feature::ALL
        .iter()
        .map(|feature| {
            let counts = counts(*feature, period, &report.usage);
            FeatureTotals {
                feature: feature.code().into(),
                total: counts.total(),
                counts,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(Overview {
        period: period.to_string(),
        timezone: report.company.timezone.name().into(),
        hidden_sites: report.company.hidden_sites as u64,
        features,
    }))
}

/// The uses of `feature` in `period` per outcome: every outcome of the feature, in its order.
fn counts(feature: Feature, period: Period, usage: &[Usage]) -> OutcomeCounts {
    let (first, last) = period.months();
    OutcomeCounts(
        feature
            .outcomes()
            .iter()
            .map(|outcome| {
                let count = usage
                    .iter()
                    .filter(|u| u.feature == feature && u.outcome == *outcome)
                    .filter(|u| (first..=last).contains(&u.month))
                    .map(|u| u.count)
                    .sum();
                (outcome.code().to_owned(), count)
            })
            .collect(),
    )
}
