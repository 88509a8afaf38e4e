//! Recording events: stored once, counted in their company-local month, refused whole when bad.

use serde_json::{json, Value};

use crate::helpers::{token, TestApp};

fn email(id: Option<&str>) -> Value {
    let y = crate::helpers::last_year();
    let mut event = json!({"feature": "email", "outcome": "success", "site": "LYON", "user_code": "JDUPONT",
                           "occurred_at": &format!("{y}-03-31T23:30:00Z")});
    if let Some(id) = id {
        event["id"] = json!(id);
    }
    event
}

fn batch(n: usize) -> Value {
    let events: Vec<Value> = (0..n)
        .map(|_| email(Some(&uuid::Uuid::now_v7().to_string())))
        .collect();
    json!({ "events": events })
}

async fn one_event_is_stored_in_its_company_local_month(app: TestApp) {
    let y = crate::helpers::last_year();
    let writer = token("acme", "events:write");
    let (status, body) = app.record(&writer, &email(None)).await;
    assert_eq!(
        (status, body),
        (200, json!({"accepted": 1, "duplicates": 0, "expired": 0}))
    );
    assert_eq!(app.stored_events("acme"), 1);
    // 2026-03-31T23:30Z is already April in Paris.
    assert_eq!(app.db.number(&format!("SELECT COUNT(*) AS n FROM monthly_counts WHERE company_id = 'acme' AND month = {y}04 AND count = 1 AND outcome = 'success' AND cause = ''")), 1);
    assert_eq!(
        app.db
            .number("SELECT COUNT(*) AS n FROM sites WHERE company_id = 'acme' AND code = 'LYON'"),
        1
    );
}

async fn a_retried_batch_stores_nothing_twice(app: TestApp) {
    let writer = token("acme", "events:write");
    let body = batch(1000);
    assert_eq!(
        app.record(&writer, &body).await,
        (
            200,
            json!({"accepted": 1000, "duplicates": 0, "expired": 0})
        )
    );
    assert_eq!(
        app.record(&writer, &body).await,
        (
            200,
            json!({"accepted": 0, "duplicates": 1000, "expired": 0})
        )
    );
    let mut events = body["events"].as_array().unwrap()[..10].to_vec();
    events.push(email(Some("0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01")));
    events.push(email(Some("0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c01")));
    assert_eq!(
        app.record(&writer, &json!({"events": events})).await,
        (200, json!({"accepted": 1, "duplicates": 11, "expired": 0}))
    );
    assert_eq!(app.stored_events("acme"), 1001);
    assert_eq!(app.counted_events("acme"), 1001);
}

async fn the_company_comes_from_the_token_only(app: TestApp) {
    let id = "0193c5a0-7a2e-7b41-9c1d-2f0e6a4b8c02";
    assert_eq!(
        app.record(&token("acme", "events:write"), &email(Some(id)))
            .await
            .0,
        200
    );
    // The same id in another company is another event.
    assert_eq!(
        app.record(&token("globex", "events:write"), &email(Some(id)))
            .await,
        (200, json!({"accepted": 1, "duplicates": 0, "expired": 0}))
    );
    let mut naming_a_company = email(None);
    naming_a_company["company"] = json!("globex");
    let (status, body) = app
        .record(&token("acme", "events:write"), &naming_a_company)
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["details"],
        json!([{"field": "company", "message": "unknown field (Histo takes no free text)"}])
    );
    assert_eq!(
        (app.stored_events("acme"), app.stored_events("globex")),
        (1, 1)
    );
}

