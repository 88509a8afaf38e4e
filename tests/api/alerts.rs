//! Alerts as the company administrator and the host application see them, over real HTTP with a
//! webhook receiver on the loopback: a rule fires once when its condition starts holding and once
//! when it stops, each time with a signed webhook, and not more often than it may; a failing receiver gets its retries while
//! recording goes on; addresses outside the allow-list and bad rules are refused; the monthly
//! digest goes once per month with last month's figures.

use std::time::Duration;

use chrono::{Datelike, TimeZone as _, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use histo_domain::{AlertRule, CompanyId, Condition, Feature, TimeZone, Window};
use histo_store::{Store, StoreOptions};

use crate::helpers::{event, months_ago, test_alerts, test_limits, token, Db, TestApp};
use crate::receiver::{Hook, Receiver};

/// A server whose webhooks may go to the receiver's `/hooks/`.
async fn app_with(db: Db, receiver: &Receiver) -> TestApp {
    let mut limits = test_limits();
    limits.alerts = test_alerts(&format!("{}/hooks/", receiver.address));
    TestApp::spawn_with(db, limits).await
}

fn admin() -> String {
    token("acme", "settings:admin")
}

async fn add_rule(app: &TestApp, rule: Value) -> Value {
    let (status, body) = app
        .post("/api/v1/alerts/rules", Some(&admin()), &rule)
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Records `n` uses of `feature` at `site` that happened `ago` before now.
async fn record(app: &TestApp, feature: &str, outcome: &str, site: &str, n: usize, ago: Duration) {
    let at = (Utc::now() - chrono::Duration::from_std(ago).expect("duration")).to_rfc3339();
    let events: Vec<Value> = (0..n).map(|_| event(feature, outcome, site, &at)).collect();
    let (status, body) = app
        .record(&token("acme", "events:write"), &json!({ "events": events }))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Whether the hook carries the HMAC-SHA256 of its body with `secret`.
fn signed_with(hook: &Hook, secret: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(hook.body.as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hook.header("x-histo-signature") == format!("sha256={expected}")
}

async fn alert_events(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/alerts/events", Some(&admin())).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().expect("items").clone()
}

async fn a_rule_fires_once_and_recovers_once_with_signed_webhooks(db: Db) {
    let receiver = Receiver::start(&[]).await;
    let app = app_with(db, &receiver).await;
    let rule = add_rule(
        &app,
        json!({"feature": "email", "site": "LYON", "webhook_url": format!("{}/hooks/acme", receiver.address),
               "condition": {"type": "errors", "errors": 3, "minutes": 1}}),
    )
    .await;
    let secret = rule["secret"].as_str().expect("secret").to_owned();
    assert_eq!(secret.len(), 64, "{rule}");
    let (_, listed) = app.get("/api/v1/alerts/rules", Some(&admin())).await;
    assert_eq!(listed["rules"][0]["id"], rule["id"]);
    assert_eq!(listed["rules"][0]["firing"], json!(false));
    assert!(
        listed["rules"][0].get("secret").is_none(),
        "the key is shown once: {listed}"
    );

    // Errors dated 50 s ago leave the one-minute window 10 s from now.
    let ago = Duration::from_secs(50);
    record(&app, "email", "error", "LYON", 2, ago).await;
    record(&app, "email", "success", "LYON", 5, ago).await;
    record(&app, "email", "error", "PARIS", 3, ago).await;
    record(&app, "sms", "error", "LYON", 3, ago).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        receiver.hooks().is_empty(),
        "two errors at LYON are not three"
    );

    record(&app, "email", "error", "LYON", 1, ago).await;
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    let fired = &hooks[0];
    assert!(signed_with(fired, &secret), "{fired:?}");
    assert_eq!(fired.path, "/hooks/acme");
    assert_eq!(fired.header("x-histo-event"), "alert.firing");
    let body = fired.json();
    assert_eq!(body["id"], json!(fired.header("x-histo-delivery")));
    assert_eq!(
        (
            &body["type"],
            &body["company"],
            &body["rule"]["id"],
            &body["window"]
        ),
        (
            &json!("alert.firing"),
            &json!("acme"),
            &rule["id"],
            &json!({"uses": 8, "errors": 3})
        ),
        "{body}"
    );
    assert_eq!(
        body["rule"]["condition"],
        json!({"type": "errors", "errors": 3, "minutes": 1})
    );
    let link = body["link"].as_str().expect("link");
    assert!(
        link.starts_with("https://histo.example.com/?feature=email&granularity=month")
            && link.ends_with("&outcome=error&site=LYON"),
        "{link}"
    );

    // More errors while it holds: no second webhook.
    record(&app, "email", "error", "LYON", 4, ago).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.hooks().len(), 1, "no flood while the rule holds");
    let (_, listed) = app.get("/api/v1/alerts/rules", Some(&admin())).await;
    assert_eq!(listed["rules"][0]["firing"], json!(true));

    // Once the errors are more than a minute old, the rule recovers, once.
    let hooks = receiver.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    let recovered = &hooks[1];
    assert!(signed_with(recovered, &secret));
    assert_eq!(recovered.header("x-histo-event"), "alert.recovered");
    assert_eq!(recovered.json()["window"]["errors"], json!(0));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.hooks().len(), 2, "recovered once");

    let events = alert_events(&app).await;
    let states: Vec<(&Value, &Value, &Value)> = events
        .iter()
        .map(|e| (&e["state"], &e["window"]["errors"], &e["webhook"]["state"]))
        .collect();
    assert_eq!(
        states,
        [
            (&json!("recovered"), &json!(0), &json!("delivered")),
            (&json!("firing"), &json!(3), &json!("delivered")),
        ]
    );
    assert_eq!(events[1]["site"], json!("LYON"));

    // A page at a time: the newest, then the other, then no further page.
    let page = "/api/v1/alerts/events?limit=1";
    let (status, first) = app.get(page, Some(&admin())).await;
    assert_eq!(status, 200, "{first}");
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (status, second) = app
        .get(&format!("{page}&cursor={cursor}"), Some(&admin()))
        .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        (&first["items"], &second["items"], &second["next_cursor"]),
        (&json!([events[0]]), &json!([events[1]]), &Value::Null)
    );
}

