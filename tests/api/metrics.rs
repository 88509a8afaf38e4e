//! `/metrics` through HTTP: requests counted under their route pattern (never the raw path), refusals
//! by reason, latency, events recorded and duplicates, the writer's queue and the purge, and nothing
//! that names a company, a site or a user.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{event, test_limits, token, Db, TestApp};

/// One line of the metrics page: a name, its labels, a value.
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The metrics page: its text and its samples.
struct Page {
    text: String,
    samples: Vec<Sample>,
}

impl Page {
    /// The value of the sample `name` with exactly `labels`; 0 when absent, as Prometheus reads it.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.samples
            .iter()
            .find(|s| s.name == name && s.labels == wanted)
            .map_or(0.0, |s| s.value)
    }
}

async fn scrape(app: &TestApp) -> Page {
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let samples = text
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| sample(line).unwrap_or_else(|| panic!("not a sample: {line}")))
        .collect();
    Page { text, samples }
}

/// `name{a="x",b="y"} 1`, label values escaped as the text format says.
fn sample(line: &str) -> Option<Sample> {
    let (series, value) = line.rsplit_once(' ')?;
    let value = value.parse().ok()?;
    let Some((name, mut rest)) = series.split_once('{') else {
        return Some(Sample {
            name: series.to_owned(),
            labels: BTreeMap::new(),
            value,
        });
    };
    let mut labels = BTreeMap::new();
    while let Some((key, after)) = rest.split_once("=\"") {
        let mut text = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next()? {
                (_, '\\') => text.push(match chars.next()?.1 {
                    'n' => '\n',
                    other => other,
                }),
                (i, '"') => break i,
                (_, c) => text.push(c),
            }
        };
        labels.insert(key.trim_start_matches(',').to_owned(), text);
        rest = &after[end + 1..];
    }
    (rest == "}").then_some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

const SITE: &str = "SECRET-SITE-7";

