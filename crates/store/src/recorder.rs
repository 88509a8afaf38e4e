//! The one writer: requests queue their events, and the writer stores everything waiting in one
//! transaction (group commit), so that concurrent requests share one disk flush. Each request is
//! answered only once its events are committed. Events are stored once per (company, id), and the
//! monthly counters move in the same transaction. Closing the store lets the writer finish: it
//! commits everything queued before the close, then stops, and the close returns once it has.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel::upsert::excluded;
use histo_domain::{month_of, CompanyId, NewEvent, TimeZone};
use tokio::sync::{mpsc, oneshot};

use crate::connection::{DatabaseUrl, DbConnection};
use crate::schema::{events, monthly_counts, sites};
use crate::{with_backend, StoreError};

/// Requests waiting for the writer; beyond this, requests wait before queueing (back-pressure).
const QUEUE_LENGTH: usize = 4096;
/// A transaction takes at most about this many events (one batch is never split).
const GROUP_EVENTS: usize = 20_000;
/// PostgreSQL takes at most 65,535 parameters per statement; 12 per event.
const PG_ROWS_PER_INSERT: usize = 2_000;
/// Counters per upsert statement on PostgreSQL (7 parameters each).
const PG_COUNTS_PER_UPSERT: usize = 5_000;

/// How a request's events were taken: `accepted` newly stored, `duplicates` already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recorded {
    pub accepted: usize,
    pub duplicates: usize,
}

struct Job {
    company: CompanyId,
    events: Vec<NewEvent>,
    reply: oneshot::Sender<Result<Recorded, StoreError>>,
}

enum Message {
    Record(Job),
    /// Take no more jobs; the ones already queued are still stored.
    Close,
}

#[derive(Clone)]
pub(crate) struct Recorder {
    queue: mpsc::Sender<Message>,
    /// The writer thread, until a close joins it.
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Recorder {
    pub(crate) fn start(
        url: DatabaseUrl,
        default_timezone: TimeZone,
    ) -> Result<Recorder, StoreError> {
        let conn = url.connect()?;
        let (queue, jobs) = mpsc::channel(QUEUE_LENGTH);
        let writer = Writer {
            url,
            conn,
            default_timezone,
            timezones: HashMap::new(),
            known_sites: HashSet::new(),
        };
        let writer = std::thread::Builder::new()
            .name("histo-writer".into())
            .spawn(move || writer.run(jobs))
            .map_err(|_| StoreError::WriterStopped)?;
        Ok(Recorder {
            queue,
            writer: Arc::new(Mutex::new(Some(writer))),
        })
    }

    pub(crate) async fn record(
        &self,
        company: CompanyId,
        events: Vec<NewEvent>,
    ) -> Result<Recorded, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Message::Record(Job {
                company,
                events,
                reply,
            }))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Lets the writer commit every job queued so far, then waits until its thread has ended. Jobs
    /// sent afterwards fail with `WriterStopped`. Blocks: call it outside async code.
    pub(crate) fn close(&self) {
        let Some(writer) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        // Fails only when the writer has already ended.
        let _ = self.queue.blocking_send(Message::Close);
        if writer.join().is_err() {
            tracing::error!("the writer thread panicked");
        }
    }

    /// Requests queued for the writer and not taken yet.
    pub(crate) fn waiting(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }
}

struct Writer {
    url: DatabaseUrl,
    conn: DbConnection,
    default_timezone: TimeZone,
    /// Companies known to exist, with their time zone.
    timezones: HashMap<CompanyId, TimeZone>,
    /// Sites known to exist, as (company, site).
    known_sites: HashSet<(String, String)>,
}

/// What a transaction learnt, kept only once it committed.
#[derive(Default)]
struct Learnt {
    timezones: Vec<(CompanyId, TimeZone)>,
    sites: Vec<(String, String)>,
}

impl Writer {
    /// Stores groups of jobs until the queue is closed and empty.
    fn run(mut self, mut jobs: mpsc::Receiver<Message>) {
        while let Some(first) = jobs.blocking_recv() {
            let (mut group, mut size) = (Vec::new(), 0);
            let mut message = Some(first);
            while let Some(taken) = message {
                match taken {
                    Message::Record(job) => {
                        size += job.events.len();
                        group.push(job);
                    }
                    // A closed queue still hands out what it holds, then ends the outer loop.
                    Message::Close => jobs.close(),
                }
                message = if size < GROUP_EVENTS {
                    jobs.try_recv().ok()
                } else {
                    None
                };
            }
            if !group.is_empty() {
                self.write_group(group);
            }
        }
        tracing::debug!("the writer has stored every queued event and stopped");
    }