async fn an_error_share_rule_looks_at_the_last_uses(db: Db) {
    let receiver = Receiver::start(&[]).await;
    let app = app_with(db, &receiver).await;
    let rule = add_rule(
        &app,
        json!({"feature": "vies", "webhook_url": format!("{}/hooks/share", receiver.address),
               "condition": {"type": "error_share", "percent": 50, "uses": 10}}),
    )
    .await;
    let now = Duration::ZERO;
    // Older uses first, then the last ten: six errors over three sites.
    record(
        &app,
        "vies",
        "success",
        "LYON",
        30,
        Duration::from_secs(600),
    )
    .await;
    record(&app, "vies", "error", "LYON", 2, now).await;
    record(&app, "vies", "error", "PARIS", 2, now).await;
    record(&app, "vies", "no_result", "NICE", 4, now).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(receiver.hooks().is_empty(), "4 errors in the last 10 uses");
    record(&app, "vies", "error", "NICE", 2, now).await;
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(hooks.len(), 1);
    assert!(signed_with(
        &hooks[0],
        rule["secret"].as_str().expect("secret")
    ));
    assert_eq!(hooks[0].json()["window"], json!({"uses": 10, "errors": 6}));
    record(&app, "vies", "success", "LYON", 10, now).await;
    let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[1].json()["window"], json!({"uses": 10, "errors": 0}));
    assert_eq!(alert_events(&app).await.len(), 2);
}

