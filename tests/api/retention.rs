//! Retention: entries older than the company's period are purged (by `histo purge` and right after the
//! period is shortened), the counts stay, a drill-down into a purged month says so, recording goes on
//! during a purge, and the admin password guarding the period is slowed down and then locked out.

use chrono::Utc;
use serde_json::{json, Value};

use crate::helpers::{event, in_month, months_ago, retry_after, token, TestApp, TEST_LOCKOUT};

const ADMIN_PASSWORD: &str = "retention admin password";

async fn record_all(app: &TestApp, events: Vec<Value>) {
    let (status, body) = app
        .record(&token("acme", "events:write"), &json!({ "events": events }))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Waits (up to 20 s) until acme has `expected` stored entries.
async fn wait_for_entries(app: &TestApp, expected: i64) {
    for _ in 0..200 {
        if app.stored_events("acme") == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.stored_events("acme"), expected);
}

async fn the_purge_removes_entries_past_the_retention_and_keeps_the_counts(app: TestApp) {
    app.keep_ten_years("acme").await;
    record_all(
        &app,
        [25, 24, 23]
            .into_iter()
            .map(|n| event("email", "success", "LYON", &in_month(months_ago(n))))
            .collect(),
    )
    .await;
    app.set_admin_password("acme", ADMIN_PASSWORD);
    // Entries age out of the period as months go by, with no one changing it: here the period is
    // the default again.
    app.db
        .execute("UPDATE companies SET retention_months = 24 WHERE id = 'acme'");

    let output = app.histo(&["purge", "--company", "acme"], "");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!(
            "acme: removed 1 entries before {} (retention 24 months)\n",
            months_ago(24)
        )
    );
    assert_eq!(app.stored_events("acme"), 2);
    assert_eq!(app.counted_events("acme"), 3);
    let reader = token("acme", "logs:read");
    let (_, settings) = app.get("/api/v1/settings", Some(&reader)).await;
    assert_eq!(settings["retention_months"], 24);
    assert_eq!(settings["last_purge"]["removed"], 1);

    // Shortening the period purges at once.
    let (status, settings) = app
        .put(
            "/api/v1/settings/retention",
            &token("acme", "settings:admin"),
            &json!({"months": 12, "admin_password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["retention_months"], 12);
    assert_eq!(settings["timezone"], "Europe/Paris");
    wait_for_entries(&app, 0).await;
    assert_eq!(app.counted_events("acme"), 3, "the monthly counts stay");
    let mut last_purge = Value::Null;
    for _ in 0..100 {
        last_purge = app.get("/api/v1/settings", Some(&reader)).await.1["last_purge"].clone();
        if last_purge["removed"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last_purge["removed"], 2, "{last_purge}");
    assert!(last_purge["at"]
        .as_str()
        .is_some_and(|at| at.ends_with("+01:00") || at.ends_with("+02:00")));

    for n in [25, 23, 13] {
        let (status, page) = app
            .get(
                &format!("/api/v1/logs?feature=email&period={}", months_ago(n)),
                Some(&reader),
            )
            .await;
        assert_eq!(
            (status, page),
            (
                200,
                json!({"items": [], "next_cursor": null, "purged": true,
                       "retained_from": months_ago(12).to_string()})
            )
        );
    }
    let (_, page) = app
        .get(
            &format!("/api/v1/logs?feature=email&period={}", months_ago(12)),
            Some(&reader),
        )
        .await;
    assert_eq!(page["purged"], false);
    // The statistics of a purged month still count its uses.
    let month = months_ago(23);
    let (_, stats) = app
        .get(
            &format!(
                "/api/v1/stats?feature=email&granularity=year&from={0}&to={0}",
                month.year
            ),
            Some(&reader),
        )
        .await;
    assert!(
        stats["buckets"][0]["counts"]["success"].as_u64() >= Some(1),
        "{stats}"
    );
    // Out of range: refused, naming the field.
    let (status, body) = app
        .put(
            "/api/v1/settings/retention",
            &token("acme", "settings:admin"),
            &json!({"months": 121, "admin_password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("months"))
    );
}

async fn recording_goes_on_during_a_purge_and_loses_nothing(app: TestApp) {
    app.keep_ten_years("acme").await;
    // 30,000 entries of months 30 to 39 ago, which a period of 24 months purges.
    for chunk in 0..3 {
        record_all(
            &app,
            (0..10_000)
                .map(|n| {
                    event(
                        "sms",
                        "success",
                        "LYON",
                        &in_month(months_ago(30 + (chunk * 10_000 + n) % 10)),
                    )
                })
                .collect(),
        )
        .await;
    }
    // Ten clients record until told to stop, noting when each answer came.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..10)
        .map(|client| {
            let (address, stop) = (app.address.clone(), stop.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let writer = token("acme", "events:write");
                let mut answered = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let now = Utc::now().to_rfc3339();
                    let response = http
                        .post(format!("{address}/api/v1/events"))
                        .bearer_auth(&writer)
                        .json(&event(
                            "email",
                            "success",
                            &format!("CLIENT-{client}"),
                            &now,
                        ))
                        .send()
                        .await
                        .expect("request");
                    assert_eq!(response.status().as_u16(), 200);
                    answered.push(std::time::Instant::now());
                }
                answered
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let reader = token("acme", "logs:read");
    let (status, body) = app
        .put(
            "/api/v1/settings/retention",
            &token("acme", "settings:admin"),
            &json!({"months": 24, "admin_password": crate::helpers::KEEPING_PASSWORD}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let purge_started = std::time::Instant::now();
    let mut purge_ended = None;
    for _ in 0..600 {
        let (_, settings) = app.get("/api/v1/settings", Some(&reader)).await;
        if settings["last_purge"]["removed"] == 30_000 {
            purge_ended = Some(std::time::Instant::now());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let purge_ended = purge_ended.expect("the purge ended within 30 s");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut recorded = 0;
    let mut during = 0;
    for client in clients {
        let answered = client.await.expect("client");
        recorded += answered.len() as i64;
        during += answered
            .iter()
            .filter(|at| (purge_started..=purge_ended).contains(*at))
            .count();
    }
    assert!(during > 0, "no recording was answered while the purge ran");
    assert_eq!(app.stored_events("acme"), recorded);
    assert_eq!(app.counted_events("acme"), 30_000 + recorded);
}

async fn a_preview_says_what_a_shorter_period_would_remove(app: TestApp) {
    app.keep_ten_years("acme").await;
    // Three entries in each of the months 30 to 39 ago, and two this month.
    let mut events: Vec<Value> = (30..40)
        .flat_map(|n| {
            (0..3).map(move |_| event("vies", "success", "LYON", &in_month(months_ago(n))))
        })
        .collect();
    events.extend((0..2).map(|_| event("vies", "success", "LYON", &Utc::now().to_rfc3339())));
    record_all(&app, events).await;
    let admin = token("acme", "settings:admin");
    let preview = |months: &str| {
        let (app, admin) = (&app, admin.clone());
        let path = format!("/api/v1/settings/retention/preview?months={months}");
        async move { app.get(&path, Some(&admin)).await }
    };
    assert_eq!(
        preview("24").await,
        (
            200,
            json!({"months": 24, "retained_from": months_ago(24).to_string(), "entries": 30})
        )
    );
    assert_eq!(
        preview("35").await,
        (
            200,
            json!({"months": 35, "retained_from": months_ago(35).to_string(), "entries": 12})
        )
    );
    assert_eq!(
        preview("120").await,
        (
            200,
            json!({"months": 120, "retained_from": months_ago(120).to_string(), "entries": 0})
        )
    );
    for wrong in ["0", "121", "twelve", ""] {
        let (status, body) = preview(wrong).await;
        assert_eq!(
            (status, &body["details"][0]["field"]),
            (422, &json!("months")),
            "{wrong}"
        );
    }
    // A preview changes nothing; the change itself removes what it said.
    assert_eq!(app.stored_events("acme"), 32);
    let (status, _) = app
        .put(
            "/api/v1/settings/retention",
            &admin,
            &json!({"months": 24, "admin_password": crate::helpers::KEEPING_PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    wait_for_entries(&app, 2).await;
    // Lengthened again, nothing comes back: entries are kept from the month after the last purged.
    assert_eq!(
        preview("120").await,
        (
            200,
            json!({"months": 120, "retained_from": months_ago(29).to_string(), "entries": 0})
        )
    );
    // Without the scope, or for another company, nothing is said.
    assert_eq!(
        app.get(
            "/api/v1/settings/retention/preview?months=1",
            Some(&token("acme", "logs:read"))
        )
        .await
        .0,
        403
    );
    let (_, other) = app
        .get(
            "/api/v1/settings/retention/preview?months=1",
            Some(&token("other", "settings:admin")),
        )
        .await;
    assert_eq!(other["entries"], 0);
}

async fn wrong_admin_passwords_are_locked_out_until_the_wait_ends(app: TestApp) {
    let admin = token("acme", "settings:admin");
    let change = |password: &str| json!({"months": 6, "admin_password": password});
    let (status, body) = app
        .put("/api/v1/settings/retention", &admin, &change("anything"))
        .await;
    assert_eq!(status, 409, "no admin password yet");
    assert!(body["error"]
        .as_str()
        .unwrap_or("")
        .contains("histo admin-password"));

    app.set_admin_password("acme", ADMIN_PASSWORD);
    for _ in 0..5 {
        let (status, body) = app
            .put(
                "/api/v1/settings/retention",
                &admin,
                &change("wrong password"),
            )
            .await;
        assert_eq!(status, 403, "{body}");
    }
    let started = std::time::Instant::now();
    let response = app
        .client
        .put(app.url("/api/v1/settings/retention"))
        .bearer_auth(&admin)
        .json(&change(ADMIN_PASSWORD))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 429);
    assert!(retry_after(&response).is_some());
    let reader = token("acme", "logs:read");
    assert_eq!(
        app.get("/api/v1/settings", Some(&reader)).await.1["retention_months"],
        24
    );

    tokio::time::sleep(TEST_LOCKOUT.saturating_sub(started.elapsed()) / 2).await;
    let (status, _) = app
        .put(
            "/api/v1/settings/retention",
            &admin,
            &change(ADMIN_PASSWORD),
        )
        .await;
    assert_eq!(status, 429, "still waiting");

    tokio::time::sleep(TEST_LOCKOUT).await;
    let (status, settings) = app
        .put(
            "/api/v1/settings/retention",
            &admin,
            &change(ADMIN_PASSWORD),
        )
        .await;
    assert_eq!((status, &settings["retention_months"]), (200, &json!(6)));
}

/// Recording follows the settings as they are now, even when they were changed elsewhere (by
/// another Histo process, or the administration's commands) since the company last recorded.
async fn recording_follows_settings_changed_elsewhere_at_once(app: TestApp) {
    app.keep_ten_years("acme").await;
    let writer = token("acme", "events:write");
    let record_of = |months: i32| {
        let event = event("sms", "success", "LYON", &in_month(months_ago(months)));
        let app = &app;
        let writer = writer.clone();
        async move { app.record(&writer, &event).await }
    };
    let taken = |accepted: u64, expired: u64| {
        (
            200,
            json!({"accepted": accepted, "duplicates": 0, "expired": expired}),
        )
    };
    assert_eq!(record_of(30).await, taken(1, 0));
    app.db
        .execute("UPDATE companies SET retention_months = 24 WHERE id = 'acme'");
    assert_eq!(record_of(30).await, taken(0, 1), "the shorter period holds");
    app.db
        .execute("UPDATE companies SET retention_months = 120 WHERE id = 'acme'");
    assert_eq!(record_of(30).await, taken(1, 0), "the longer period holds");
    app.db.execute(&format!(
        "UPDATE companies SET retained_from = {} WHERE id = 'acme'",
        months_ago(29).key()
    ));
    assert_eq!(
        record_of(30).await,
        taken(0, 1),
        "a purged month stays purged"
    );
    assert_eq!(record_of(29).await, taken(1, 0));
}

crate::on_both_databases!(
    a_preview_says_what_a_shorter_period_would_remove,
    recording_follows_settings_changed_elsewhere_at_once,
    the_purge_removes_entries_past_the_retention_and_keeps_the_counts,
    recording_goes_on_during_a_purge_and_loses_nothing,
    wrong_admin_passwords_are_locked_out_until_the_wait_ends
);