    /// Commits a group; if it fails, each request is tried alone so that one cannot sink the others.
    fn write_group(&mut self, group: Vec<Job>) {
        match self.commit(&group) {
            Ok(results) => {
                for (job, result) in group.into_iter().zip(results) {
                    let _ = job.reply.send(Ok(result));
                }
            }
            Err(error) if group.len() == 1 => {
                tracing::error!(%error, "recording failed");
                self.reconnect_if_broken();
                if let Some(job) = group.into_iter().next() {
                    let _ = job.reply.send(Err(error));
                }
            }
            Err(error) => {
                tracing::warn!(%error, requests = group.len(), "a shared transaction failed; retrying each request alone");
                self.reconnect_if_broken();
                for job in group {
                    self.write_group(vec![job]);
                }
            }
        }
    }

    fn reconnect_if_broken(&mut self) {
        if crate::connection::ping(&mut self.conn).is_ok() {
            return;
        }
        match self.url.connect() {
            Ok(conn) => self.conn = conn,
            Err(error) => {
                tracing::error!(%error, "the writer cannot reconnect to the database");
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }

    fn commit(&mut self, group: &[Job]) -> Result<Vec<Recorded>, StoreError> {
        let now = Utc::now().timestamp_micros();
        let Writer {
            conn,
            timezones,
            known_sites,
            default_timezone,
            ..
        } = self;
        let (results, learnt) = conn.transaction(|conn| {
            let mut learnt = Learnt::default();
            let zones = company_zones(conn, group, timezones, *default_timezone, now, &mut learnt)?;
            let rows = event_rows(group, &zones, now);
            let fresh = insert_events(conn, &rows)?;
            add_sites(conn, &rows, known_sites, &mut learnt)?;
            add_counts(conn, &rows, &fresh)?;
            let mut fresh = fresh.into_iter();
            let results = group
                .iter()
                .map(|job| {
                    let accepted = fresh.by_ref().take(job.events.len()).filter(|f| *f).count();
                    Recorded {
                        accepted,
                        duplicates: job.events.len() - accepted,
                    }
                })
                .collect();
            Ok::<_, StoreError>((results, learnt))
        })?;
        self.timezones.extend(learnt.timezones);
        self.known_sites.extend(learnt.sites);
        Ok(results)
    }
}

/// The time zone of each company of the group, creating the companies seen for the first time.
fn company_zones(
    conn: &mut DbConnection,
    group: &[Job],
    known: &HashMap<CompanyId, TimeZone>,
    default_timezone: TimeZone,
    now: i64,
    learnt: &mut Learnt,
) -> Result<HashMap<CompanyId, TimeZone>, StoreError> {
    let mut zones = HashMap::new();
    for job in group {
        if zones.contains_key(&job.company) {
            continue;
        }
        let zone = match known.get(&job.company) {
            Some(zone) => *zone,
            None => {
                crate::company::ensure_company(conn, job.company.as_str(), default_timezone, now)?;
                let zone =
                    crate::company::load_settings(conn, &job.company, default_timezone)?.timezone;
                learnt.timezones.push((job.company.clone(), zone));
                zone
            }
        };
        zones.insert(job.company.clone(), zone);
    }
    Ok(zones)
}

#[derive(Insertable)]
// Absent values are written as NULL, not left out, so that every row has the same SQL and the
// prepared statement is reused.
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct EventRow<'a> {
    company_id: &'a str,
    id: &'a [u8],
    occurred_at: i64,
    month: i32,
    feature: &'static str,
    outcome: &'static str,
    cause: Option<&'static str>,
    site: &'a str,
    user_code: &'a str,
    code: Option<&'a str>,
    detail: Option<String>,
    recorded_at: i64,
}

fn event_rows<'a>(
    group: &'a [Job],
    zones: &HashMap<CompanyId, TimeZone>,
    now: i64,
) -> Vec<EventRow<'a>> {
    let mut rows = Vec::with_capacity(group.iter().map(|j| j.events.len()).sum());
    for job in group {
        let zone = zones.get(&job.company).copied().unwrap_or_default();
        rows.extend(job.events.iter().map(|e| EventRow {
            company_id: job.company.as_str(),
            id: e.id.as_bytes(),
            occurred_at: e.occurred_at.timestamp_micros(),
            month: month_of(e.occurred_at, zone).key(),
            feature: e.feature.code(),
            outcome: e.outcome.code(),
            cause: e.cause.map(|c| c.code()),
            site: e.site.as_str(),
            user_code: e.user_code.as_str(),
            code: e.code.as_ref().map(|c| c.as_str()),
            detail: e.detail.map(crate::detail::to_json),
            recorded_at: now,
        }));
    }
    rows
}

