//! Histo under attack, through the real `histo` binary: each test replays what a hostile client did
//! to an earlier Histo (oversized or slow bodies, floods of sign-ins, concurrent guesses, forged
//! tokens, retries after a purge, sites by the thousand, formulas in exports, invisible characters)
//! and checks that Histo refuses it, stays bounded, and loses or doubles nothing.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{
    event, retry_after, sign, sign_in_body, token, Db, TestApp, KEEPING_PASSWORD, SECRET,
};
use histo_domain::{month_of, CompanyId, Scopes, TimeZone, UserCode};
use histo_server::auth::claims_for;

/// Runs each listed `async fn(Db)` on SQLite and on PostgreSQL.
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(crate::helpers::Db::Sqlite).await
            })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(crate::helpers::Db::Postgres).await
            })+
        }
    };
}

/// A client whose connections come from `address` (any 127.x.y.z is the loopback).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().expect("address"))
        .build()
        .expect("client")
}

async fn post_from(app: &TestApp, client: &reqwest::Client, path: &str, body: &Value) -> u16 {
    client
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// The month `n` months before the current one, mid-month, in Paris.
fn months_ago(n: i32) -> String {
    let month = month_of(chrono::Utc::now(), TimeZone::default()).plus(-n);
    format!("{month}-15T12:00:00+01:00")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_sign_in_values_are_refused_before_anything_is_kept() {
    let app = TestApp::spawn_binary(Db::Sqlite, &[], &[]);
    // A megabyte of company: over the small body limit of every route but recording.
    let huge = "a".repeat(1 << 20);
    let (status, body) = app
        .post("/api/v1/auth/token", None, &sign_in_body(&huge, "u1", "x"))
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "the body is larger than 65536 bytes");
    // Under the limit but no possible account: refused at once, and never counted, so that
    // a flood of them leaves nothing behind (nor locks anyone out).
    let long = "a".repeat(60_000);
    for _ in 0..10 {
        let (status, _) = app
            .post(
                "/api/v1/auth/token",
                None,
                &sign_in_body("acme", &long, "x"),
            )
            .await;
        assert_eq!(status, 401);
    }
    app.add_user("acme", "JDUPONT", "logs:read", "jdupont's password");
    let (status, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            &sign_in_body("acme", "JDUPONT", "jdupont's password"),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sign_ins_is_turned_away_and_reads_go_on() {
    let app = TestApp::spawn_binary(
        Db::Sqlite,
        &["--password-checks", "1", "--password-queue", "2"],
        &[],
    );
    let reader = token("acme", "logs:read");
    let writer = token("acme", "events:write");
    let now = chrono::Utc::now().to_rfc3339();
    assert_eq!(
        app.record(&writer, &event("email", "success", "LYON", &now))
            .await
            .0,
        200
    );
    let sign_ins: Vec<_> = (0..30)
        .map(|n| {
            let client = client_from(&format!("127.0.{}.{}", n / 200 + 1, n % 200 + 1));
            let (url, body) = (
                app.url("/api/v1/auth/token"),
                sign_in_body("acme", &format!("USER{n}"), "a guessed password"),
            );
            tokio::spawn(async move {
                let answer = client.post(url).json(&body).send().await.expect("request");
                let wait = retry_after(&answer).map(str::to_owned);
                (answer.status().as_u16(), wait)
            })
        })
        .collect();
    // Reads are answered while the sign-ins wait for Argon2.
    for _ in 0..5 {
        let (status, body) = app
            .get(
                "/api/v1/stats?feature=email&granularity=year&from=2020&to=2030",
                Some(&reader),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let mut turned_away = 0;
    for sign_in in sign_ins {
        match sign_in.await.expect("sign-in") {
            (401, _) => {}
            (503, Some(retry_after)) => {
                assert_eq!(retry_after, "1");
                turned_away += 1;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    // One runs and two wait at any time: most of thirty at once are turned away.
    assert!(turned_away >= 20, "{turned_away} of 30 turned away");
}

on_both!(
    concurrent_guesses_check_at_most_five_passwords,
    guesses_from_one_address_leave_the_account_open_elsewhere,
    tokens_of_histo_end_with_their_account_or_password,
    a_retry_after_a_purge_is_expired_not_counted_twice,
    lengthening_the_period_stops_a_purge_in_progress,
    a_company_has_a_bounded_number_of_sites,
);

async fn concurrent_guesses_check_at_most_five_passwords(db: Db) {
    let app = TestApp::spawn_binary(db, &[], &[]);
    app.add_user("acme", "JDUPONT", "logs:read", "jdupont's password");
    // Forty wrong passwords and the right one, all at once, from one address.
    let attempts: Vec<_> = (0..41)
        .map(|n| {
            let password = if n == 20 {
                "jdupont's password"
            } else {
                "a wrong guess!"
            };
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/token"));
            let body = sign_in_body("acme", "JDUPONT", password);
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .expect("request")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.expect("attempt"));
    }
    let checked = answers.iter().filter(|s| [200, 401].contains(*s)).count();
    let refused = answers.iter().filter(|s| **s == 429).count();
    assert!(checked <= 5, "{checked} passwords checked: {answers:?}");
    assert_eq!(checked + refused, 41, "{answers:?}");

    // Sixty wrong admin passwords at once, by sixty users of the company: five are checked.
    app.set_admin_password("acme", KEEPING_PASSWORD);
    let changes: Vec<_> = (0..60)
        .map(|n| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/settings/retention"));
            let admin = sign(
                &claims_for(
                    &CompanyId::parse("acme").unwrap(),
                    &UserCode::parse(&format!("ADMIN{n}")).unwrap(),
                    Scopes::parse_claim("settings:admin"),
                    600,
                ),
                SECRET,
            );
            tokio::spawn(async move {
                client
                    .put(url)
                    .bearer_auth(admin)
                    .json(&json!({"months": 6, "admin_password": "a wrong guess!"}))
                    .send()
                    .await
                    .expect("request")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut answers = Vec::new();
    for change in changes {
        answers.push(change.await.expect("change"));
    }
    let checked = answers.iter().filter(|s| **s == 403).count();
    assert_eq!(checked, 5, "{answers:?}");
    assert_eq!(
        answers.iter().filter(|s| **s == 429).count(),
        55,
        "{answers:?}"
    );
    // Even the right password waits for the lockout: the company's password is what is guessed.
    let (status, _) = app
        .put(
            "/api/v1/settings/retention",
            &token("acme", "settings:admin"),
            &json!({"months": 6, "admin_password": KEEPING_PASSWORD}),
        )
        .await;
    assert_eq!(status, 429);
    // The audit trail names each wrong password and the lockout (once).
    let (_, trail) = app
        .get(
            "/api/v1/audit?limit=100",
            Some(&token("acme", "settings:admin")),
        )
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "admin_password_refused")
            .count(),
        5,
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "admin_password_locked")
            .count(),
        1,
        "{actions:?}"
    );
}

async fn guesses_from_one_address_leave_the_account_open_elsewhere(db: Db) {
    let app = TestApp::spawn_binary(db, &[], &[]);
    app.add_user("acme", "JDUPONT", "logs:read", "jdupont's password");
    let (attacker, user) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    let wrong = sign_in_body("acme", "JDUPONT", "a wrong guess!");
    let right = sign_in_body("acme", "JDUPONT", "jdupont's password");
    for _ in 0..5 {
        assert_eq!(
            post_from(&app, &attacker, "/api/v1/auth/token", &wrong).await,
            401
        );
    }
    assert_eq!(
        post_from(&app, &attacker, "/api/v1/auth/token", &right).await,
        429
    );
    // The user, elsewhere, signs in all the same, again and again.
    for _ in 0..3 {
        assert_eq!(
            post_from(&app, &user, "/api/v1/auth/token", &right).await,
            200
        );
        assert_eq!(
            post_from(&app, &attacker, "/api/v1/auth/token", &wrong).await,
            429
        );
    }
    // An address guessing at many accounts is stopped too.
    let sprayer = client_from("127.0.0.4");
    let mut answers = Vec::new();
    for n in 0..25 {
        let guess = sign_in_body("acme", &format!("USER{n}"), "a wrong guess!");
        answers.push(post_from(&app, &sprayer, "/api/v1/auth/token", &guess).await);
    }
    assert_eq!(
        answers.iter().filter(|s| **s == 401).count(),
        20,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 429).count(),
        5,
        "{answers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_forwarded_address_is_counted() {
    let app = TestApp::spawn_binary(Db::Sqlite, &["--trusted-proxies", "127.0.0.1"], &[]);
    app.add_user("acme", "JDUPONT", "logs:read", "jdupont's password");
    let through_proxy = |forwarded: &'static str, password: &'static str| {
        let request = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .header("x-forwarded-for", forwarded)
            .json(&sign_in_body("acme", "JDUPONT", password));
        async move { request.send().await.expect("request").status().as_u16() }
    };
    for _ in 0..5 {
        assert_eq!(through_proxy("198.51.100.7", "a wrong guess!").await, 401);
    }
    assert_eq!(
        through_proxy("198.51.100.7", "jdupont's password").await,
        429
    );
    assert_eq!(
        through_proxy("198.51.100.8", "jdupont's password").await,
        200
    );
    // From elsewhere than the proxy, the header is the client's own word and is not taken.
    let direct = client_from("127.0.0.5");
    let request = direct
        .post(app.url("/api/v1/auth/token"))
        .header("x-forwarded-for", "198.51.100.8")
        .json(&sign_in_body("acme", "JDUPONT", "a wrong guess!"));
    assert_eq!(
        request.send().await.expect("request").status().as_u16(),
        401
    );
}

async fn tokens_of_histo_end_with_their_account_or_password(db: Db) {
    let app = TestApp::spawn_binary(db, &[], &[]);
    let add = |password: &str| {
        app.add_user("acme", "JDUPONT", "logs:read", password);
    };
    let signed_in = |password: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .post(
                    "/api/v1/auth/token",
                    None,
                    &sign_in_body("acme", "JDUPONT", password),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body["access_token"].as_str().expect("token").to_owned()
        }
    };
    add("the first password");
    let first = signed_in("the first password").await;
    assert_eq!(app.get("/api/v1/sites", Some(&first)).await.0, 200);
    // Tokens are dated to the second: the new password comes a second later.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    add("the second password");
    let (status, body) = app.get("/api/v1/sites", Some(&first)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["error"],
        "invalid token: the account's password has changed since; sign in again"
    );
    let second = signed_in("the second password").await;
    assert_eq!(app.get("/api/v1/sites", Some(&second)).await.0, 200);
    let output = app.histo(
        &["user", "remove", "--company", "acme", "--user", "JDUPONT"],
        "",
    );
    assert!(output.status.success(), "{output:?}");
    let (status, body) = app.get("/api/v1/sites", Some(&second)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid token: its account no longer exists"))
    );
    // Removing what is not there says so.
    let output = app.histo(
        &["user", "remove", "--company", "acme", "--user", "JDUPONT"],
        "",
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no account JDUPONT"));
    // Tokens of the host application do not depend on accounts.
    assert_eq!(
        app.get("/api/v1/sites", Some(&token("acme", "logs:read")))
            .await
            .0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuer_audience_nbf_and_the_scheme_are_checked_by_histo_serve() {
    let env = [("HISTO_JWT_ISSUER", "erp"), ("HISTO_JWT_AUDIENCE", "histo")];
    let app = TestApp::spawn_binary(Db::Sqlite, &[], &env);
    let claims = || {
        claims_for(
            &CompanyId::parse("acme").unwrap(),
            &UserCode::parse("u1").unwrap(),
            Scopes::parse_claim("logs:read"),
            600,
        )
    };
    let raw = |extra: Value| {
        let mut body = serde_json::to_value(claims()).unwrap();
        for (name, value) in extra.as_object().unwrap() {
            body[name] = value.clone();
        }
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &body,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    let status = |token: String| {
        let app = &app;
        async move { app.get("/api/v1/sites", Some(&token)).await }
    };
    assert_eq!(
        status(raw(json!({"iss": "erp", "aud": "histo"}))).await.0,
        200
    );
    assert_eq!(
        status(raw(json!({"iss": "erp", "aud": ["x", "histo"]})))
            .await
            .0,
        200
    );
    for refused in [
        json!({"iss": "erp"}),
        json!({"iss": "erp", "aud": 5}),
        json!({"iss": "erp", "aud": {"x": 1}}),
        json!({"iss": "erp", "aud": "other"}),
        json!({"aud": "histo"}),
        json!({"iss": "erp", "aud": "histo", "nbf": chrono::Utc::now().timestamp() + 365 * 86_400,
               "exp": chrono::Utc::now().timestamp() + 400 * 86_400}),
    ] {
        let (code, body) = status(raw(refused.clone())).await;
        assert_eq!(code, 401, "{refused} {body}");
    }
    // The scheme's name is case-insensitive.
    let good = raw(json!({"iss": "erp", "aud": "histo"}));
    for scheme in ["BEARER", "bearer", "BeArEr"] {
        let answer = app
            .client
            .get(app.url("/api/v1/sites"))
            .header("authorization", format!("{scheme} {good}"))
            .send()
            .await
            .expect("request");
        assert_eq!(answer.status().as_u16(), 200, "{scheme}");
    }
    // `histo token` signs with the configured issuer and audience.
    let output = crate::helpers::histo_command_with(
        &app.db.url,
        &[
            "token",
            "--company",
            "acme",
            "--user",
            "u1",
            "--scope",
            "logs:read",
            "--ttl",
            "60",
        ],
        "",
        &env,
    );
    assert!(output.status.success(), "{output:?}");
    let minted = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert_eq!(status(minted).await.0, 200);
}

async fn a_retry_after_a_purge_is_expired_not_counted_twice(db: Db) {
    let app = TestApp::spawn_binary(db, &[], &[]);
    let writer = token("acme", "events:write");
    let reader = token("acme", "logs:read");
    // Older than the 24 months kept by default: acknowledged, neither stored nor counted.
    let too_old = event("sms", "success", "LYON", &months_ago(30));
    assert_eq!(
        app.record(&writer, &too_old).await,
        (200, json!({"accepted": 0, "duplicates": 0, "expired": 1}))
    );
    assert_eq!(
        (app.stored_events("acme"), app.counted_events("acme")),
        (0, 0)
    );

    // Kept for ten years, recorded, purged by a shorter period, then the period lengthened again:
    // a retry of the purged event is still expired.
    app.keep_ten_years("acme").await;
    let old = event("sms", "success", "LYON", &months_ago(30));
    assert_eq!(
        app.record(&writer, &old).await,
        (200, json!({"accepted": 1, "duplicates": 0, "expired": 0}))
    );
    let admin = token("acme", "settings:admin");
    for months in [12, 120] {
        let (status, body) = app
            .put(
                "/api/v1/settings/retention",
                &admin,
                &json!({"months": months, "admin_password": KEEPING_PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        // The shorter period's purge runs in the background: wait for it.
        for _ in 0..100 {
            if app.stored_events("acme") == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(app.stored_events("acme"), 0);
    let (_, settings) = app.get("/api/v1/settings", Some(&reader)).await;
    assert_eq!(settings["retention_months"], 120);
    // Entries are kept from the month after the one purged: a longer period brings nothing back.
    let kept_from = month_of(chrono::Utc::now(), TimeZone::default()).plus(-29);
    assert_eq!(settings["retained_from"], kept_from.to_string());
    assert_eq!(
        app.record(&writer, &old).await,
        (200, json!({"accepted": 0, "duplicates": 0, "expired": 1}))
    );
    assert_eq!(
        (app.stored_events("acme"), app.counted_events("acme")),
        (0, 1)
    );
    let year = &months_ago(30)[..4];
    let (_, stats) = app
        .get(
            &format!("/api/v1/stats?feature=sms&granularity=year&from={year}&to={year}"),
            Some(&reader),
        )
        .await;
    assert_eq!(stats["buckets"][0]["counts"]["success"], 1, "{stats}");
}

async fn lengthening_the_period_stops_a_purge_in_progress(db: Db) {
    let app = TestApp::spawn_binary(db, &[], &[]);
    app.keep_ten_years("acme").await;
    let writer = token("acme", "events:write");
    // 1,000 entries in each of the last 60 months.
    for months in (1..=60).collect::<Vec<i32>>().chunks(10) {
        let events: Vec<Value> = months
            .iter()
            .flat_map(|n| {
                (0..1_000).map(move |_| event("email", "success", "LYON", &months_ago(*n)))
            })
            .collect();
        let (status, body) = app.record(&writer, &json!({ "events": events })).await;
        assert_eq!(status, 200, "{body}");
    }
    let admin = token("acme", "settings:admin");
    for months in [1, 120] {
        let (status, body) = app
            .put(
                "/api/v1/settings/retention",
                &admin,
                &json!({"months": months, "admin_password": KEEPING_PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    // However far the purge had gone when the period was lengthened (that depends on the
    // machine), the entries of every month from `retained_from` on are all there, none before,
    // and the drill-down says so.
    let reader = token("acme", "logs:read");
    let mut settled = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (_, settings) = app.get("/api/v1/settings", Some(&reader)).await;
        if settings == settled {
            break;
        }
        settled = settings;
    }
    let kept_from = settled["retained_from"]
        .as_str()
        .expect("retained_from")
        .to_owned();
    let key = |month: &str| month.replace('-', "");
    let before = app.db.number(&format!(
        "SELECT COUNT(*) AS n FROM events WHERE company_id = 'acme' AND month < {}",
        key(&kept_from)
    ));
    let from = app.db.number(&format!(
        "SELECT COUNT(*) AS n FROM events WHERE company_id = 'acme' AND month >= {}",
        key(&kept_from)
    ));
    let counted_from = app.db.number(&format!(
        "SELECT CAST(SUM(count) AS BIGINT) AS n FROM monthly_counts WHERE company_id = 'acme' AND month >= {}",
        key(&kept_from)
    ));
    assert_eq!(before, 0, "entries left before {kept_from}");
    assert_eq!(from, counted_from, "entries missing from {kept_from} on");
    let (_, page) = app
        .get(
            &format!("/api/v1/logs?feature=email&period={kept_from}&limit=1"),
            Some(&reader),
        )
        .await;
    assert_eq!(
        (
            page["purged"].as_bool(),
            page["items"].as_array().map(Vec::len)
        ),
        (Some(false), Some(1))
    );
    let month_before = histo_domain::Month::from_key(key(&kept_from).parse().expect("month"))
        .expect("month")
        .plus(-1);
    let (_, page) = app
        .get(
            &format!("/api/v1/logs?feature=email&period={month_before}"),
            Some(&reader),
        )
        .await;
    assert_eq!(page["purged"], true, "{page}");
}

async fn a_company_has_a_bounded_number_of_sites(db: Db) {
    let app = TestApp::spawn_binary(db, &["--max-sites", "5"], &[]);
    let writer = token("acme", "events:write");
    let now = chrono::Utc::now().to_rfc3339();
    let at = |sites: &[&str]| json!({"events": sites.iter().map(|s| event("email", "success", s, &now)).collect::<Vec<_>>()});
    assert_eq!(
        app.record(&writer, &at(&["S1", "S2", "S3", "S4"])).await.0,
        200
    );
    // A batch that would make seven is refused whole, naming the limit.
    let (status, body) = app.record(&writer, &at(&["S1", "S5", "S6", "S7"])).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["details"][0]["field"], "site");
    assert_eq!(
        body["error"],
        "invalid 'site': the company already has its 5 sites: an event cannot name a new one"
    );
    assert_eq!(app.stored_events("acme"), 4);
    // Known sites go on; the fifth comes; another company has its own five.
    assert_eq!(app.record(&writer, &at(&["S1", "S5"])).await.0, 200);
    assert_eq!(app.record(&writer, &at(&["S6"])).await.0, 422);
    assert_eq!(
        app.record(&token("other", "events:write"), &at(&["S6", "S7"]))
            .await
            .0,
        200
    );
    // Requests that arrive together, each naming one new site, are held to the limit together.
    let crowd = token("crowd", "events:write");
    let requests = (1..=24)
        .map(|n| {
            app.client
                .post(app.url("/api/v1/events"))
                .bearer_auth(&crowd)
                .json(&at(&[&format!("C{n:02}")]))
        })
        .collect();
    let statuses = app.send_at_once(requests).await;
    let count = |status: u16| statuses.iter().filter(|s| **s == status).count();
    assert_eq!((count(200), count(422)), (5, 19), "{statuses:?}");
    assert_eq!(
        app.db
            .number("SELECT COUNT(*) AS n FROM sites WHERE company_id = 'crowd'"),
        5
    );
    assert_eq!(app.stored_events("crowd"), 5);
    // The list comes a page at a time, with the address of the next.
    let reader = token("acme", "logs:read");
    let page = app.get_raw("/api/v1/sites?limit=2", &reader).await;
    assert_eq!(
        page.headers().get("link").and_then(|l| l.to_str().ok()),
        Some("</api/v1/sites?after=S2&limit=2>; rel=\"next\"")
    );
    let codes: Vec<Value> = page.json::<Vec<Value>>().await.expect("sites");
    assert_eq!(
        codes.iter().map(|s| s["code"].clone()).collect::<Vec<_>>(),
        ["S1", "S2"]
    );
    // The last page, full to its limit, names no next one.
    let rest = app.get_raw("/api/v1/sites?after=S2&limit=3", &reader).await;
    assert!(rest.headers().get("link").is_none(), "{rest:?}");
    let codes: Vec<Value> = rest.json::<Vec<Value>>().await.expect("sites");
    assert_eq!(
        codes.iter().map(|s| s["code"].clone()).collect::<Vec<_>>(),
        ["S3", "S4", "S5"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_hidden_sites_do_not_break_reads() {
    let app = TestApp::spawn_binary(Db::Sqlite, &["--max-sites", "40000"], &[]);
    let writer = token("acme", "events:write");
    let now = chrono::Utc::now().to_rfc3339();
    for chunk in 0..4 {
        let events: Vec<Value> = (0..10_000)
            .map(|n| {
                event(
                    "email",
                    "success",
                    &format!("S{}", chunk * 10_000 + n),
                    &now,
                )
            })
            .collect();
        let (status, body) = app.record(&writer, &json!({ "events": events })).await;
        assert_eq!(status, 200, "{body}");
    }
    // All but one hidden, as a site manager would over time: more than SQLite's 32,766 variables.
    app.db
        .execute("UPDATE sites SET hidden = TRUE WHERE company_id = 'acme' AND code <> 'S7'");
    let reader = token("acme", "logs:read");
    let year = &now[..4];
    let (status, stats) = app
        .get(
            &format!("/api/v1/stats?feature=email&granularity=year&from={year}&to={year}"),
            Some(&reader),
        )
        .await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["hidden_sites"], 39_999);
    assert_eq!(stats["buckets"][0]["counts"]["success"], 1);
    let (status, page) = app
        .get(
            &format!("/api/v1/logs?feature=email&period={year}"),
            Some(&reader),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_stay_small_whatever_was_sent() {
    let app = TestApp::spawn_binary(Db::Sqlite, &[], &[]);
    let writer = token("acme", "events:write");
    // A million unknown keys (about 14 MB): named a few, then counted.
    let mut body = String::from("{");
    for n in 0..1_000_000 {
        body.push_str(&format!("\"k{n:07}\":1,"));
    }
    body.push_str("\"feature\":\"email\"}");
    let answer = app
        .client
        .post(app.url("/api/v1/events"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status().as_u16(), 422);
    let text = answer.text().await.expect("body");
    assert!(text.len() < 4_000, "{} bytes", text.len());
    assert!(text.contains("999990 more unknown fields"), "{text}");
    // A 15 MB feature is not echoed back.
    let mut huge = event("email", "success", "LYON", &chrono::Utc::now().to_rfc3339());
    huge["feature"] = json!("x".repeat(15 << 20));
    let (status, body) = app.record(&writer, &huge).await;
    assert_eq!(status, 422);
    assert!(body.to_string().len() < 1_000, "{body}");
    // A batch of 10,000 bad events lists 100 details, and says how many were bad.
    let bad: Vec<Value> = (0..10_000).map(|_| json!({"feature": "fax"})).collect();
    let (status, body) = app.record(&writer, &json!({ "events": bad })).await;
    assert_eq!(status, 422);
    assert_eq!(body["details"].as_array().map(Vec::len), Some(100));
    assert_eq!(
        body["error"],
        "10000 of 10000 events are invalid; nothing was stored"
    );
}

/// Sends a request head, then its body one byte every `pace`; what came back before the server
/// closed the connection.
async fn trickle(host: &str, head: &str, length: usize, pace: Duration) -> String {
    let mut stream = TcpStream::connect(host).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        for _ in 0..length {
            if writer.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(pace).await;
        }
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut answer)).await;
    sender.abort();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_sent_too_slowly_are_cut_off() {
    let app = TestApp::spawn_binary(Db::Sqlite, &["--max-connections", "4"], &[]);
    let host = app.address.trim_start_matches("http://").to_owned();
    let sign_in = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
    );
    let record = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
        token("acme", "events:write")
    );
    // Four connections held by slow bodies: all four are answered 408 and closed within seconds,
    // and the server answers others meanwhile and afterwards.
    let slow: Vec<_> = [&sign_in, &sign_in, &record, &record]
        .into_iter()
        .map(|head| {
            let (host, head) = (host.clone(), head.clone());
            tokio::spawn(async move { trickle(&host, &head, 200, Duration::from_secs(2)).await })
        })
        .collect();
    for answer in slow {
        let answer = answer.await.expect("slow client");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("the body came too slowly"), "{answer}");
    }
    let (status, _) = app.get("/healthz", None).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_turns_away_what_would_overfill_memory() {
    let app = TestApp::spawn_binary(Db::Sqlite, &["--max-pending-bytes", "1000000"], &[]);
    let writer = token("acme", "events:write");
    // One request holds 800,000 bytes of the budget while its body comes in.
    let held = send_events(&app, Some(800_000), b"{\"events\": [", false).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Another large one does not fit: turned away at once, to come back later.
    let events: Vec<Value> = (0..2_000)
        .map(|_| event("email", "success", "LYON", &chrono::Utc::now().to_rfc3339()))
        .collect();
    let batch = json!({ "events": events });
    let answer = app.record_raw(&writer, &batch).await;
    assert_eq!(answer.status().as_u16(), 503);
    assert_eq!(retry_after(&answer), Some("1"));
    // Small ones still fit beside it.
    let one = event("email", "success", "LYON", &chrono::Utc::now().to_rfc3339());
    assert_eq!(app.record(&writer, &one).await.0, 200);
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Once the budget is free again, the large one goes through.
    let (status, body) = app.record(&writer, &batch).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.stored_events("acme"), 2_001);
}

/// Opens a connection to `/api/v1/events` and sends the head (with `Content-Length` when `length`
/// is given, else chunked) and `body`, in chunks of 4 KB when chunked; the last chunk only if `end`.
async fn send_events(app: &TestApp, length: Option<usize>, body: &[u8], end: bool) -> TcpStream {
    let host = app.address.trim_start_matches("http://");
    let framing = match length {
        Some(length) => format!("Content-Length: {length}"),
        None => "Transfer-Encoding: chunked".to_owned(),
    };
    let mut stream = TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n",
        token("acme", "events:write")
    );
    let mut sent = head.into_bytes();
    if length.is_some() {
        sent.extend_from_slice(body);
    } else {
        for piece in body.chunks(4096) {
            sent.extend([format!("{:x}\r\n", piece.len()).as_bytes(), piece, b"\r\n"].concat());
        }
        if end {
            sent.extend_from_slice(b"0\r\n\r\n");
        }
    }
    // The server may answer and close before the end (a refusal): what it did not read is not sent.
    let _ = stream.write_all(&sent).await;
    stream
}

/// The status line of the answer on `stream` (empty when none came within 10 seconds).
async fn status_line(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buffer = [0; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await {
            Ok(Ok(read @ 1..)) => answer.extend_from_slice(&buffer[..read]),
            _ => break,
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_held_to_the_size_limit_and_the_memory_budget_however_they_are_sent() {
    let app = TestApp::spawn_binary(
        Db::Sqlite,
        &[
            "--max-body-bytes",
            "100000",
            "--max-pending-bytes",
            "150000",
        ],
        &[],
    );
    // One event padded with spaces to `size` bytes.
    let padded = |size: usize| {
        let event = event("email", "success", "LYON", &chrono::Utc::now().to_rfc3339());
        let mut body = event.to_string().into_bytes();
        body.resize(size, b' ');
        body
    };
    // Over the limit by its declared length: refused before any of the body is sent.
    let mut declared = send_events(&app, Some(100_001), b"", false).await;
    assert!(status_line(&mut declared).await.starts_with("HTTP/1.1 413"));
    // Exactly the limit is taken, with a length or chunked.
    for length in [Some(100_000), None] {
        let mut exact = send_events(&app, length, &padded(100_000), true).await;
        assert_eq!(
            status_line(&mut exact).await,
            "HTTP/1.1 200 OK",
            "{length:?}"
        );
    }
    // A byte over the limit in chunks is refused.
    let mut over = send_events(&app, None, &padded(100_001), true).await;
    assert!(status_line(&mut over).await.starts_with("HTTP/1.1 413"));
    // A chunked body still coming in holds its bytes of the budget: another one that would
    // overfill it is turned away, and fits once the first is gone.
    let held = send_events(&app, None, &padded(90_000), false).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut refused = send_events(&app, None, &padded(70_000), true).await;
    assert_eq!(
        status_line(&mut refused).await,
        "HTTP/1.1 503 Service Unavailable"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut taken = send_events(&app, None, &padded(70_000), true).await;
    assert_eq!(status_line(&mut taken).await, "HTTP/1.1 200 OK");
    assert_eq!(app.stored_events("acme"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_defuse_cells_a_spreadsheet_would_run() {
    let app = TestApp::spawn_binary(Db::Sqlite, &[], &[]);
    let now = chrono::Utc::now();
    let mut formula = event("email", "error", "-2-3", &now.to_rfc3339());
    formula["user_code"] = json!("-A1");
    formula["code"] = json!("-A1:B9");
    assert_eq!(
        app.record(&token("acme", "events:write"), &formula).await.0,
        200
    );
    let period = month_of(now, TimeZone::default()).to_string();
    let csv = app
        .get_raw(
            &format!("/api/v1/logs/export?feature=email&period={period}&lang=en"),
            &token("acme", "logs:read"),
        )
        .await
        .text()
        .await
        .expect("CSV");
    let row = csv.lines().nth(1).expect("a row");
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(
        (cells[2], cells[3], cells[7]),
        ("'-2-3", "'-A1", "'-A1:B9"),
        "{row}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_names_are_visible_text() {
    let app = TestApp::spawn_binary(Db::Sqlite, &[], &[]);
    let now = chrono::Utc::now().to_rfc3339();
    assert_eq!(
        app.record(
            &token("acme", "events:write"),
            &event("email", "success", "LYON", &now)
        )
        .await
        .0,
        200
    );
    let manager = token("acme", "sites:manage");
    for spoof in ["LYON\u{202e}NOYL", "LY\u{200b}ON", "Lyon\u{2066}", "Ly\non"] {
        let (status, body) = app
            .patch(
                "/api/v1/sites/LYON",
                &manager,
                &json!({"hidden": false, "name": spoof}),
            )
            .await;
        assert_eq!(status, 422, "{spoof:?}: {body}");
        assert_eq!(body["details"][0]["field"], "name");
    }
    let (status, site) = app
        .patch(
            "/api/v1/sites/LYON",
            &manager,
            &json!({"hidden": false, "name": " Lyon Ge\u{301}nes "}),
        )
        .await;
    assert_eq!((status, &site["name"]), (200, &json!("Lyon G\u{e9}nes")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_neither_deadlock_nor_double_count() {
    let first = TestApp::spawn_binary(Db::Postgres, &[], &[]);
    let second = crate::helpers::HistoProcess::start_with(
        &["--database-url", &first.db.url],
        &[("HISTO_JWT_SECRET", SECRET)],
    );
    let servers = [first.address.clone(), second.address.clone()];
    let companies = ["c0", "c1", "c2", "c3"];
    // Each company keeps ten years, holds 2,000 old entries, and is then purged to twelve months by
    // one server or the other while both record.
    let mut old_entries = 0;
    for company in companies {
        first.keep_ten_years(company).await;
        let events: Vec<Value> = (0..2_000)
            .map(|n| {
                event(
                    "sms",
                    "success",
                    &format!("OLD{}", n % 7),
                    &months_ago(30 + n % 10),
                )
            })
            .collect();
        let (status, body) = first
            .record(
                &token(company, "events:write"),
                &json!({ "events": events }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        old_entries += 2_000;
    }
    let recorders: Vec<_> = (0..8)
        .map(|client| {
            let servers = servers.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let company = ["c0", "c1", "c2", "c3"][client % 4];
                let writer = token(company, "events:write");
                let mut accepted = 0;
                for round in 0..15 {
                    let now = chrono::Utc::now().to_rfc3339();
                    let events: Vec<Value> = (0..200)
                        .map(|n| {
                            event(
                                "email",
                                "success",
                                &format!("S{}", (n * 7 + round) % 50),
                                &now,
                            )
                        })
                        .collect();
                    let batch = json!({ "events": events });
                    // The same batch to both servers at once: stored and counted once.
                    let send = |server: &String| {
                        http.post(format!("{server}/api/v1/events"))
                            .bearer_auth(&writer)
                            .json(&batch)
                            .send()
                    };
                    let both = tokio::join!(send(&servers[0]), send(&servers[1]));
                    for answer in [both.0, both.1] {
                        let answer = answer.expect("request");
                        assert_eq!(answer.status().as_u16(), 200);
                        let body: Value = answer.json().await.expect("JSON");
                        accepted += body["accepted"].as_i64().expect("accepted");
                    }
                }
                (company, accepted)
            })
        })
        .collect();
    let admin_change = |server: &str, company: &str| {
        let request = first
            .client
            .put(format!("{server}/api/v1/settings/retention"))
            .bearer_auth(token(company, "settings:admin"))
            .json(&json!({"months": 12, "admin_password": KEEPING_PASSWORD}));
        async move { request.send().await.expect("request").status().as_u16() }
    };
    for (n, company) in companies.iter().enumerate() {
        assert_eq!(admin_change(&servers[n % 2], company).await, 200);
    }
    let url = first.db.url.clone();
    let cli_purge =
        tokio::task::spawn_blocking(move || crate::helpers::histo_command(&url, &["purge"], ""));
    let mut accepted: std::collections::HashMap<&str, i64> = Default::default();
    for recorder in recorders {
        let (company, n) = recorder.await.expect("recorder");
        *accepted.entry(company).or_default() += n;
    }
    let output = cli_purge.await.expect("purge");
    assert!(output.status.success(), "{output:?}");
    // Every recent event was accepted once, by one server or the other; the old ones are gone
    // from the entries and stay in the counts.
    for company in companies {
        assert_eq!(accepted[company], 2 * 15 * 200, "{company}");
        for _ in 0..100 {
            if first.stored_events(company) == accepted[company] {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(first.stored_events(company), accepted[company], "{company}");
        assert_eq!(
            first.counted_events(company),
            accepted[company] + 2_000,
            "{company}"
        );
    }
    assert_eq!(old_entries, 8_000);
}
