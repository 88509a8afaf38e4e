//! Hiding a site through the API: every statistic, the overview, the drill-down and the export leave
//! it out while it is hidden and take it back once shown; only `sites:manage` may do it.

use serde_json::json;

use histo_api_types::{LogPage, Overview, Statistics};

use crate::helpers::{event, token, TestApp};

/// What a reader sees of email in March of last year.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    /// The yearly count of errors.
    errors_in_the_year: u64,
    hidden_sites: u64,
    /// The overview's email total of the month.
    email_in_the_month: u64,
    /// The drill-down's entries of the month.
    entries: usize,
    /// The export's lines of the month, header included.
    export_lines: usize,
}

/// What the company reads with every site shown (`hidden` false), or with PARIS (two errors) hidden.
fn expected(paris_hidden: bool) -> Seen {
    if paris_hidden {
        Seen {
            errors_in_the_year: 0,
            hidden_sites: 1,
            email_in_the_month: 1,
            entries: 1,
            export_lines: 2,
        }
    } else {
        Seen {
            errors_in_the_year: 2,
            hidden_sites: 0,
            email_in_the_month: 3,
            entries: 3,
            export_lines: 4,
        }
    }
}

async fn seen(app: &TestApp) -> Seen {
    let y = crate::helpers::last_year();
    let reader = token("acme", "logs:read");
    let stats: Statistics = app
        .read(
            &format!("/api/v1/stats?feature=email&granularity=year&from={y}&to={y}"),
            &reader,
        )
        .await;
    let overview: Overview = app
        .read(&format!("/api/v1/stats/overview?period={y}-03"), &reader)
        .await;
    assert_eq!(overview.hidden_sites, stats.hidden_sites);
    let logs: LogPage = app
        .read(
            &format!("/api/v1/logs?feature=email&period={y}-03"),
            &reader,
        )
        .await;
    let export = app
        .get_raw(
            &format!("/api/v1/logs/export?feature=email&period={y}-03"),
            &reader,
        )
        .await
        .text()
        .await
        .expect("the export's text");
    let [year] = stats.buckets.as_slice() else {
        panic!("one bucket for one year: {stats:?}");
    };
    let email = overview
        .features
        .iter()
        .find(|f| f.feature == "email")
        .expect("email in the overview");
    Seen {
        errors_in_the_year: year.counts.get("error"),
        hidden_sites: stats.hidden_sites,
        email_in_the_month: email.total,
        entries: logs.items.len(),
        export_lines: export.lines().count(),
    }
}

async fn hiding_and_showing_a_site_changes_every_read(app: TestApp) {
    let y = crate::helpers::last_year();
    let events = vec![
        event("email", "success", "LYON", &format!("{y}-03-10T10:00:00Z")),
        event("email", "error", "PARIS", &format!("{y}-03-11T10:00:00Z")),
        event("email", "error", "PARIS", &format!("{y}-03-12T10:00:00Z")),
    ];
    let (status, _) = app
        .record(&token("acme", "events:write"), &json!({ "events": events }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen(&app).await, expected(false));

    let manager = token("acme", "sites:manage");
    let (status, site) = app
        .patch("/api/v1/sites/PARIS", &manager, &json!({"hidden": true}))
        .await;
    assert_eq!(
        (status, site),
        (
            200,
            json!({"code": "PARIS", "name": "PARIS", "hidden": true})
        )
    );
    assert_eq!(seen(&app).await, expected(true));

    let (status, site) = app
        .patch(
            "/api/v1/sites/PARIS",
            &manager,
            &json!({"hidden": false, "name": "Paris Nord"}),
        )
        .await;
    assert_eq!(
        (status, site),
        (
            200,
            json!({"code": "PARIS", "name": "Paris Nord", "hidden": false})
        )
    );
    assert_eq!(seen(&app).await, expected(false));

    // Only sites:manage; an unknown site is not found; a bad name is refused.
    let reader_only = token("acme", "logs:read settings:admin events:write");
    let (status, _) = app
        .patch(
            "/api/v1/sites/PARIS",
            &reader_only,
            &json!({"hidden": true}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .patch("/api/v1/sites/NANTES", &manager, &json!({"hidden": true}))
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .patch(
            "/api/v1/sites/PARIS",
            &manager,
            &json!({"hidden": true, "name": " "}),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("name"))
    );
    let (status, body) = app
        .patch(
            "/api/v1/sites/PARIS",
            &manager,
            &json!({"hidden": true, "colour": "red"}),
        )
        .await;
    assert_eq!(
        (status, &body["details"][0]["field"]),
        (422, &json!("colour"))
    );
    assert_eq!(seen(&app).await, expected(false));

    let (_, audit) = app
        .get("/api/v1/audit", Some(&token("acme", "settings:admin")))
        .await;
    let actions: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["actor"].clone(), i["action"].clone()))
        .collect();
    assert_eq!(
        actions,
        [
            (json!("u1"), json!("site_shown")),
            (json!("u1"), json!("site_hidden"))
        ]
    );
    assert_eq!(
        audit["items"][0]["after"],
        json!({"code": "PARIS", "name": "Paris Nord", "hidden": false})
    );
}

crate::on_both_databases!(hiding_and_showing_a_site_changes_every_read);