/// Inserts the rows not stored yet; tells for each row whether it was new. SQLite is fastest with one
/// prepared insert per row, PostgreSQL with large multi-row inserts.
fn insert_events(conn: &mut DbConnection, rows: &[EventRow<'_>]) -> Result<Vec<bool>, StoreError> {
    match conn {
        DbConnection::Sqlite(c) => rows
            .iter()
            .map(|row| {
                let stored = diesel::insert_into(events::table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .execute(c)?;
                Ok(stored == 1)
            })
            .collect(),
        DbConnection::Postgres(c) => {
            let mut inserted: HashSet<(String, Vec<u8>)> = HashSet::with_capacity(rows.len());
            for chunk in rows.chunks(PG_ROWS_PER_INSERT) {
                inserted.extend(
                    diesel::insert_into(events::table)
                        .values(chunk)
                        .on_conflict_do_nothing()
                        .returning((events::company_id, events::id))
                        .get_results::<(String, Vec<u8>)>(c)?,
                );
            }
            // A row is new if the database returned its key; a repeat of it within the group is not.
            Ok(rows
                .iter()
                .map(|r| inserted.remove(&(r.company_id.to_owned(), r.id.to_vec())))
                .collect())
        }
    }
}

/// Creates the sites named for the first time, displayed under their code until renamed.
fn add_sites(
    conn: &mut DbConnection,
    rows: &[EventRow<'_>],
    known: &HashSet<(String, String)>,
    learnt: &mut Learnt,
) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for row in rows {
        let key = (row.company_id.to_owned(), row.site.to_owned());
        if known.contains(&key) || !seen.insert(key.clone()) {
            continue;
        }
        let new_site = (
            sites::company_id.eq(row.company_id),
            sites::code.eq(row.site),
            sites::name.eq(row.site),
            sites::hidden.eq(false),
        );
        with_backend!(&mut *conn, |c| diesel::insert_into(sites::table)
            .values(new_site)
            .on_conflict_do_nothing()
            .execute(c))?;
        learnt.sites.push(key);
    }
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = monthly_counts)]
struct CountRow<'a> {
    company_id: &'a str,
    feature: &'a str,
    month: i32,
    site: &'a str,
    outcome: &'a str,
    cause: &'a str,
    count: i64,
}

/// Adds the new events to their monthly counters. On PostgreSQL many counters go in one statement:
/// each statement is a round trip, and a batch spread over days touches hundreds of counters.
fn add_counts(
    conn: &mut DbConnection,
    rows: &[EventRow<'_>],
    fresh: &[bool],
) -> Result<(), StoreError> {
    let mut counts: HashMap<(&str, &str, i32, &str, &str, &str), i64> = HashMap::new();
    for (row, _) in rows.iter().zip(fresh).filter(|(_, f)| **f) {
        let key = (
            row.company_id,
            row.feature,
            row.month,
            row.site,
            row.outcome,
            row.cause.unwrap_or(""),
        );
        *counts.entry(key).or_default() += 1;
    }
    let counts: Vec<CountRow> = counts
        .into_iter()
        .map(
            |((company_id, feature, month, site, outcome, cause), count)| CountRow {
                company_id,
                feature,
                month,
                site,
                outcome,
                cause,
                count,
            },
        )
        .collect();
    macro_rules! upsert {
        ($values:expr) => {
            diesel::insert_into(monthly_counts::table)
                .values($values)
                .on_conflict((
                    monthly_counts::company_id,
                    monthly_counts::feature,
                    monthly_counts::month,
                    monthly_counts::site,
                    monthly_counts::outcome,
                    monthly_counts::cause,
                ))
                .do_update()
                .set(
                    monthly_counts::count
                        .eq(monthly_counts::count + excluded(monthly_counts::count)),
                )
        };
    }
    // SQLite is in-process, so one statement per counter costs nothing; diesel has no multi-row upsert
    // for it.
    match conn {
        DbConnection::Sqlite(c) => {
            for row in &counts {
                upsert!(row).execute(c)?;
            }
        }
        DbConnection::Postgres(c) => {
            for chunk in counts.chunks(PG_COUNTS_PER_UPSERT) {
                upsert!(chunk).execute(c)?;
            }
        }
    }
    Ok(())
}
