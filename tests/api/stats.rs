//! Statistics through HTTP: every count equals the events posted, every bucket is there, and months
//! and years follow the company's time zone across daylight-saving changes and New Year's Eve.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Datelike, Utc};
use histo_domain::{month_of, Cause, Feature, Month, Outcome, TimeZone};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

use crate::helpers::{event, token, TestApp};

const SITES: [&str; 3] = ["LYON", "PARIS", "NANTES"];

/// An event as the property test draws it.
#[derive(Debug, Clone)]
struct Drawn {
    feature: Feature,
    outcome: Outcome,
    /// For an error.
    cause: Option<Cause>,
    site: &'static str,
    at: DateTime<Utc>,
}

impl Drawn {
    fn json(&self) -> Value {
        let mut event = event(
            self.feature.code(),
            self.outcome.code(),
            self.site,
            &self.at.to_rfc3339(),
        );
        if let Some(cause) = self.cause {
            event["cause"] = cause.code().into();
        }
        event
    }
}

/// The first month the property test draws events in: 22 months ago, well within the 24 months a
/// company keeps by default, whatever today's date.
fn first_month() -> Month {
    month_of(Utc::now(), TimeZone::default()).plus(-22)
}

/// Times from the first month to yesterday, half of them within hours of a month's first midnight
/// (UTC), where Paris time already is in the next month.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let first = first_month();
    let start = chrono::NaiveDate::from_ymd_opt(first.year, first.month, 1)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp());
    let yesterday = Utc::now().timestamp() - 24 * 3600;
    let near_month_end = (1..22i32, -3 * 3600..3 * 3600i64).prop_map(move |(n, offset)| {
        let month = first.plus(n);
        chrono::NaiveDate::from_ymd_opt(month.year, month.month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(start, |t| t.and_utc().timestamp())
            + offset
    });
    prop_oneof![start..yesterday, near_month_end]
        .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).unwrap_or_default())
}

fn drawn() -> impl Strategy<Value = Drawn> {
    (
        0..Feature::ALL.len(),
        0..4usize,
        0..2usize,
        0..SITES.len(),
        instant(),
    )
        .prop_map(|(feature, outcome, cause, site, at)| {
            let feature = Feature::ALL[feature];
            let (outcomes, causes) = (feature.outcomes(), feature.causes());
            let outcome = outcomes[outcome % outcomes.len()];
            Drawn {
                feature,
                outcome,
                cause: (outcome == Outcome::Error).then(|| causes[cause % causes.len()]),
                site: SITES[site],
                at,
            }
        })
}

/// The statistic computed straight from the events: `periods` are `YYYY-MM` or `YYYY`.
fn expected(
    events: &[Drawn],
    feature: Feature,
    granularity: &str,
    periods: &[String],
    sites: &[&str],
) -> Value {
    let paris = TimeZone::default();
    let buckets: Vec<Value> = periods
        .iter()
        .map(|period| {
            let counts: Map<String, Value> = feature
                .outcomes()
                .iter()
                .map(|outcome| {
                    let n = events
                        .iter()
                        .filter(|e| e.feature == feature && e.outcome == *outcome)
                        .filter(|e| sites.is_empty() || sites.contains(&e.site))
                        .filter(|e| month_of(e.at, paris).to_string().starts_with(period))
                        .count();
                    (outcome.code().to_owned(), json!(n))
                })
                .collect();
            let causes: Map<String, Value> = feature
                .causes()
                .iter()
                .map(|cause| {
                    let n = events
                        .iter()
                        .filter(|e| e.feature == feature && e.cause == Some(*cause))
                        .filter(|e| sites.is_empty() || sites.contains(&e.site))
                        .filter(|e| month_of(e.at, paris).to_string().starts_with(period))
                        .count();
                    (cause.code().to_owned(), json!(n))
                })
                .collect();
            json!({"period": period, "counts": counts, "causes": causes})
        })
        .collect();
    json!({"feature": feature.code(), "granularity": granularity, "timezone": "Europe/Paris",
           "hidden_sites": 0, "buckets": buckets})
}

