//! The audit trail is tamper-evident: every change is chained to the one before it, concurrent
//! changes included; `GET /api/v1/audit/verification` and `histo audit verify` name the first entry
//! changed, removed or added in the database by hand, and nothing else; entries written before the
//! chain existed are chained by the migration that starts it.

use serde_json::{json, Value};

use crate::helpers::{event, last_year, token, TestApp};

/// Records an event at each site, then hides and shows each: two audit entries per site.
async fn hide_and_show(app: &TestApp, company: &str, sites: &[&str]) {
    let at = format!("{}-03-10T10:00:00Z", last_year());
    let events: Vec<Value> = sites
        .iter()
        .map(|site| event("email", "success", site, &at))
        .collect();
    let (status, body) = app
        .record(
            &token(company, "events:write"),
            &json!({ "events": events }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for site in sites {
        for hidden in [true, false] {
            let (status, body) = app
                .patch(
                    &format!("/api/v1/sites/{site}"),
                    &token(company, "sites:manage"),
                    &json!({ "hidden": hidden }),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
}

async fn verification(app: &TestApp, company: &str) -> Value {
    let (status, body) = app
        .get(
            "/api/v1/audit/verification",
            Some(&token(company, "settings:admin")),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `histo audit verify` on the app's database: whether it succeeded, and what it printed.
fn verify_command(app: &TestApp, args: &[&str]) -> (bool, String) {
    let mut command = vec!["audit", "verify"];
    command.extend_from_slice(args);
    let output = app.histo(&command, "");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), printed)
}

async fn tampering_with_one_entry_is_named_and_nothing_else(app: TestApp) {
    hide_and_show(&app, "acme", &["LYON", "PARIS"]).await;
    hide_and_show(&app, "globex", &["NANTES"]).await;
    let (_, trail) = app
        .get("/api/v1/audit", Some(&token("acme", "settings:admin")))
        .await;
    let newest = trail["items"][0]["at"].clone();

    let intact = verification(&app, "acme").await;
    assert_eq!(
        (
            &intact["intact"],
            &intact["entries"],
            &intact["verified_up_to"],
            &intact["first_break"]
        ),
        (&json!(true), &json!(4), &newest, &Value::Null),
        "{intact}"
    );
    let (ok, printed) = verify_command(&app, &[]);
    assert!(ok, "{printed}");
    assert!(
        printed.contains(&format!(
            "acme: 4 entries, verified up to {}",
            newest.as_str().expect("time")
        )) && printed.contains("globex: 2 entries"),
        "{printed}"
    );

    // Someone with access to the database makes the second entry say another site was hidden.
    app.db.execute(
        "UPDATE audit_entries SET after_state = '{\"code\":\"NICE\",\"hidden\":true}' \
         WHERE company_id = 'acme' AND seq = 2",
    );
    let found = verification(&app, "acme").await;
    assert_eq!(found["intact"], json!(false), "{found}");
    assert_eq!(
        (
            &found["first_break"]["entry"],
            &found["first_break"]["problem"],
            &found["first_break"]["action"]
        ),
        (&json!(2), &json!("changed"), &json!("site_shown")),
        "{found}"
    );
    assert_eq!(
        found["verified_up_to"], trail["items"][3]["at"],
        "the first entry is still verified: {found}"
    );
    let (ok, printed) = verify_command(&app, &[]);
    assert!(!ok, "a tampered trail fails the command: {printed}");
    assert!(
        printed.contains("acme: TAMPERED: entry #2 (site_shown, ")
            && printed.contains("was changed")
            && printed.contains("globex: 2 entries, verified up to"),
        "{printed}"
    );
    let (ok, printed) = verify_command(&app, &["--company", "globex"]);
    assert!(ok && !printed.contains("acme"), "{printed}");
    assert_eq!(verification(&app, "globex").await["intact"], json!(true));
}

async fn a_removed_or_added_entry_is_named(app: TestApp) {
    hide_and_show(&app, "acme", &["LYON", "PARIS"]).await;
    hide_and_show(&app, "globex", &["NANTES", "NICE"]).await;
    hide_and_show(&app, "initech", &["BREST"]).await;

    app.db
        .execute("DELETE FROM audit_entries WHERE company_id = 'acme' AND seq = 3");
    let found = verification(&app, "acme").await;
    assert_eq!(
        (
            &found["first_break"]["entry"],
            &found["first_break"]["problem"]
        ),
        (&json!(3), &json!("removed")),
        "{found}"
    );

    // The newest entry removed: the company row still counts it.
    app.db
        .execute("DELETE FROM audit_entries WHERE company_id = 'globex' AND seq = 4");
    let found = verification(&app, "globex").await;
    assert_eq!(
        (
            &found["first_break"]["entry"],
            &found["first_break"]["problem"]
        ),
        (&json!(4), &json!("removed")),
        "{found}"
    );

    // An entry slipped in by hand, outside the chain.
    app.db.execute(
        "INSERT INTO audit_entries (company_id, at, id, actor, action) \
         SELECT company_id, at + 1, id, 'JDUPONT', 'retention_changed' \
         FROM audit_entries WHERE company_id = 'initech' AND seq = 1",
    );
    let found = verification(&app, "initech").await;
    assert_eq!(
        (
            &found["first_break"]["entry"],
            &found["first_break"]["problem"],
            &found["first_break"]["action"]
        ),
        (&Value::Null, &json!("added"), &json!("retention_changed")),
        "{found}"
    );
    let (ok, printed) = verify_command(&app, &[]);
    assert!(!ok, "{printed}");
    for line in [
        "acme: TAMPERED: entry #3 was removed",
        "globex: TAMPERED: entry #4 was removed",
        "initech: TAMPERED: an entry (retention_changed, ",
        "the audit trail of 3 company(ies) was tampered with",
    ] {
        assert!(printed.contains(line), "{line:?} in {printed}");
    }
}

async fn concurrent_changes_make_one_chain(app: TestApp) {
    let sites: Vec<String> = (0..12).map(|n| format!("SITE{n}")).collect();
    let at = format!("{}-03-10T10:00:00Z", last_year());
    let events: Vec<Value> = sites
        .iter()
        .map(|site| event("email", "success", site, &at))
        .collect();
    let (status, body) = app
        .record(&token("acme", "events:write"), &json!({ "events": events }))
        .await;
    assert_eq!(status, 200, "{body}");
    let changes = sites
        .iter()
        .map(|site| {
            app.client
                .patch(app.url(&format!("/api/v1/sites/{site}")))
                .bearer_auth(token("acme", "sites:manage"))
                .json(&json!({"hidden": true}))
        })
        .collect();
    assert_eq!(app.send_at_once(changes).await, vec![200; sites.len()]);
    let found = verification(&app, "acme").await;
    assert_eq!(
        (&found["intact"], &found["entries"]),
        (&json!(true), &json!(12)),
        "{found}"
    );
}

async fn entries_written_before_the_chain_are_chained_by_its_migration(app: TestApp) {
    hide_and_show(&app, "acme", &["LYON", "PARIS"]).await;
    // The database as it was before the chain: its migration undone, as its down.sql does.
    for statement in [
        "DROP INDEX audit_entries_chain",
        "ALTER TABLE audit_entries DROP COLUMN seq",
        "ALTER TABLE audit_entries DROP COLUMN hash",
        "ALTER TABLE companies DROP COLUMN audit_last_seq",
        "ALTER TABLE companies DROP COLUMN audit_last_hash",
        "DELETE FROM __diesel_schema_migrations WHERE version = '20261130000004'",
    ] {
        app.db.execute(statement);
    }
    let output = app.histo(&["migrate"], "");
    assert!(output.status.success(), "{output:?}");
    let found = verification(&app, "acme").await;
    assert_eq!(
        (&found["intact"], &found["entries"]),
        (&json!(true), &json!(4)),
        "{found}"
    );
    // And the chain goes on from there.
    hide_and_show(&app, "acme", &["LYON"]).await;
    assert_eq!(verification(&app, "acme").await["entries"], json!(6));
}

/// The company row that ends the chain rewritten by hand: its last link, or its count of entries.
async fn a_rewritten_end_of_the_chain_is_named(app: TestApp) {
    hide_and_show(&app, "acme", &["LYON", "PARIS"]).await;
    hide_and_show(&app, "globex", &["NANTES", "NICE"]).await;
    // A page as long as the trail is the last one.
    let (_, trail) = app
        .get(
            "/api/v1/audit?limit=4",
            Some(&token("acme", "settings:admin")),
        )
        .await;
    assert_eq!(
        (
            trail["items"].as_array().map(Vec::len),
            &trail["next_cursor"]
        ),
        (Some(4), &Value::Null),
        "{trail}"
    );

    app.db
        .execute("UPDATE companies SET audit_last_hash = 'rewritten' WHERE id = 'acme'");
    app.db
        .execute("UPDATE companies SET audit_last_seq = 3 WHERE id = 'globex'");
    for company in ["acme", "globex"] {
        let found = verification(&app, company).await;
        assert_eq!(
            (
                &found["intact"],
                &found["first_break"]["entry"],
                &found["first_break"]["problem"]
            ),
            (&json!(false), &json!(4), &json!("changed")),
            "{company}: {found}"
        );
    }
}

crate::on_both_databases!(
    tampering_with_one_entry_is_named_and_nothing_else,
    a_removed_or_added_entry_is_named,
    a_rewritten_end_of_the_chain_is_named,
    concurrent_changes_make_one_chain,
    entries_written_before_the_chain_are_chained_by_its_migration
);
