//! One company's writes never touch another's: two companies share site codes, user codes and event
//! ids, every write route and command is applied to the first, and everything the database holds of
//! the second — entries, counts, totals, sites, settings, accounts, audit trail, alert rules and
//! their firings, webhooks, digest — stays byte for byte
//! the same. The same checks would catch a purge, an erasure or a site change that forgets its
//! company.

use chrono::Utc;
use histo_domain::{month_of, TimeZone};
use serde_json::{json, Value};

use crate::helpers::{event, token, TestApp, KEEPING_PASSWORD};

const SHARED_SITES: [&str; 2] = ["LYON", "PARIS"];
const SHARED_USER: &str = "JDUPONT";

/// Events with the same ids, sites and user codes in both companies: this month's, and some of
/// 30 months ago (past the default retention, kept ten years by both companies first).
fn shared_events(ids: &[String]) -> Vec<Value> {
    let now = month_of(Utc::now(), TimeZone::default());
    ids.iter()
        .enumerate()
        .map(|(n, id)| {
            let month = if n % 2 == 0 { now } else { now.plus(-30) };
            let at = format!("{month}-01T12:00:00+01:00");
            let mut event = event(
                "email",
                ["success", "error"][n % 2],
                SHARED_SITES[n % 2],
                &at,
            );
            event["id"] = id.clone().into();
            event["user_code"] = SHARED_USER.into();
            event
        })
        .collect()
}

/// Runs `histo ARGS` on the app's database, which must succeed.
fn histo(app: &TestApp, args: &[&str], stdin: &str) {
    let output = app.histo(args, stdin);
    assert!(output.status.success(), "histo {args:?}: {output:?}");
}

async fn every_write_to_one_company_leaves_the_other_byte_for_byte(app: TestApp) {
    let ids: Vec<String> = (0..20).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    // The bystander: the same ids, sites and user, an account, an admin password, a renamed site.
    app.keep_ten_years("bystander").await;
    let (status, _) = app
        .record(
            &token("bystander", "events:write"),
            &json!({ "events": shared_events(&ids) }),
        )
        .await;
    assert_eq!(status, 200);
    app.add_user(
        "bystander",
        SHARED_USER,
        "logs:read",
        "the bystander's password",
    );
    let (status, _) = app
        .patch(
            "/api/v1/sites/LYON",
            &token("bystander", "sites:manage"),
            &json!({"hidden": false, "name": "Lyon (bystander)"}),
        )
        .await;
    assert_eq!(status, 200);
    // The same alert rule and a digest: only acme's rule fires.
    let sms_errors = json!({"feature": "sms", "site": "LYON", "webhook_url": "http://127.0.0.1:9/hooks/x",
        "condition": {"type": "errors", "errors": 1, "minutes": 10}});
    let (status, _) = app
        .post(
            "/api/v1/alerts/rules",
            Some(&token("bystander", "settings:admin")),
            &sms_errors,
        )
        .await;
    assert_eq!(status, 201);
    let digest = json!({"webhook_url": "http://127.0.0.1:9/hooks/digest"});
    let (status, _) = app
        .put(
            "/api/v1/alerts/digest",
            &token("bystander", "settings:admin"),
            &digest,
        )
        .await;
    assert_eq!(status, 200);
    let before = app.db.dump("bystander");
    assert!(before.len() > 20, "{before:#?}");

    // Every write, to acme.
    app.keep_ten_years("acme").await;
    let writer = token("acme", "events:write");
    let (status, body) = app
        .record(&writer, &json!({ "events": shared_events(&ids) }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 20, "the same ids are acme's own");
    let admin = token("acme", "settings:admin");
    let manager = token("acme", "sites:manage");
    for (site, change) in [
        ("LYON", json!({"hidden": true})),
        ("PARIS", json!({"hidden": false, "name": "Paris (acme)"})),
        ("LYON", json!({"hidden": false})),
    ] {
        let (status, _) = app
            .patch(&format!("/api/v1/sites/{site}"), &manager, &change)
            .await;
        assert_eq!(status, 200);
    }
    // The retention shortened (a purge of acme in the server), then lengthened.
    for months in [12, 120] {
        let (status, _) = app
            .put(
                "/api/v1/settings/retention",
                &admin,
                &json!({"months": months, "admin_password": KEEPING_PASSWORD}),
            )
            .await;
        assert_eq!(status, 200);
        for _ in 0..100 {
            if app.stored_events("acme") == 10 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(app.stored_events("acme"), 10, "acme's old entries purged");
    }
    histo(&app, &["purge", "--company", "acme"], "");
    let (status, _) = app
        .put(
            "/api/v1/settings/admin-password",
            &admin,
            &json!({"current_password": KEEPING_PASSWORD, "new_password": "acme's new admin password"}),
        )
        .await;
    assert_eq!(status, 204);
    histo(
        &app,
        &["admin-password", "--company", "acme"],
        "acme's third admin password\n",
    );
    let (status, body) = app
        .post(
            "/api/v1/erasures",
            Some(&admin),
            &json!({"user_code": SHARED_USER, "admin_password": "acme's third admin password"}),
        )
        .await;
    assert_eq!((status, &body["entries"]), (200, &json!(10)));
    app.add_user("acme", SHARED_USER, "logs:read", "acme's user password");
    histo(
        &app,
        &["user", "remove", "--company", "acme", "--user", SHARED_USER],
        "",
    );
    // Alert rules added, fired and removed, a digest set and stopped.
    let (status, rule) = app
        .post("/api/v1/alerts/rules", Some(&admin), &sms_errors)
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .post("/api/v1/alerts/rules", Some(&admin), &sms_errors)
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .record(
            &writer,
            &event("sms", "error", "LYON", &Utc::now().to_rfc3339()),
        )
        .await;
    assert_eq!(status, 200);
    let fired = "SELECT COUNT(*) AS n FROM alert_events WHERE company_id = 'acme'";
    for _ in 0..100 {
        if app.db.number(fired) == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.db.number(fired), 2, "both of acme's rules fired");
    let removed = app
        .client
        .delete(app.url(&format!(
            "/api/v1/alerts/rules/{}",
            rule["id"].as_str().expect("id")
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("answer");
    assert_eq!(removed.status(), 204);
    assert_eq!(
        app.put("/api/v1/alerts/digest", &admin, &digest).await.0,
        200
    );
    let stopped = app
        .client
        .delete(app.url("/api/v1/alerts/digest"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("answer");
    assert_eq!(stopped.status(), 204);
    // Refused attempts are written too (the audit trail of wrong admin passwords).
    let (status, _) = app
        .put(
            "/api/v1/settings/retention",
            &admin,
            &json!({"months": 6, "admin_password": "a wrong guess"}),
        )
        .await;
    assert_eq!(status, 403);

    assert_ne!(app.db.dump("acme"), before, "acme itself did change");
    let after = app.db.dump("bystander");
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert_eq!(
        after.len(),
        before.len(),
        "rows of the bystander appeared or went"
    );
    assert!(changed.is_empty(), "the bystander changed: {changed:#?}");
}

crate::on_both_databases!(every_write_to_one_company_leaves_the_other_byte_for_byte);
