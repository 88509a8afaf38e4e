//! Nothing acknowledged is lost: the real `histo` binary is stopped while concurrent clients record
//! (killed with SIGKILL, or asked to stop with SIGTERM, when it must also end cleanly), restarted,
//! and every event it answered 200 for is there exactly once; and a database that cuts Histo's
//! connections, or stays locked too long, loses it no event either.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{
    event, in_month, months_ago, retry_after, token, Db, HistoProcess, TestApp, TestDb,
};

/// How the server is stopped while the clients record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Kill,
    Terminate,
}

async fn acknowledged_events_survive(db: Db, stop: Stop) {
    let test_db = TestDb::new(db);
    let server = HistoProcess::start(&test_db.url);
    let writer = token("durable", "events:write");
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    let now = chrono::Utc::now().to_rfc3339();
    let mut clients = Vec::new();
    for client_no in 0..8 {
        let (address, writer, acknowledged, now) = (
            server.address.clone(),
            writer.clone(),
            acknowledged.clone(),
            now.clone(),
        );
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
                                     "user_code": "u1", "occurred_at": now}))
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
    match stop {
        Stop::Kill => server.kill(),
        Stop::Terminate => {
            let status = tokio::task::spawn_blocking(move || server.stop_with(libc::SIGTERM))
                .await
                .expect("stop task");
            assert!(status.success(), "histo ended with {status} after SIGTERM");
        }
    }
    for client in clients {
        client.await.expect("client");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 100,
        "too few events were recorded before the {stop:?}: {}",
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
    if stop == Stop::Terminate {
        // Requests in flight at SIGTERM were answered: nothing was stored without being acknowledged.
        assert_eq!(stored.len(), acknowledged.len());
    }
    eprintln!(
        "{db:?}, {stop:?}: {} events acknowledged, {} stored",
        acknowledged.len(),
        stored.len()
    );

    // Sending them again stores nothing.
    let client = reqwest::Client::new();
    for chunk in acknowledged.chunks(5000) {
        let events: Vec<_> = chunk
            .iter()
            .map(|id| json!({"id": id, "feature": "vies", "outcome": "success", "site": "S0", "user_code": "u1",
                             "occurred_at": chrono::Utc::now().to_rfc3339()}))
            .collect();
        let response = client
            .post(format!("{}/api/v1/events", server.address))
            .bearer_auth(&writer)
            .json(&json!({ "events": events }))
            .send()
            .await
            .expect("restarted server answers");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({"accepted": 0, "duplicates": chunk.len(), "expired": 0})
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_sigkill_on_sqlite() {
    acknowledged_events_survive(Db::Sqlite, Stop::Kill).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_sigkill_on_postgres() {
    acknowledged_events_survive(Db::Postgres, Stop::Kill).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_stores_every_request_in_flight_and_exits_cleanly_on_sqlite() {
    acknowledged_events_survive(Db::Sqlite, Stop::Terminate).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_stores_every_request_in_flight_and_exits_cleanly_on_postgres() {
    acknowledged_events_survive(Db::Postgres, Stop::Terminate).await
}

/// PostgreSQL's connections cut under a running Histo, as a restart or a failover of the database
/// does: the next event is stored and acknowledged on a new connection, not refused, and reads and
/// the health check answer as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_stored_after_the_database_cut_its_connections() {
    let app = TestApp::spawn(Db::Postgres).await;
    let (writer, reader) = (token("acme", "events:write"), token("acme", "logs:read"));
    let month = months_ago(1);
    let entries = format!("/api/v1/logs?feature=vies&period={month}");
    let record = || async {
        let event = event("vies", "success", "LYON", &in_month(month));
        app.record(&writer, &json!({ "events": [event] })).await
    };
    assert_eq!(record().await.0, 200);
    assert_eq!(app.get(&entries, Some(&reader)).await.0, 200);

    let cut = app.db.cut_connections();
    assert!(
        cut >= 2,
        "the writer's and a reader's connections: {cut} cut"
    );

    let (status, body) = record().await;
    assert_eq!(
        (status, &body),
        (200, &json!({"accepted": 1, "duplicates": 0, "expired": 0}))
    );
    let (status, health) = app.get("/healthz", None).await;
    assert_eq!((status, &health["status"]), (200, &json!("ok")), "{health}");
    let (status, page) = app.get(&entries, Some(&reader)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");
}

/// SQLite locked by another program for longer than Histo waits for it (10 seconds): the events
/// are refused with 503 and `Retry-After` (nothing acknowledged, so the client sends them again),
/// and taken once the lock is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_too_long_asks_to_retry_and_loses_nothing() {
    use diesel::{Connection, RunQueryDsl};

    let app = TestApp::spawn(Db::Sqlite).await;
    let mut other = diesel::SqliteConnection::establish(&app.db.url).expect("another connection");
    diesel::sql_query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .expect("lock");
    let batch = json!({"events": [event("vies", "success", "LYON", &in_month(months_ago(1)))]});
    let writer = token("acme", "events:write");
    let answer = app.record_raw(&writer, &batch).await;
    assert_eq!(answer.status().as_u16(), 503);
    assert_eq!(retry_after(&answer), Some("1"));
    let body: serde_json::Value = answer.json().await.expect("body");
    assert_eq!(body["error"], "the database is unavailable", "{body}");
    diesel::sql_query("ROLLBACK")
        .execute(&mut other)
        .expect("unlock");
    let (status, body) = app.record(&writer, &batch).await;
    assert_eq!(
        (status, &body),
        (200, &json!({"accepted": 1, "duplicates": 0, "expired": 0}))
    );
    assert_eq!(app.stored_events("acme"), 1);
}
