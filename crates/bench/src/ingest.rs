//! `histo-bench ingest`: how fast Histo records events through its HTTP API (batches of 1,000 from a
//! few clients, single events from 64), next to the raw insert rate of the same rows straight into
//! the same database; with `--alert-rules N`, rounds of batches without and with N alert rules.

use std::time::Instant;

use anyhow::Result;
use diesel::prelude::*;
use histo_domain::{month_of, NewEvent, TimeZone};
use histo_store::schema::events;
use histo_store::{DatabaseUrl, DbConnection};
use serde_json::json;

use crate::common::{
    fresh_database, generated, num_cpus, open_store, percentiles, remove_database, send_all,
    to_json, with_server, Databases,
};

const BATCH: usize = 1_000;
const CLIENTS_FOR_BATCHES: usize = 4;
const CLIENTS_FOR_SINGLES: usize = 64;

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Events sent in batches of 1,000.
    #[arg(long, default_value_t = 200_000)]
    events: u64,
    /// Events sent one per request.
    #[arg(long, default_value_t = 50_000)]
    singles: u64,
    /// Also send the batches to a company with this many alert rules (half on one site, half on
    /// all; half "errors within minutes", half "error share of the last uses").
    #[arg(long, default_value_t = 0)]
    alert_rules: usize,
    #[command(flatten)]
    databases: Databases,
}

/// The ingest mode: recording speed through HTTP, beside raw inserts.
pub async fn run(args: IngestArgs) -> Result<()> {
    let (batch_events, single_events) = (args.events, args.singles);
    let databases = args.databases.kinds();
    println!("Histo ingest benchmark: {batch_events} events in batches of {BATCH} from {CLIENTS_FOR_BATCHES} clients, \
              {single_events} single-event requests from {CLIENTS_FOR_SINGLES} clients, generated events \
              (8 features, 20 sites, 500 users, UUIDv7 ids), fresh database each; {} cores", num_cpus());
    for database in databases {
        let figures =
            bench_database(&database, batch_events, single_events, args.alert_rules).await?;
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
        if figures.rows.len() > 3 {
            let (mut without, mut with) = (0.0, 0.0);
            for pair in figures.rows[3..].chunks(2) {
                without += pair[0].1;
                with += pair[1].1;
            }
            println!(
                "batches with {} alert rules / without, over {ROUNDS} rounds each: {:.3}",
                args.alert_rules,
                with / without
            );
        }
    }
    Ok(())
}

/// One line of the ingest table: what was timed, events per second, and (p50, p99) latency in ms.
type Figure = (String, f64, Option<(f64, f64)>);

struct Figures {
    rows: Vec<Figure>,
}

async fn bench_database(
    kind: &str,
    batch_events: u64,
    single_events: u64,
    alert_rules: usize,
) -> Result<Figures> {
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
    let watched_bodies = (alert_rules > 0).then(|| bodies.clone());
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
    let mut rows = vec![batches, single, raw];
    if let Some(bodies) = watched_bodies {
        // Rounds without and with the rules in turn, each on a fresh database, so that the
        // machine's drift weighs on both alike.
        for round in 1..=ROUNDS {
            for rules in [0, alert_rules] {
                let rate = batches_on_a_fresh_database(kind, bodies.clone(), rules).await?;
                rows.push((
                    format!("(d{round}) batches, {rules} alert rules"),
                    batch_events as f64 / rate.0,
                    Some(percentiles(rate.1)),
                ));
            }
        }
    }
    Ok(Figures { rows })
}

/// Rounds of batches without and with alert rules.
const ROUNDS: usize = 3;

/// Sends the batches to a fresh database whose company has `rules` alert rules: seconds taken and
/// each latency.
async fn batches_on_a_fresh_database(
    kind: &str,
    bodies: Vec<String>,
    rules: usize,
) -> Result<(f64, Vec<std::time::Duration>)> {
    let url = fresh_database(kind, "watched")?;
    let store = open_store(url.clone()).await?;
    add_alert_rules(&store, rules).await?;
    let taken = with_server(store, "events:write", |server| async move {
        send_all(&server.address, &server.token, bodies, CLIENTS_FOR_BATCHES).await
    })
    .await?;
    tokio::task::spawn_blocking(move || remove_database(&url)).await??;
    Ok(taken)
}

/// `count` rules on the benchmark's company, over every feature and some of its sites. Their
/// webhooks go nowhere (the benchmark's server allows no address), so each is given up at once.
async fn add_alert_rules(store: &histo_store::Store, count: usize) -> Result<()> {
    use histo_domain::{AlertRule, CompanyId, Condition, Feature, SiteCode};
    for n in 0..count {
        let condition = if n % 2 == 0 {
            Condition::Errors {
                errors: 50,
                minutes: 10,
            }
        } else {
            Condition::ErrorShare {
                percent: 30,
                uses: 100,
            }
        };
        let site = (n % 4 < 2).then(|| SiteCode::parse(&format!("SITE-{:02}", n % 20 + 1)));
        let rule = AlertRule {
            feature: Feature::ALL[n % Feature::ALL.len()],
            site: site.transpose()?,
            condition,
        };
        store
            .add_alert_rule(
                CompanyId::parse(crate::common::COMPANY)?,
                rule,
                format!("http://127.0.0.1:9/{n}"),
                "bench".into(),
                histo_store::Actor::System,
            )
            .await?;
    }
    Ok(())
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