async fn check_statistics(app: &TestApp, company: &str, events: &[Drawn], sites: &[&str]) {
    if !events.is_empty() {
        let batch = json!({"events": events.iter().map(Drawn::json).collect::<Vec<_>>()});
        assert_eq!(
            app.record(&token(company, "events:write"), &batch).await.0,
            200
        );
    }
    let reader = token(company, "logs:read");
    let (first, last) = (
        first_month().year,
        month_of(Utc::now(), TimeZone::default()).year,
    );
    for feature in Feature::ALL {
        for filter in [&[][..], sites] {
            let site_query: String = filter.iter().map(|s| format!("&site={s}")).collect();
            for year in first..=last {
                let months: Vec<String> = (1..=12).map(|m| format!("{year}-{m:02}")).collect();
                let path = format!(
                    "/api/v1/stats?feature={feature}&granularity=month&year={year}{site_query}"
                );
                assert_eq!(
                    app.get(&path, Some(&reader)).await,
                    (200, expected(events, *feature, "month", &months, filter)),
                    "{path}"
                );
            }
            let years: Vec<String> = (first - 1..=last).map(|y| y.to_string()).collect();
            let path = format!(
                "/api/v1/stats?feature={feature}&granularity=year&from={}&to={last}{site_query}",
                first - 1
            );
            assert_eq!(
                app.get(&path, Some(&reader)).await,
                (200, expected(events, *feature, "year", &years, filter)),
                "{path}"
            );
        }
    }
}

