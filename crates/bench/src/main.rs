//! `histo-bench`: Histo's speed and its behaviour under attack, with printed figures; asserts nothing.
//!
//! - `ingest`: how fast Histo records events through its HTTP API, next to the raw insert rate of the
//!   same rows straight into the same database;
//! - `read`: loads N generated events (10 million by default) and times, through HTTP, the
//!   statistics, the overview, drill-down pages and the CSV export, beside the same statistics on
//!   100,000 events;
//! - `fill DATABASE_URL`: stores N generated events of the company `bench` in that database and keeps
//!   it, for timing the web app on it (`scripts/bench-web.sh`);
//! - `attacks`: the attacks of docs/security.md against the release `histo` binary, with its memory;
//! - `purge`: single events recorded before and during a purge of the entries behind them;
//! - `instructions`: the instructions spent to record one event, counted by callgrind (stable on a
//!   busy machine, unlike times).
//!
//! Ingest and read run an in-process server on a fresh database of each kind: a temporary SQLite
//! file, a new PostgreSQL schema at `HISTO_BENCH_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`).

mod attacks;
mod common;
mod ingest;
mod instructions;
mod purge;
mod read;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "histo-bench",
    about = "Histo's benchmarks: they print figures and assert nothing"
)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Recording speed through HTTP (batches and single events), beside raw inserts.
    Ingest(ingest::IngestArgs),
    /// Read latencies on a database of many events, beside a small one.
    Read(read::ReadArgs),
    /// Store generated events in a database that is kept (for the web app's benchmark).
    Fill(read::FillArgs),
    /// The attacks of docs/security.md against the release `histo`, with its memory.
    Attacks(attacks::AttackArgs),
    /// Recording while a purge runs: latencies before and during, and the purge's rate.
    Purge(purge::PurgeArgs),
    /// Instructions per recorded event, counted by callgrind (needs valgrind).
    Instructions(instructions::InstructionArgs),
    /// One run of `instructions`, under callgrind: sends the bodies of a file.
    #[command(hide = true)]
    Send(instructions::SendArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.mode {
            Mode::Ingest(args) => ingest::run(args).await,
            Mode::Read(args) => read::run(args).await,
            Mode::Fill(args) => read::fill(args).await,
            Mode::Attacks(args) => attacks::run(args).await,
            Mode::Purge(args) => purge::run(args).await,
            Mode::Instructions(args) => instructions::run(args).await,
            Mode::Send(args) => instructions::send(args).await,
        }
    })
}
