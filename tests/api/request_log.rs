//! The log of the real `histo` binary with `HISTO_LOG_FORMAT=json`: one JSON object per line, one line
//! per answered request carrying its request id (the caller's `X-Request-Id` when it is plain, a new
//! one otherwise, echoed in the answer), and no password, token or user code in any line, while
//! accounts are added, people sign in and the retention period changes.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{histo_command_with, Db, HistoProcess, TestDb, SECRET};

const COMPANY: &str = "logged-co";
const USER: &str = "LOGGED-USER-7";
const PASSWORD: &str = "sign-in password 4f1e";
const WRONG_PASSWORD: &str = "wrong password 77ab";
const ADMIN_PASSWORD: &str = "admin password 9c2d";
const WRONG_ADMIN_PASSWORD: &str = "wrong admin password 3e8f";
const JSON_LOGS: [(&str, &str); 2] = [("HISTO_LOG_FORMAT", "json"), ("HISTO_LOG", "info")];

/// Sends a request, with `request_id` as `X-Request-Id` when given; the status, the echoed request id
/// and the JSON answer.
async fn send(request: reqwest::RequestBuilder, request_id: Option<&str>) -> (u16, String, Value) {
    let request = match request_id {
        Some(id) => request.header("x-request-id", id),
        None => request,
    };
    let response = request.send().await.expect("histo answers");
    let status = response.status().as_u16();
    let echoed = response.headers()["x-request-id"]
        .to_str()
        .expect("a plain request id")
        .to_owned();
    (status, echoed, response.json().await.unwrap_or(Value::Null))
}

fn is_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_request_ids_and_no_secret() {
    let db = TestDb::new(Db::Sqlite);
    let scopes = "logs:read settings:admin";
    let commands: [(&[&str], &str); 2] = [
        (
            &[
                "user",
                "add",
                "--company",
                COMPANY,
                "--user",
                USER,
                "--scope",
                scopes,
            ],
            PASSWORD,
        ),
        (&["admin-password", "--company", COMPANY], ADMIN_PASSWORD),
    ];
    let mut cli_log = String::new();
    for (args, password) in commands {
        let output = histo_command_with(&db.url, args, password, &JSON_LOGS);
        assert!(output.status.success(), "{output:?}");
        cli_log.push_str(&String::from_utf8_lossy(&output.stderr));
    }

    let server = HistoProcess::start_with(
        &["--database-url", &db.url],
        &[JSON_LOGS[0], JSON_LOGS[1], ("HISTO_JWT_SECRET", SECRET)],
    );
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.address);
    let sign_in = |password: &str| {
        client
            .post(url("/api/v1/auth/token"))
            .json(&json!({"company": COMPANY, "user_code": USER, "password": password}))
    };
    // (the request id each answer echoed, its status, its route)
    let mut answered = Vec::new();

    let (status, id, body) = send(sign_in(PASSWORD), Some("erp-req:0001")).await;
    assert_eq!((status, id.as_str()), (200, "erp-req:0001"));
    let token = body["access_token"].as_str().expect("a token").to_owned();
    answered.push((id, 200, "/api/v1/auth/token"));

    let (status, id, _) = send(sign_in(WRONG_PASSWORD), None).await;
    assert_eq!(status, 401);
    assert!(is_uuid(&id), "a new request id: {id}");
    answered.push((id, 401, "/api/v1/auth/token"));

    let odd_id = "an id with spaces";
    let (status, id, _) = send(
        client.get(url("/api/v1/settings")).bearer_auth(&token),
        Some(odd_id),
    )
    .await;
    assert_eq!(status, 200);
    assert!(is_uuid(&id), "an odd request id is replaced: {id}");
    answered.push((id, 200, "/api/v1/settings"));

    let too_long = "x".repeat(65);
    let retention = |password: &str| {
        client
            .put(url("/api/v1/settings/retention"))
            .bearer_auth(&token)
            .json(&json!({"months": 12, "admin_password": password}))
    };
    let (status, id, _) = send(retention(ADMIN_PASSWORD), Some(&too_long)).await;
    assert_eq!(status, 200);
    assert!(is_uuid(&id), "a long request id is replaced: {id}");
    answered.push((id, 200, "/api/v1/settings/retention"));

    let (status, id, _) = send(retention(WRONG_ADMIN_PASSWORD), None).await;
    assert_eq!(status, 403);
    answered.push((id, 403, "/api/v1/settings/retention"));

    // The log is read while the server writes it: wait for the last answer's line.
    let started = Instant::now();
    let last = answered.last().map(|(id, _, _)| id.clone()).unwrap();
    let server_log = loop {
        let log = server.log();
        if log.iter().any(|line| line.contains(&last)) {
            break log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no log line for {last}: {log:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let lines: Vec<&str> = server_log
        .iter()
        .map(String::as_str)
        .chain(cli_log.lines())
        .collect();
    let objects: Vec<Value> = lines
        .iter()
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(object @ Value::Object(_)) => object,
            _ => panic!("not a JSON object: {line}"),
        })
        .collect();
    for (id, status, route) in &answered {
        let logged: Vec<&Value> = objects
            .iter()
            .filter(|o| o["request_id"] == *id.as_str() && o["message"] == "answered")
            .collect();
        assert_eq!(logged.len(), 1, "one line for request {id}: {logged:?}");
        assert_eq!(logged[0]["status"], *status, "{:?}", logged[0]);
        assert_eq!(logged[0]["route"], *route, "{:?}", logged[0]);
    }
    let secrets = [
        PASSWORD,
        WRONG_PASSWORD,
        ADMIN_PASSWORD,
        WRONG_ADMIN_PASSWORD,
        USER,
        token.as_str(),
        odd_id,
    ];
    for line in &lines {
        for secret in secrets {
            assert!(!line.contains(secret), "'{secret}' is in the log: {line}");
        }
    }
}
