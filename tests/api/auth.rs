//! Tokens: no token, a bad one or one without the scope is refused, and nothing of the request is kept.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{token, token_with, TestApp, SECRET};

fn event() -> Value {
    json!({"feature": "sms", "outcome": "success", "site": "NANTES", "user_code": "u1",
           "occurred_at": chrono::Utc::now().to_rfc3339()})
}

fn unsigned(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

async fn refused_tokens_store_nothing(app: TestApp) {
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(Option<String>, u16, &str)> = vec![
        (None, 401, "bearer token is required"),
        (Some("not-a-jwt".into()), 401, "malformed"),
        (
            Some(token_with("acme", "events:write", -3600, SECRET)),
            401,
            "expired",
        ),
        (
            Some(token_with(
                "acme",
                "events:write",
                3600,
                "another-secret-of-at-least-32-bytes!!",
            )),
            401,
            "signature",
        ),
        (
            Some(unsigned(
                json!({"sub": "u1", "company": "acme", "scope": "events:write", "exp": now + 3600}),
            )),
            401,
            "invalid token",
        ),
        (
            Some(token_with("bad company!", "events:write", 3600, SECRET)),
            401,
            "company",
        ),
        (
            Some(token("acme", "logs:read sites:manage settings:admin")),
            403,
            "events:write",
        ),
    ];
    for (token, status, says) in cases {
        let (got, body) = app.post("/api/v1/events", token.as_deref(), &event()).await;
        assert_eq!(got, status, "{token:?}: {body}");
        assert!(
            body["error"].as_str().unwrap_or_default().contains(says),
            "{token:?}: {body}"
        );
    }
    let response = app
        .client
        .post(app.url("/api/v1/events"))
        .json(&event())
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(app.stored_events("acme"), 0);
    assert_eq!(
        app.record(&token("acme", "events:write"), &event()).await.0,
        200
    );
}

crate::on_both_databases!(refused_tokens_store_nothing);