async fn a_failing_receiver_gets_retries_while_recording_goes_on(db: Db) {
    // Three failures, then accepted.
    let receiver = Receiver::start(&[500, 503, 502]).await;
    let app = app_with(db, &receiver).await;
    add_rule(
        &app,
        json!({"feature": "sms", "webhook_url": format!("{}/hooks/retried", receiver.address),
               "condition": {"type": "errors", "errors": 1, "minutes": 10}}),
    )
    .await;
    record(&app, "sms", "error", "LYON", 1, Duration::ZERO).await;
    for _ in 0..5 {
        // Recording is answered while the webhook fails.
        record(&app, "sms", "success", "LYON", 100, Duration::ZERO).await;
    }
    let hooks = receiver.wait_for(4, Duration::from_secs(15)).await;
    assert_eq!(hooks.len(), 4, "{hooks:?}");
    let delivery = hooks[0].header("x-histo-delivery");
    assert!(hooks
        .iter()
        .all(|h| h.header("x-histo-delivery") == delivery && h.body == hooks[0].body));
    let waits: Vec<Duration> = hooks.windows(2).map(|w| w[1].at - w[0].at).collect();
    for (wait, least) in waits.iter().zip([200, 400, 800]) {
        assert!(
            *wait >= Duration::from_millis(least),
            "waits double from 200 ms: {waits:?}"
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events = alert_events(&app).await;
    assert_eq!(
        events[0]["webhook"]["state"],
        json!("delivered"),
        "{events:?}"
    );
}

async fn a_receiver_that_keeps_failing_is_given_up_after_the_retry_period(db: Db) {
    let receiver = Receiver::start(&[500; 100]).await;
    let app = app_with(db, &receiver).await;
    add_rule(
        &app,
        json!({"feature": "sms", "webhook_url": format!("{}/hooks/down", receiver.address),
               "condition": {"type": "errors", "errors": 1, "minutes": 10}}),
    )
    .await;
    record(&app, "sms", "error", "LYON", 1, Duration::ZERO).await;
    // Tried for 3 seconds (200, 400, 800, 1600 ms apart), then given up.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let webhook = loop {
        let events = alert_events(&app).await;
        let webhook = events
            .first()
            .map(|e| e["webhook"].clone())
            .unwrap_or(Value::Null);
        if webhook["state"] == json!("failed") || std::time::Instant::now() > deadline {
            break webhook;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        webhook,
        json!({"state": "failed", "last_error": "the receiver answered 500 Internal Server Error"})
    );
    let tries = receiver.hooks().len();
    assert!((3..=5).contains(&tries), "{tries} attempts");
}

/// What became of a webhook is kept 30 days after it was delivered (or given up), then forgotten.
async fn webhooks_are_forgotten_a_month_after_they_finished(db: Db) {
    let receiver = Receiver::start(&[]).await;
    let app = app_with(db, &receiver).await;
    add_rule(
        &app,
        json!({"feature": "sms", "webhook_url": format!("{}/hooks/kept", receiver.address),
               "condition": {"type": "errors", "errors": 1, "minutes": 10}}),
    )
    .await;
    record(&app, "sms", "error", "LYON", 1, Duration::ZERO).await;
    assert_eq!(receiver.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    let delivered = "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE state = 'delivered'";
    let kept_until = |deadline: Duration, wanted: i64| {
        let app = &app;
        async move {
            let deadline = std::time::Instant::now() + deadline;
            while app.db.number(delivered) != wanted && std::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            app.db.number(delivered)
        }
    };
    assert_eq!(kept_until(Duration::from_secs(5), 1).await, 1);
    let finished = |ago: chrono::Duration| {
        app.db.execute(&format!(
            "UPDATE webhook_deliveries SET finished_at = {}",
            (Utc::now() - ago).timestamp_micros()
        ))
    };
    // Old finished webhooks are looked for every 200 ms in the tests.
    finished(chrono::Duration::days(30) - chrono::Duration::minutes(5));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(app.db.number(delivered), 1, "kept for 30 days");
    finished(chrono::Duration::days(30) + chrono::Duration::minutes(5));
    assert_eq!(
        kept_until(Duration::from_secs(5), 0).await,
        0,
        "forgotten after 30 days"
    );
}

async fn addresses_outside_the_allow_list_and_bad_rules_are_refused(db: Db) {
    let receiver = Receiver::start(&[]).await;
    let app = app_with(db, &receiver).await;
    let hooks = format!("{}/hooks/x", receiver.address);
    let rule = |feature: &str, condition: Value, url: &str| json!({"feature": feature, "condition": condition, "webhook_url": url});
    let errors = json!({"type": "errors", "errors": 5, "minutes": 10});
    let other_port = receiver.address.replace("127.0.0.1:", "127.0.0.1:1");
    for (body, field) in [
        (
            rule(
                "email",
                errors.clone(),
                "http://169.254.169.254/latest/meta-data",
            ),
            "webhook_url",
        ),
        (
            rule("email", errors.clone(), &format!("{other_port}/hooks/x")),
            "webhook_url",
        ),
        (
            rule(
                "email",
                errors.clone(),
                &format!("{}/admin", receiver.address),
            ),
            "webhook_url",
        ),
        (
            rule(
                "email",
                errors.clone(),
                &hooks.replace("http://", "http://me:pw@"),
            ),
            "webhook_url",
        ),
        (
            rule("email", errors.clone(), "file:///etc/passwd"),
            "webhook_url",
        ),
        (rule("fax", errors.clone(), &hooks), "feature"),
        (
            rule(
                "email",
                json!({"type": "errors", "errors": 0, "minutes": 10}),
                &hooks,
            ),
            "condition.errors",
        ),
        (
            rule(
                "email",
                json!({"type": "errors", "errors": 1, "minutes": 1441}),
                &hooks,
            ),
            "condition.minutes",
        ),
        (
            rule(
                "email",
                json!({"type": "error_share", "percent": 100, "uses": 10}),
                &hooks,
            ),
            "condition.percent",
        ),
        (
            rule(
                "email",
                json!({"type": "error_share", "percent": 10, "uses": 4}),
                &hooks,
            ),
            "condition.uses",
        ),
        (
            json!({"feature": "email", "site": "LYON ET PARIS", "condition": errors, "webhook_url": hooks}),
            "site",
        ),
    ] {
        let (status, answer) = app
            .post("/api/v1/alerts/rules", Some(&admin()), &body)
            .await;
        assert_eq!(
            (status, &answer["details"][0]["field"]),
            (422, &json!(field)),
            "{body}: {answer}"
        );
    }
    for body in [
        json!({"feature": "email", "condition": {"type": "sometimes"}, "webhook_url": hooks}),
        json!({"feature": "email", "condition": errors, "webhook_url": hooks, "secret": "mine"}),
    ] {
        let (status, answer) = app
            .post("/api/v1/alerts/rules", Some(&admin()), &body)
            .await;
        assert_eq!(status, 422, "{body}: {answer}");
    }
    let (_, listed) = app.get("/api/v1/alerts/rules", Some(&admin())).await;
    assert_eq!(listed["rules"], json!([]), "nothing refused was stored");

    // At most 100 rules.
    for n in 0..100 {
        let url = format!("{hooks}{n}");
        add_rule(&app, rule("email", errors.clone(), &url)).await;
    }
    let (status, answer) = app
        .post(
            "/api/v1/alerts/rules",
            Some(&admin()),
            &rule("email", errors.clone(), &hooks),
        )
        .await;
    assert_eq!(
        (status, &answer["details"][0]["field"]),
        (422, &json!("rules"))
    );

    // Another company can neither see nor remove acme's rules.
    let (_, listed) = app.get("/api/v1/alerts/rules", Some(&admin())).await;
    let first = listed["rules"][0]["id"].as_str().expect("id").to_owned();
    let other = token("globex", "settings:admin");
    let (_, theirs) = app.get("/api/v1/alerts/rules", Some(&other)).await;
    assert_eq!(theirs["rules"], json!([]));
    let path = format!("/api/v1/alerts/rules/{first}");
    let removal = |token: String| {
        let request = app.client.delete(app.url(&path)).bearer_auth(token);
        async move { request.send().await.expect("answer").status().as_u16() }
    };
    assert_eq!(removal(other).await, 404);
    assert_eq!(removal(admin()).await, 204);
    assert_eq!(removal(admin()).await, 404);
    let (_, listed) = app.get("/api/v1/alerts/rules", Some(&admin())).await;
    assert_eq!(listed["rules"].as_array().map(Vec::len), Some(99));

    let (_, trail) = app.get("/api/v1/audit?limit=2", Some(&admin())).await;
    assert_eq!(trail["items"][0]["action"], json!("alert_rule_removed"));
    assert_eq!(trail["items"][0]["before"]["id"], json!(first));
    assert_eq!(trail["items"][1]["action"], json!("alert_rule_added"));
    assert!(!trail.to_string().contains("secret"), "{trail}");
}

async fn the_monthly_digest_goes_once_with_last_months_figures(db: Db) {
    let receiver = Receiver::start(&[]).await;
    let app = app_with(db, &receiver).await;
    app.keep_ten_years("acme").await;
    // Months as the company counts them (Paris), which are not UTC's around midnight on the 1st.
    let first_day = |month: histo_domain::Month| {
        chrono::NaiveDate::from_ymd_opt(month.year, month.month, 1).expect("first day")
    };
    let (this_month, last_month) = (first_day(months_ago(0)), first_day(months_ago(1)));
    let a_year_before = last_month.with_year(last_month.year() - 1).expect("date");
    let at = |day: chrono::NaiveDate| format!("{day}T12:00:00+00:00");
    let events = |list: &[(&str, &str, &str, usize)], day| {
        list.iter()
            .flat_map(|(feature, outcome, site, n)| {
                (0..*n).map(move |_| event(feature, outcome, site, &at(day)))
            })
            .collect::<Vec<_>>()
    };
    let writer = token("acme", "events:write");
    for (list, day) in [
        (
            events(
                &[
                    ("email", "success", "LYON", 10),
                    ("email", "error", "LYON", 2),
                    ("email", "error", "PARIS", 5),
                    ("sms", "error", "NICE", 1),
                    ("sms", "error", "HIDDEN", 50),
                ],
                last_month + chrono::Duration::days(1),
            ),
            last_month,
        ),
        (
            events(&[("email", "success", "LYON", 8)], a_year_before),
            a_year_before,
        ),
        (
            events(&[("email", "error", "LYON", 9)], this_month),
            this_month,
        ),
    ] {
        let (status, body) = app.record(&writer, &json!({ "events": list })).await;
        assert_eq!(status, 200, "{day}: {body}");
    }
    app.hide_site("acme", "HIDDEN").await;

    let (status, digest) = app
        .put(
            "/api/v1/alerts/digest",
            &admin(),
            &json!({"webhook_url": format!("{}/hooks/digest", receiver.address)}),
        )
        .await;
    assert_eq!(status, 200, "{digest}");
    let secret = digest["secret"].as_str().expect("secret").to_owned();
    let ended = last_month.format("%Y-%m").to_string();
    assert_eq!(
        digest["last_month"],
        json!(ended),
        "the month just ended is not sent"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(receiver.hooks().is_empty());

    // As if the last digest went two months ago: last month's is due.
    app.db.execute(&format!(
        "UPDATE alert_digests SET last_month = {} WHERE company_id = 'acme'",
        (last_month - chrono::Duration::days(1)).format("%Y%m")
    ));
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(hooks.len(), 1);
    assert!(signed_with(&hooks[0], &secret));
    assert_eq!(hooks[0].header("x-histo-event"), "digest");
    let body = hooks[0].json();
    assert_eq!(
        (&body["month"], &body["hidden_sites"]),
        (&json!(ended), &json!(1))
    );
    let email = &body["features"][0];
    assert_eq!(
        email,
        &json!({"feature": "email", "uses": 17, "errors": 7, "uses_year_before": 8,
                "errors_year_before": 0, "change_percent": 112.5})
    );
    assert_eq!(
        body["features"][1],
        json!({"feature": "sms", "uses": 1, "errors": 1, "uses_year_before": 0,
               "errors_year_before": 0, "change_percent": null})
    );
    assert_eq!(body["features"].as_array().map(Vec::len), Some(8));
    assert_eq!(
        body["top_sites_by_errors"],
        json!([{"site": "PARIS", "name": "PARIS", "errors": 5},
               {"site": "LYON", "name": "LYON", "errors": 2},
               {"site": "NICE", "name": "NICE", "errors": 1}])
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.hooks().len(), 1, "once per month");
    let (_, digest) = app.get("/api/v1/alerts/digest", Some(&admin())).await;
    assert_eq!(
        (&digest["last_month"], digest.get("secret")),
        (&json!(ended), None)
    );

    let stop = || {
        let request = app
            .client
            .delete(app.url("/api/v1/alerts/digest"))
            .bearer_auth(admin());
        async move { request.send().await.expect("answer").status().as_u16() }
    };
    assert_eq!(stop().await, 204);
    assert_eq!(stop().await, 404);
    assert_eq!(
        app.get("/api/v1/alerts/digest", Some(&admin())).await,
        (200, json!({"webhook_url": null, "last_month": null}))
    );
}

async fn a_rule_on_its_threshold_changes_at_most_once_a_second(db: Db) {
    let receiver = Receiver::start(&[]).await;
    let app = app_with(db, &receiver).await;
    add_rule(
        &app,
        json!({"feature": "sirene", "webhook_url": format!("{}/hooks/flapping", receiver.address),
               "condition": {"type": "error_share", "percent": 0, "uses": 5}}),
    )
    .await;
    // Any error among the last five uses, then none, in turn, ten times in about two seconds.
    let started = std::time::Instant::now();
    for _ in 0..10 {
        record(&app, "sirene", "error", "LYON", 1, Duration::ZERO).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        record(&app, "sirene", "success", "LYON", 5, Duration::ZERO).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    // The last state (no error) is reached, late but surely.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let events = alert_events(&app).await;
    assert!(
        !events.is_empty() && (events.len() as f64) <= seconds + 2.0,
        "{} changes in {seconds:.1} s: {events:?}",
        events.len()
    );
    assert_eq!(events[0]["state"], json!("recovered"), "{events:?}");
    assert_eq!(receiver.hooks().len(), events.len());
}

/// Both kinds of window at the start of a month read the month before too. The store is asked
/// directly, as of ten minutes into the current month (in the company's time zone), since a server
/// looks only as of its own now.
async fn a_window_at_the_start_of_a_month_reads_the_month_before(db: Db) {
    let app = TestApp::spawn(db).await;
    let zone = TimeZone::default().tz();
    let today = Utc::now().with_timezone(&zone);
    let start = zone
        .with_ymd_and_hms(today.year(), today.month(), 1, 0, 0, 0)
        .single()
        .expect("a month starts at midnight")
        .with_timezone(&Utc);
    let minutes = |n: i64| start + chrono::Duration::minutes(n);
    let at = |outcome: &str, n: i64| event("vies", outcome, "LYON", &minutes(n).to_rfc3339());
    let events = json!({"events": [
        at("error", -100),
        at("error", -10), at("error", -10), at("error", -10),
        at("success", -5), at("success", -5),
        at("error", 5),
    ]});
    let (status, body) = app.record(&token("acme", "events:write"), &events).await;
    assert_eq!(status, 200, "{body}");
    let store = Store::open(&app.db.url, StoreOptions::default()).expect("store");
    let window = |condition: Condition, count_uses: bool| {
        let rule = AlertRule {
            feature: Feature::parse("vies").expect("feature"),
            site: None,
            condition,
        };
        let company = CompanyId::parse("acme").expect("company");
        store.alert_window(company, rule, minutes(10), count_uses)
    };
    // Three errors in the last hour are enough to know: no more are read.
    let three_in_an_hour = Condition::Errors {
        errors: 3,
        minutes: 60,
    };
    assert_eq!(
        window(three_in_an_hour, false).await.expect("window"),
        Window { uses: 3, errors: 3 }
    );
    // Counted whole, the hour holds four errors among six uses (the error 100 minutes before is out).
    assert_eq!(
        window(three_in_an_hour, true).await.expect("window"),
        Window { uses: 6, errors: 4 }
    );
    // The last five uses: an error this month, two successes and two errors last month.
    let share = Condition::ErrorShare {
        percent: 50,
        uses: 5,
    };
    assert_eq!(
        window(share, false).await.expect("window"),
        Window { uses: 5, errors: 3 }
    );
}

macro_rules! on_both_databases_with_a_receiver {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::helpers::Db::Sqlite).await })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::helpers::Db::Postgres).await })+
        }
    };
}

on_both_databases_with_a_receiver!(
    a_rule_fires_once_and_recovers_once_with_signed_webhooks,
    an_error_share_rule_looks_at_the_last_uses,
    a_failing_receiver_gets_retries_while_recording_goes_on,
    a_receiver_that_keeps_failing_is_given_up_after_the_retry_period,
    webhooks_are_forgotten_a_month_after_they_finished,
    addresses_outside_the_allow_list_and_bad_rules_are_refused,
    the_monthly_digest_goes_once_with_last_months_figures,
    a_rule_on_its_threshold_changes_at_most_once_a_second,
    a_window_at_the_start_of_a_month_reads_the_month_before,
);
