//! The log entries behind a bar: every field shown, newest first, each entry exactly once when paging
//! (also while new events arrive, and when the export reads on from the page before), and `purged`
//! from the retention policy.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use histo_domain::{month_of, CompanyId, Feature, Outcome, Period, SiteCode, TimeZone};
use histo_store::{EntrySelection, NextPage, Store, StoreOptions};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};

use crate::helpers::{default_retained_from, event, token, TestApp};

async fn an_entry_shows_every_field_in_local_time(app: TestApp) {
    let y = crate::helpers::last_year();
    let events = json!({"events": [
        {"id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01", "feature": "vies", "outcome": "error",
         "cause": "invalid_number", "site": "LYON", "user_code": "JDUPONT",
         "occurred_at": &format!("{y}-03-31T23:30:00Z"), "code": "VIES_FORMAT"},
        {"id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c02", "feature": "dea_update", "outcome": "success",
         "site": "PARIS", "user_code": "MMARTIN", "occurred_at": &format!("{y}-04-02T08:15:30.250+02:00"),
         "detail": {"changed": "amount"}},
        {"id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c03", "feature": "vies", "outcome": "success",
         "site": "PARIS", "user_code": "MMARTIN", "occurred_at": &format!("{y}-04-03T12:00:00+02:00")},
    ]});
    assert_eq!(
        app.record(&token("acme", "events:write"), &events).await.0,
        200
    );
    let reader = token("acme", "logs:read");
    assert_eq!(
        app.get(
            &format!("/api/v1/logs?feature=vies&period={y}-04"),
            Some(&reader)
        )
        .await,
        (
            200,
            json!({"items": [
            {"id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c03", "occurred_at": &format!("{y}-04-03T12:00:00+02:00"),
             "site": "PARIS", "user_code": "MMARTIN", "feature": "vies", "outcome": "success",
             "cause": null, "code": null, "detail": null},
            {"id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01", "occurred_at": &format!("{y}-04-01T01:30:00+02:00"),
             "site": "LYON", "user_code": "JDUPONT", "feature": "vies", "outcome": "error",
             "cause": "invalid_number", "code": "VIES_FORMAT", "detail": null}],
            "next_cursor": null, "purged": false, "retained_from": default_retained_from()})
        )
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/logs?feature=vies&period={y}&outcome=error&site=LYON"),
            Some(&reader)
        )
        .await
        .1["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/logs?feature=dea_update&period={y}-04"),
            Some(&reader)
        )
        .await,
        (
            200,
            json!({"items": [
            {"id": "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c02", "occurred_at": &format!("{y}-04-02T08:15:30.250+02:00"),
             "site": "PARIS", "user_code": "MMARTIN", "feature": "dea_update", "outcome": "success",
             "cause": null, "code": null, "detail": {"changed": "amount"}}],
            "next_cursor": null, "purged": false, "retained_from": default_retained_from()})
        )
    );
}

