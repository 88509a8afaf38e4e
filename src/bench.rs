//! `histo-bench`: how fast Histo records events through its HTTP API, on SQLite and PostgreSQL, next
//! to the raw insert rate of the same rows straight into the same database. Prints figures; asserts
//! nothing. Usage: `histo-bench [--events N] [--singles N] [sqlite] [postgres]`.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use histo::generate::{EventStream, Population};
use histo_domain::{month_of, NewEvent, TimeZone};
use histo_server::auth::{mint, Claims};
use histo_server::{Limits, TokenVerifier};
use histo_store::schema::events;
use histo_store::{with_backend, DatabaseUrl, DbConnection, Store, StoreOptions};
use serde_json::{json, Value};

const SECRET: &str = "histo-bench-secret-of-at-least-32-bytes";
const BATCH: usize = 1_000;
const CLIENTS_FOR_BATCHES: usize = 4;
const CLIENTS_FOR_SINGLES: usize = 64;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut batch_events, mut single_events, mut databases) = (200_000u64, 50_000u64, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events" => batch_events = args.next().context("--events N")?.parse()?,
            "--singles" => single_events = args.next().context("--singles N")?.parse()?,
            "sqlite" | "postgres" => databases.push(arg),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    if databases.is_empty() {
        databases = vec!["sqlite".into(), "postgres".into()];
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("Histo ingest benchmark: {batch_events} events in batches of {BATCH} from {CLIENTS_FOR_BATCHES} clients, \
              {single_events} single-event requests from {CLIENTS_FOR_SINGLES} clients, generated events \
              (8 features, 20 sites, 500 users, UUIDv7 ids), fresh database each; {} cores", num_cpus());
    for database in databases {
        let figures = runtime.block_on(bench_database(&database, batch_events, single_events))?;
        println!("\n== {database} ==");
        println!(
            "{:<44} {:>12} {:>10} {:>10}",
            "", "events/s", "p50 ms", "p99 ms"
        );
        for (name, rate, latency) in &figures.rows {
            let (p50, p99) = latency.map_or(("-".into(), "-".into()), |(a, b)| {
                (format!("{a:.2}"), format!("{b:.2}"))
            });
            println!("{name:<44} {rate:>12.0} {p50:>10} {p99:>10}");
        }
        println!(
            "batches through Histo / raw inserts: {:.2}",
            figures.rows[0].1 / figures.rows[2].1
        );
    }
    Ok(())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

struct Figures {
    rows: Vec<(String, f64, Option<(f64, f64)>)>,
}

/// A fresh database of the kind asked for: a temporary SQLite file or a new PostgreSQL schema.
fn fresh_database(kind: &str, name: &str) -> Result<String> {
    Ok(match kind {
        "sqlite" => {
            let dir =
                std::env::temp_dir().join(format!("histo-bench-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir)?;
            dir.join(format!("{name}.db"))
                .to_string_lossy()
                .into_owned()
        }
        _ => {
            let base = std::env::var("HISTO_BENCH_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let schema = format!("histo_bench_{name}_{}", uuid::Uuid::new_v4().simple());
            let mut conn = DatabaseUrl::parse(&base)?.connect()?;
            with_backend!(&mut conn, |c| diesel::sql_query(format!(
                "CREATE SCHEMA {schema}"
            ))
            .execute(c))?;
            format!("{base}?options=-csearch_path%3D{schema}")
        }
    })
}

fn generated(count: u64, seed: u64) -> Vec<NewEvent> {
    let start: DateTime<Utc> = Utc::now() - chrono::Duration::days(5 * 365);
    let step =
        chrono::Duration::microseconds((5 * 365 * 86_400 * 1_000_000i64) / count.max(1) as i64);
    EventStream::new(seed, Population::new(20, 500), start, step, count).collect()
}

fn to_json(event: &NewEvent) -> Value {
    json!({
        "id": event.id.to_string(), "feature": event.feature.code(), "outcome": event.outcome.code(),
        "cause": event.cause.map(|c| c.code()), "site": event.site.as_str(), "user_code": event.user_code.as_str(),
        "occurred_at": event.occurred_at.to_rfc3339(), "code": event.code.as_ref().map(|c| c.as_str()),
        "detail": event.detail.map(|histo_domain::Detail::DeaUpdate { changed }| json!({"changed": changed.code()})),
    })
}

async fn bench_database(kind: &str, batch_events: u64, single_events: u64) -> Result<Figures> {
    let url = fresh_database(kind, "api")?;
    let store = tokio::task::spawn_blocking({
        let url = url.clone();
        move || Store::open(&url, StoreOptions::default())
    })
    .await??;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = format!("http://{}", listener.local_addr()?);
    let server = histo_server::serve(
        listener,
        store,
        TokenVerifier::hs256(SECRET.as_bytes())?,
        Limits::default(),
    )?;
    let handle = server.handle();
    tokio::spawn(server);
    let now = Utc::now().timestamp();
    let token = mint(
        SECRET.as_bytes(),
        &Claims {
            sub: "bench".into(),
            company: "bench".into(),
            scope: Some("events:write".into()),
            rights: None,
            exp: now + 86_400,
            iat: Some(now),
        },
    )?;

    let batch_rows = generated(batch_events, 1);
    let bodies: Vec<String> = batch_rows
        .chunks(BATCH)
        .map(|chunk| json!({"events": chunk.iter().map(to_json).collect::<Vec<_>>()}).to_string())
        .collect();
    let (seconds, latencies) = send_all(&address, &token, bodies, CLIENTS_FOR_BATCHES).await?;
    let batches = (
        "(a) batches of 1,000 through HTTP".to_string(),
        batch_events as f64 / seconds,
        Some(percentiles(latencies)),
    );

    let singles: Vec<String> = generated(single_events, 2)
        .iter()
        .map(|e| to_json(e).to_string())
        .collect();
    let (seconds, latencies) = send_all(&address, &token, singles, CLIENTS_FOR_SINGLES).await?;
    let single = (
        "(b) single events, 64 concurrent clients".to_string(),
        single_events as f64 / seconds,
        Some(percentiles(latencies)),
    );
    handle.stop(true).await;

    let raw_url = fresh_database(kind, "raw")?;
    let rate = tokio::task::spawn_blocking(move || raw_inserts(&raw_url, &batch_rows)).await??;
    let raw = (
        "(c) raw inserts of the same rows, no Histo".to_string(),
        rate,
        None,
    );
    Ok(Figures {
        rows: vec![batches, single, raw],
    })
}

/// Sends every body from `clients` concurrent connections; returns the seconds taken and each latency.
async fn send_all(
    address: &str,
    token: &str,
    bodies: Vec<String>,
    clients: usize,
) -> Result<(f64, Vec<Duration>)> {
    let queue = Arc::new(std::sync::Mutex::new(bodies));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (queue, url, token) = (
            queue.clone(),
            format!("{address}/api/v1/events"),
            token.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut latencies = Vec::new();
            loop {
                let Some(body) = queue.lock().map_err(|_| anyhow::anyhow!("queue"))?.pop() else {
                    break;
                };
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "answer {}",
                    response.status()
                );
                response.bytes().await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok((started.elapsed().as_secs_f64(), latencies))
}

fn percentiles(mut latencies: Vec<Duration>) -> (f64, f64) {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    (at(0.50), at(0.99))
}

#[derive(Insertable)]
// Absent values are written as NULL, not left out, so that every row has the same SQL and the
// prepared statement is reused.
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct RawRow {
    company_id: String,
    id: Vec<u8>,
    occurred_at: i64,
    month: i32,
    feature: &'static str,
    outcome: &'static str,
    cause: Option<&'static str>,
    site: String,
    user_code: String,
    code: Option<String>,
    detail: Option<String>,
    recorded_at: i64,
}

/// The same rows into the same (migrated, indexed) table, in transactions of 1,000, by the fastest
/// plain way for each database: prepared single-row inserts on SQLite, 1,000-row inserts on
/// PostgreSQL. No HTTP, no validation, no duplicate check, no counters.
fn raw_inserts(url: &str, rows: &[NewEvent]) -> Result<f64> {
    let database = DatabaseUrl::parse(url)?;
    database.migrate()?;
    let mut conn = database.connect()?;
    let zone = TimeZone::default();
    let rows: Vec<RawRow> = rows
        .iter()
        .map(|e| RawRow {
            company_id: "bench".into(),
            id: e.id.as_bytes().to_vec(),
            occurred_at: e.occurred_at.timestamp_micros(),
            month: month_of(e.occurred_at, zone).key(),
            feature: e.feature.code(),
            outcome: e.outcome.code(),
            cause: e.cause.map(|c| c.code()),
            site: e.site.as_str().into(),
            user_code: e.user_code.as_str().into(),
            code: e.code.as_ref().map(|c| c.as_str().into()),
            detail: e.detail.map(|_| "{}".into()),
            recorded_at: 0,
        })
        .collect();
    let started = Instant::now();
    for chunk in rows.chunks(BATCH) {
        match &mut conn {
            DbConnection::Sqlite(c) => c.transaction(|c| {
                chunk.iter().try_for_each(|row| {
                    diesel::insert_into(events::table)
                        .values(row)
                        .execute(c)
                        .map(drop)
                })
            })?,
            DbConnection::Postgres(c) => c.transaction(|c| {
                diesel::insert_into(events::table)
                    .values(chunk)
                    .execute(c)
                    .map(drop)
            })?,
        }
    }
    Ok(rows.len() as f64 / started.elapsed().as_secs_f64())
}
