//! The edges of what Histo takes, through HTTP: a minute either side of the future limit, a batch
//! with several bad events (each named by its index), a detail where the feature takes none, the
//! growing wait after each wrong password (measured as a lower bound), the longest password, and
//! months counted in a company's own time zone.

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use serde_json::json;

use histo_api_types::limits::PASSWORD_MAX_CHARS;

use crate::helpers::{event, test_limits, token, Db, TestApp};

async fn the_future_limit_is_a_day_to_the_minute(app: TestApp) {
    let writer = token("acme", "events:write");
    let in_a_day = |minutes: i64| {
        (Utc::now() + chrono::Duration::days(1) + chrono::Duration::minutes(minutes)).to_rfc3339()
    };
    let (status, body) = app
        .record(&writer, &event("sms", "success", "LYON", &in_a_day(-1)))
        .await;
    assert_eq!((status, &body["accepted"]), (200, &json!(1)), "{body}");
    let (status, body) = app
        .record(&writer, &event("sms", "success", "LYON", &in_a_day(1)))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["details"],
        json!([{"field": "occurred_at", "message": "must not be more than a day in the future"}])
    );
    assert_eq!(app.stored_events("acme"), 1);
}

async fn each_bad_event_of_a_batch_is_named_by_its_index(app: TestApp) {
    let now = Utc::now().to_rfc3339();
    let good = event("email", "success", "LYON", &now);
    let mut unknown_feature = good.clone();
    unknown_feature["feature"] = "fax".into();
    let mut no_cause = event("sms", "error", "LYON", &now);
    no_cause.as_object_mut().expect("object").remove("cause");
    let mut detail_where_none = event("email", "success", "LYON", &now);
    detail_where_none["detail"] = json!({"changed": "code"});
    let batch =
        json!({"events": [good.clone(), unknown_feature, good, no_cause, detail_where_none]});
    let (status, body) = app.record(&token("acme", "events:write"), &batch).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"error": "3 of 5 events are invalid; nothing was stored",
               "details": [
                 {"index": 1, "field": "feature",
                  "message": "unknown feature 'fax' (expected one of: email, sms, attachment, sirene, vies, dea_update, php_web_api, google_calendar_sync)"},
                 {"index": 3, "field": "cause",
                  "message": "is required when the outcome is 'error' (one of: configuration)"},
                 {"index": 4, "field": "detail", "message": "'email' takes no detail"}]})
    );
    assert_eq!(app.stored_events("acme"), 0);
}

crate::on_both_databases!(
    the_future_limit_is_a_day_to_the_minute,
    each_bad_event_of_a_batch_is_named_by_its_index
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_wrong_password_waits_at_least_as_long_as_the_policy_says() {
    let app = TestApp::spawn(Db::Sqlite).await;
    app.add_user("acme", "JDUPONT", "logs:read", "jdupont's password");
    let slowdown = test_limits().wrong_passwords.slowdown;
    let wrong = || app.sign_in("acme", "JDUPONT", "a wrong guess");
    for n in 0..4u32 {
        let started = Instant::now();
        let (status, _) = wrong().await;
        assert_eq!(status, 401);
        // A lower bound: the n-th wrong password in a row waits n slowdowns before its answer.
        assert!(
            started.elapsed() >= slowdown * n,
            "wrong password {}: answered after {:?}",
            n + 1,
            started.elapsed()
        );
    }
    // The right one is answered without the wait, and starts the count again.
    assert_eq!(
        app.sign_in("acme", "JDUPONT", "jdupont's password").await.0,
        200
    );
    let started = Instant::now();
    assert_eq!(wrong().await.0, 401);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_password_signs_in_and_a_longer_one_is_not_even_counted() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let longest = "é".repeat(PASSWORD_MAX_CHARS);
    app.add_user("acme", "JDUPONT", "logs:read", &longest);
    assert_eq!(app.sign_in("acme", "JDUPONT", &longest).await.0, 200);
    // More wrong passwords than lock an account out, each a character too long: refused
    // without being checked, so the account stays open.
    let longer = format!("{longest}é");
    for _ in 0..=test_limits().wrong_passwords.max_failures {
        assert_eq!(app.sign_in("acme", "JDUPONT", &longer).await.0, 401);
    }
    assert_eq!(app.sign_in("acme", "JDUPONT", &longest).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn months_are_counted_in_the_company_time_zone() {
    let app = TestApp::spawn_binary(
        Db::Sqlite,
        &[],
        &[("HISTO_DEFAULT_TIMEZONE", "America/New_York")],
    );
    // 03:30 UTC on 1 April of last year is 23:30 on 31 March in New York.
    let year = Utc::now().year() - 1;
    let at = format!("{year}-04-01T03:30:00Z");
    assert_eq!(
        app.record(
            &token("acme", "events:write"),
            &event("vies", "success", "NYC", &at)
        )
        .await
        .0,
        200
    );
    let (status, stats) = app
        .get(
            &format!("/api/v1/stats?feature=vies&granularity=month&year={year}"),
            Some(&token("acme", "logs:read")),
        )
        .await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["timezone"], "America/New_York");
    assert_eq!(stats["buckets"][2]["period"], format!("{year}-03"));
    assert_eq!(stats["buckets"][2]["counts"]["success"], 1);
    assert_eq!(stats["buckets"][3]["counts"]["success"], 0);
    let (_, page) = app
        .get(
            &format!("/api/v1/logs?feature=vies&period={year}-03"),
            Some(&token("acme", "logs:read")),
        )
        .await;
    assert_eq!(
        page["items"][0]["occurred_at"],
        format!("{year}-03-31T23:30:00-04:00")
    );
}
