//! The questions users ask after "how many": which cause, which site, against last year, which user —
//! and the tables as CSV for French spreadsheets; then the administrator's own admin password and the
//! right to erasure. Dates are relative to today.

use histo_domain::Month;
use serde_json::{json, Value};

use crate::helpers::{event, in_month, months_ago, token, TestApp};

/// A VIES check of `user` at `site` in `month`, ending with `outcome` (and `cause`, for an error).
fn vies(outcome: &str, cause: Option<&str>, site: &str, user: &str, month: Month) -> Value {
    let mut event = event("vies", outcome, site, &in_month(month));
    event["user_code"] = user.into();
    if let Some(cause) = cause {
        event["cause"] = cause.into();
    }
    event
}

async fn record(app: &TestApp, company: &str, events: Vec<Value>) {
    let (status, body) = app
        .record(
            &token(company, "events:write"),
            &json!({ "events": events }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Last month: LYON 2 configuration errors, 1 invalid number, 3 done; PARIS 1 invalid number, 1 done;
/// NANTES 1 done (hidden later). The same month a year earlier: LYON 2 done, 1 invalid number.
async fn known_uses(app: &TestApp) -> Month {
    let last = months_ago(1);
    let year_before = last.plus(-12);
    let mut events = vec![
        vies("error", Some("configuration"), "LYON", "JDUPONT", last),
        vies("error", Some("configuration"), "LYON", "JDUPONT", last),
        vies("error", Some("invalid_number"), "LYON", "MMARTIN", last),
        vies("error", Some("invalid_number"), "PARIS", "JDUPONT", last),
        vies("success", None, "PARIS", "MMARTIN", last),
        vies("success", None, "NANTES", "MMARTIN", last),
        vies("success", None, "LYON", "MMARTIN", year_before),
        vies("success", None, "LYON", "MMARTIN", year_before),
        vies(
            "error",
            Some("invalid_number"),
            "LYON",
            "JDUPONT",
            year_before,
        ),
    ];
    events.extend((0..3).map(|_| vies("success", None, "LYON", "ALEROY", last)));
    record(app, "acme", events).await;
    last
}

async fn every_bucket_splits_the_errors_by_cause_and_compares_with_the_year_before(app: TestApp) {
    let last = known_uses(&app).await;
    let reader = token("acme", "logs:read");
    let (status, stats) = app
        .get(
            &format!(
                "/api/v1/stats?feature=vies&granularity=month&year={}&compare=previous",
                last.year
            ),
            Some(&reader),
        )
        .await;
    assert_eq!(status, 200, "{stats}");
    let bucket = stats["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .find(|b| b["period"] == last.to_string())
        .expect("last month's bucket");
    assert_eq!(
        bucket,
        &json!({"period": last.to_string(),
                "counts": {"success": 5, "no_result": 0, "error": 4, "stopped": 0},
                "causes": {"configuration": 2, "invalid_number": 2},
                "previous": {"period": last.plus(-12).to_string(),
                             "counts": {"success": 2, "no_result": 0, "error": 1, "stopped": 0}}})
    );
    // Years against the year before, and a feature without errors has no causes.
    let (_, stats) = app
        .get(
            &format!(
                "/api/v1/stats?feature=vies&granularity=year&from={0}&to={0}&compare=previous",
                last.year
            ),
            Some(&reader),
        )
        .await;
    assert_eq!(
        stats["buckets"][0]["previous"]["period"],
        (last.year - 1).to_string()
    );
    let (_, dea) = app
        .get(
            &format!(
                "/api/v1/stats?feature=dea_update&granularity=year&from={0}&to={0}",
                last.year
            ),
            Some(&reader),
        )
        .await;
    assert_eq!(dea["buckets"][0]["causes"], json!({}));
    assert!(dea["buckets"][0].get("previous").is_none(), "{dea}");
    let (status, body) = app
        .get(
            &format!(
                "/api/v1/stats?feature=vies&granularity=month&year={}&compare=next",
                last.year
            ),
            Some(&reader),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("compare"))
    );
}

async fn sites_are_ranked_by_their_uses_without_the_hidden_ones(app: TestApp) {
    let last = known_uses(&app).await;
    app.hide_site("acme", "NANTES").await;
    let (status, _) = app
        .patch(
            "/api/v1/sites/LYON",
            &token("acme", "sites:manage"),
            &json!({"hidden": false, "name": "Lyon Part-Dieu"}),
        )
        .await;
    assert_eq!(status, 200);
    let reader = token("acme", "logs:read");
    let (status, by_site) = app
        .get(
            &format!("/api/v1/stats/sites?feature=vies&period={last}"),
            Some(&reader),
        )
        .await;
    assert_eq!(status, 200, "{by_site}");
    assert_eq!(
        by_site,
        json!({"feature": "vies", "period": last.to_string(), "timezone": "Europe/Paris", "hidden_sites": 1,
               "sites": [
                 {"site": "LYON", "name": "Lyon Part-Dieu", "total": 6,
                  "counts": {"success": 3, "no_result": 0, "error": 3, "stopped": 0},
                  "causes": {"configuration": 2, "invalid_number": 1}},
                 {"site": "PARIS", "name": "PARIS", "total": 2,
                  "counts": {"success": 1, "no_result": 0, "error": 1, "stopped": 0},
                  "causes": {"configuration": 0, "invalid_number": 1}}]})
    );
    // A year, a period without uses, another company.
    let (_, year) = app
        .get(
            &format!("/api/v1/stats/sites?feature=vies&period={}", last.year),
            Some(&reader),
        )
        .await;
    assert!(year["sites"].as_array().is_some_and(|s| !s.is_empty()));
    let (_, empty) = app
        .get("/api/v1/stats/sites?feature=sms&period=2001", Some(&reader))
        .await;
    assert_eq!(empty["sites"], json!([]));
    let (_, other) = app
        .get(
            &format!("/api/v1/stats/sites?feature=vies&period={last}"),
            Some(&token("other", "logs:read")),
        )
        .await;
    assert_eq!(other["sites"], json!([]));
    for (query, field) in [
        ("feature=fax&period=2026", "feature"),
        ("feature=vies&period=26", "period"),
        ("feature=vies", "period"),
        ("feature=vies&period=2026&site=LYON", "site"),
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/stats/sites?{query}"), Some(&reader))
            .await;
        assert_eq!(
            (status, &body["details"][0]["field"]),
            (422, &json!(field)),
            "{query}"
        );
    }
}

async fn entries_are_filtered_by_cause_and_by_user(app: TestApp) {
    let last = known_uses(&app).await;
    let reader = token("acme", "logs:read");
    let users_of = |query: String| {
        let (app, reader) = (&app, reader.clone());
        async move {
            let (status, page) = app
                .get(
                    &format!("/api/v1/logs?feature=vies&period={last}&{query}"),
                    Some(&reader),
                )
                .await;
            assert_eq!(status, 200, "{query}: {page}");
            let mut users: Vec<String> = page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|e| {
                    format!(
                        "{}/{}",
                        e["user_code"].as_str().unwrap_or(""),
                        e["site"].as_str().unwrap_or("")
                    )
                })
                .collect();
            users.sort();
            users
        }
    };
    assert_eq!(
        users_of("cause=configuration".into()).await,
        ["JDUPONT/LYON", "JDUPONT/LYON"]
    );
    assert_eq!(
        users_of("cause=invalid_number&outcome=error".into()).await,
        ["JDUPONT/PARIS", "MMARTIN/LYON"]
    );
    assert_eq!(
        users_of("user_code=JDUPONT".into()).await,
        ["JDUPONT/LYON", "JDUPONT/LYON", "JDUPONT/PARIS"]
    );
    assert_eq!(
        users_of("user_code=JDUPONT&cause=invalid_number&site=PARIS".into()).await,
        ["JDUPONT/PARIS"]
    );
    assert!(users_of("user_code=NOBODY".into()).await.is_empty());
    for (query, field) in [
        ("cause=remote_api", "cause"),
        ("cause=configuration&outcome=success", "cause"),
        ("user_code=jean%20dupont", "user_code"),
        ("user_code=", "user_code"),
    ] {
        let (status, body) = app
            .get(
                &format!("/api/v1/logs?feature=vies&period={last}&{query}"),
                Some(&reader),
            )
            .await;
        assert_eq!(
            (status, &body["details"][0]["field"]),
            (422, &json!(field)),
            "{query}"
        );
    }
    // The export takes the same filters, and says the outcome in its file name.
    let export = app
        .get_raw(
            &format!("/api/v1/logs/export?feature=vies&period={last}&cause=configuration&lang=en"),
            &reader,
        )
        .await;
    assert_eq!(
        export.headers()["content-disposition"],
        format!("attachment; filename=\"histo-vies-{last}-error.csv\"").as_str()
    );
    let csv = export.text().await.expect("CSV");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.contains(",JDUPONT,vies,error,configuration,")),
        "{csv}"
    );
}

