//! Access, route by route, from the OpenAPI document's own list of routes, so that a new route cannot
//! escape: no token 401, a token without the route's scope 403, another company's token never sees or
//! changes this company's data (404 for a route naming one of its resources), the right scope 2xx.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{event, token, TestApp};

/// A site, a user code and an admin password of the company `acme` that no answer to another company
/// may contain.
const ACME_SITE: &str = "ACME-SECRET-SITE";
const ADMIN_PASSWORD: &str = "acme admin password";
/// A webhook address the tests' servers allow.
const WEBHOOK: &str = "http://127.0.0.1:9/hooks/access";
const ALL_SCOPES: [&str; 4] = [
    "logs:read",
    "events:write",
    "sites:manage",
    "settings:admin",
];

/// A valid request for each route: the path to call (query included) and the body, if any. Its
/// period is the current month.
fn example(method: &str, path: &str, rule: &str) -> Option<(String, Option<Value>)> {
    let month = histo_domain::month_of(chrono::Utc::now(), histo_domain::TimeZone::default());
    let year = month.year;
    let plain = |p: String| Some((p, None));
    match (method, path) {
        ("post", "/api/v1/events") => Some((
            path.to_owned(),
            // Not acme's secret site: the other company's call records it as its own.
            Some(event(
                "email",
                "success",
                "S1",
                &chrono::Utc::now().to_rfc3339(),
            )),
        )),
        ("get", "/api/v1/stats") => plain(format!(
            "/api/v1/stats?feature=email&granularity=month&year={year}"
        )),
        ("get", "/api/v1/stats/overview") => {
            plain(format!("/api/v1/stats/overview?period={month}"))
        }
        ("get", "/api/v1/logs") => plain(format!("/api/v1/logs?feature=email&period={month}")),
        ("get", "/api/v1/logs/export") => {
            plain(format!("/api/v1/logs/export?feature=email&period={month}"))
        }
        (
            "get",
            "/api/v1/features"
            | "/api/v1/sites"
            | "/api/v1/settings"
            | "/api/v1/audit"
            | "/api/v1/audit/verification"
            | "/api/v1/alerts/rules"
            | "/api/v1/alerts/events"
            | "/api/v1/alerts/digest",
        ) => plain(path.to_owned()),
        ("post", "/api/v1/alerts/rules") => Some((
            path.to_owned(),
            Some(json!({"feature": "email", "webhook_url": WEBHOOK,
                        "condition": {"type": "errors", "errors": 5, "minutes": 10}})),
        )),
        ("delete", "/api/v1/alerts/rules/{id}") => plain(format!("/api/v1/alerts/rules/{rule}")),
        ("put", "/api/v1/alerts/digest") => {
            Some((path.to_owned(), Some(json!({ "webhook_url": WEBHOOK }))))
        }
        ("delete", "/api/v1/alerts/digest") => plain(path.to_owned()),
        ("patch", "/api/v1/sites/{code}") => Some((
            format!("/api/v1/sites/{ACME_SITE}"),
            Some(json!({"hidden": false, "name": "Acme secret site"})),
        )),
        ("get", "/api/v1/stats/export") => plain(format!(
            "/api/v1/stats/export?feature=email&granularity=month&year={year}"
        )),
        ("get", "/api/v1/stats/sites") => {
            plain(format!("/api/v1/stats/sites?feature=email&period={year}"))
        }
        ("put", "/api/v1/settings/admin-password") => Some((
            path.to_owned(),
            Some(json!({"current_password": ADMIN_PASSWORD, "new_password": ADMIN_PASSWORD})),
        )),
        ("post", "/api/v1/erasures") => Some((
            path.to_owned(),
            Some(json!({"user_code": "NOBODY", "admin_password": ADMIN_PASSWORD})),
        )),
        ("get", "/api/v1/settings/retention/preview") => {
            plain("/api/v1/settings/retention/preview?months=12".to_owned())
        }
        ("put", "/api/v1/settings/retention") => Some((
            path.to_owned(),
            Some(json!({"months": 24, "admin_password": ADMIN_PASSWORD})),
        )),
        _ => None,
    }
}

