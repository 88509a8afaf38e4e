//! `histo-bench instructions`: the instructions spent to record one event through HTTP into SQLite,
//! counted by `valgrind --tool=callgrind` (Debian's `valgrind`). A count, unlike a time, comes out
//! the same on a busy machine, so a change that makes recording slower shows at once.
//!
//! The benchmark writes the request bodies to a file, then runs itself twice under callgrind on a
//! fresh SQLite database: once sending the first `--events` events, once sending `--more` events
//! more. The difference, divided by the difference in events, is the cost of one more event: Histo's
//! reading, checking and storing, SQLite's, and the test client's sending, without the start
//! (migrations, runtime, server) and without making the events.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::common::{
    fresh_database, generated, open_store, remove_database, send_all, to_json, with_server,
};

#[derive(Debug, clap::Args)]
pub struct InstructionArgs {
    /// Events of the first run (batches of 1,000); the second sends `--more` more.
    #[arg(long, default_value_t = 2_000)]
    events: u64,
    /// Events added in the second run of batches.
    #[arg(long, default_value_t = 10_000)]
    more: u64,
    /// Events of the first run of single-event requests; the second sends `--more-singles` more.
    #[arg(long, default_value_t = 200)]
    singles: u64,
    /// Events added in the second run of single-event requests.
    #[arg(long, default_value_t = 1_000)]
    more_singles: u64,
    /// Keeps callgrind's profiles of the larger runs in this folder (`batches.callgrind`,
    /// `singles.callgrind`), to see where the instructions go (`callgrind_annotate --inclusive=yes`).
    #[arg(long)]
    profiles: Option<PathBuf>,
}

/// What one run under callgrind does: sends the bodies of a file, one per line, to Histo serving a
/// fresh SQLite database in this process, from one client.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    bodies: PathBuf,
}

/// The instructions mode: the cost of one recorded event, in batches and alone.
pub async fn run(args: InstructionArgs) -> Result<()> {
    let valgrind = Command::new("valgrind").arg("--version").output();
    if !valgrind.is_ok_and(|out| out.status.success()) {
        bail!("valgrind is needed (Debian's package `valgrind`)");
    }
    println!(
        "Histo instructions per recorded event, counted by callgrind: generated events (8 features, \
         20 sites, 500 users, UUIDv7 ids) sent through HTTP by one client to a fresh SQLite database; \
         the difference between two runs, divided by the difference in events"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>16}",
        "", "events", "more", "instructions"
    );
    if let Some(folder) = &args.profiles {
        std::fs::create_dir_all(folder)?;
    }
    let cases = [
        ("batches of 1,000", 1_000, args.events, args.more, "batches"),
        (
            "single events",
            1,
            args.singles,
            args.more_singles,
            "singles",
        ),
    ];
    for (name, batch, events, more, file) in cases {
        let profile = args
            .profiles
            .as_ref()
            .map(|folder| folder.join(format!("{file}.callgrind")));
        let per_event = per_event(batch, events, more, profile.as_deref())?;
        println!("{name:<34} {events:>10} {more:>10} {per_event:>16.0}");
    }
    Ok(())
}

/// Instructions of one more event, sent `batch` to a request; the larger run's profile kept in
/// `profile`.
fn per_event(batch: usize, events: u64, more: u64, profile: Option<&Path>) -> Result<f64> {
    let dir = std::env::temp_dir().join(format!(
        "histo-instructions-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    let counted = [(events, None), (events + more, profile)]
        .into_iter()
        .map(|(count, profile)| {
            let file = dir.join(format!("{count}.jsonl"));
            write_bodies(&file, count, batch)?;
            instructions(&file, profile.unwrap_or(Path::new("/dev/null")))
        })
        .collect::<Result<Vec<u64>>>();
    std::fs::remove_dir_all(&dir)?;
    let counted = counted?;
    Ok((counted[1] as f64 - counted[0] as f64) / more as f64)
}

/// The request bodies of `count` generated events, `batch` to a request, one per line.
fn write_bodies(file: &Path, count: u64, batch: usize) -> Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(file)?);
    for chunk in generated(count, 1).chunks(batch) {
        let body = match chunk {
            [one] => to_json(one),
            many => json!({"events": many.iter().map(to_json).collect::<Vec<_>>()}),
        };
        writeln!(out, "{body}")?;
    }
    out.flush()?;
    Ok(())
}

/// Runs `histo-bench send FILE` under callgrind, its profile written to `profile`: the
/// instructions it executed.
fn instructions(bodies: &Path, profile: &Path) -> Result<u64> {
    let mut out_file = std::ffi::OsString::from("--callgrind-out-file=");
    out_file.push(profile);
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(out_file)
        .arg(std::env::current_exe()?)
        .arg("send")
        .arg(bodies)
        .output()?;
    let report = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("the run under callgrind failed:\n{report}");
    }
    // callgrind ends with `==PID== Collected : N`.
    report
        .lines()
        .find_map(|line| line.split_once("Collected :").map(|(_, n)| n.trim()))
        .context("callgrind printed no count")?
        .parse()
        .context("callgrind's count")
}

/// The run under callgrind.
pub async fn send(args: SendArgs) -> Result<()> {
    let bodies = BufReader::new(std::fs::File::open(&args.bodies)?)
        .lines()
        .collect::<std::io::Result<Vec<String>>>()?;
    let url = fresh_database("sqlite", "instructions")?;
    let store = open_store(url.clone()).await?;
    with_server(store, "events:write", |server| async move {
        send_all(&server.address, &server.token, bodies, 1).await
    })
    .await?;
    remove_database(&url)
}
