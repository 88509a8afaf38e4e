//! `histo-bench`: Histo's speed, with printed figures; asserts nothing. Two modes:
//!
//! - ingest (the default), `histo-bench [--events N] [--singles N] [sqlite] [postgres]`: how fast Histo
//!   records events through its HTTP API, next to the raw insert rate of the same rows straight into
//!   the same database;
//! - read, `histo-bench read [--events N] [sqlite] [postgres]`: loads N generated events (10 million by
//!   default) and times, through HTTP, the statistics, the overview, drill-down pages and the CSV
//!   export, beside the same statistics on 100,000 events;
//! - fill, `histo-bench fill DATABASE_URL [--events N]`: stores N generated events (10 million by
//!   default) of the company `bench` in that database and keeps it, for timing the web app on it
//!   (`scripts/bench-web.sh`).
//!
//! Ingest and read run an in-process server on a fresh database of each kind: a temporary SQLite file, a new
//! PostgreSQL schema at `HISTO_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Utc};
use diesel::prelude::*;
use histo::generate::{EventStream, Population};
use histo_domain::{month_of, CompanyId, NewEvent, Scopes, TimeZone, UserCode};
use histo_server::auth::Claims;
use histo_server::{Limits, TokenVerifier};
use histo_store::schema::events;
use histo_store::{
    with_backend, DatabaseUrl, DbConnection, Recorded, Store, StoreError, StoreOptions,
};
use serde_json::{json, Value};

const SECRET: &str = "histo-bench-secret-of-at-least-32-bytes";
/// The company every benchmark event belongs to.
const COMPANY: &str = "bench";
const BATCH: usize = 1_000;
const CLIENTS_FOR_BATCHES: usize = 4;
const CLIENTS_FOR_SINGLES: usize = 64;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.split_first() {
        Some((mode, rest)) if mode == "read" => {
            let mut events = 10_000_000u64;
            let databases = parse_args(rest, &mut [("--events", &mut events)])?;
            runtime.block_on(read::run(&or_both(databases), events))
        }
        Some((mode, rest)) if mode == "fill" => {
            let (url, rest) = rest
                .split_first()
                .context("histo-bench fill DATABASE_URL [--events N]")?;
            let mut events = 10_000_000u64;
            anyhow::ensure!(
                parse_args(rest, &mut [("--events", &mut events)])?.is_empty(),
                "histo-bench fill takes one database URL"
            );
            runtime.block_on(read::fill(url, events))
        }
        _ => ingest(&runtime, &args),
    }
}

/// Reads `--name N` options into `numbers` and returns the kinds of database named.
fn parse_args(args: &[String], numbers: &mut [(&str, &mut u64)]) -> Result<Vec<String>> {
    let mut databases = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some((name, value)) = numbers.iter_mut().find(|(name, _)| name == arg) {
            **value = args.next().with_context(|| format!("{name} N"))?.parse()?;
        } else if arg == "sqlite" || arg == "postgres" {
            databases.push(arg.clone());
        } else {
            anyhow::bail!("unknown argument {arg}");
        }
    }
    Ok(databases)
}

/// The kinds of database named, or both when none is.
fn or_both(databases: Vec<String>) -> Vec<String> {
    if databases.is_empty() {
        vec!["sqlite".into(), "postgres".into()]
    } else {
        databases
    }
}

