//! The `histo` command line: tokens minted by `histo token` open the API; bad arguments are refused.

use std::process::Command;

use serde_json::json;

use crate::helpers::{Db, TestApp, SECRET};

fn histo_with(secret: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_histo"))
        .args(args)
        .env("HISTO_JWT_SECRET", secret)
        .output()
        .expect("histo runs")
}

fn histo(args: &[&str]) -> std::process::Output {
    histo_with(SECRET, args)
}

/// `histo token` for acme/u1 with `extra` arguments.
fn histo_token(secret: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["token", "--company", "acme", "--user", "u1"];
    args.extend(extra);
    histo_with(secret, &args)
}

#[tokio::test]
async fn histo_token_mints_a_token_the_server_accepts() {
    let y = crate::helpers::last_year();
    let app = TestApp::spawn(Db::Sqlite).await;
    let output = histo_token(SECRET, &["--scope", "events:write", "--ttl", "60"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "the token alone on one line");
    let event = json!({"feature": "email", "outcome": "success", "site": "S", "user_code": "u1",
                       "occurred_at": &format!("{y}-01-01T00:00:00Z")});
    assert_eq!(app.record(stdout.trim(), &event).await.0, 200);

    let logs_only =
        String::from_utf8(histo_token(SECRET, &["--scope", "logs:read"]).stdout).unwrap();
    assert_eq!(app.record(logs_only.trim(), &event).await.0, 403);
}

#[test]
fn histo_token_refuses_bad_arguments() {
    for (secret, args, says) in [
        (SECRET, vec!["--scope", "logs:write"], "unknown scope"),
        (
            SECRET,
            vec!["--scope", "logs:read", "--company", "a b"],
            "--company",
        ),
        (SECRET, vec!["--scope", "logs:read", "--ttl", "0"], "--ttl"),
        ("short", vec!["--scope", "logs:read"], "at least 32 bytes"),
    ] {
        let output = histo_token(secret, &args);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(says),
            "{args:?}"
        );
    }
}

#[test]
fn histo_openapi_prints_the_committed_document() {
    let output = histo(&["openapi"]);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        include_str!("../../openapi/openapi.json")
    );
}