/// Every route under /api/v1 that requires a token, with its scope.
async fn protected_routes(app: &TestApp) -> Vec<(String, String, String)> {
    let (status, document) = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(status, 200);
    let mut routes = Vec::new();
    for (path, methods) in document["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            let Some(security) = operation["security"].as_array() else {
                continue;
            };
            let scope = security
                .iter()
                .find_map(|s| s["bearer"][0].as_str())
                .unwrap_or_else(|| panic!("{method} {path} declares no scope"));
            assert!(path.starts_with("/api/v1/"), "{path}");
            routes.push((method.clone(), path.clone(), scope.to_owned()));
        }
    }
    assert!(routes.len() >= 11, "{routes:?}");
    routes
}

async fn every_route_refuses_the_wrong_caller_and_serves_the_right_one(app: TestApp) {
    let (status, _) = app
        .record(
            &token("acme", "events:write"),
            &event(
                "email",
                "error",
                ACME_SITE,
                &chrono::Utc::now().to_rfc3339(),
            ),
        )
        .await;
    assert_eq!(status, 200);
    app.set_admin_password("acme", ADMIN_PASSWORD);
    // An alert rule and a digest of acme's, for the routes that name or remove them.
    let admin = token("acme", "settings:admin");
    let rule = json!({"feature": "sms", "webhook_url": WEBHOOK,
                      "condition": {"type": "errors", "errors": 1, "minutes": 5}});
    let (status, rule) = app.post("/api/v1/alerts/rules", Some(&admin), &rule).await;
    assert_eq!(status, 201, "{rule}");
    let acme_rule = rule["id"].as_str().expect("rule id").to_owned();
    let digest = json!({ "webhook_url": WEBHOOK });
    assert_eq!(
        app.put("/api/v1/alerts/digest", &admin, &digest).await.0,
        200
    );
    let other_company = token("other", &ALL_SCOPES.join(" "));

    for (method, path, scope) in protected_routes(&app).await {
        let (target, body) = example(&method, &path, &acme_rule)
            .unwrap_or_else(|| panic!("no example request for {method} {path}: add one"));
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let call = |token: Option<String>| {
            let (method, target, body) = (method.clone(), target.clone(), body.clone());
            let app = &app;
            async move {
                let mut request = app.client.request(method, app.url(&target));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                if let Some(body) = body {
                    request = request.json(&body);
                }
                let response = request.send().await.expect("request");
                let status = response.status().as_u16();
                (status, response.text().await.unwrap_or_default())
            }
        };
        let what = format!("{method} {target}");

        assert_eq!(call(None).await.0, 401, "{what} without a token");
        let others: Vec<&str> = ALL_SCOPES.into_iter().filter(|s| *s != scope).collect();
        assert_eq!(
            call(Some(token("acme", &others.join(" ")))).await.0,
            403,
            "{what} without {scope}"
        );

        let (status, text) = call(Some(other_company.clone())).await;
        assert!(
            !text.contains(ACME_SITE),
            "{what} shows acme's site to another company: {text}"
        );
        if path.contains('{') {
            assert_eq!(status, 404, "{what} for another company: {text}");
        }

        let (status, text) = call(Some(token("acme", &scope))).await;
        assert!(
            (200..300).contains(&status),
            "{what} with {scope}: {status} {text}"
        );
    }
    // Nothing of acme was changed by the other company.
    assert_eq!(
        app.stored_events("other"),
        1,
        "the other company recorded its own event"
    );
    let (_, sites) = app
        .get("/api/v1/sites", Some(&token("acme", "logs:read")))
        .await;
    assert_eq!(
        sites[0],
        json!({"code": ACME_SITE, "name": "Acme secret site", "hidden": false})
    );
}

crate::on_both_databases!(every_route_refuses_the_wrong_caller_and_serves_the_right_one);