async fn tables_are_exported_for_french_spreadsheets_and_for_machines(app: TestApp) {
    let last = known_uses(&app).await;
    let reader = token("acme", "logs:read");
    let csv = |path: String| {
        let (app, reader) = (&app, reader.clone());
        async move {
            let answer = app.get_raw(&path, &reader).await;
            assert_eq!(answer.status().as_u16(), 200, "{path}");
            answer.text().await.expect("CSV")
        }
    };
    let year = last.year;
    let french = csv(format!(
        "/api/v1/stats/export?feature=vies&granularity=year&from={year}&to={year}&compare=previous&sep=semicolon&bom=true&lang=fr"
    ))
    .await;
    // Last month's 9 uses (5 done, 4 errors) against the 3 of the year before.
    assert_eq!(
        french,
        format!(
            "\u{feff}période;Contrôles effectués;Sans réponse;En erreur;Arrêtés par l'utilisateur;total;total un an plus tôt;évolution\n\
             {year};5;0;4;0;9;3;+200,0\u{a0}%\n"
        )
    );
    let machine = csv(format!(
        "/api/v1/stats/export?feature=vies&granularity=month&year={year}&lang=en"
    ))
    .await;
    let header = machine.lines().next().expect("header");
    assert_eq!(header, "period,success,no_result,error,stopped,total");
    assert_eq!(machine.lines().count(), 13, "{machine}");
    assert!(
        machine.contains(&format!("\n{last},5,0,4,0,9\n")),
        "{machine}"
    );
    // The entries for French readers: labels and French dates.
    let entries = csv(format!(
        "/api/v1/logs/export?feature=vies&period={last}&cause=configuration&lang=fr"
    ))
    .await;
    let row = entries.lines().nth(1).expect("a row");
    assert!(
        row.contains(&format!(",15/{:02}/{} ", last.month, last.year))
            && row.contains(",API VIES EUROPA,En erreur,Problème de configuration,"),
        "{row}"
    );
    let (status, body) = app
        .get(
            "/api/v1/stats/export?feature=vies&granularity=year&from=2020&to=2021&lang=de",
            Some(&reader),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("lang"))
    );
}