async fn requests_are_counted_by_route_pattern_and_refusals_by_reason(db: Db) {
    // A body limit that a batch of 100 events exceeds.
    let limits = histo_server::Limits {
        max_body_bytes: 8 * 1024,
        ..test_limits()
    };
    let app = TestApp::spawn_with(db, limits).await;
    let writer = token("acme", "events:write");
    let batch: Vec<_> = (0..3)
        .map(|_| event("email", "success", SITE, &chrono::Utc::now().to_rfc3339()))
        .collect();
    let ok = |(status, body): (u16, serde_json::Value)| assert_eq!(status, 200, "{body}");
    ok(app.record(&writer, &json!({ "events": batch })).await);
    ok(app.record(&writer, &batch[0]).await);
    let manager = token("acme", "sites:manage");
    ok(app
        .patch(
            &format!("/api/v1/sites/{SITE}"),
            &manager,
            &json!({"hidden": true}),
        )
        .await);

    let refusals = [
        app.get("/api/v1/sites", None).await.0,
        app.record(&token("acme", "logs:read"), &batch[0]).await.0,
        app.record(&writer, &json!({"feature": "email"})).await.0,
        app.record(&writer, &json!({"events": vec![batch[0].clone(); 100]}))
            .await
            .0,
        app.patch(
            "/api/v1/sites/NO-SUCH-SITE",
            &manager,
            &json!({"hidden": true}),
        )
        .await
        .0,
    ];
    assert_eq!(refusals, [401, 403, 422, 413, 404]);
    let mut sign_ins = Vec::new();
    for _ in 0..6 {
        sign_ins.push(app.sign_in("acme", "JDUPONT", "not the password").await.0);
    }
    assert_eq!(sign_ins, [401, 401, 401, 401, 401, 429]);
    for path in [
        "/api/v1/nothing/raw-path-one",
        "/api/v1/nothing/raw-path-two",
    ] {
        assert_eq!(app.get(path, None).await.0, 404);
    }
    let web_page = app.client.get(app.url("/sites")).send().await.unwrap();
    assert_eq!(
        web_page.status().as_u16(),
        200,
        "the web app is built into the binary (make web)"
    );

    let page = scrape(&app).await;
    let requests = |method, route, status| {
        page.value(
            "histo_http_requests_total",
            &[("method", method), ("route", route), ("status", status)],
        )
    };
    assert_eq!(requests("POST", "/api/v1/events", "200"), 2.0);
    assert_eq!(requests("PATCH", "/api/v1/sites/{code}", "200"), 1.0);
    assert_eq!(requests("PATCH", "/api/v1/sites/{code}", "404"), 1.0);
    assert_eq!(requests("GET", "unknown", "404"), 2.0);
    let web_app: f64 = page
        .samples
        .iter()
        .filter(|s| s.name == "histo_http_requests_total" && s.labels["route"] == "web_app")
        .map(|s| s.value)
        .sum();
    assert_eq!(web_app, 1.0, "the web app's pages are one route");

    let refused = |route, reason| {
        page.value(
            "histo_refusals_total",
            &[("route", route), ("reason", reason)],
        )
    };
    assert_eq!(refused("/api/v1/sites", "auth"), 1.0);
    assert_eq!(refused("/api/v1/events", "forbidden"), 1.0);
    assert_eq!(refused("/api/v1/events", "validation"), 1.0);
    assert_eq!(refused("/api/v1/events", "too_large"), 1.0);
    assert_eq!(refused("/api/v1/sites/{code}", "not_found"), 1.0);
    assert_eq!(refused("/api/v1/auth/token", "auth"), 5.0);
    assert_eq!(refused("/api/v1/auth/token", "throttled"), 1.0);

    let latency = "histo_http_request_duration_seconds";
    let events_route = [("route", "/api/v1/events")];
    assert_eq!(page.value(&format!("{latency}_count"), &events_route), 5.0);
    assert_eq!(
        page.value(
            &format!("{latency}_bucket"),
            &[("route", "/api/v1/events"), ("le", "+Inf")]
        ),
        5.0
    );
    assert!(page.value(&format!("{latency}_sum"), &events_route) > 0.0);

    assert_eq!(page.value("histo_events_recorded_total", &[]), 3.0);
    assert_eq!(page.value("histo_events_duplicates_total", &[]), 1.0);
    assert_eq!(page.value("histo_writer_queue_requests", &[]), 0.0);
    for private in ["acme", SITE, "JDUPONT", "NO-SUCH-SITE", "raw-path"] {
        assert!(
            !page.text.contains(private),
            "the metrics show '{private}':\n{}",
            page.text
        );
    }
}

async fn the_servers_purges_are_counted(app: TestApp) {
    app.keep_ten_years("acme").await;
    let writer = token("acme", "events:write");
    let old = event(
        "sms",
        "success",
        "S1",
        &(chrono::Utc::now() - chrono::Duration::days(30 * 31)).to_rfc3339(),
    );
    let recent = event("sms", "success", "S1", &chrono::Utc::now().to_rfc3339());
    assert_eq!(
        app.record(&writer, &json!({"events": [old, recent]}))
            .await
            .0,
        200
    );
    let (status, _) = app
        .put(
            "/api/v1/settings/retention",
            &token("acme", "settings:admin"),
            &json!({"months": 12, "admin_password": crate::helpers::KEEPING_PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    // The shorter period is purged in the background.
    let started = Instant::now();
    let page = loop {
        let page = scrape(&app).await;
        if page.value("histo_purge_runs_total", &[("result", "ok")]) > 0.0 {
            break page;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no purge counted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        page.value("histo_purge_runs_total", &[("result", "ok")]),
        1.0
    );
    assert_eq!(page.value("histo_purged_entries_total", &[]), 1.0);
    assert_eq!(app.stored_events("acme"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_route_pattern_and_refusals_by_reason_on_sqlite() {
    requests_are_counted_by_route_pattern_and_refusals_by_reason(Db::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_route_pattern_and_refusals_by_reason_on_postgres() {
    requests_are_counted_by_route_pattern_and_refusals_by_reason(Db::Postgres).await
}

crate::on_both_databases!(the_servers_purges_are_counted);
