//! `GET /api/v1/stats`, its CSV twin, `GET /api/v1/stats/sites` and `GET /api/v1/stats/overview`: how
//! often features were used, per outcome and cause, month by month or year by year in the company's
//! time zone, against the year before if asked, site by site, or all features at once — all read
//! from the monthly counts, never from the entries.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use histo_api_types::limits::STATS_MAX_YEARS;
use histo_api_types::{
    Bucket, CsvQuery, ErrorBody, FeatureTotals, OutcomeCounts, Overview, OverviewQuery,
    PreviousBucket, SiteFilter, SiteStatistics, SiteStats, SiteStatsQuery, Statistics, StatsQuery,
};
use histo_domain::{Cause, Feature, Month, Outcome, Period, SiteCode};
use histo_store::{Usage, UsageQuery};

use crate::auth::{Authorized, Caller, LogsRead};
use crate::error::ApiError;
use crate::export::CsvFormat;
use crate::query::{self, ReadQuery};
use crate::AppState;

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
                if to - from >= STATS_MAX_YEARS {
                    return Err(ApiError::invalid_field(
                        "to",
                        format!("a statistic covers at most {STATS_MAX_YEARS} years"),
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

    /// The period a year before.
    fn year_before(period: Period) -> Period {
        match period {
            Period::Month(month) => Period::Month(month.plus(-12)),
            Period::Year(year) => Period::Year(year - 1),
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
/// company's time zone, with the errors split by cause. Every bar is present, zero-filled, with every
/// outcome and cause of the feature. With `compare=previous`, each bar also carries the same month a
/// year earlier (or the year before). Hidden sites are left out; `hidden_sites` says how many there
/// are.
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
    let table = counted(&state, auth.caller, &query.params, query.sites).await?;
    Ok(HttpResponse::Ok().json(table))
}

/// Uses of one feature per outcome, as CSV
///
/// The table of `GET /api/v1/stats` (same parameters) as a UTF-8 CSV file: one row per month or
/// year, one column per outcome, then the total (and, with `compare=previous`, the total a year
/// earlier and the change in %). For French spreadsheets: `sep=semicolon&bom=true&lang=fr`.
#[utoipa::path(
    tag = "statistics",
    params(StatsQuery, CsvQuery, SiteFilter),
    responses(
        (status = 200, description = "The table as CSV", content_type = "text/csv", body = String,
         example = json!("période;Envoyés;En erreur;Arrêtés par l'utilisateur;total\n2026-01;3;1;0;4\n")),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/stats/export")]
pub async fn export(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    query: ReadQuery<StatsQuery, CsvQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let format = CsvFormat::parse(&query.shared)?;
    let feature = query::feature(&query.params.feature)?;
    let table = counted(&state, auth.caller, &query.params, query.sites).await?;
    let compared = query.params.compare.is_some();
    let mut french = vec!["période".to_owned()];
    let mut english = vec!["period".to_owned()];
    for outcome in feature.outcomes() {
        french.push(feature.outcome_label(*outcome).fr.to_owned());
        english.push(outcome.code().to_owned());
    }
    french.push("total".into());
    english.push("total".into());
    if compared {
        french.extend(["total un an plus tôt".into(), "évolution".into()]);
        english.extend(["total a year before".into(), "change %".into()]);
    }
    let rows = table.buckets.iter().map(|bucket| {
        let mut row = vec![bucket.period.clone()];
        row.extend(
            feature
                .outcomes()
                .iter()
                .map(|o| bucket.counts.get(o.code()).to_string()),
        );
        let total = bucket.counts.total();
        row.push(total.to_string());
        if let Some(previous) = &bucket.previous {
            let before = previous.counts.total();
            row.push(before.to_string());
            row.push(format.change(total, before));
        }
        row
    });
    let mut body = format.header(&french, &english)?.to_vec();
    body.extend_from_slice(&format.rows(rows)?);
    let filename = format!(
        "histo-statistiques-{}-{}.csv",
        table.feature,
        table
            .buckets
            .first()
            .map(|b| b.period.as_str())
            .unwrap_or_default()
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
}

/// The statistics of one feature, as `GET /api/v1/stats` answers them.
async fn counted(
    state: &AppState,
    caller: Caller,
    params: &StatsQuery,
    sites: Vec<SiteCode>,
) -> Result<Statistics, ApiError> {
    let feature = query::feature(&params.feature)?;
    let span = Span::parse(params)?;
    let compare = match params.compare.as_deref() {
        None => false,
        Some("previous") => true,
        Some(_) => return Err(ApiError::invalid_field("compare", "must be 'previous'")),
    };
    let periods = span.periods();
    let (first, last) = match (periods.first(), periods.last()) {
        (Some(first), Some(last)) => (first.months().0, last.months().1),
        _ => return Err(ApiError::invalid_field("granularity", "no period to count")),
    };
    let first = if compare {
        Span::year_before(periods[0]).months().0
    } else {
        first
    };
    let report = state
        .store
        .usage(
            caller.company,
            UsageQuery {
                feature: Some(feature),
                first,
                last,
                sites,
            },
        )
        .await?;
    let buckets = periods
        .into_iter()
        .map(|period| Bucket {
            period: period.to_string(),
            counts: counts(feature, period, &report.usage),
            causes: causes(feature, period, &report.usage),
            previous: compare.then(|| {
                let before = Span::year_before(period);
                PreviousBucket {
                    period: before.to_string(),
                    counts: counts(feature, before, &report.usage),
                }
            }),
        })
        .collect();
    Ok(Statistics {
        feature: feature.code().into(),
        granularity: span.granularity().into(),
        timezone: report.company.timezone.name().into(),
        hidden_sites: report.company.hidden_sites as u64,
        buckets,
    })
}

/// Uses of one feature, site by site
///
/// For one feature and one month (`period=2026-03`) or year (`period=2026`), the uses per outcome
/// and the errors per cause at every visible site that has at least one use, the largest total
/// first (then by code). Hidden sites are left out; `hidden_sites` says how many there are.
#[utoipa::path(
    tag = "statistics",
    params(SiteStatsQuery),
    responses(
        (status = 200, description = "The sites with their counts", body = SiteStatistics),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/stats/sites")]
pub async fn usage_by_site(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    query: web::Query<SiteStatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let feature = query::feature(&query.feature)?;
    let period = query::period(&query.period)?;
    let (first, last) = period.months();
    let report = state
        .store
        .usage_by_site(auth.caller.company, feature, first, last)
        .await?;
    let mut codes: Vec<(&str, &str)> = report
        .usage
        .iter()
        .map(|u| (u.site.as_str(), u.name.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup_by_key(|(code, _)| *code);
    let mut by_site: Vec<SiteStats> = codes
        .into_iter()
        .map(|(code, name)| {
            let of_site = || report.usage.iter().filter(move |u| u.site == code);
            let counts = tally(feature.outcomes(), |outcome| {
                of_site()
                    .filter(|u| u.outcome == outcome)
                    .map(|u| u.count)
                    .sum()
            });
            let causes = tally(feature.causes(), |cause| {
                of_site()
                    .filter(|u| u.cause == Some(cause))
                    .map(|u| u.count)
                    .sum()
            });
            SiteStats {
                site: code.to_owned(),
                name: name.to_owned(),
                total: counts.total(),
                counts,
                causes,
            }
        })
        .collect();
    by_site.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.site.cmp(&b.site)));
    Ok(HttpResponse::Ok().json(SiteStatistics {
        feature: feature.code().into(),
        period: period.to_string(),
        timezone: report.company.timezone.name().into(),
        hidden_sites: report.company.hidden_sites as u64,
        sites: by_site,
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

/// A count for each of `codes`, in their order.
fn tally<C: Copy + std::fmt::Display>(codes: &[C], count: impl Fn(C) -> u64) -> OutcomeCounts {
    OutcomeCounts(
        codes
            .iter()
            .map(|code| (code.to_string(), count(*code)))
            .collect(),
    )
}

/// The uses of `feature` in `period` per outcome: every outcome of the feature, in its order.
fn counts(feature: Feature, period: Period, usage: &[Usage]) -> OutcomeCounts {
    let in_period = in_period(feature, period, usage);
    tally(feature.outcomes(), |outcome: Outcome| {
        in_period()
            .filter(|u| u.outcome == outcome)
            .map(|u| u.count)
            .sum()
    })
}

/// The errors of `feature` in `period` per cause: every cause of the feature, in its order.
fn causes(feature: Feature, period: Period, usage: &[Usage]) -> OutcomeCounts {
    let in_period = in_period(feature, period, usage);
    tally(feature.causes(), |cause: Cause| {
        in_period()
            .filter(|u| u.cause == Some(cause))
            .map(|u| u.count)
            .sum()
    })
}

/// The counts of `feature` within `period`.
fn in_period<'a>(
    feature: Feature,
    period: Period,
    usage: &'a [Usage],
) -> impl Fn() -> Box<dyn Iterator<Item = &'a Usage> + 'a> {
    let (first, last) = period.months();
    move || {
        Box::new(
            usage
                .iter()
                .filter(move |u| u.feature == feature && (first..=last).contains(&u.month)),
        )
    }
}