async fn every_statistic_equals_the_count_of_the_posted_events(app: TestApp) {
    let mut runner = TestRunner::new(Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    });
    let runtime = tokio::runtime::Handle::current();
    // Each case posts into a company of its own, so that cases do not add up.
    let case = AtomicUsize::new(0);
    let cases = (
        prop::collection::vec(drawn(), 0..80),
        prop::sample::subsequence(SITES.to_vec(), 1..=2),
    );
    let outcome = runner.run(&cases, |(events, sites)| {
        let company = format!("prop{}", case.fetch_add(1, Ordering::Relaxed));
        tokio::task::block_in_place(|| {
            runtime.block_on(check_statistics(&app, &company, &events, &sites))
        });
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

fn email_counts(months: &[(&str, u64)], all: &[&str]) -> Value {
    let buckets: Vec<Value> = all
        .iter()
        .map(|period| {
            let n = months
                .iter()
                .find(|(p, _)| p == period)
                .map_or(0, |(_, n)| *n);
            json!({"period": period, "counts": {"success": n, "error": 0, "stopped": 0},
                   "causes": {"configuration": 0}})
        })
        .collect();
    json!(buckets)
}

/// The day of the last Sunday of `month` in `year`: when Europe's clocks change.
fn last_sunday(year: i32, month: u32) -> u32 {
    (25..=31)
        .rev()
        .find(|day| {
            chrono::NaiveDate::from_ymd_opt(year, month, *day)
                .is_some_and(|date| date.weekday() == chrono::Weekday::Sun)
        })
        .expect("a last Sunday")
}

async fn months_and_years_follow_paris_time(app: TestApp) {
    // Last year, and the one before, whatever today's date.
    let y = crate::helpers::last_year();
    let p = y - 1;
    let (spring, autumn) = (last_sunday(y, 3), last_sunday(y, 10));
    let times = [
        format!("{p}-12-31T22:59:59Z"),       // 23:59:59 in Paris: December
        format!("{p}-12-31T23:30:00Z"),       // 00:30 on New Year's Day: January
        format!("{y}-03-{spring}T00:59:59Z"), // 01:59:59 CET, just before clocks go forward
        format!("{y}-03-{spring}T01:00:00Z"), // 03:00 CEST
        format!("{y}-03-31T21:59:59Z"),       // 23:59:59 CEST: still March
        format!("{y}-03-31T23:30:00Z"),       // 01:30 CEST on 1 April
        format!("{y}-10-{autumn}T00:59:59Z"), // 02:59:59 CEST, just before clocks go back
        format!("{y}-10-{autumn}T01:00:00Z"), // 02:00 CET, the second time
        format!("{y}-10-31T22:59:59Z"),       // 23:59:59 CET: still October
        format!("{y}-10-31T23:00:00Z"),       // midnight CET on 1 November
    ];
    let events: Vec<Value> = times
        .iter()
        .map(|at| event("email", "success", "LYON", at))
        .collect();
    let writer = token("acme", "events:write");
    assert_eq!(
        app.record(&writer, &json!({ "events": events })).await.0,
        200
    );
    let reader = token("acme", "logs:read");

    let months: Vec<String> = (1..=12).map(|m| format!("{y}-{m:02}")).collect();
    let months: Vec<&str> = months.iter().map(String::as_str).collect();
    let month = |m: u32| format!("{y}-{m:02}");
    assert_eq!(
        app.get(
            &format!("/api/v1/stats?feature=email&granularity=month&year={y}"),
            Some(&reader)
        )
        .await,
        (
            200,
            json!({"feature": "email", "granularity": "month", "timezone": "Europe/Paris", "hidden_sites": 0,
                   "buckets": email_counts(&[(&month(1), 1), (&month(3), 3), (&month(4), 1), (&month(10), 3), (&month(11), 1)], &months)})
        )
    );
    let years = [(p - 1).to_string(), p.to_string(), y.to_string()];
    assert_eq!(
        app.get(
            &format!(
                "/api/v1/stats?feature=email&granularity=year&from={}&to={y}",
                p - 1
            ),
            Some(&reader)
        )
        .await,
        (
            200,
            json!({"feature": "email", "granularity": "year", "timezone": "Europe/Paris", "hidden_sites": 0,
                   "buckets": email_counts(&[(&years[1], 1), (&years[2], 9)], &years.iter().map(String::as_str).collect::<Vec<_>>())})
        )
    );

    let listed = |period: String| {
        let reader = reader.clone();
        let app = &app;
        async move {
            let (status, body) = app
                .get(
                    &format!("/api/v1/logs?feature=email&period={period}"),
                    Some(&reader),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["occurred_at"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(month(1)).await,
        [format!("{y}-01-01T00:30:00+01:00")]
    );
    assert_eq!(
        listed(format!("{p}-12")).await,
        [format!("{p}-12-31T23:59:59+01:00")]
    );
    assert_eq!(
        listed(month(4)).await,
        [format!("{y}-04-01T01:30:00+02:00")]
    );
    assert_eq!(
        listed(month(3)).await,
        [
            format!("{y}-03-31T23:59:59+02:00"),
            format!("{y}-03-{spring}T03:00:00+02:00"),
            format!("{y}-03-{spring}T01:59:59+01:00")
        ]
    );
    assert_eq!(
        listed(month(10)).await,
        [
            format!("{y}-10-31T23:59:59+01:00"),
            format!("{y}-10-{autumn}T02:00:00+01:00"),
            format!("{y}-10-{autumn}T02:59:59+02:00")
        ]
    );
    assert_eq!(
        listed(month(11)).await,
        [format!("{y}-11-01T00:00:00+01:00")]
    );
}

async fn the_overview_totals_every_feature(app: TestApp) {
    let events = json!({"events": [
        event("email", "success", "LYON", "2026-03-02T10:00:00Z"),
        event("email", "error", "LYON", "2026-03-02T10:00:00Z"),
        event("email", "success", "PARIS", "2026-03-30T10:00:00Z"),
        event("vies", "no_result", "LYON", "2026-03-05T10:00:00Z"),
        event("dea_update", "success", "LYON", "2026-03-05T10:00:00Z"),
        event("sms", "stopped", "LYON", "2026-04-05T10:00:00Z"),
    ]});
    assert_eq!(
        app.record(&token("acme", "events:write"), &events).await.0,
        200
    );
    let reader = token("acme", "logs:read");
    let zeros = |feature: &str| {
        let counts: Map<String, Value> = Feature::parse(feature)
            .unwrap()
            .outcomes()
            .iter()
            .map(|o| (o.code().to_owned(), json!(0)))
            .collect();
        json!({"feature": feature, "total": 0, "counts": counts})
    };
    let march = |lyon_only: bool| {
        json!({"period": "2026-03", "timezone": "Europe/Paris", "hidden_sites": 0, "features": [
            {"feature": "email", "total": if lyon_only { 2 } else { 3 },
             "counts": {"success": if lyon_only { 1 } else { 2 }, "error": 1, "stopped": 0}},
            zeros("sms"), zeros("attachment"), zeros("sirene"),
            {"feature": "vies", "total": 1, "counts": {"success": 0, "no_result": 1, "error": 0, "stopped": 0}},
            {"feature": "dea_update", "total": 1, "counts": {"success": 1}},
            zeros("php_web_api"), zeros("google_calendar_sync"),
        ]})
    };
    assert_eq!(
        app.get("/api/v1/stats/overview?period=2026-03", Some(&reader))
            .await,
        (200, march(false))
    );
    assert_eq!(
        app.get(
            "/api/v1/stats/overview?period=2026-03&site=LYON",
            Some(&reader)
        )
        .await,
        (200, march(true))
    );
    let (status, year) = app
        .get("/api/v1/stats/overview?period=2026", Some(&reader))
        .await;
    assert_eq!(status, 200);
    assert_eq!(year["period"], "2026");
    assert_eq!(
        year["features"][1],
        json!({"feature": "sms", "total": 1, "counts": {"success": 0, "error": 0, "stopped": 1}})
    );
}

crate::on_both_databases!(
    every_statistic_equals_the_count_of_the_posted_events,
    months_and_years_follow_paris_time,
    the_overview_totals_every_feature,
);
