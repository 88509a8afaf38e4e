//! The read routes' gate: a token with `logs:read` is needed, and every bad query parameter answers
//! 422 naming it. Also the taxonomy that clients draw legends from.

use serde_json::json;

use crate::helpers::{token, TestApp};

const READ_ROUTES: [&str; 6] = [
    "/api/v1/stats?feature=email&granularity=month&year=2026",
    "/api/v1/stats/overview?period=2026",
    "/api/v1/logs?feature=email&period=2026",
    "/api/v1/logs/export?feature=email&period=2026",
    "/api/v1/features",
    "/api/v1/sites",
];

async fn reading_needs_a_token_with_logs_read(app: TestApp) {
    let writer = token("acme", "events:write");
    let reader = token("acme", "logs:read");
    for path in READ_ROUTES {
        assert_eq!(app.get(path, None).await.0, 401, "{path}");
        assert_eq!(app.get(path, Some("not-a-token")).await.0, 401, "{path}");
        assert_eq!(app.get(path, Some(&writer)).await.0, 403, "{path}");
        assert_eq!(
            app.get_raw(path, &reader).await.status().as_u16(),
            200,
            "{path}"
        );
    }
}

async fn every_bad_parameter_is_named(app: TestApp) {
    let reader = token("acme", "logs:read");
    let cases = [
        (
            "/api/v1/stats?feature=fax&granularity=month&year=2026",
            "feature",
        ),
        ("/api/v1/stats?granularity=month&year=2026", "feature"),
        ("/api/v1/stats?feature=email&year=2026", "granularity"),
        (
            "/api/v1/stats?feature=email&granularity=week&year=2026",
            "granularity",
        ),
        ("/api/v1/stats?feature=email&granularity=month", "year"),
        (
            "/api/v1/stats?feature=email&granularity=month&year=twenty",
            "year",
        ),
        (
            "/api/v1/stats?feature=email&granularity=month&year=2026&from=2020",
            "from",
        ),
        (
            "/api/v1/stats?feature=email&granularity=year&from=1970&to=2026",
            "to",
        ),
        (
            "/api/v1/stats?feature=email&granularity=year&from=2026&to=2025",
            "to",
        ),
        (
            "/api/v1/stats?feature=email&granularity=year&to=2025",
            "from",
        ),
        (
            "/api/v1/stats?feature=email&granularity=year&from=2020&to=2025&year=2026",
            "year",
        ),
        (
            "/api/v1/stats?feature=email&granularity=month&year=2026&colour=red",
            "colour",
        ),
        (
            "/api/v1/stats?feature=email&feature=sms&granularity=month&year=2026",
            "feature",
        ),
        (
            "/api/v1/stats?feature=email&granularity=month&year=2026&site=a%20b",
            "site",
        ),
        ("/api/v1/stats/overview?period=2026-13", "period"),
        ("/api/v1/stats/overview", "period"),
        ("/api/v1/logs?feature=email&period=2026-13", "period"),
        ("/api/v1/logs?feature=email&period=March", "period"),
        ("/api/v1/logs?feature=email", "period"),
        (
            "/api/v1/logs?feature=email&period=2026&outcome=no_result",
            "outcome",
        ),
        (
            "/api/v1/logs?feature=email&period=2026&outcome=lost",
            "outcome",
        ),
        ("/api/v1/logs?feature=email&period=2026&limit=0", "limit"),
        ("/api/v1/logs?feature=email&period=2026&limit=501", "limit"),
        ("/api/v1/logs?feature=email&period=2026&limit=ten", "limit"),
        (
            "/api/v1/logs?feature=email&period=2026&cursor=forged",
            "cursor",
        ),
        // Well formed, but of the month 2021-77.
        (
            "/api/v1/logs?feature=email&period=2026&cursor=AAMVwQAGR1Bt3A0AAZPFoHoue0GcHS8OakuMAQ",
            "cursor",
        ),
        ("/api/v1/logs?feature=email&period=2026&order=asc", "order"),
        (
            "/api/v1/logs/export?feature=email&period=2026&sep=tab",
            "sep",
        ),
        (
            "/api/v1/logs/export?feature=email&period=2026&bom=yes",
            "bom",
        ),
        (
            "/api/v1/logs/export?feature=email&period=2026&lang=de",
            "lang",
        ),
        (
            "/api/v1/logs/export?feature=email&period=2026&limit=5",
            "limit",
        ),
        ("/api/v1/features?lang=fr", "lang"),
        ("/api/v1/sites?all=true", "all"),
    ];
    for (path, field) in cases {
        let (status, body) = app.get(path, Some(&reader)).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["details"][0]["field"], field, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
}

async fn a_cursor_from_another_period_is_refused(app: TestApp) {
    let events: Vec<_> = (0..3)
        .map(|i| {
            crate::helpers::event(
                "email",
                "success",
                "LYON",
                &format!("2026-03-1{i}T10:00:00Z"),
            )
        })
        .collect();
    assert_eq!(
        app.record(&token("acme", "events:write"), &json!({ "events": events }))
            .await
            .0,
        200
    );
    let reader = token("acme", "logs:read");
    let (_, page) = app
        .get(
            "/api/v1/logs?feature=email&period=2026-03&limit=1",
            Some(&reader),
        )
        .await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (status, _) = app
        .get(
            &format!("/api/v1/logs?feature=email&period=2026&limit=1&cursor={cursor}"),
            Some(&reader),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .get(
            &format!("/api/v1/logs?feature=email&period=2026-04&cursor={cursor}"),
            Some(&reader),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("cursor"))
    );
}

async fn the_features_come_with_their_labels(app: TestApp) {
    let (status, features) = app
        .get("/api/v1/features", Some(&token("acme", "logs:read")))
        .await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = features
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "email",
            "sms",
            "attachment",
            "sirene",
            "vies",
            "dea_update",
            "php_web_api",
            "google_calendar_sync"
        ]
    );
    assert_eq!(
        features[0],
        json!({"code": "email", "label": {"fr": "Envoi d'e-mails", "en": "Sending e-mails"},
               "outcomes": [{"code": "success", "label": {"fr": "Envoyés", "en": "Sent"}},
                            {"code": "error", "label": {"fr": "En erreur", "en": "Errors"}},
                            {"code": "stopped", "label": {"fr": "Arrêtés par l'utilisateur", "en": "Stopped by the user"}}],
               "causes": [{"code": "configuration", "label": {"fr": "Problème de configuration", "en": "Configuration problem"}}],
               "detail": null})
    );
    assert_eq!(
        features[5],
        json!({"code": "dea_update", "label": {"fr": "Mise à jour DEA", "en": "DEA update"},
               "outcomes": [{"code": "success", "label": {"fr": "Mises à jour effectuées", "en": "Updates done"}}],
               "causes": [],
               "detail": {"field": "changed", "values": [
                   {"code": "code", "label": {"fr": "Code modifié", "en": "Code changed"}},
                   {"code": "amount", "label": {"fr": "Montant modifié", "en": "Amount changed"}}]}})
    );
}

crate::on_both_databases!(
    reading_needs_a_token_with_logs_read,
    every_bad_parameter_is_named,
    a_cursor_from_another_period_is_refused,
    the_features_come_with_their_labels,
);
