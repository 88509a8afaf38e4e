//! What the benchmarks share: fresh databases of each kind, generated events, Histo serving a store in
//! this process with a token, requests sent from many clients at once, percentiles, and the figures
//! of a process read from /proc.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use diesel::RunQueryDsl;
use histo::generate::{EventStream, Population};
use histo_domain::{CompanyId, NewEvent, RetentionPolicy, Scopes, UserCode};
use histo_server::auth::claims_for;
use histo_server::{Limits, TokenVerifier};
use histo_store::{with_backend, Actor, DatabaseUrl, Store, StoreOptions};
use serde_json::{json, Value};

pub const SECRET: &str = "histo-bench-secret-of-at-least-32-bytes";
/// The company every benchmark event belongs to.
pub const COMPANY: &str = "bench";

/// The kinds of database to run on: those named, or both.
#[derive(Debug, Clone, clap::Args)]
pub struct Databases {
    /// `sqlite`, `postgres`, or both when none is named.
    #[arg(value_parser = ["sqlite", "postgres"])]
    databases: Vec<String>,
}

impl Databases {
    pub fn kinds(&self) -> Vec<String> {
        if self.databases.is_empty() {
            vec!["sqlite".into(), "postgres".into()]
        } else {
            self.databases.clone()
        }
    }
}

pub fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// A fresh database of the kind asked for: a temporary SQLite file or a new PostgreSQL schema.
pub fn fresh_database(kind: &str, name: &str) -> Result<String> {
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
pub fn remove_database(url: &str) -> Result<()> {
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
pub fn event_stream(count: u64, seed: u64) -> EventStream {
    let start: DateTime<Utc> = Utc::now() - chrono::Duration::days(5 * 365);
    let step =
        chrono::Duration::microseconds((5 * 365 * 86_400 * 1_000_000i64) / count.max(1) as i64);
    EventStream::new(seed, Population::new(20, 500), start, step, count)
}

pub fn generated(count: u64, seed: u64) -> Vec<NewEvent> {
    event_stream(count, seed).collect()
}

/// Opens (creates and migrates) the store at `url`, off the async threads, with the benchmark's
/// company keeping ten years of entries: the generated events go five years back, and the default
/// 24 months would answer the older ones `expired`.
pub async fn open_store(url: String) -> Result<Store> {
    let store =
        tokio::task::spawn_blocking(move || Store::open(&url, StoreOptions::default())).await??;
    store
        .set_retention(
            CompanyId::parse(COMPANY)?,
            RetentionPolicy::new(RetentionPolicy::MAX_MONTHS)?,
            Actor::System,
        )
        .await?;
    Ok(store)
}

/// Histo serving on a free local port, and a token of the company [`COMPANY`].
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub token: String,
}

/// Runs `work` against Histo serving `store` in this process, with a token carrying `scope`, then
/// stops the server.
pub async fn with_server<T, F, Fut>(store: Store, scope: &str, work: F) -> Result<T>
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
    let token = TokenVerifier::hs256(SECRET.as_bytes())?.sign(&claims_for(
        &CompanyId::parse(COMPANY)?,
        &UserCode::parse("bench")?,
        Scopes::parse_claim(scope),
        86_400,
    ))?;
    let result = work(Server { address, token }).await;
    handle.stop(true).await;
    result
}

pub fn to_json(event: &NewEvent) -> Value {
    json!({
        "id": event.id.to_string(), "feature": event.feature.code(), "outcome": event.outcome.code(),
        "cause": event.cause.map(|c| c.code()), "site": event.site.as_str(), "user_code": event.user_code.as_str(),
        "occurred_at": event.occurred_at.to_rfc3339(), "code": event.code.as_ref().map(|c| c.as_str()),
        "detail": event.detail.map(|histo_domain::Detail::DeaUpdate { changed }| json!({"changed": changed.code()})),
    })
}

/// Sends every body from `clients` concurrent connections; returns the seconds taken and each latency.
pub async fn send_all(
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

pub fn percentiles(mut latencies: Vec<Duration>) -> (f64, f64) {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    (at(0.50), at(0.99))
}

/// The figures of a process, read from /proc: resident memory and its peak (VmRSS, VmHWM, KiB), and
/// CPU time so far.
pub mod process {
    use anyhow::{Context, Result};

    /// Resident memory and its peak so far (VmRSS, VmHWM) of process `pid` ("self" for this one), in
    /// KiB.
    pub fn memory(pid: &str) -> Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
                .with_context(|| format!("no {name} in /proc/{pid}/status"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// Resets the peak (VmHWM) of process `pid` to its resident memory, where Linux allows it.
    pub fn reset_peak(pid: &str) -> bool {
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
    }

    /// CPU time (user and system) of this process so far, all threads, in seconds.
    pub fn cpu_seconds() -> Result<f64> {
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

    pub fn load_average() -> String {
        std::fs::read_to_string("/proc/loadavg")
            .map(|text| {
                text.split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|_| "unknown".into())
    }
}
