//! What a reader sees: never another company's data, never a hidden site's.

use serde_json::{json, Value};

use crate::helpers::{event, token, TestApp};

async fn post(app: &TestApp, company: &str, events: Vec<Value>) {
    let (status, body) = app
        .record(
            &token(company, "events:write"),
            &json!({ "events": events }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn export_lines(app: &TestApp, company: &str, query: &str) -> usize {
    let response = app
        .get_raw(
            &format!("/api/v1/logs/export?{query}"),
            &token(company, "logs:read"),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    response.text().await.unwrap_or_default().lines().count()
}

async fn a_hidden_site_is_left_out_of_every_read(app: TestApp) {
    let y = crate::helpers::last_year();
    post(
        &app,
        "acme",
        vec![
            event("email", "success", "LYON", &format!("{y}-03-10T10:00:00Z")),
            event("email", "error", "PARIS", &format!("{y}-03-11T10:00:00Z")),
            event("email", "error", "PARIS", &format!("{y}-03-12T10:00:00Z")),
            event("sms", "success", "PARIS", &format!("{y}-03-12T10:00:00Z")),
        ],
    )
    .await;
    app.hide_site("acme", "PARIS").await;
    let reader = token("acme", "logs:read");

    let (status, stats) = app
        .get(
            &format!("/api/v1/stats?feature=email&granularity=year&from={y}&to={y}"),
            Some(&reader),
        )
        .await;
    assert_eq!(
        (status, stats),
        (
            200,
            json!({"feature": "email", "granularity": "year", "timezone": "Europe/Paris", "hidden_sites": 1,
                   "buckets": [{"period": &format!("{y}"), "counts": {"success": 1, "error": 0, "stopped": 0}, "causes": {"configuration": 0}}]})
        )
    );
    // Asking for the hidden site by name shows nothing either.
    let (_, stats) = app
        .get(
            &format!(
                "/api/v1/stats?feature=email&granularity=year&from={y}&to={y}&site=PARIS&site=LYON"
            ),
            Some(&reader),
        )
        .await;
    assert_eq!(
        stats["buckets"],
        json!([{"period": &format!("{y}"), "counts": {"success": 1, "error": 0, "stopped": 0}, "causes": {"configuration": 0}}])
    );
    let (_, stats) = app
        .get(
            &format!("/api/v1/stats?feature=email&granularity=month&year={y}&site=PARIS"),
            Some(&reader),
        )
        .await;
    assert!(stats["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["counts"] == json!({"success": 0, "error": 0, "stopped": 0})));

    let (_, overview) = app
        .get(
            &format!("/api/v1/stats/overview?period={y}-03"),
            Some(&reader),
        )
        .await;
    assert_eq!(overview["hidden_sites"], 1);
    assert_eq!(
        overview["features"][0],
        json!({"feature": "email", "total": 1, "counts": {"success": 1, "error": 0, "stopped": 0}})
    );
    assert_eq!(overview["features"][1]["total"], 0);

    for query in [
        &format!("feature=email&period={y}"),
        &format!("feature=email&period={y}-03&site=PARIS"),
    ] {
        let (_, logs) = app
            .get(&format!("/api/v1/logs?{query}"), Some(&reader))
            .await;
        let sites: Vec<&str> = logs["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["site"].as_str())
            .collect();
        assert!(!sites.contains(&"PARIS"), "{query}: {logs}");
    }
    assert_eq!(
        export_lines(&app, "acme", &format!("feature=email&period={y}")).await,
        2
    );
    assert_eq!(
        export_lines(&app, "acme", &format!("feature=sms&period={y}&site=PARIS")).await,
        1
    );

    // The list of sites shows it, flagged.
    assert_eq!(
        app.get("/api/v1/sites", Some(&reader)).await,
        (
            200,
            json!([{"code": "LYON", "name": "LYON", "hidden": false},
                    {"code": "PARIS", "name": "PARIS", "hidden": true}])
        )
    );
}

async fn another_companys_data_never_appears(app: TestApp) {
    let y = crate::helpers::last_year();
    post(
        &app,
        "acme",
        vec![event(
            "email",
            "success",
            "LYON",
            &format!("{y}-03-10T10:00:00Z"),
        )],
    )
    .await;
    post(
        &app,
        "globex",
        vec![
            event("email", "error", "LYON", &format!("{y}-03-10T10:00:00Z")),
            event("email", "error", "BERLIN", &format!("{y}-03-10T11:00:00Z")),
        ],
    )
    .await;
    app.hide_site("globex", "BERLIN").await;
    let reader = token("acme", "logs:read");

    let (_, stats) = app
        .get(
            &format!("/api/v1/stats?feature=email&granularity=year&from={y}&to={y}"),
            Some(&reader),
        )
        .await;
    assert_eq!(stats["hidden_sites"], 0);
    assert_eq!(
        stats["buckets"],
        json!([{"period": &format!("{y}"), "counts": {"success": 1, "error": 0, "stopped": 0}, "causes": {"configuration": 0}}])
    );
    let (_, overview) = app
        .get(&format!("/api/v1/stats/overview?period={y}"), Some(&reader))
        .await;
    assert_eq!(overview["features"][0]["total"], 1);
    let (_, logs) = app
        .get(
            &format!("/api/v1/logs?feature=email&period={y}"),
            Some(&reader),
        )
        .await;
    assert_eq!(logs["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(logs["items"][0]["outcome"], "success");
    assert_eq!(
        export_lines(&app, "acme", &format!("feature=email&period={y}")).await,
        2
    );
    assert_eq!(
        app.get("/api/v1/sites", Some(&reader)).await,
        (
            200,
            json!([{"code": "LYON", "name": "LYON", "hidden": false}])
        )
    );
    // A company that has posted nothing sees nothing, with the default settings.
    let (status, stats) = app
        .get(
            &format!("/api/v1/stats?feature=sms&granularity=year&from={y}&to={y}"),
            Some(&token("initech", "logs:read")),
        )
        .await;
    assert_eq!(
        (status, stats),
        (
            200,
            json!({"feature": "sms", "granularity": "year", "timezone": "Europe/Paris", "hidden_sites": 0,
                   "buckets": [{"period": &format!("{y}"), "counts": {"success": 0, "error": 0, "stopped": 0}, "causes": {"configuration": 0}}]})
        )
    );
}

/// Beyond a hundred hidden sites, the statistics take them off by another query: its answer is the
/// same.
async fn a_hundred_and_one_hidden_sites_are_left_out_too(app: TestApp) {
    let y = crate::helpers::last_year();
    let at = format!("{y}-03-10T10:00:00Z");
    let sites: Vec<String> = (0..=102).map(|n| format!("S{n:03}")).collect();
    let mut events: Vec<Value> = sites
        .iter()
        .map(|site| event("email", "success", site, &at))
        .collect();
    events.push(event("email", "error", "S102", &at));
    post(&app, "acme", events).await;
    for site in &sites[1..102] {
        app.hide_site("acme", site).await;
    }
    let (status, stats) = app
        .get(
            &format!("/api/v1/stats?feature=email&granularity=year&from={y}&to={y}"),
            Some(&token("acme", "logs:read")),
        )
        .await;
    assert_eq!(
        (status, stats),
        (
            200,
            json!({"feature": "email", "granularity": "year", "timezone": "Europe/Paris", "hidden_sites": 101,
                   "buckets": [{"period": &format!("{y}"), "counts": {"success": 2, "error": 1, "stopped": 0}, "causes": {"configuration": 1}}]})
        )
    );
}

crate::on_both_databases!(
    a_hidden_site_is_left_out_of_every_read,
    a_hundred_and_one_hidden_sites_are_left_out_too,
    another_companys_data_never_appears,
);
