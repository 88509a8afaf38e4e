//! Nothing acknowledged is lost: the real `histo` binary is killed with SIGKILL while concurrent
//! clients record, restarted, and every event it answered 200 for is there exactly once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{token, Db, TestDb, SECRET};

/// A `histo serve` process and the lines of its log.
pub struct HistoProcess {
    child: Child,
    pub address: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl HistoProcess {
    pub fn start(database_url: &str) -> HistoProcess {
        HistoProcess::start_with(database_url, &[])
    }

    /// `histo serve` with more environment variables, such as `HISTO_LOG_FORMAT=json`.
    pub fn start_with(database_url: &str, env: &[(&str, &str)]) -> HistoProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_histo"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .env("HISTO_JWT_SECRET", SECRET)
            .env("HISTO_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("histo starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let address = loop {
            let line = lines
                .next()
                .expect("histo says where it listens")
                .expect("log line");
            log.lock().unwrap().push(line.clone());
            if let Some((_, rest)) = line.split_once("listens on ") {
                // The address ends the text, or the JSON string of the message.
                let end = rest.find([' ', '"']).unwrap_or(rest.len());
                break rest[..end].to_owned();
            }
        };
        // Keep reading the log so that the server never blocks on a full pipe.
        let kept = log.clone();
        std::thread::spawn(move || {
            lines
                .map_while(Result::ok)
                .for_each(|line| kept.lock().unwrap().push(line))
        });
        HistoProcess {
            child,
            address,
            log,
        }
    }

    /// The lines logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for HistoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn acknowledged_events_survive_sigkill(db: Db) {
    let Some(test_db) = TestDb::new(db) else {
        return;
    };
    let server = HistoProcess::start(&test_db.url);
    let writer = token("durable", "events:write");
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    let mut clients = Vec::new();
    for client_no in 0..8 {
        let (address, writer, acknowledged) =
            (server.address.clone(), writer.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for round in 0.. {
                if started.elapsed() > Duration::from_secs(20) {
                    break;
                }
                // Every fourth request is a batch, the others single events.
                let size = if round % 4 == client_no % 4 { 25 } else { 1 };
                let ids: Vec<String> = (0..size).map(|_| uuid::Uuid::now_v7().to_string()).collect();
                let events: Vec<_> = ids
                    .iter()
                    .map(|id| json!({"id": id, "feature": "vies", "outcome": "success", "site": format!("S{client_no}"),
                                     "user_code": "u1", "occurred_at": "2026-06-01T09:00:00+02:00"}))
                    .collect();
                let sent = client
                    .post(format!("{address}/api/v1/events"))
                    .bearer_auth(&writer)
                    .json(&json!({ "events": events }))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().as_u16() == 200 => acknowledged.lock().unwrap().extend(ids),
                    Ok(response) => panic!("unexpected answer {}", response.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    for client in clients {
        client.await.expect("client");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 100,
        "too few events were recorded before the kill: {}",
        acknowledged.len()
    );

    // Restarting recovers the database; every acknowledged event is there, once.
    let server = HistoProcess::start(&test_db.url);
    let stored: std::collections::HashSet<uuid::Uuid> =
        test_db.event_ids("durable").into_iter().collect();
    let missing = acknowledged
        .iter()
        .filter(|id| !stored.contains(&id.parse().unwrap()))
        .count();
    assert_eq!(
        missing,
        0,
        "{missing} acknowledged events of {} were lost",
        acknowledged.len()
    );
    let total = test_db.number("SELECT COUNT(*) AS n FROM events WHERE company_id = 'durable'");
    assert_eq!(total as usize, stored.len());
    let counted = test_db.number(
        "SELECT CAST(SUM(count) AS BIGINT) AS n FROM monthly_counts WHERE company_id = 'durable'",
    );
    assert_eq!(counted, total, "the counters moved with the events");

    // Sending them again stores nothing.
    let client = reqwest::Client::new();
    for chunk in acknowledged.chunks(5000) {
        let events: Vec<_> = chunk
            .iter()
            .map(|id| json!({"id": id, "feature": "vies", "outcome": "success", "site": "S0", "user_code": "u1",
                             "occurred_at": "2026-06-01T09:00:00+02:00"}))
            .collect();
        let response = client
            .post(format!("{}/api/v1/events", server.address))
            .bearer_auth(&writer)
            .json(&json!({ "events": events }))
            .send()
            .await
            .expect("restarted server answers");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, json!({"accepted": 0, "duplicates": chunk.len()}));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_sigkill_on_sqlite() {
    acknowledged_events_survive_sigkill(Db::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_sigkill_on_postgres() {
    acknowledged_events_survive_sigkill(Db::Postgres).await
}
