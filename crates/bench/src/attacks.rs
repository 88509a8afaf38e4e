//! `histo-bench attacks`: the attacks of docs/security.md against the release `histo` binary, each on
//! a fresh server and SQLite database, with the server's memory (resident, and its peak) before,
//! during and after, what it answered, and how reads fared meanwhile. Asserts nothing: prints.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use histo_domain::{CompanyId, Scopes, UserCode};
use histo_server::auth::claims_for;
use histo_server::TokenVerifier;
use serde_json::{json, Value};

use crate::common::process::{load_average, memory, reset_peak};
use crate::common::{num_cpus, percentiles, SECRET};

#[derive(Debug, clap::Args)]
pub struct AttackArgs {
    /// The `histo` binary attacked; by default the one beside `histo-bench`.
    #[arg(long, env = "HISTO_BIN")]
    histo: Option<std::path::PathBuf>,
    /// Seconds each flood lasts.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// A `histo serve` process on a fresh SQLite file, removed when dropped.
struct Target {
    child: Child,
    address: String,
    pid: String,
    dir: std::path::PathBuf,
}

impl Target {
    fn start(histo: &std::path::Path, args: &[&str]) -> Result<Target> {
        let dir =
            std::env::temp_dir().join(format!("histo-attack-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let database = dir.join("histo.db");
        let mut child = Command::new(histo)
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url"])
            .arg(&database)
            .args(args)
            .env("HISTO_JWT_SECRET", SECRET)
            .env("HISTO_LOG", "warn,histo=info")
            .envs(
                std::env::var("BENCH_MALLOC_ARENA_MAX")
                    .ok()
                    .map(|v| ("MALLOC_ARENA_MAX", v)),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", histo.display()))?;
        let mut lines = BufReader::new(child.stderr.take().context("stderr")?).lines();
        let address = loop {
            let line = lines.next().context("histo ended before it listened")??;
            if let Some((_, rest)) = line.split_once("listens on ") {
                let end = rest.find([' ', '"']).unwrap_or(rest.len());
                break rest[..end].to_owned();
            }
        };
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        let pid = child.id().to_string();
        Ok(Target {
            child,
            address,
            pid,
            dir,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Resident memory and peak in MiB.
    fn memory(&self) -> Result<(f64, f64)> {
        let (rss, peak) = memory(&self.pid)?;
        Ok((rss as f64 / 1024.0, peak as f64 / 1024.0))
    }

    fn histo(&self, histo: &std::path::Path, args: &[&str], input: &str) -> Result<()> {
        use std::io::Write;
        let mut command = Command::new(histo)
            .args(args)
            .env("HISTO_DATABASE_URL", self.dir.join("histo.db"))
            .env("HISTO_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        command
            .stdin
            .take()
            .context("stdin")?
            .write_all(input.as_bytes())?;
        anyhow::ensure!(command.wait()?.success(), "histo {args:?} failed");
        Ok(())
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn token(company: &str, user: &str, scope: &str) -> Result<String> {
    Ok(TokenVerifier::hs256(SECRET.as_bytes())?.sign(&claims_for(
        &CompanyId::parse(company)?,
        &UserCode::parse(user)?,
        Scopes::parse_claim(scope),
        3_600,
    ))?)
}

/// Answers by status, as `200×12 503×3`.
fn statuses(mut answers: Vec<u16>) -> String {
    answers.sort_unstable();
    let mut text = Vec::new();
    for status in answers
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
    {
        text.push(format!(
            "{status}×{}",
            answers.iter().filter(|s| **s == status).count()
        ));
    }
    text.join(" ")
}

/// One line of the table.
struct Row {
    attack: String,
    before: (f64, f64),
    after: (f64, f64),
    answers: String,
    more: String,
}

pub async fn run(args: AttackArgs) -> Result<()> {
    let histo = match args.histo {
        Some(path) => path,
        None => std::env::current_exe()?
            .parent()
            .context("histo-bench has a folder")?
            .join("histo"),
    };
    let flood = Duration::from_secs(args.seconds);
    println!(
        "Histo attack benchmark: {} against a fresh server and SQLite database each, {} cores, load average {}",
        histo.display(),
        num_cpus(),
        load_average()
    );
    let rows = vec![
        huge_sign_in_values(&histo, flood).await?,
        sign_in_flood(&histo, flood, 1).await?,
        sign_in_flood(&histo, flood, 300).await?,
        concurrent_admin_guesses(&histo).await?,
        big_batches(&histo).await?,
        unknown_keys(&histo).await?,
        new_sites(&histo).await?,
        slow_bodies(&histo).await?,
    ];
    println!(
        "\n{:<46} {:>18} {:>18}  answers; more",
        "attack", "RSS/peak before", "RSS/peak after"
    );
    for row in rows {
        println!(
            "{:<46} {:>8.0}/{:<5.0} MiB {:>8.0}/{:<5.0} MiB  {}; {}",
            row.attack, row.before.0, row.before.1, row.after.0, row.after.1, row.answers, row.more
        );
    }
    println!("(load average {} at the end)", load_average());
    Ok(())
}

/// The server started and warmed up (one recorded event, the statistics read once), its peak reset.
async fn target(histo: &std::path::Path, args: &[&str]) -> Result<(Target, reqwest::Client)> {
    let target = Target::start(histo, args)?;
    let client = reqwest::Client::new();
    let event = json!({"feature": "email", "outcome": "success", "site": "LYON", "user_code": "u1",
                       "occurred_at": chrono::Utc::now().to_rfc3339()});
    client
        .post(target.url("/api/v1/events"))
        .bearer_auth(token("acme", "erp", "events:write")?)
        .json(&event)
        .send()
        .await?
        .error_for_status()?;
    stats(&client, &target).await?;
    reset_peak(&target.pid);
    Ok((target, client))
}

/// One statistics read.
async fn stats(client: &reqwest::Client, target: &Target) -> Result<()> {
    client
        .get(target.url("/api/v1/stats?feature=email&granularity=year&from=2020&to=2030"))
        .bearer_auth(token("acme", "reader", "logs:read")?)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    Ok(())
}

/// Sends `request` from `clients` tasks in a loop for `flood`; the statuses answered.
async fn flood_of<F, Fut>(clients: usize, flood: Duration, request: F) -> Vec<u16>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Option<u16>> + Send,
{
    let until = Instant::now() + flood;
    let tasks: Vec<_> = (0..clients)
        .map(|n| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut answers = Vec::new();
                let mut round = 0;
                while Instant::now() < until {
                    if let Some(status) = request(n * 1_000_000 + round).await {
                        answers.push(status);
                    }
                    round += 1;
                }
                answers
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.extend(task.await.unwrap_or_default());
    }
    answers
}

/// Reads the statistics every 10 ms, beside an attack, until finished: on a thread and runtime of
/// its own, so that the attack's clients in this process do not delay it.
struct Reader {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Duration>>,
}

impl Reader {
    fn start(target: &Target) -> Result<Reader> {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (url, token) = (
            target.url("/api/v1/stats?feature=email&granularity=year&from=2020&to=2030"),
            token("acme", "reader", "logs:read")?,
        );
        let stopped = stop.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let client = reqwest::Client::new();
                let mut latencies = Vec::new();
                while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    let started = Instant::now();
                    let ok = match client.get(&url).bearer_auth(&token).send().await {
                        Ok(answer) => answer.status().is_success() && answer.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    // A failed read counts as a minute.
                    latencies.push(if ok {
                        started.elapsed()
                    } else {
                        Duration::from_secs(60)
                    });
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                latencies
            })
        });
        Ok(Reader { stop, thread })
    }

    /// The reads' p50, p99 and worst, in ms.
    fn finish(self) -> String {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let latencies = self.thread.join().unwrap_or_default();
        let worst = latencies
            .iter()
            .max()
            .map_or(0.0, |d| d.as_secs_f64() * 1e3);
        let count = latencies.len();
        let (p50, p99) = percentiles(latencies);
        format!(
            "statistics read meanwhile ×{count}: p50 {p50:.1} ms, p99 {p99:.1} ms, worst {worst:.1} ms"
        )
    }
}

async fn huge_sign_in_values(histo: &std::path::Path, flood: Duration) -> Result<Row> {
    let (target, client) = target(histo, &[]).await?;
    let before = target.memory()?;
    let huge = "a".repeat(1 << 20);
    let body = bytes::Bytes::from(
        json!({"company": huge, "user_code": huge, "password": "x"}).to_string(),
    );
    let url = target.url("/api/v1/auth/token");
    let answers = flood_of(16, flood, move |_| {
        let (client, url, body) = (client.clone(), url.clone(), body.clone());
        async move {
            client
                .post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .ok()
                .map(|r| r.status().as_u16())
        }
    })
    .await;
    Ok(Row {
        attack: "sign-ins with 1 MB company and user code".into(),
        before,
        after: target.memory()?,
        more: format!(
            "{} requests of 2 MB in {} s",
            answers.len(),
            flood.as_secs()
        ),
        answers: statuses(answers),
    })
}

/// 300 clients, each guessing the password of a user of its own, from one address or from many.
async fn sign_in_flood(histo: &std::path::Path, flood: Duration, addresses: usize) -> Result<Row> {
    let (target, _) = target(histo, &[]).await?;
    let before = target.memory()?;
    let reader = Reader::start(&target)?;
    let url = target.url("/api/v1/auth/token");
    let clients = (0..addresses)
        .map(|n| {
            let address: std::net::IpAddr = format!("127.1.{}.{}", n / 250, n % 250 + 1).parse()?;
            Ok(reqwest::Client::builder().local_address(address).build()?)
        })
        .collect::<Result<Vec<_>>>()?;
    let answers = flood_of(300, flood, move |n| {
        let (client, url) = (
            clients[(n / 1_000_000) % clients.len()].clone(),
            url.clone(),
        );
        async move {
            let body = json!({"company": "acme", "user_code": format!("U{}", n / 1_000_000),
                              "password": "a guessed password"});
            client
                .post(&url)
                .json(&body)
                .send()
                .await
                .ok()
                .map(|r| r.status().as_u16())
        }
    })
    .await;
    let reads = reader.finish();
    Ok(Row {
        attack: format!("300 clients guessing passwords, {addresses} address(es)"),
        before,
        after: target.memory()?,
        more: format!(
            "{} sign-ins in {} s; {reads}",
            answers.len(),
            flood.as_secs()
        ),
        answers: statuses(answers),
    })
}

async fn concurrent_admin_guesses(histo: &std::path::Path) -> Result<Row> {
    let (target, client) = target(histo, &[]).await?;
    target.histo(
        histo,
        &["admin-password", "--company", "acme"],
        "the real admin password\n",
    )?;
    let before = target.memory()?;
    let guesses: Vec<_> = (0..60)
        .map(|n| {
            let (client, url) = (client.clone(), target.url("/api/v1/settings/retention"));
            let admin = token("acme", &format!("ADMIN{n}"), "settings:admin");
            tokio::spawn(async move {
                client
                    .put(&url)
                    .bearer_auth(admin.ok()?)
                    .json(&json!({"months": 6, "admin_password": "a wrong guess!"}))
                    .send()
                    .await
                    .ok()
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for guess in guesses {
        answers.extend(guess.await.ok().flatten());
    }
    let checked = answers.iter().filter(|s| **s == 403).count();
    Ok(Row {
        attack: "60 concurrent wrong admin passwords".into(),
        before,
        after: target.memory()?,
        more: format!("{checked} of 60 passwords checked (403), the rest refused unchecked"),
        answers: statuses(answers),
    })
}

async fn big_batches(histo: &std::path::Path) -> Result<Row> {
    let (target, client) = target(histo, &[]).await?;
    let before = target.memory()?;
    let reader = Reader::start(&target)?;
    // 10,000 events padded with spaces to 16 MB: the largest body Histo takes.
    let now = chrono::Utc::now().to_rfc3339();
    let events: Vec<Value> = (0..10_000)
        .map(|n| {
            json!({"feature": "email", "outcome": "success", "site": format!("S{}", n % 20),
                        "user_code": "u1", "occurred_at": now})
        })
        .collect();
    let mut body = json!({ "events": events }).to_string();
    body.push_str(&" ".repeat((16 << 20) - 64 - body.len()));
    let body = bytes::Bytes::from(body);
    let writer = token("acme", "erp", "events:write")?;
    let sends: Vec<_> = (0..120)
        .map(|_| {
            let (client, url, body, writer) = (
                client.clone(),
                target.url("/api/v1/events"),
                body.clone(),
                writer.clone(),
            );
            tokio::spawn(async move {
                client
                    .post(&url)
                    .bearer_auth(writer)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .ok()
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    let started = Instant::now();
    let mut answers = Vec::new();
    for send in sends {
        answers.extend(send.await.ok().flatten());
    }
    let took = started.elapsed().as_secs_f64();
    let reads = reader.finish();
    Ok(Row {
        attack: "120 concurrent batches of 16 MB".into(),
        before,
        after: target.memory()?,
        more: format!("all answered in {took:.1} s; {reads}"),
        answers: statuses(answers),
    })
}

async fn unknown_keys(histo: &std::path::Path) -> Result<Row> {
    let (target, client) = target(histo, &[]).await?;
    let before = target.memory()?;
    let mut body = String::from("{");
    for n in 0..1_200_000 {
        body.push_str(&format!("\"k{n:07}\":1,"));
    }
    body.push_str("\"feature\":\"email\"}");
    let sent = body.len();
    let answer = client
        .post(target.url("/api/v1/events"))
        .bearer_auth(token("acme", "erp", "events:write")?)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = answer.status().as_u16();
    let answered = answer.bytes().await?.len();
    Ok(Row {
        attack: "an event with 1.2 million unknown keys (15.6 MB)".into(),
        before,
        after: target.memory()?,
        more: format!("{sent} bytes sent, {answered} bytes answered"),
        answers: statuses(vec![status]),
    })
}

async fn new_sites(histo: &std::path::Path) -> Result<Row> {
    let (target, client) = target(histo, &[]).await?;
    let before = target.memory()?;
    let writer = token("acme", "erp", "events:write")?;
    let now = chrono::Utc::now().to_rfc3339();
    let mut answers = Vec::new();
    for batch in 0..30 {
        let events: Vec<Value> = (0..10_000)
            .map(|n| json!({"feature": "email", "outcome": "success", "site": format!("NEW{}", batch * 10_000 + n),
                            "user_code": "u1", "occurred_at": now}))
            .collect();
        let answer = client
            .post(target.url("/api/v1/events"))
            .bearer_auth(&writer)
            .json(&json!({ "events": events }))
            .send()
            .await?;
        answers.push(answer.status().as_u16());
    }
    let mut latencies = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        stats(&client, &target).await?;
        latencies.push(started.elapsed());
    }
    let (p50, p99) = percentiles(latencies);
    Ok(Row {
        attack: "300,000 events naming new sites".into(),
        before,
        after: target.memory()?,
        more: format!("statistics afterwards: p50 {p50:.1} ms, p99 {p99:.1} ms"),
        answers: statuses(answers),
    })
}

async fn slow_bodies(histo: &std::path::Path) -> Result<Row> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (target, client) = target(histo, &["--max-connections", "4"]).await?;
    let before = target.memory()?;
    let host = target.address.trim_start_matches("http://").to_owned();
    let head = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    );
    let started = Instant::now();
    let slow: Vec<_> = (0..4)
        .map(|_| {
            let (host, head) = (host.clone(), head.clone());
            tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(&host).await.ok()?;
                let (mut reader, mut writer) = stream.into_split();
                writer.write_all(head.as_bytes()).await.ok()?;
                let trickle = tokio::spawn(async move {
                    for _ in 0..100 {
                        if writer.write_all(b" ").await.is_err() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_secs(3)).await;
                    }
                });
                let mut answer = Vec::new();
                let _ =
                    tokio::time::timeout(Duration::from_secs(120), reader.read_to_end(&mut answer))
                        .await;
                trickle.abort();
                let status = String::from_utf8_lossy(&answer).get(9..12)?.parse().ok();
                Some((status?, started.elapsed()))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let health = Instant::now();
    let healthy = client
        .get(target.url("/healthz"))
        .send()
        .await
        .map(|r| r.status().as_u16());
    let health = health.elapsed();
    let (mut answers, mut cut) = (Vec::new(), Duration::ZERO);
    for one in slow {
        if let Some((status, after)) = one.await.ok().flatten() {
            answers.push(status);
            cut = cut.max(after);
        }
    }
    Ok(Row {
        attack: "4 bodies at a byte every 3 s (4 connections)".into(),
        before,
        after: target.memory()?,
        more: format!(
            "cut off after {:.1} s; /healthz meanwhile: {:?} in {:.0} ms",
            cut.as_secs_f64(),
            healthy.ok(),
            health.as_secs_f64() * 1e3
        ),
        answers: statuses(answers),
    })
}
