//! Hiding a site through the API: every statistic, the overview, the drill-down and the export leave
//! it out while it is hidden and take it back once shown; only `sites:manage` may do it.

use serde_json::json;

use crate::helpers::{event, token, TestApp};

/// What a reader sees of email in March 2026: the yearly count of errors, `hidden_sites`, the
/// overview's email total, the drill-down's entries and the export's lines (header included).
async fn seen(app: &TestApp) -> (u64, u64, u64, usize, usize) {
    let y = crate::helpers::last_year();
    let reader = token("acme", "logs:read");
    let (_, stats) = app
        .get(
            &format!("/api/v1/stats?feature=email&granularity=year&from={y}&to={y}"),
            Some(&reader),
        )
        .await;
    let (_, overview) = app
        .get(
            &format!("/api/v1/stats/overview?period={y}-03"),
            Some(&reader),
        )
        .await;
    assert_eq!(overview["hidden_sites"], stats["hidden_sites"]);
    let (_, logs) = app
        .get(
            &format!("/api/v1/logs?feature=email&period={y}-03"),
            Some(&reader),
        )
        .await;
    let export = app
        .get_raw(
            &format!("/api/v1/logs/export?feature=email&period={y}-03"),
            &reader,
        )
        .await
        .text()
        .await
        .unwrap_or_default();
    (
        stats["buckets"][0]["counts"]["error"]
            .as_u64()
            .unwrap_or(99),
        stats["hidden_sites"].as_u64().unwrap_or(99),
        overview["features"][0]["total"].as_u64().unwrap_or(99),
        logs["items"].as_array().map_or(99, Vec::len),
        export.lines().count(),
    )
}

async fn hiding_and_showing_a_site_changes_every_read(app: TestApp) {
    let y = crate::helpers::last_year();
    let events = vec![
        event("email", "success", "LYON", &format!("{y}-03-10T10:00:00Z")),
        event("email", "error", "PARIS", &format!("{y}-03-11T10:00:00Z")),
        event("email", "error", "PARIS", &format!("{y}-03-12T10:00:00Z")),
    ];
    let (status, _) = app
        .record(&token("acme", "events:write"), &json!({ "events": events }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen(&app).await, (2, 0, 3, 3, 4));

    let manager = token("acme", "sites:manage");
    let (status, site) = app
        .patch("/api/v1/sites/PARIS", &manager, &json!({"hidden": true}))
        .await;
    assert_eq!(
        (status, site),
        (
            200,
            json!({"code": "PARIS", "name": "PARIS", "hidden": true})
        )
    );
    assert_eq!(seen(&app).await, (0, 1, 1, 1, 2));

    let (status, site) = app
        .patch(
            "/api/v1/sites/PARIS",
            &manager,
            &json!({"hidden": false, "name": "Paris Nord"}),
        )
        .await;
    assert_eq!(
        (status, site),
        (
            200,
            json!({"code": "PARIS", "name": "Paris Nord", "hidden": false})
        )
    );
    assert_eq!(seen(&app).await, (2, 0, 3, 3, 4));

    // Only sites:manage; an unknown site is not found; a bad name is refused.
    let reader_only = token("acme", "logs:read settings:admin events:write");
    let (status, _) = app
        .patch(
            "/api/v1/sites/PARIS",
            &reader_only,
            &json!({"hidden": true}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .patch("/api/v1/sites/NANTES", &manager, &json!({"hidden": true}))
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .patch(
            "/api/v1/sites/PARIS",
            &manager,
            &json!({"hidden": true, "name": " "}),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("name"))
    );
    let (status, body) = app
        .patch(
            "/api/v1/sites/PARIS",
            &manager,
            &json!({"hidden": true, "colour": "red"}),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("colour"))
    );
    assert_eq!(seen(&app).await, (2, 0, 3, 3, 4));

    let (_, audit) = app
        .get("/api/v1/audit", Some(&token("acme", "settings:admin")))
        .await;
    let actions: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["actor"].clone(), i["action"].clone()))
        .collect();
    assert_eq!(
        actions,
        [
            (json!("u1"), json!("site_shown")),
            (json!("u1"), json!("site_hidden"))
        ]
    );
    assert_eq!(
        audit["items"][0]["after"],
        json!({"code": "PARIS", "name": "Paris Nord", "hidden": false})
    );
}

crate::on_both_databases!(hiding_and_showing_a_site_changes_every_read);
