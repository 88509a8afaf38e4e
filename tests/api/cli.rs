//! The `histo` command line: tokens minted by `histo token` open the API; bad arguments are refused.

use std::process::Command;

use serde_json::json;

use crate::helpers::{Db, TestApp, SECRET};

fn histo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_histo"))
        .args(args)
        .env("HISTO_JWT_SECRET", SECRET)
        .output()
        .expect("histo runs")
}

#[tokio::test]
async fn histo_token_mints_a_token_the_server_accepts() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else {
        return;
    };
    let output = histo(&[
        "token",
        "--company",
        "acme",
        "--user",
        "u1",
        "--scope",
        "events:write",
        "--ttl",
        "60",
    ]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "the token alone on one line");
    let event = json!({"feature": "email", "outcome": "success", "site": "S", "user_code": "u1",
                       "occurred_at": "2026-01-01T00:00:00Z"});
    assert_eq!(app.record(stdout.trim(), &event).await.0, 200);

    let logs_only = histo(&[
        "token",
        "--company",
        "acme",
        "--user",
        "u1",
        "--scope",
        "logs:read",
    ]);
    assert_eq!(
        app.record(String::from_utf8(logs_only.stdout).unwrap().trim(), &event)
            .await
            .0,
        403
    );
}

#[test]
fn histo_token_refuses_bad_arguments() {
    for (args, says) in [
        (vec!["--scope", "logs:write"], "unknown scope"),
        (
            vec!["--scope", "logs:read", "--company", "a b"],
            "--company",
        ),
        (vec!["--scope", "logs:read", "--ttl", "0"], "--ttl"),
    ] {
        let mut all = vec!["token", "--company", "acme", "--user", "u1"];
        all.extend(args);
        let output = histo(&all);
        assert!(!output.status.success(), "{all:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(says),
            "{all:?}"
        );
    }
    let short = Command::new(env!("CARGO_BIN_EXE_histo"))
        .args([
            "token",
            "--company",
            "acme",
            "--user",
            "u1",
            "--scope",
            "logs:read",
        ])
        .env("HISTO_JWT_SECRET", "short")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 32 bytes"));
}

#[test]
fn histo_openapi_prints_the_committed_document() {
    let output = histo(&["openapi"]);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        include_str!("../../openapi/openapi.json")
    );
}