const FIRST: &str = "the first admin password";
const SECOND: &str = "the second admin password";

async fn the_administrator_sets_and_changes_the_admin_password(app: TestApp) {
    let admin = token("acme", "settings:admin");
    let change = |current: Option<&str>, new: &str| {
        let mut body = json!({ "new_password": new });
        if let Some(current) = current {
            body["current_password"] = current.into();
        }
        let (app, admin) = (&app, admin.clone());
        async move {
            app.put("/api/v1/settings/admin-password", &admin, &body)
                .await
        }
    };
    assert_eq!(
        change(None, "short").await.1["details"][0]["field"],
        "new_password"
    );
    assert_eq!(
        change(None, FIRST).await.0,
        204,
        "none set yet: no current password needed"
    );
    assert_eq!(change(None, SECOND).await.0, 409, "one is set now");
    for _ in 0..5 {
        assert_eq!(change(Some("a wrong guess"), SECOND).await.0, 403);
    }
    assert_eq!(
        change(Some(FIRST), SECOND).await.0,
        429,
        "locked out for a while"
    );
    // The right one, once the lockout ends (two seconds in the tests).
    tokio::time::sleep(crate::helpers::TEST_LOCKOUT + std::time::Duration::from_millis(200)).await;
    assert_eq!(change(Some(FIRST), SECOND).await.0, 204);
    let retention = |password: &str| {
        let (app, admin) = (&app, admin.clone());
        let body = json!({"months": 12, "admin_password": password});
        async move { app.put("/api/v1/settings/retention", &admin, &body).await.0 }
    };
    assert_eq!(retention(FIRST).await, 403);
    assert_eq!(retention(SECOND).await, 200);
    let (_, trail) = app.get("/api/v1/audit?limit=50", Some(&admin)).await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "retention_changed",
            "admin_password_refused",
            "admin_password_changed",
            "admin_password_locked",
            "admin_password_refused",
            "admin_password_refused",
            "admin_password_refused",
            "admin_password_refused",
            "admin_password_refused",
            "admin_password_changed"
        ]
    );
    assert!(!trail.to_string().contains("admin password"), "{trail}");
}