/// The ingest mode: recording speed through HTTP, beside raw inserts.
fn ingest(runtime: &tokio::runtime::Runtime, args: &[String]) -> Result<()> {
    let (mut batch_events, mut single_events) = (200_000u64, 50_000u64);
    let databases = or_both(parse_args(
        args,
        &mut [
            ("--events", &mut batch_events),
            ("--singles", &mut single_events),
        ],
    )?);
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

/// One line of the ingest table: what was timed, events per second, and (p50, p99) latency in ms.
type Figure = (String, f64, Option<(f64, f64)>);

struct Figures {
    rows: Vec<Figure>,
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

/// Removes a database made by [`fresh_database`]: its PostgreSQL schema, or its SQLite file's
/// directory (WAL files included).
fn remove_database(url: &str) -> Result<()> {
    match url.split_once("?options=-csearch_path%3D") {
        Some((base, schema)) => {
            let mut conn = DatabaseUrl::parse(base)?.connect()?;
            with_backend!(&mut conn, |c| diesel::sql_query(format!(
                "DROP SCHEMA {schema} CASCADE"
            ))
            .execute(c))?;
        }
        None => std::fs::remove_dir_all(
            std::path::Path::new(url)
                .parent()
                .context("a SQLite file has a directory")?,
        )?,
    }
    Ok(())
}

/// `count` generated events of the company's 20 sites and 500 users, evenly spread over the last 5
/// years up to now, in time order.
fn event_stream(count: u64, seed: u64) -> EventStream {
    let start: DateTime<Utc> = Utc::now() - chrono::Duration::days(5 * 365);
    let step =
        chrono::Duration::microseconds((5 * 365 * 86_400 * 1_000_000i64) / count.max(1) as i64);
    EventStream::new(seed, Population::new(20, 500), start, step, count)
}

fn generated(count: u64, seed: u64) -> Vec<NewEvent> {
    event_stream(count, seed).collect()
}

/// Opens (creates and migrates) the store at `url`, off the async threads.
async fn open_store(url: String) -> Result<Store> {
    Ok(tokio::task::spawn_blocking(move || Store::open(&url, StoreOptions::default())).await??)
}

/// Histo serving on a free local port, and a token of the company [`COMPANY`].
struct Server {
    /// `http://127.0.0.1:PORT`
    address: String,
    token: String,
}

/// Runs `work` against Histo serving `store` in this process, with a token carrying `scope`, then
/// stops the server.
async fn with_server<T, F, Fut>(store: Store, scope: &str, work: F) -> Result<T>
where
    F: FnOnce(Server) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
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
    let token = TokenVerifier::hs256(SECRET.as_bytes())?.sign(&Claims::new(
        &CompanyId::parse(COMPANY)?,
        &UserCode::parse("bench")?,
        Scopes::parse_claim(scope),
        86_400,
    ))?;
    let result = work(Server { address, token }).await;
    handle.stop(true).await;
    result
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
    let api_url = fresh_database(kind, "api")?;
    let store = open_store(api_url.clone()).await?;
    let batch_rows = generated(batch_events, 1);
    let bodies: Vec<String> = batch_rows
        .chunks(BATCH)
        .map(|chunk| json!({"events": chunk.iter().map(to_json).collect::<Vec<_>>()}).to_string())
        .collect();
    let singles: Vec<String> = generated(single_events, 2)
        .iter()
        .map(|e| to_json(e).to_string())
        .collect();
    let (batches, single) = with_server(store, "events:write", |server| async move {
        let (seconds, latencies) =
            send_all(&server.address, &server.token, bodies, CLIENTS_FOR_BATCHES).await?;
        let batches = (
            "(a) batches of 1,000 through HTTP".to_string(),
            batch_events as f64 / seconds,
            Some(percentiles(latencies)),
        );
        let (seconds, latencies) =
            send_all(&server.address, &server.token, singles, CLIENTS_FOR_SINGLES).await?;
        let single = (
            "(b) single events, 64 concurrent clients".to_string(),
            single_events as f64 / seconds,
            Some(percentiles(latencies)),
        );
        Ok((batches, single))
    })
    .await?;

    let raw_url = fresh_database(kind, "raw")?;
    let rate = tokio::task::spawn_blocking(move || {
        let rate = raw_inserts(&raw_url, &batch_rows);
        remove_database(&raw_url)?;
        remove_database(&api_url)?;
        rate
    })
    .await??;
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

/// The read mode: on a database loaded with many events, the latency through HTTP
/// of the statistics, the overview and drill-down pages, and the rate and memory of the CSV export;
/// then the same statistics on a small database, to show that their cost does not grow with the events.
mod read {
    use super::*;

    /// Events of the small database.
    const SMALL: u64 = 100_000;
    /// Events per `Store::record` call while loading, and calls in flight at once.
    const LOAD_BATCH: usize = 10_000;
    const LOAD_IN_FLIGHT: usize = 4;
    /// Timed requests of each kind, after `WARM_UP` untimed ones.
    const REQUESTS: usize = 200;
    const WARM_UP: usize = 5;
    /// The drill-down page timed deep in the list (pages of 50, the API's default).
    const DEEP_PAGE: usize = 1_000;
    /// The feature of the statistics, drill-down and export.
    const FEATURE: &str = "email";

    /// The requests timed, for the last full year (`year`) of the five that the events cover.
    struct Requests {
        year: i32,
    }

    impl Requests {
        fn yearly(&self) -> String {
            format!(
                "/api/v1/stats?feature={FEATURE}&granularity=year&from={}&to={}",
                self.year - 3,
                self.year + 1
            )
        }
        fn monthly(&self) -> String {
            format!(
                "/api/v1/stats?feature={FEATURE}&granularity=month&year={}",
                self.year
            )
        }
        fn overview(&self) -> String {
            format!("/api/v1/stats/overview?period={}-06", self.year)
        }
        /// A page of the drill-down into the whole year, after `cursor` when given.
        fn page(&self, cursor: Option<&str>) -> String {
            let after = cursor.map_or(String::new(), |c| format!("&cursor={c}"));
            format!("/api/v1/logs?feature={FEATURE}&period={}{after}", self.year)
        }
        fn export(&self) -> String {
            format!("/api/v1/logs/export?feature={FEATURE}&period={}", self.year)
        }
    }

    /// Latencies (p50, p99 in ms) of the big database, by request, and of the small one's statistics.
    struct Latencies {
        yearly: (f64, f64),
        monthly: (f64, f64),
        overview: (f64, f64),
        first_page: (f64, f64),
        /// The page reached (1,000 unless the selection is shorter) and its latencies.
        deep_page: (usize, (f64, f64)),
        /// Entries in the drill-down's selection, as its monthly statistic counts them.
        entries: u64,
        export: Export,
    }

    struct Export {
        rows: u64,
        seconds: f64,
        /// CPU time of this process (server, client and SQLite) during the export.
        cpu_seconds: f64,
        /// (VmRSS, VmHWM) in KiB, before and after the export.
        before: (u64, u64),
        after: (u64, u64),
        peak_reset: bool,
    }

    pub async fn run(databases: &[String], events: u64) -> Result<()> {
        let requests = Requests {
            year: Utc::now().year() - 1,
        };
        let first = event_stream(events, 1)
            .next()
            .map(|e| e.occurred_at.date_naive());
        println!(
            "Histo read benchmark: {events} generated events (company '{COMPANY}', evenly spread from {} to today, \
             8 features, 20 sites, 500 user codes), loaded through Store::record in batches of {LOAD_BATCH} \
             ({LOAD_IN_FLIGHT} in flight); then {REQUESTS} requests of each kind through HTTP, one at a time, \
             after {WARM_UP} warm-up ones, to a server in this process; {} cores",
            first.map_or("-".into(), |d| d.to_string()),
            num_cpus()
        );
        for kind in databases {
            bench_database(kind, events, &requests).await?;
        }
        Ok(())
    }

    async fn bench_database(kind: &str, events: u64, requests: &Requests) -> Result<()> {
        println!(
            "\n== {kind} ==  (load average {} at the start)",
            load_average()
        );
        let (big, store, seconds) = loaded(kind, "read", events).await?;
        println!(
            "loaded {events} events in {seconds:.1} s: {:.0} events/s (load average {}){}",
            events as f64 / seconds,
            load_average(),
            if kind == "postgres" {
                "; then VACUUM ANALYZE"
            } else {
                ""
            }
        );
        let latencies = with_server(store, "logs:read", |server| measure(server, requests)).await?;
        remove_database(&big)?;

        let (small, store, _) = loaded(kind, "small", SMALL).await?;
        let small_stats = with_server(store, "logs:read", |server| async move {
            let client = reqwest::Client::new();
            Ok((
                latency(&client, &server, &requests.yearly()).await?,
                latency(&client, &server, &requests.monthly()).await?,
            ))
        })
        .await?;
        remove_database(&small)?;

        print_table(events, requests, &latencies, small_stats);
        println!("(load average {} at the end)", load_average());
        Ok(())
    }

    /// Stores `count` generated events in the database at `url` (created and migrated if need be).
    pub async fn fill(url: &str, count: u64) -> Result<()> {
        let store = open_store(url.to_owned()).await?;
        let seconds = load(&store, count).await?;
        println!(
            "{count} events of company '{COMPANY}' stored in {url} in {seconds:.1} s: {:.0} events/s",
            count as f64 / seconds
        );
        Ok(())
    }

    /// A fresh database of `kind` with `count` events, its store, and the seconds that loading took.
    /// PostgreSQL is then vacuumed and analyzed, as autovacuum does after a while (the local test
    /// cluster runs with autovacuum off): without it the counters keep every dead version of their
    /// rows and the planner has no statistics. SQLite needs neither.
    async fn loaded(kind: &str, name: &str, count: u64) -> Result<(String, Store, f64)> {
        let url = fresh_database(kind, name)?;
        let store = open_store(url.clone()).await?;
        let seconds = load(&store, count).await?;
        if kind == "postgres" {
            let url = url.clone();
            tokio::task::spawn_blocking(move || {
                let mut conn = DatabaseUrl::parse(&url)?.connect()?;
                with_backend!(&mut conn, |c| diesel::sql_query(
                    "VACUUM ANALYZE events, monthly_counts, sites, companies"
                )
                .execute(c))?;
                Ok::<_, anyhow::Error>(())
            })
            .await??;
        }
        Ok((url, store, seconds))
    }

    /// Stores `count` generated events straight through `Store::record` (no HTTP), `LOAD_IN_FLIGHT`
    /// batches at a time; returns the seconds taken.
    async fn load(store: &Store, count: u64) -> Result<f64> {
        let company = CompanyId::parse(COMPANY)?;
        let mut events = event_stream(count, 1);
        let mut in_flight = tokio::task::JoinSet::<Result<Recorded, StoreError>>::new();
        let (started, mut accepted, mut sent) = (Instant::now(), 0, 0u64);
        loop {
            let batch: Vec<NewEvent> = events.by_ref().take(LOAD_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            sent += batch.len() as u64;
            if in_flight.len() >= LOAD_IN_FLIGHT {
                accepted += in_flight
                    .join_next()
                    .await
                    .context("no batch in flight")???
                    .accepted;
            }
            if sent % 1_000_000 == 0 {
                eprintln!(
                    "  {sent} events sent in {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
            let (store, company) = (store.clone(), company.clone());
            in_flight.spawn(async move { store.record(company, batch).await });
        }
        while let Some(done) = in_flight.join_next().await {
            accepted += done??.accepted;
        }
        anyhow::ensure!(
            accepted as u64 == count,
            "{accepted} of {count} events stored"
        );
        Ok(started.elapsed().as_secs_f64())
    }

    async fn measure(server: Server, requests: &Requests) -> Result<Latencies> {
        let client = reqwest::Client::new();
        let monthly: Value = get(&client, &server, &requests.monthly())
            .await?
            .json()
            .await?;
        let entries = monthly["buckets"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|bucket| bucket["counts"].as_object().into_iter().flatten())
            .filter_map(|(_, count)| count.as_u64())
            .sum();

        // Walks the cursor once to the deep page, then times that page again and again.
        let (mut cursor, mut reached) = (None, 1);
        while reached < DEEP_PAGE {
            let page: Value = get(&client, &server, &requests.page(cursor.as_deref()))
                .await?
                .json()
                .await?;
            match page["next_cursor"].as_str() {
                Some(next) => (cursor, reached) = (Some(next.to_owned()), reached + 1),
                None => break,
            }
        }
        Ok(Latencies {
            yearly: latency(&client, &server, &requests.yearly()).await?,
            monthly: latency(&client, &server, &requests.monthly()).await?,
            overview: latency(&client, &server, &requests.overview()).await?,
            first_page: latency(&client, &server, &requests.page(None)).await?,
            deep_page: (
                reached,
                latency(&client, &server, &requests.page(cursor.as_deref())).await?,
            ),
            entries,
            export: export(&client, &server, &requests.export()).await?,
        })
    }

    /// A successful answer to `GET path`.
    async fn get(
        client: &reqwest::Client,
        server: &Server,
        path: &str,
    ) -> Result<reqwest::Response> {
        let response = client
            .get(format!("{}{path}", server.address))
            .bearer_auth(&server.token)
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        Ok(response)
    }

    /// p50 and p99 of `REQUESTS` answers to `GET path`, read to the end, after `WARM_UP` ones.
    async fn latency(client: &reqwest::Client, server: &Server, path: &str) -> Result<(f64, f64)> {
        let mut latencies = Vec::with_capacity(REQUESTS);
        for i in 0..WARM_UP + REQUESTS {
            let sent = Instant::now();
            get(client, server, path).await?.bytes().await?;
            if i >= WARM_UP {
                latencies.push(sent.elapsed());
            }
        }
        Ok(percentiles(latencies))
    }

    /// Downloads the export chunk by chunk, counting its rows, with this process's memory (the
    /// server's: it runs here) before and after; the peak is reset first where Linux allows it.
    async fn export(client: &reqwest::Client, server: &Server, path: &str) -> Result<Export> {
        let peak_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let before = memory()?;
        let (started, cpu_before) = (Instant::now(), cpu_seconds()?);
        let mut response = get(client, server, path).await?;
        let mut lines = 0u64;
        while let Some(chunk) = response.chunk().await? {
            lines += chunk.iter().filter(|&&byte| byte == b'\n').count() as u64;
        }
        let seconds = started.elapsed().as_secs_f64();
        Ok(Export {
            rows: lines.saturating_sub(1),
            seconds,
            cpu_seconds: cpu_seconds()? - cpu_before,
            before,
            after: memory()?,
            peak_reset,
        })
    }

    /// This process's resident memory and its peak so far (VmRSS, VmHWM), in KiB.
    fn memory() -> Result<(u64, u64)> {
        let status = std::fs::read_to_string("/proc/self/status")?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
                .with_context(|| format!("no {name} in /proc/self/status"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// CPU time (user and system) of this process so far, all threads, in seconds.
    fn cpu_seconds() -> Result<f64> {
        /// Linux counts it in ticks of 1/100 s (USER_HZ) on every usual platform.
        const TICKS_PER_SECOND: f64 = 100.0;
        let stat = std::fs::read_to_string("/proc/self/stat")?;
        // Fields after the command name: state is the 3rd field, utime the 14th, stime the 15th.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .context("/proc/self/stat")?
            .1
            .split_whitespace()
            .collect();
        let ticks = |i: usize| -> Result<f64> {
            Ok(fields.get(i).context("/proc/self/stat")?.parse::<f64>()?)
        };
        Ok((ticks(11)? + ticks(12)?) / TICKS_PER_SECOND)
    }

    fn load_average() -> String {
        std::fs::read_to_string("/proc/loadavg")
            .map(|text| {
                text.split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|_| "unknown".into())
    }

    fn print_table(
        events: u64,
        requests: &Requests,
        big: &Latencies,
        (small_yearly, small_monthly): ((f64, f64), (f64, f64)),
    ) {
        let year = requests.year;
        let ms = |(p50, p99): (f64, f64)| format!("{p50:>8.2} {p99:>8.2}");
        println!(
            "{:<58} {:>17} {:>17}",
            "GET, through HTTP (ms)",
            format!("{events} events"),
            format!("{SMALL} events")
        );
        println!(
            "{:<58} {:>8} {:>8} {:>8} {:>8}",
            "", "p50", "p99", "p50", "p99"
        );
        let rows = [
            (
                format!("yearly statistic, {FEATURE}, {}-{}", year - 3, year + 1),
                big.yearly,
                Some(small_yearly),
            ),
            (
                format!("monthly statistic, {FEATURE}, 12 months of {year}"),
                big.monthly,
                Some(small_monthly),
            ),
            (
                format!("overview of {year}-06 (8 features)"),
                big.overview,
                None,
            ),
            (
                format!(
                    "drill-down {FEATURE} {year} ({} entries), page 1",
                    big.entries
                ),
                big.first_page,
                None,
            ),
            (
                format!("same drill-down, page {} (pages of 50)", big.deep_page.0),
                big.deep_page.1,
                None,
            ),
        ];
        for (name, latency, small) in rows {
            println!(
                "{name:<58} {} {}",
                ms(latency),
                small.map_or(format!("{:>17}", "-"), ms)
            );
        }
        let e = &big.export;
        let mib = |kib: u64| kib as f64 / 1024.0;
        println!(
            "export of {FEATURE} {year} as CSV: {} rows in {:.2} s = {:.0} rows/s \
             ({:.0} rows per CPU-second of this process); process RSS {:.0} MiB before, {:.0} MiB after ({:+.0} MiB); \
             peak (VmHWM) {:.0} MiB before, {:.0} MiB after{}",
            e.rows,
            e.seconds,
            e.rows as f64 / e.seconds,
            e.rows as f64 / e.cpu_seconds.max(0.01),
            mib(e.before.0),
            mib(e.after.0),
            mib(e.after.0) - mib(e.before.0),
            mib(e.before.1),
            mib(e.after.1),
            if e.peak_reset {
                " (peak reset to the RSS just before)"
            } else {
                " (peak since start: could not be reset)"
            }
        );
    }
}
