//! `histo-bench read`: on a database loaded with many events, the latency through HTTP of the
//! statistics (yearly, monthly, against the year before, of one site, site by site, as CSV), the
//! overview and drill-down pages, and the rate and memory of the CSV export; then the same
//! statistics on a small database, to show that their cost does not grow with the events.
//! `histo-bench fill` stores generated events in a database that is kept, for timing the web app.

use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{Datelike, Utc};
use diesel::RunQueryDsl;
use histo_domain::{
    month_of, Cause, CompanyId, Feature, Month, NewEvent, Outcome, SiteCode, TimeZone, UserCode,
};
use histo_store::{with_backend, Actor, DatabaseUrl, RecordOutcome, SiteChange, Store, StoreError};
use serde_json::Value;

use crate::common::process::{cpu_seconds, load_average, memory, reset_peak};
use crate::common::{
    event_stream, fresh_database, num_cpus, open_store, percentiles, remove_database, with_server,
    Databases, Server, COMPANY,
};

#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// Events of the big database.
    #[arg(long, default_value_t = 10_000_000)]
    events: u64,
    #[command(flatten)]
    databases: Databases,
}

#[derive(Debug, clap::Args)]
pub struct FillArgs {
    /// The database to fill: a SQLite file path or postgres://…; created if need be, and kept.
    database_url: String,
    /// Events stored.
    #[arg(long, default_value_t = 10_000_000)]
    events: u64,
}

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

    /// Every statistic read from the counters, named: timed on the big and on the small database.
    fn statistics(&self) -> Vec<(String, String)> {
        let year = self.year;
        vec![
            (
                format!("yearly statistic, {FEATURE}, {}-{}", year - 3, year + 1),
                self.yearly(),
            ),
            (
                format!("monthly statistic, {FEATURE}, 12 months of {year}"),
                self.monthly(),
            ),
            (
                "  the same against the year before (compare=previous)".into(),
                format!("{}&compare=previous", self.monthly()),
            ),
            (
                "  the same, one site (site=SITE-03)".into(),
                format!("{}&site=SITE-03", self.monthly()),
            ),
            (
                "  the same as CSV for a French spreadsheet (lang=fr)".into(),
                format!(
                    "/api/v1/stats/export?feature={FEATURE}&granularity=month&year={year}&lang=fr"
                ),
            ),
            (
                format!("site by site, {FEATURE}, {year} (20 sites)"),
                format!("/api/v1/stats/sites?feature={FEATURE}&period={year}"),
            ),
            (
                format!("overview of {year}-06 (8 features)"),
                self.overview(),
            ),
        ]
    }
}