async fn a_user_is_erased_from_every_entry_and_the_counts_stay(app: TestApp) {
    let last = known_uses(&app).await;
    record(
        &app,
        "other",
        vec![vies("success", None, "LYON", "JDUPONT", last)],
    )
    .await;
    app.set_admin_password("acme", FIRST);
    let admin = token("acme", "settings:admin");
    let reader = token("acme", "logs:read");
    let stats_before = app
        .get(
            &format!(
                "/api/v1/stats?feature=vies&granularity=month&year={}",
                last.year
            ),
            Some(&reader),
        )
        .await;
    let erase = |user: &str, password: &str| {
        let (app, admin) = (&app, admin.clone());
        let body = json!({"user_code": user, "admin_password": password});
        async move { app.post("/api/v1/erasures", Some(&admin), &body).await }
    };
    assert_eq!(erase("JDUPONT", "a wrong guess").await.0, 403);
    assert_eq!(
        erase("ERASED", FIRST).await.1["details"][0]["field"],
        "user_code"
    );
    assert_eq!(
        erase("jean dupont", FIRST).await.1["details"][0]["field"],
        "user_code"
    );
    // Three entries of JDUPONT last month, one a year before.
    assert_eq!(erase("JDUPONT", FIRST).await, (200, json!({"entries": 4})));
    assert_eq!(erase("JDUPONT", FIRST).await, (200, json!({"entries": 0})));
    let (_, page) = app
        .get(
            &format!("/api/v1/logs?feature=vies&period={last}&user_code=JDUPONT"),
            Some(&reader),
        )
        .await;
    assert_eq!(page["items"], json!([]));
    let (_, page) = app
        .get(
            &format!("/api/v1/logs?feature=vies&period={last}&user_code=ERASED"),
            Some(&reader),
        )
        .await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
    let stats_after = app
        .get(
            &format!(
                "/api/v1/stats?feature=vies&granularity=month&year={}",
                last.year
            ),
            Some(&reader),
        )
        .await;
    assert_eq!(stats_after, stats_before, "the counts stay");
    // Another company's JDUPONT is untouched; the trail says how many, never whose.
    let (_, theirs) = app
        .get(
            &format!("/api/v1/logs?feature=vies&period={last}&user_code=JDUPONT"),
            Some(&token("other", "logs:read")),
        )
        .await;
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(1));
    let (_, trail) = app.get("/api/v1/audit?limit=10", Some(&admin)).await;
    assert_eq!(trail["items"][0]["action"], "user_erased");
    assert_eq!(trail["items"][0]["after"], json!({"entries": 0}));
    assert_eq!(trail["items"][1]["after"], json!({"entries": 4}));
    assert!(!trail.to_string().contains("JDUPONT"), "{trail}");
}

/// An erasure works through a user's entries a thousand at a time, to the last one.
async fn an_erasure_reaches_the_entries_beyond_its_first_thousand(app: TestApp) {
    let month = months_ago(1);
    let bulk = (0..2_500)
        .map(|_| vies("success", None, "LYON", "BULK", month))
        .collect();
    record(&app, "acme", bulk).await;
    app.set_admin_password("acme", FIRST);
    let body = json!({"user_code": "BULK", "admin_password": FIRST});
    assert_eq!(
        app.post(
            "/api/v1/erasures",
            Some(&token("acme", "settings:admin")),
            &body
        )
        .await,
        (200, json!({"entries": 2_500}))
    );
    let (_, page) = app
        .get(
            &format!("/api/v1/logs?feature=vies&period={month}&user_code=BULK"),
            Some(&token("acme", "logs:read")),
        )
        .await;
    assert_eq!(page["items"], json!([]), "none left under the user code");
}

crate::on_both_databases!(
    every_bucket_splits_the_errors_by_cause_and_compares_with_the_year_before,
    sites_are_ranked_by_their_uses_without_the_hidden_ones,
    entries_are_filtered_by_cause_and_by_user,
    tables_are_exported_for_french_spreadsheets_and_for_machines,
    the_administrator_sets_and_changes_the_admin_password,
    a_user_is_erased_from_every_entry_and_the_counts_stay,
    an_erasure_reaches_the_entries_beyond_its_first_thousand,
);
