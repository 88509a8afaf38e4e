//! The operator's commands: `histo user add` makes an account that signs in, `histo admin-password`
//! sets the password that guards the retention, `histo purge --dry-run` says what it would remove and
//! removes nothing; every administrative change shows in the audit trail.

use chrono::Utc;
use serde_json::json;

use crate::helpers::{event, token, TestApp};

async fn a_user_added_by_the_cli_signs_in_with_their_scopes(app: TestApp) {
    let output = app.add_user("acme", "JDUPONT", "logs:read", "jdupont's password");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "account JDUPONT of company acme added, scopes: logs:read\n"
    );
    let (status, answer) = app.sign_in("acme", "JDUPONT", "jdupont's password").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["token_type"].clone(), answer["expires_in"].clone()),
        (json!("Bearer"), json!(3600))
    );
    let signed_in = answer["access_token"].as_str().expect("token");
    let (status, _) = app.get("/api/v1/settings", Some(signed_in)).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .patch("/api/v1/sites/LYON", signed_in, &json!({"hidden": true}))
        .await;
    assert_eq!(status, 403, "the account has logs:read only");

    for (company, user, password) in [
        ("acme", "JDUPONT", "not the password"),
        ("acme", "NOBODY", "jdupont's password"),
        ("other", "JDUPONT", "jdupont's password"),
        ("a b", "JDUPONT", "jdupont's password"),
    ] {
        let (status, body) = app.sign_in(company, user, password).await;
        assert_eq!(status, 401, "{company} {user} {password}: {body}");
    }
    let (status, body) = app
        .post("/api/v1/auth/token", None, &json!({"company": "acme"}))
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("user_code"))
    );

    // Five wrong passwords in a row (one above): even the right one is refused for a while.
    for _ in 0..4 {
        let wrong = app.sign_in("acme", "JDUPONT", "still not the password");
        assert_eq!(wrong.await.0, 401);
    }
    let right = app.sign_in("acme", "JDUPONT", "jdupont's password");
    assert_eq!(right.await.0, 429);

    // Too short a password is refused.
    let output = app.histo(
        &[
            "user",
            "add",
            "--company",
            "acme",
            "--user",
            "X",
            "--scope",
            "logs:read",
        ],
        "short\n",
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 8"));

    // Adding the account again replaces it, and says so.
    let output = app.add_user("acme", "JDUPONT", "logs:read", "jdupont's new password");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "account JDUPONT of company acme updated, scopes: logs:read\n"
    );
}

async fn purge_dry_run_removes_nothing_and_the_audit_trail_has_every_change(app: TestApp) {
    app.keep_ten_years("acme").await;
    let old = (Utc::now() - chrono::Duration::days(31 * 40)).to_rfc3339();
    let (status, _) = app
        .record(
            &token("acme", "events:write"),
            &json!({"events": [event("vies", "success", "LYON", &old), event("vies", "success", "LYON", &old)]}),
        )
        .await;
    assert_eq!(status, 200);
    // Entries age out of the period as months go by: here the period is the default again.
    app.db
        .execute("UPDATE companies SET retention_months = 24 WHERE id = 'acme'");

    let output = app.histo(&["purge", "--dry-run"], "");
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.starts_with("acme: would remove 2 entries before "),
        "{said}"
    );
    assert_eq!(app.stored_events("acme"), 2);

    app.set_admin_password("acme", "first admin password");
    app.set_admin_password("acme", "second admin password");
    let (status, _) = app
        .patch(
            "/api/v1/sites/LYON",
            &token("acme", "sites:manage"),
            &json!({"hidden": true}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .put(
            "/api/v1/settings/retention",
            &token("acme", "settings:admin"),
            &json!({"months": 36, "admin_password": "second admin password"}),
        )
        .await;
    assert_eq!(status, 200);
    let output = app.histo(&["purge", "--company", "acme"], "");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("acme: removed 2 entries"));
    assert_eq!(app.stored_events("acme"), 0);
    // Nothing left to remove: the purge runs, and the trail does not note it.
    let output = app.histo(&["purge", "--company", "acme"], "");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.starts_with("acme: removed 0 entries"), "{said}");

    // Newest first, two per page.
    let admin = token("acme", "settings:admin");
    let mut entries = Vec::new();
    let mut path = "/api/v1/audit?limit=2".to_owned();
    loop {
        let (status, page) = app.get(&path, Some(&admin)).await;
        assert_eq!(status, 200, "{page}");
        entries.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let summary: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or(""),
                e["action"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("cli", "purge"),
            ("u1", "retention_changed"),
            ("u1", "site_hidden"),
            ("cli", "admin_password_changed"),
            ("cli", "admin_password_changed"),
            ("u1", "retention_changed"),
            ("cli", "admin_password_changed"),
        ]
    );
    assert_eq!(entries[0]["after"]["removed"], 2);
    assert_eq!(
        (&entries[1]["before"], &entries[1]["after"]),
        (
            &json!({"retention_months": 24}),
            &json!({"retention_months": 36})
        )
    );
    assert_eq!(entries[4]["before"], json!({"admin_password_set": true}));
    assert_eq!(entries[6]["before"], json!({"admin_password_set": false}));
    assert!(
        entries
            .iter()
            .all(|e| !e.to_string().contains("admin password")),
        "no password in the trail"
    );
    let (_, other) = app
        .get("/api/v1/audit", Some(&token("other", "settings:admin")))
        .await;
    assert_eq!(other, json!({"items": [], "next_cursor": null}));
}

crate::on_both_databases!(
    a_user_added_by_the_cli_signs_in_with_their_scopes,
    purge_dry_run_removes_nothing_and_the_audit_trail_has_every_change
);