/// Latencies (p50, p99 in ms) of the big database, by request, and of the small one's statistics.
struct Latencies {
    /// Each of [`Requests::statistics`], in order.
    statistics: Vec<(f64, f64)>,
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

pub async fn run(args: ReadArgs) -> Result<()> {
    let (databases, events) = (args.databases.kinds(), args.events);
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
    for kind in &databases {
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
    let crowded = crowded_month(&store).await?;
    vacuum_analyze(kind, &big).await?;
    let latencies = with_server(store, "logs:read", |server| measure(server, requests)).await?;
    let store = open_store(big.clone()).await?;
    let rare = with_server(store, "logs:read", |server| {
        rare_drilldowns(server, crowded)
    })
    .await?;
    remove_database(&big)?;

    let (small, store, _) = loaded(kind, "small", SMALL).await?;
    let small_stats = with_server(store, "logs:read", |server| async move {
        statistics(&reqwest::Client::new(), &server, requests).await
    })
    .await?;
    remove_database(&small)?;

    print_table(events, requests, &latencies, small_stats);
    println!(
        "drill-down into {CROWDED_FEATURE} {crowded}, a month of {CROWDED} more entries (10 errors, 3 of its 20 sites hidden), page 1 of 50:"
    );
    for (filter, (p50, p99)) in rare {
        println!("  {filter:<56} {p50:>8.2} {p99:>8.2}");
    }
    println!("(load average {} at the end)", load_average());
    Ok(())
}

/// The feature and size of the crowded month of the rare drill-downs.
const CROWDED_FEATURE: &str = "sms";
const CROWDED: usize = 200_000;

/// Adds to the big database a crowded month two years back: 200,000 uses of `sms` at 20 sites, all
/// done but for 10 errors, one user with 3 uses, 3 sites hidden — where a drill-down into the rare
/// entries must cost no more than into the common ones.
async fn crowded_month(store: &Store) -> Result<Month> {
    let company = CompanyId::parse(COMPANY)?;
    let month = month_of(Utc::now(), TimeZone::default()).plus(-24);
    let start = chrono::NaiveDate::from_ymd_opt(month.year, month.month, 3)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .context("a day of the month")?
        .and_utc();
    let mut events: Vec<NewEvent> = (0..CROWDED)
        .map(|n| {
            let at = start + chrono::Duration::seconds(n as i64 * 10);
            let (outcome, cause) = if n % (CROWDED / 10) == 7 {
                (Outcome::Error, Some(Cause::Configuration))
            } else {
                (Outcome::Success, None)
            };
            let user = if n % (CROWDED / 3) == 11 {
                "RARE".to_owned()
            } else {
                format!("CROWD{:03}", n % 500)
            };
            Ok(NewEvent {
                id: uuid::Uuid::now_v7(),
                feature: Feature::Sms,
                outcome,
                cause,
                site: SiteCode::parse(&format!("CROWD-{:02}", n % 20))?,
                user_code: UserCode::parse(&user)?,
                occurred_at: at,
                code: None,
                detail: None,
            })
        })
        .collect::<Result<_>>()?;
    while !events.is_empty() {
        let rest = events.split_off(events.len().min(LOAD_BATCH));
        store.record(company.clone(), events).await?;
        events = rest;
    }
    for hidden in ["CROWD-17", "CROWD-18", "CROWD-19"] {
        store
            .change_site(
                company.clone(),
                SiteCode::parse(hidden)?,
                SiteChange {
                    hidden: true,
                    name: None,
                },
                Actor::System,
            )
            .await?;
    }
    Ok(month)
}

/// p50 and p99 of the first page of the crowded month's drill-down, without a filter and with each.
async fn rare_drilldowns(server: Server, month: Month) -> Result<Vec<(String, (f64, f64))>> {
    let client = reqwest::Client::new();
    let mut figures = Vec::new();
    for filter in [
        "",
        "&outcome=error",
        "&cause=configuration",
        "&site=CROWD-03",
        "&user_code=RARE",
        "&outcome=error&site=CROWD-07",
    ] {
        let path = format!("/api/v1/logs?feature={CROWDED_FEATURE}&period={month}{filter}");
        let label = if filter.is_empty() {
            "no filter".to_owned()
        } else {
            filter.trim_start_matches('&').replace('&', " ")
        };
        figures.push((label, latency(&client, &server, &path).await?));
    }
    Ok(figures)
}

/// Stores `count` generated events in the database at `url` (created and migrated if need be).
pub async fn fill(args: FillArgs) -> Result<()> {
    let (url, count) = (args.database_url.as_str(), args.events);
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
pub async fn loaded(kind: &str, name: &str, count: u64) -> Result<(String, Store, f64)> {
    let url = fresh_database(kind, name)?;
    let store = open_store(url.clone()).await?;
    let seconds = load(&store, count).await?;
    vacuum_analyze(kind, &url).await?;
    Ok((url, store, seconds))
}

/// On PostgreSQL, what autovacuum does after a while (the local test cluster runs without it).
async fn vacuum_analyze(kind: &str, url: &str) -> Result<()> {
    if kind != "postgres" {
        return Ok(());
    }
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = DatabaseUrl::parse(&url)?.connect()?;
        with_backend!(&mut conn, |c| diesel::sql_query(
            "VACUUM ANALYZE events, monthly_counts, monthly_totals, sites, companies"
        )
        .execute(c))?;
        Ok::<_, anyhow::Error>(())
    })
    .await?
}

/// Stores `count` generated events straight through `Store::record` (no HTTP), `LOAD_IN_FLIGHT`
/// batches at a time; returns the seconds taken.
async fn load(store: &Store, count: u64) -> Result<f64> {
    let company = CompanyId::parse(COMPANY)?;
    let mut events = event_stream(count, 1);
    let mut in_flight = tokio::task::JoinSet::<Result<RecordOutcome, StoreError>>::new();
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
        statistics: statistics(&client, &server, requests).await?,
        first_page: latency(&client, &server, &requests.page(None)).await?,
        deep_page: (
            reached,
            latency(&client, &server, &requests.page(cursor.as_deref())).await?,
        ),
        entries,
        export: export(&client, &server, &requests.export()).await?,
    })
}

/// p50 and p99 of each of [`Requests::statistics`].
async fn statistics(
    client: &reqwest::Client,
    server: &Server,
    requests: &Requests,
) -> Result<Vec<(f64, f64)>> {
    let mut figures = Vec::new();
    for (_, path) in requests.statistics() {
        figures.push(latency(client, server, &path).await?);
    }
    Ok(figures)
}

/// A successful answer to `GET path`.
async fn get(client: &reqwest::Client, server: &Server, path: &str) -> Result<reqwest::Response> {
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
    let peak_reset = reset_peak("self");
    let before = memory("self")?;
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
        after: memory("self")?,
        peak_reset,
    })
}

/// A line of the table: what was timed, (p50, p99) on the big database and on the small one.
type TableRow = (String, (f64, f64), Option<(f64, f64)>);

fn print_table(events: u64, requests: &Requests, big: &Latencies, small: Vec<(f64, f64)>) {
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
    let mut rows: Vec<TableRow> = requests
        .statistics()
        .into_iter()
        .zip(big.statistics.iter().zip(small))
        .map(|((name, _), (big, small))| (name, *big, Some(small)))
        .collect();
    rows.extend([
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
    ]);
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
