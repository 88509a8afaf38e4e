//! `histo-bench purge`: recording while a purge runs. A database of N generated events over five
//! years; single events are recorded one after another, first alone, then while a shorter retention
//! period purges the older entries behind them; prints the latency of each recording (p50, p99,
//! worst) before and during the purge, and the purge's rate.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use histo_domain::CompanyId;
use histo_store::Actor;
use serde_json::{json, Value};

use crate::common::process::load_average;
use crate::common::{percentiles, remove_database, with_server, Databases, Server, COMPANY};
use crate::read::loaded;

const ADMIN_PASSWORD: &str = "the benchmark's admin password";

#[derive(Debug, clap::Args)]
pub struct PurgeArgs {
    /// Events of the database, spread over five years.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// The retention period that starts the purge, in months (the events go 60 months back).
    #[arg(long, default_value_t = 36)]
    months: u32,
    #[command(flatten)]
    databases: Databases,
}

/// Latencies of single-event recordings, in ms: p50, p99, worst, and how many.
struct Recordings(Vec<Duration>);

impl std::fmt::Display for Recordings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let worst = self.0.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1e3);
        let (p50, p99) = percentiles(self.0.clone());
        write!(f, "{p50:>8.2} {p99:>8.2} {worst:>8.1} {:>8}", self.0.len())
    }
}

pub async fn run(args: PurgeArgs) -> Result<()> {
    println!(
        "Histo purge benchmark: {} generated events over five years; single events recorded one after \
         another, alone for 3 s, then while the retention period goes to {} months and the server purges \
         the older entries behind them",
        args.events, args.months
    );
    println!(
        "\n{:<10} {:>10} {:>10} {:>12}   {:>35}   {:>35}",
        "database",
        "purged",
        "purge s",
        "entries/s",
        "recording alone: p50 p99 worst n (ms)",
        "during the purge: p50 p99 worst n (ms)"
    );
    for kind in args.databases.kinds() {
        let (url, store, _) = loaded(&kind, "purge", args.events).await?;
        let company = CompanyId::parse(COMPANY)?;
        let hash = histo_server::password::hash(ADMIN_PASSWORD)?;
        store
            .set_admin_password(company, hash, Actor::System)
            .await?;
        let months = args.months;
        let (purged, seconds, before, during) = with_server(
            store,
            "events:write logs:read settings:admin",
            move |server| measure(server, months),
        )
        .await?;
        remove_database(&url)?;
        println!(
            "{kind:<10} {purged:>10} {seconds:>10.1} {:>12.0}   {before}   {during}",
            purged as f64 / seconds
        );
    }
    println!("(load average {} at the end)", load_average());
    Ok(())
}

/// Records single events for 3 s, then shortens the retention and records until the purge is over.
async fn measure(server: Server, months: u32) -> Result<(u64, f64, Recordings, Recordings)> {
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.address);
    let record = || async {
        let event = json!({"feature": "email", "outcome": "success", "site": "LYON",
                           "user_code": "u1", "occurred_at": chrono::Utc::now().to_rfc3339()});
        let started = Instant::now();
        let answer = client
            .post(url("/api/v1/events"))
            .bearer_auth(&server.token)
            .json(&event)
            .send()
            .await?;
        anyhow::ensure!(
            answer.status().is_success(),
            "recording answered {}",
            answer.status()
        );
        Ok::<_, anyhow::Error>(started.elapsed())
    };
    let mut before = Vec::new();
    let alone_until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < alone_until {
        before.push(record().await?);
    }
    let last_purge = || async {
        let settings: Value = client
            .get(url("/api/v1/settings"))
            .bearer_auth(&server.token)
            .send()
            .await?
            .json()
            .await?;
        Ok::<_, anyhow::Error>(settings["last_purge"].clone())
    };
    let previous = last_purge().await?;
    let started = Instant::now();
    let answer = client
        .put(url("/api/v1/settings/retention"))
        .bearer_auth(&server.token)
        .json(&json!({"months": months, "admin_password": ADMIN_PASSWORD}))
        .send()
        .await?;
    anyhow::ensure!(
        answer.status().is_success(),
        "the retention change answered {}",
        answer.status()
    );
    let mut during = Vec::new();
    let mut checked = Instant::now();
    let purged = loop {
        during.push(record().await?);
        if checked.elapsed() > Duration::from_millis(200) {
            checked = Instant::now();
            let purge = last_purge().await?;
            if purge != previous {
                break purge["removed"].as_u64().context("removed")?;
            }
        }
    };
    Ok((
        purged,
        started.elapsed().as_secs_f64(),
        Recordings(before),
        Recordings(during),
    ))
}