/// `count` events of `feature` last year, on few distinct instants so that many share one time and are
/// ordered by id.
fn events_of_last_year(rng: &mut StdRng, count: usize) -> Vec<Value> {
    // 1 January of last year, 00:00 UTC.
    let start = chrono::NaiveDate::from_ymd_opt(crate::helpers::last_year(), 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("1 January")
        .and_utc()
        .timestamp();
    (0..count)
        .map(|_| {
            let at = DateTime::from_timestamp(start + rng.gen_range(0..2_000) * 15_000, 0)
                .unwrap_or_default();
            let outcome = ["success", "error", "stopped"][rng.gen_range(0..3)];
            event("email", outcome, "LYON", &at.to_rfc3339())
        })
        .collect()
}

/// The (time, id) of an item, to check the order.
fn key(item: &Value) -> (DateTime<Utc>, String) {
    let at = DateTime::parse_from_rfc3339(item["occurred_at"].as_str().unwrap_or_default())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    (at, item["id"].as_str().unwrap_or_default().to_owned())
}

/// Reads every page of `query`; after each page, posts a few events of the same period.
async fn read_all_pages(
    app: &TestApp,
    query: &str,
    limit: usize,
    rng: &mut StdRng,
    post_between: bool,
) -> Vec<Value> {
    let reader = token("acme", "logs:read");
    let writer = token("acme", "events:write");
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => format!("{query}&limit={limit}"),
            Some(c) => format!("{query}&limit={limit}&cursor={c}"),
        };
        let (status, page) = app.get(&path, Some(&reader)).await;
        assert_eq!(status, 200, "{page}");
        let got = page["items"].as_array().cloned().unwrap_or_default();
        assert!(got.len() <= limit);
        // A next page is offered only when there is one (10,000 entries make 20 full pages of 500).
        assert!(
            cursor.is_none() || !got.is_empty(),
            "an empty page was offered"
        );
        items.extend(got);
        if post_between {
            let new = json!({"events": events_of_last_year(rng, 3)});
            assert_eq!(app.record(&writer, &new).await.0, 200);
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    items
}

async fn paging_returns_each_entry_exactly_once(app: TestApp) {
    let y = crate::helpers::last_year();
    let mut rng = StdRng::seed_from_u64(7);
    let posted = events_of_last_year(&mut rng, 10_000);
    let posted_ids: HashSet<String> = posted
        .iter()
        .map(|e| e["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        app.record(&token("acme", "events:write"), &json!({ "events": posted }))
            .await
            .0,
        200
    );
    for (limit, post_between) in [(500, false), (137, false), (500, true), (61, true)] {
        let items = read_all_pages(
            &app,
            &format!("/api/v1/logs?feature=email&period={y}"),
            limit,
            &mut rng,
            post_between,
        )
        .await;
        let ids: Vec<String> = items.iter().map(|i| key(i).1).collect();
        let distinct: HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "an entry was seen twice");
        assert!(
            posted_ids.iter().all(|id| distinct.contains(id)),
            "an entry was skipped"
        );
        let keys: Vec<_> = items.iter().map(key).collect();
        assert!(
            keys.windows(2).all(|w| w[0] > w[1]),
            "not newest first by (time, id)"
        );
        if !post_between {
            // Nothing was posted yet besides the 10,000.
            assert_eq!(ids.len(), 10_000);
        }
    }
    // Within one month, with an outcome filter.
    let items = read_all_pages(
        &app,
        &format!("/api/v1/logs?feature=email&period={y}-06&outcome=error"),
        50,
        &mut rng,
        false,
    )
    .await;
    assert!(items.iter().all(|i| i["outcome"] == "error"));
    assert_eq!(
        items.len() as i64,
        app.db.number(&format!("SELECT COUNT(*) AS n FROM events WHERE company_id = 'acme' AND month = {y}06 AND outcome = 'error'"))
    );

    // A month where one outcome makes nearly every entry: its range is read again and again for
    // one page, and none of it is skipped.
    let at = |n: usize| format!("{y}-11-{:02}T10:{:02}:00Z", 2 + n / 60, n % 60);
    let successes: Vec<Value> = (0..1_200)
        .map(|n| event("email", "success", "LYON", &at(n)))
        .collect();
    for batch in successes.chunks(600) {
        let (status, body) = app
            .record(&token("acme", "events:write"), &json!({ "events": batch }))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let items = read_all_pages(
        &app,
        &format!("/api/v1/logs?feature=email&period={y}-11"),
        500,
        &mut rng,
        false,
    )
    .await;
    let distinct: HashSet<String> = items.iter().map(|i| key(i).1).collect();
    let stored = app.db.number(&format!(
        "SELECT COUNT(*) AS n FROM events WHERE company_id = 'acme' AND feature = 'email' AND month = {y}11"
    ));
    assert_eq!(
        (items.len() as i64, distinct.len() as i64),
        (stored, stored)
    );
}

/// The export reads on from where its page before stopped, with what that page read ahead: whatever
/// the page size, and wherever a page ends (inside a month, at its end, at a range's end), the pages
/// hold the entries of the JSON pages, in their order.
async fn pages_that_go_on_from_the_page_before_hold_every_entry_once(app: TestApp) {
    let y = crate::helpers::last_year();
    let mut rng = StdRng::seed_from_u64(5);
    let mut posted = events_of_last_year(&mut rng, 1_500);
    for e in posted.iter_mut().step_by(3) {
        e["site"] = json!("PARIS");
    }
    let (status, body) = app
        .record(&token("acme", "events:write"), &json!({ "events": posted }))
        .await;
    assert_eq!(status, 200, "{body}");
    let store = Store::open(&app.db.url, StoreOptions::default()).expect("store");
    let selection = |outcome: Option<Outcome>, sites: &[&str]| EntrySelection {
        feature: Feature::parse("email").expect("feature"),
        period: Period::parse(&y.to_string()).expect("period"),
        outcome,
        cause: None,
        user: None,
        sites: sites
            .iter()
            .map(|site| SiteCode::parse(site).expect("site"))
            .collect(),
    };
    for (query, selection) in [
        ("", selection(None, &[])),
        ("&outcome=error", selection(Some(Outcome::Error), &[])),
        ("&site=PARIS", selection(None, &["PARIS"])),
        ("&site=LYON&site=PARIS", selection(None, &["LYON", "PARIS"])),
    ] {
        let expected: Vec<String> = read_all_pages(
            &app,
            &format!("/api/v1/logs?feature=email&period={y}{query}"),
            500,
            &mut rng,
            false,
        )
        .await
        .iter()
        .map(|item| key(item).1)
        .collect();
        assert!(expected.len() > 400, "{query}: {}", expected.len());
        for limit in [1, 7, 50, 333, 5_000] {
            let (mut ids, mut next, mut pages) = (Vec::new(), None::<NextPage>, 0);
            loop {
                let company = CompanyId::parse("acme").expect("company");
                let page = store
                    .log_page(company, selection.clone(), next, limit)
                    .await
                    .expect("page");
                pages += 1;
                assert!(!page.entries.is_empty() && page.entries.len() <= limit);
                ids.extend(page.entries.iter().map(|entry| entry.id.to_string()));
                next = page.next;
                if next.is_none() {
                    break;
                }
            }
            assert_eq!(ids, expected, "{query}, pages of {limit}");
            assert_eq!(pages, expected.len().div_ceil(limit), "{query}, {limit}");
        }
    }
}

async fn purged_says_when_the_period_lies_before_the_retention_limit(app: TestApp) {
    let y = crate::helpers::last_year();
    let reader = token("acme", "logs:read");
    let purged = |period: String| {
        let reader = reader.clone();
        let app = &app;
        async move {
            let (status, body) = app
                .get(
                    &format!("/api/v1/logs?feature=sms&period={period}"),
                    Some(&reader),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body["purged"].as_bool()
        }
    };
    let now = month_of(Utc::now(), TimeZone::default());
    // With the default 24 months the month 25 months ago is purged, the one 24 months ago stays.
    assert_eq!(purged(now.plus(-25).to_string()).await, Some(true));
    assert_eq!(purged(now.plus(-24).to_string()).await, Some(false));
    assert_eq!(purged(now.to_string()).await, Some(false));
    assert_eq!(purged("2000".into()).await, Some(true));
    assert_eq!(purged(now.year.to_string()).await, Some(false));

    assert_eq!(
        app.record(
            &token("acme", "events:write"),
            &event("sms", "success", "LYON", &format!("{y}-01-01T12:00:00Z"))
        )
        .await
        .0,
        200
    );
    app.db
        .execute("UPDATE companies SET retention_months = 1 WHERE id = 'acme'");
    assert_eq!(purged(now.plus(-2).to_string()).await, Some(true));
    assert_eq!(purged(now.plus(-1).to_string()).await, Some(false));
}

crate::on_both_databases!(
    an_entry_shows_every_field_in_local_time,
    paging_returns_each_entry_exactly_once,
    pages_that_go_on_from_the_page_before_hold_every_entry_once,
    purged_says_when_the_period_lies_before_the_retention_limit,
);