async fn every_feature_outcome_and_cause_is_taken(app: TestApp) {
    let y = crate::helpers::last_year();
    let cases = [
        ("email", "stopped", None, None),
        ("sms", "error", Some("configuration"), None),
        ("attachment", "error", Some("execution"), None),
        ("sirene", "no_result", None, None),
        ("sirene", "error", Some("remote_api"), None),
        ("vies", "error", Some("invalid_number"), None),
        (
            "dea_update",
            "success",
            None,
            Some(json!({"changed": "amount"})),
        ),
        ("php_web_api", "error", Some("execution"), None),
        ("google_calendar_sync", "stopped", None, None),
    ];
    let events: Vec<Value> = cases
        .iter()
        .map(|(feature, outcome, cause, detail)| {
            json!({"feature": feature, "outcome": outcome, "cause": cause, "detail": detail, "site": "S1",
                   "user_code": "u.1", "occurred_at": &format!("{y}-01-15T10:00:00+01:00"), "code": "HTTP_429"})
        })
        .collect();
    assert_eq!(
        app.record(&token("acme", "events:write"), &json!({"events": events}))
            .await,
        (200, json!({"accepted": 9, "duplicates": 0, "expired": 0}))
    );
    assert_eq!(
        app.db
            .number("SELECT COUNT(*) AS n FROM events WHERE detail = '{\"changed\":\"amount\"}'"),
        1
    );
}

/// Each bad event (alone and as the 2nd of a batch) answers 422 naming the field; nothing is stored.
async fn bad_events_are_refused_whole_naming_each_field(app: TestApp) {
    let y = crate::helpers::last_year();
    let writer = token("acme", "events:write");
    let with = |changes: Value| {
        let mut event = email(None);
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                event.as_object_mut().unwrap().remove(k);
            } else {
                event[k] = v.clone();
            }
        }
        event
    };
    let cases = [
        (json!({"feature": "fax"}), "feature"),
        (json!({"outcome": "no_result"}), "outcome"),
        (json!({"outcome": "error"}), "cause"),
        (
            json!({"outcome": "error", "cause": "invalid_number"}),
            "cause",
        ),
        (json!({"cause": "configuration"}), "cause"),
        (json!({"feature": "dea_update"}), "detail.changed"),
        (json!({"recipient": "jean@example.fr"}), "recipient"),
        (json!({"occurred_at": &format!("31/03/{y}")}), "occurred_at"),
        (
            json!({"occurred_at": &format!("{y}-03-31T23:30:00")}),
            "occurred_at",
        ),
        (json!({"site": "x".repeat(65)}), "site"),
        (json!({"site": "Lyon centre"}), "site"),
        (json!({"user_code": "jean@example.fr"}), "user_code"),
        (json!({"user_code": null}), "user_code"),
        (json!({"code": "not a code"}), "code"),
        (json!({"id": "not-a-uuid"}), "id"),
    ];
    for (changes, field) in cases {
        let bad = with(changes.clone());
        let (status, body) = app.record(&writer, &bad).await;
        assert_eq!(status, 422, "{changes}");
        assert_eq!(
            body["details"][0]["field"],
            json!(field),
            "{changes}: {body}"
        );
        assert!(body["details"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(body["details"][0].get("index").is_none());

        let (status, body) = app
            .record(&writer, &json!({"events": [email(None), bad, email(None)]}))
            .await;
        assert_eq!(status, 422, "{changes}");
        assert_eq!(
            body["error"],
            json!("1 of 3 events are invalid; nothing was stored")
        );
        assert_eq!(body["details"][0]["index"], json!(1), "{changes}");
        assert_eq!(body["details"][0]["field"], json!(field), "{changes}");
    }
    assert_eq!(app.stored_events("acme"), 0);
}

async fn batch_length_and_body_size_are_limited(app: TestApp) {
    let writer = token("acme", "events:write");
    let (status, body) = app.record(&writer, &json!({"events": []})).await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("events"))
    );
    let (status, body) = app.record(&writer, &batch(10_001)).await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("events")),
        "{body}"
    );
    assert_eq!(
        app.record(&writer, &batch(10_000)).await,
        (
            200,
            json!({"accepted": 10_000, "duplicates": 0, "expired": 0})
        )
    );
    let (status, body) = app
        .record(&writer, &json!({"events": [email(None)], "note": "x"}))
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("note"))
    );
    let (status, _) = app.record(&writer, &json!([email(None)])).await;
    assert_eq!(status, 422);

    let huge = "x".repeat(17 * 1024 * 1024);
    let response = app
        .client
        .post(app.url("/api/v1/events"))
        .bearer_auth(&writer)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("larger than"),
        "{body}"
    );

    let response = app
        .client
        .post(app.url("/api/v1/events"))
        .bearer_auth(&writer)
        .body("{\"feature\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(app.stored_events("acme"), 10_000);
}

/// Requests that arrive together are committed in one transaction; one that the database refuses
/// (here a trigger refuses the site `BROKEN`) is answered with an error alone, and the others
/// sharing its transaction are stored and answered as if it were not there.
async fn a_request_the_database_refuses_does_not_sink_the_others(app: TestApp) {
    if app.db.backend() == histo_store::Backend::Postgres {
        app.db.execute(
            "CREATE FUNCTION refuse_broken() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql",
        );
        app.db.execute(
            "CREATE TRIGGER refuse_broken BEFORE INSERT ON events FOR EACH ROW \
             WHEN (NEW.site = 'BROKEN') EXECUTE FUNCTION refuse_broken()",
        );
    } else {
        app.db.execute(
            "CREATE TRIGGER refuse_broken BEFORE INSERT ON events WHEN NEW.site = 'BROKEN' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        );
    }
    let writer = token("acme", "events:write");
    let requests = (0..24)
        .map(|n| {
            let mut events = batch(50);
            if n == 12 {
                events["events"][7]["site"] = json!("BROKEN");
            }
            app.client
                .post(app.url("/api/v1/events"))
                .bearer_auth(&writer)
                .json(&events)
        })
        .collect();
    let statuses = app.send_at_once(requests).await;
    let mut expected = vec![200; 24];
    expected[12] = 500;
    assert_eq!(statuses, expected);
    assert_eq!(app.stored_events("acme"), 23 * 50);
    assert_eq!(app.counted_events("acme"), 23 * 50);
}

/// A batch naming thousands of counters (here 5,000 sites) moves each of them, and the monthly
/// totals beside them, in full: on PostgreSQL they go in several statements.
async fn a_batch_of_thousands_of_counters_is_counted_whole(app: TestApp) {
    let y = crate::helpers::last_year();
    let events: Vec<Value> = (0..10_000)
        .map(|n| {
            let outcome = if n % 3 == 0 { "error" } else { "success" };
            let at = format!("{y}-{:02}-15T12:00:00Z", n % 12 + 1);
            crate::helpers::event("sms", outcome, &format!("S{}", n % 5_000), &at)
        })
        .collect();
    let writer = token("acme", "events:write");
    assert_eq!(
        app.record(&writer, &json!({ "events": events })).await,
        (
            200,
            json!({"accepted": 10_000, "duplicates": 0, "expired": 0})
        )
    );
    let number = |sql: &str| app.db.number(sql);
    assert!(
        number("SELECT COUNT(*) AS n FROM monthly_counts WHERE company_id = 'acme'") > 4_000,
        "more counters than one statement takes"
    );
    assert_eq!(app.counted_events("acme"), 10_000);
    assert_eq!(
        number(
            "SELECT CAST(SUM(count) AS BIGINT) AS n FROM monthly_totals WHERE company_id = 'acme'"
        ),
        10_000
    );
    let (status, stats) = app
        .get(
            &format!("/api/v1/stats?feature=sms&granularity=year&from={y}&to={y}"),
            Some(&token("acme", "logs:read")),
        )
        .await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["buckets"][0]["counts"]["error"], 3_334, "{stats}");
    assert_eq!(stats["buckets"][0]["counts"]["success"], 6_666, "{stats}");
}

crate::on_both_databases!(
    a_batch_of_thousands_of_counters_is_counted_whole,
    a_request_the_database_refuses_does_not_sink_the_others,
    one_event_is_stored_in_its_company_local_month,
    a_retried_batch_stores_nothing_twice,
    the_company_comes_from_the_token_only,
    every_feature_outcome_and_cause_is_taken,
    bad_events_are_refused_whole_naming_each_field,
    batch_length_and_body_size_are_limited,
);
