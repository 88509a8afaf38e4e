//! The one writer: requests queue their events, and the writer stores everything waiting in one
//! transaction (group commit), so that concurrent requests share one disk flush. Each request is
//! answered only once its events are committed. Events are stored once per (company, id), and the
//! monthly counters move in the same transaction. An event of a month the company no longer keeps is
//! neither stored nor counted (`expired`), so that a retry after a purge never counts twice; a request
//! naming more sites than its company may have is refused alone. Rows, sites and counters are written
//! in key order and company rows read under a shared lock, so that several Histo processes on one
//! PostgreSQL database neither deadlock nor race the purge. On SQLite, which has one writer at a
//! time, other writes that must not stall recording (the purge's chunks) run as steps of this same
//! writer, between two groups. Closing the store lets the writer finish: it commits everything
//! queued before the close, then stops, and the close returns once it has.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::sqlite::Sqlite;
use diesel::upsert::excluded;
use histo_domain::{month_of, CompanyId, NewEvent, TimeZone};
use tokio::sync::{mpsc, oneshot};

use crate::company::CompanySettings;
use crate::connection::{DatabaseUrl, DbConnection};
use crate::schema::{events, monthly_counts, monthly_totals, sites};
use crate::{with_backend, StoreError};

/// Requests waiting for the writer; beyond this, requests wait before queueing (back-pressure).
const QUEUE_LENGTH: usize = 4096;
/// A transaction takes at most about this many events (one batch is never split).
const GROUP_EVENTS: usize = 20_000;
/// PostgreSQL takes at most 65,535 parameters per statement; 12 per event.
const PG_ROWS_PER_INSERT: usize = 2_000;
/// Counters per PostgreSQL upsert statement: 7 parameters each, within its 65,535 per statement.
const COUNTS_PER_UPSERT: usize = 4_000;
/// StoredSite codes per `IN (…)` list when looking for the sites a group names.
const SITES_PER_QUERY: usize = 1_000;
/// Sites remembered as existing; beyond, the memory starts again (it only saves queries).
const KNOWN_SITES: usize = 100_000;
/// Companies whose settings the SQLite writer remembers; beyond, the memory starts again.
const KNOWN_SETTINGS: usize = 10_000;

/// How a request's events were taken: `accepted` newly stored, `duplicates` already there, `expired`
/// dated before the oldest month the company keeps (neither stored nor counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordOutcome {
    pub accepted: usize,
    pub duplicates: usize,
    pub expired: usize,
}

struct Job {
    company: CompanyId,
    events: Vec<NewEvent>,
    reply: oneshot::Sender<Result<RecordOutcome, StoreError>>,
}

enum Message {
    Record(Job),
    /// Other work on the writer's connection (a chunk of the purge), run alone between two groups.
    Step(Step),
    /// Take no more jobs; the ones already queued are still stored.
    Close,
}

type Step = Box<dyn FnOnce(&mut DbConnection) + Send>;

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
        max_sites: usize,
    ) -> Result<Recorder, StoreError> {
        let mut conn = url.connect()?;
        if let DbConnection::Sqlite(c) = &mut conn {
            // The writer's pages of the newest months stay in memory across groups (32 MiB), rather
            // than being read back for each one.
            diesel::connection::SimpleConnection::batch_execute(c, "PRAGMA cache_size = -32768")?;
        }
        let (queue, jobs) = mpsc::channel(QUEUE_LENGTH);
        let writer = Writer {
            url,
            conn,
            default_timezone,
            max_sites,
            known_sites: HashSet::new(),
            known_settings: KnownSettings::default(),
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
    ) -> Result<RecordOutcome, StoreError> {
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

    /// Runs `work` on the writer's connection, alone between two groups of events; its answer.
    pub(crate) async fn step<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let span = tracing::Span::current();
        let step: Step = Box::new(move |conn| {
            let _ = reply.send(span.in_scope(|| work(conn)));
        });
        self.queue
            .send(Message::Step(step))
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
    /// Sites one company may have.
    max_sites: usize,
    /// Sites known to exist, as (company, site).
    known_sites: HashSet<(String, String)>,
    known_settings: KnownSettings,
}

/// What a transaction learnt, kept only once it committed.
#[derive(Default)]
struct Learnt {
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
                    // What was queued before the step is committed first; the step then runs
                    // alone, and what comes after waits for one step at most.
                    Message::Step(step) => {
                        if !group.is_empty() {
                            self.write_group(std::mem::take(&mut group));
                            size = 0;
                        }
                        step(&mut self.conn);
                        // The step may have changed settings, unseen by `PRAGMA data_version`.
                        self.known_settings.forget();
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
    /// A group that failed because its connection was cut (the database restarted, a failover) is
    /// first tried again on a new connection: nothing of it was committed, or only the commit's
    /// answer was lost and its events are then found again as duplicates.
    fn write_group(&mut self, group: Vec<Job>) {
        let mut committed = self.commit(&group);
        if committed.is_err() && self.reconnect_if_broken() {
            committed = self.commit(&group);
        }
        match committed {
            Ok(results) => {
                for (job, result) in group.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(error) if group.len() == 1 => {
                tracing::error!(%error, "recording failed");
                if let Some(job) = group.into_iter().next() {
                    let _ = job.reply.send(Err(error));
                }
            }
            Err(error) => {
                tracing::warn!(%error, requests = group.len(), "a shared transaction failed; retrying each request alone");
                for job in group {
                    self.write_group(vec![job]);
                }
            }
        }
    }

    /// Opens a new connection when the writer's no longer answers; whether it did.
    fn reconnect_if_broken(&mut self) -> bool {
        if crate::connection::ping(&mut self.conn).is_ok() {
            return false;
        }
        match self.url.connect() {
            Ok(conn) => {
                tracing::warn!("the writer's connection was cut; it has opened a new one");
                self.conn = conn;
                self.known_settings.forget();
                true
            }
            Err(error) => {
                tracing::error!(%error, "the writer cannot reconnect to the database");
                std::thread::sleep(Duration::from_millis(500));
                false
            }
        }
    }

    /// One transaction for the group; each job's answer, a job refused alone (too many sites) among
    /// them.
    fn commit(
        &mut self,
        group: &[Job],
    ) -> Result<Vec<Result<RecordOutcome, StoreError>>, StoreError> {
        let now = Utc::now();
        let Writer {
            conn,
            known_sites,
            known_settings,
            default_timezone,
            max_sites,
            ..
        } = self;
        let (results, learnt) = conn.transaction(|conn| {
            let mut learnt = Learnt::default();
            let settings = company_settings(conn, group, *default_timezone, now, known_settings)?;
            let mut jobs: Vec<JobInWork> = group
                .iter()
                .map(|job| JobInWork::new(job, &settings[&job.company], now))
                .collect();
            let new_sites = admit_sites(conn, &mut jobs, known_sites, *max_sites, &mut learnt)?;
            let mut rows = event_rows(&jobs, now.timestamp_micros());
            // Key order, the same in every process: concurrent writers then wait for each other
            // instead of deadlocking on PostgreSQL.
            rows.sort_unstable_by(|(_, a), (_, b)| (a.company_id, a.id).cmp(&(b.company_id, b.id)));
            let (owners, rows): (Vec<usize>, Vec<EventRow>) = rows.into_iter().unzip();
            let fresh = insert_events(conn, &rows)?;
            insert_sites(conn, &new_sites)?;
            add_counts(conn, &rows, &fresh)?;
            for (owner, fresh) in owners.into_iter().zip(fresh) {
                let recorded = &mut jobs[owner].recorded;
                if fresh {
                    recorded.accepted += 1;
                } else {
                    recorded.duplicates += 1;
                }
            }
            let results = jobs
                .into_iter()
                .map(|job| match job.refused {
                    Some(refusal) => Err(refusal),
                    None => Ok(job.recorded),
                })
                .collect();
            Ok::<_, StoreError>((results, learnt))
        })?;
        if self.known_sites.len() + learnt.sites.len() > KNOWN_SITES {
            self.known_sites.clear();
        }
        self.known_sites.extend(learnt.sites);
        Ok(results)
    }
}

/// A job while its transaction runs: the events it may store, with their company-local month, and
/// what became of the others.
struct JobInWork<'a> {
    job: &'a Job,
    zone: TimeZone,
    /// The events of months still kept.
    kept: Vec<&'a NewEvent>,
    recorded: RecordOutcome,
    refused: Option<StoreError>,
}

impl<'a> JobInWork<'a> {
    fn new(job: &'a Job, settings: &CompanySettings, now: DateTime<Utc>) -> JobInWork<'a> {
        let retained_from = settings.retained_from(now);
        let (kept, expired): (Vec<&NewEvent>, Vec<&NewEvent>) = job
            .events
            .iter()
            .partition(|e| month_of(e.occurred_at, settings.timezone) >= retained_from);
        JobInWork {
            job,
            zone: settings.timezone,
            kept,
            recorded: RecordOutcome {
                expired: expired.len(),
                ..RecordOutcome::default()
            },
            refused: None,
        }
    }

    /// The events to store: none when the job is refused.
    fn stored(&self) -> &[&'a NewEvent] {
        if self.refused.is_some() {
            &[]
        } else {
            &self.kept
        }
    }
}

/// The settings of each company of the group, creating the companies named for the first time. The
/// transaction's first statement writes (creating a company, or finding it there), so that on
/// SQLite it waits its turn for the write lock instead of failing once it has read. On PostgreSQL the
/// company rows are then read under a shared lock, which a purge's change of `retained_from` waits
/// for (and which waits for it); on SQLite, which has one writer at a time, from `known` when
/// nothing has changed since.
fn company_settings(
    conn: &mut DbConnection,
    group: &[Job],
    default_timezone: TimeZone,
    now: DateTime<Utc>,
    known: &mut KnownSettings,
) -> Result<HashMap<CompanyId, CompanySettings>, StoreError> {
    let companies: BTreeSet<&CompanyId> = group.iter().map(|job| &job.company).collect();
    for company in &companies {
        crate::company::ensure_company(
            conn,
            company.as_str(),
            default_timezone,
            now.timestamp_micros(),
        )?;
    }
    let c = match conn {
        DbConnection::Postgres(c) => {
            return crate::company::shared_settings(c, companies, default_timezone)
        }
        DbConnection::Sqlite(c) => c,
    };
    known.as_of(data_version(c)?);
    companies
        .into_iter()
        .map(|company| {
            let settings = match known.companies.get(company) {
                Some(settings) => settings.clone(),
                None => {
                    let settings = crate::company::load_settings(conn, company, default_timezone)?;
                    known.remember(company, &settings);
                    settings
                }
            };
            Ok((company.clone(), settings))
        })
        .collect()
}

/// The settings the SQLite writer read in earlier groups, with `PRAGMA data_version` as it was then.
/// They hold while that number stays: it changes when any other connection (of this process, or
/// of another one such as the administration's commands) commits, and the writer holds the write
/// lock while it reads it. What the writer's own connection changes outside its groups (a step, a
/// new connection) is not counted there, so the memory is forgotten then. Settings read in a
/// transaction that fails are still right: nothing else committed in between.
#[derive(Default)]
struct KnownSettings {
    data_version: Option<i64>,
    companies: HashMap<CompanyId, CompanySettings>,
}

impl KnownSettings {
    /// Forgets every company unless nothing was committed by others since `data_version`.
    fn as_of(&mut self, data_version: i64) {
        if self.data_version != Some(data_version) {
            self.companies.clear();
            self.data_version = Some(data_version);
        }
    }

    fn remember(&mut self, company: &CompanyId, settings: &CompanySettings) {
        if self.companies.len() >= KNOWN_SETTINGS {
            self.companies.clear();
        }
        self.companies.insert(company.clone(), settings.clone());
    }

    fn forget(&mut self) {
        *self = KnownSettings::default();
    }
}

/// SQLite's `PRAGMA data_version` on this connection: it changes when another connection commits.
fn data_version(conn: &mut diesel::SqliteConnection) -> Result<i64, StoreError> {
    #[derive(QueryableByName)]
    struct DataVersion {
        #[diesel(sql_type = BigInt)]
        data_version: i64,
    }
    let version: DataVersion = diesel::sql_query("PRAGMA data_version").get_result(conn)?;
    Ok(version.data_version)
}

/// Decides which jobs may create the sites they name for the first time: a job that would take its
/// company past `max_sites` is refused. Answers the sites to create, in key order.
fn admit_sites(
    conn: &mut DbConnection,
    jobs: &mut [JobInWork<'_>],
    known: &HashSet<(String, String)>,
    max_sites: usize,
    learnt: &mut Learnt,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut by_company: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, job) in jobs.iter().enumerate() {
        by_company
            .entry(job.job.company.as_str())
            .or_default()
            .push(index);
    }
    let mut admitted = Vec::new();
    for (company, indexes) in by_company {
        let mut unknown: Vec<&str> = Vec::new();
        let mut seen = HashSet::new();
        for &index in &indexes {
            for event in &jobs[index].kept {
                let site = event.site.as_str();
                if !known.contains(&(company.to_owned(), site.to_owned())) && seen.insert(site) {
                    unknown.push(site);
                }
            }
        }
        if unknown.is_empty() {
            continue;
        }
        let mut existing = HashSet::new();
        for chunk in unknown.chunks(SITES_PER_QUERY) {
            existing.extend(
                sites::table
                    .filter(sites::company_id.eq(company))
                    .filter(sites::code.eq_any(chunk))
                    .select(sites::code)
                    .load::<String>(conn)?,
            );
        }
        for site in &existing {
            learnt.sites.push((company.to_owned(), site.clone()));
        }
        if existing.len() == unknown.len() {
            continue;
        }
        let count: i64 = sites::table
            .filter(sites::company_id.eq(company))
            .count()
            .get_result(conn)?;
        let mut total = usize::try_from(count).unwrap_or(usize::MAX);
        let mut added: HashSet<&str> = HashSet::new();
        for index in indexes {
            let new: HashSet<&str> = jobs[index]
                .kept
                .iter()
                .map(|e| e.site.as_str())
                .filter(|site| {
                    !existing.contains(*site)
                        && !added.contains(site)
                        && !known.contains(&(company.to_owned(), (*site).to_owned()))
                })
                .collect();
            if total.saturating_add(new.len()) > max_sites {
                jobs[index].refused = Some(StoreError::TooManySites { limit: max_sites });
                continue;
            }
            total += new.len();
            added.extend(new);
        }
        for site in added {
            admitted.push((company.to_owned(), site.to_owned()));
        }
    }
    admitted.sort_unstable();
    learnt.sites.extend(admitted.iter().cloned());
    Ok(admitted)
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

/// The rows of the events to store, each with the index of its job.
fn event_rows<'a>(jobs: &[JobInWork<'a>], now: i64) -> Vec<(usize, EventRow<'a>)> {
    let mut rows = Vec::with_capacity(jobs.iter().map(|j| j.stored().len()).sum());
    for (index, job) in jobs.iter().enumerate() {
        let company_id = job.job.company.as_str();
        rows.extend(job.stored().iter().map(|e| {
            (
                index,
                EventRow {
                    company_id,
                    id: e.id.as_bytes(),
                    occurred_at: e.occurred_at.timestamp_micros(),
                    month: month_of(e.occurred_at, job.zone).key(),
                    feature: e.feature.code(),
                    outcome: e.outcome.code(),
                    cause: e.cause.map(|c| c.code()),
                    site: e.site.as_str(),
                    user_code: e.user_code.as_str(),
                    code: e.code.as_ref().map(|c| c.as_str()),
                    detail: e.detail.map(crate::detail::to_json),
                    recorded_at: now,
                },
            )
        }));
    }
    rows
}

/// Inserts the rows not stored yet; tells for each row whether it was new. SQLite is fastest with one
/// prepared insert per row, PostgreSQL with large multi-row inserts.
fn insert_events(conn: &mut DbConnection, rows: &[EventRow<'_>]) -> Result<Vec<bool>, StoreError> {
    match conn {
        // `INSERT OR IGNORE` rather than `ON CONFLICT DO NOTHING`: diesel then keeps the statement
        // prepared under its type instead of writing its text out again for every row. OR IGNORE
        // would also skip a row breaking a NOT NULL or CHECK constraint: `events` has no CHECK, and
        // each of its NOT NULL columns comes from a field that is never empty, so only a key already
        // stored is skipped.
        DbConnection::Sqlite(c) => rows
            .iter()
            .map(|row| {
                let stored = diesel::insert_or_ignore_into(events::table)
                    .values(row)
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
fn insert_sites(conn: &mut DbConnection, new_sites: &[(String, String)]) -> Result<(), StoreError> {
    for (company, site) in new_sites {
        let new_site = (
            sites::company_id.eq(company),
            sites::code.eq(site),
            sites::name.eq(site),
            sites::hidden.eq(false),
        );
        with_backend!(&mut *conn, |c| diesel::insert_into(sites::table)
            .values(new_site)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// A counter row as SQLite's upsert statement names it.
trait Counter {
    /// The statement's text before the row's values (written by [`counter_statement!`]).
    const INSERT: &'static str;
    /// The statement's text after the row's values.
    const ON_CONFLICT: &'static str;
    /// The table's type, which names the statement among those diesel keeps prepared.
    type Table: 'static;
    /// Company, feature, month, site (only for the counters per site), outcome, cause, and count.
    fn values(&self) -> CounterValues<'_>;
}

/// A counter table's upsert of one row, around its values: the key's columns then `count`.
macro_rules! counter_statement {
    ($table:literal, $key:literal) => {
        const INSERT: &'static str =
            concat!("INSERT INTO ", $table, " (", $key, ", count) VALUES (");
        const ON_CONFLICT: &'static str = concat!(
            ") ON CONFLICT (",
            $key,
            ") DO UPDATE SET count = count + excluded.count"
        );
    };
}

type CounterValues<'a> = (
    &'a str,
    &'a str,
    i32,
    Option<&'a str>,
    &'a str,
    &'a str,
    i64,
);

/// Adds to one counter on SQLite, in a statement that diesel keeps prepared under the type of its
/// table. diesel's own upsert is prepared anew each time it runs, because its text could change with
/// the rows; preparing cost SQLite more than the adding itself.
struct AddToCounter<'a, R: Counter> {
    values: CounterValues<'a>,
    table: PhantomData<R>,
}

impl<'a, R: Counter> AddToCounter<'a, R> {
    fn new(row: &'a R) -> Self {
        AddToCounter {
            values: row.values(),
            table: PhantomData,
        }
    }
}

/// The name of [`AddToCounter`]'s statement among those diesel keeps prepared.
struct AddToCounterOf<Table>(PhantomData<Table>);

impl<R: Counter> QueryId for AddToCounter<'_, R> {
    type QueryId = AddToCounterOf<R::Table>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<R: Counter> QueryFragment<Sqlite> for AddToCounter<'_, R> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(R::INSERT);
        let (company_id, feature, month, site, outcome, cause, count) = &self.values;
        out.push_bind_param::<Text, _>(*company_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(*feature)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(month)?;
        if let Some(site) = site {
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(*site)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(*outcome)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(*cause)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(count)?;
        out.push_sql(R::ON_CONFLICT);
        Ok(())
    }
}

impl<R: Counter> RunQueryDsl<SqliteConnection> for AddToCounter<'_, R> {}

impl Counter for CountRow<'_> {
    counter_statement!(
        "monthly_counts",
        "company_id, feature, month, site, outcome, cause"
    );
    type Table = monthly_counts::table;
    fn values(&self) -> CounterValues<'_> {
        let CountRow {
            company_id,
            feature,
            month,
            site,
            outcome,
            cause,
            count,
        } = *self;
        (
            company_id,
            feature,
            month,
            Some(site),
            outcome,
            cause,
            count,
        )
    }
}

impl Counter for TotalRow<'_> {
    counter_statement!(
        "monthly_totals",
        "company_id, feature, month, outcome, cause"
    );
    type Table = monthly_totals::table;
    fn values(&self) -> CounterValues<'_> {
        let TotalRow {
            company_id,
            feature,
            month,
            outcome,
            cause,
            count,
        } = *self;
        (company_id, feature, month, None, outcome, cause, count)
    }
}

#[derive(Insertable)]
#[diesel(table_name = monthly_totals)]
struct TotalRow<'a> {
    company_id: &'a str,
    feature: &'a str,
    month: i32,
    outcome: &'a str,
    cause: &'a str,
    count: i64,
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

/// Adds the new events to their monthly counters, per site and all sites together, in key order,
/// many counters to a statement.
fn add_counts(
    conn: &mut DbConnection,
    rows: &[EventRow<'_>],
    fresh: &[bool],
) -> Result<(), StoreError> {
    let mut counts: BTreeMap<(&str, &str, i32, &str, &str, &str), i64> = BTreeMap::new();
    let mut totals: BTreeMap<(&str, &str, i32, &str, &str), i64> = BTreeMap::new();
    for (row, _) in rows.iter().zip(fresh).filter(|(_, f)| **f) {
        let cause = row.cause.unwrap_or("");
        let (company_id, feature, month, outcome) =
            (row.company_id, row.feature, row.month, row.outcome);
        *counts
            .entry((company_id, feature, month, row.site, outcome, cause))
            .or_default() += 1;
        *totals
            .entry((company_id, feature, month, outcome, cause))
            .or_default() += 1;
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
    let totals: Vec<TotalRow> = totals
        .into_iter()
        .map(
            |((company_id, feature, month, outcome, cause), count)| TotalRow {
                company_id,
                feature,
                month,
                outcome,
                cause,
                count,
            },
        )
        .collect();
    macro_rules! upsert {
        ($table:ident ($($key:ident),+), $values:expr) => {
            diesel::insert_into($table::table)
                .values($values)
                .on_conflict(($($table::$key),+))
                .do_update()
                .set($table::count.eq($table::count + excluded($table::count)))
        };
    }
    // On SQLite one statement per counter, kept prepared; on PostgreSQL many counters to a
    // statement, so that a batch spread over days (hundreds of counters) is one round trip.
    match conn {
        DbConnection::Sqlite(c) => {
            for row in &counts {
                AddToCounter::new(row).execute(c)?;
            }
            for row in &totals {
                AddToCounter::new(row).execute(c)?;
            }
        }
        DbConnection::Postgres(c) => {
            for chunk in counts.chunks(COUNTS_PER_UPSERT) {
                upsert!(
                    monthly_counts(company_id, feature, month, site, outcome, cause),
                    chunk
                )
                .execute(c)?;
            }
            for chunk in totals.chunks(COUNTS_PER_UPSERT) {
                upsert!(
                    monthly_totals(company_id, feature, month, outcome, cause),
                    chunk
                )
                .execute(c)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use histo_domain::{month_of, Feature, Month, Outcome, SiteCode, UserCode};

    use super::*;
    use crate::{Store, StoreOptions};

    fn event_of(month: Month) -> NewEvent {
        use chrono::TimeZone as _;
        NewEvent {
            id: uuid::Uuid::now_v7(),
            feature: Feature::Sms,
            outcome: Outcome::Success,
            cause: None,
            site: SiteCode::parse("LYON").unwrap(),
            user_code: UserCode::parse("JDUPONT").unwrap(),
            occurred_at: Utc
                .with_ymd_and_hms(month.year, month.month, 15, 12, 0, 0)
                .unwrap(),
            code: None,
            detail: None,
        }
    }

    #[test]
    fn the_known_settings_last_while_no_one_else_commits_and_are_bounded() {
        let mut known = KnownSettings::default();
        let settings = CompanySettings {
            timezone: TimeZone::default(),
            retention: histo_domain::RetentionPolicy::default(),
            last_purge: None,
            purged_before: None,
        };
        known.as_of(7);
        for n in 0..=KNOWN_SETTINGS {
            known.remember(&CompanyId::parse(&format!("c{n}")).unwrap(), &settings);
            assert!(known.companies.len() <= KNOWN_SETTINGS);
        }
        assert_eq!(known.companies.len(), 1, "full, the memory started again");
        known.as_of(7);
        assert_eq!(known.companies.len(), 1, "nothing committed elsewhere");
        known.as_of(8);
        assert_eq!(known.companies.len(), 0, "another connection committed");
    }

    /// A change of the settings made on the writer's own connection between two groups (a step of
    /// the purge) is not counted by SQLite's `data_version`: the next group must read it all the
    /// same.
    #[test]
    fn the_next_group_sees_settings_changed_by_a_step() {
        let dir = std::env::temp_dir().join(format!("histo-writer-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(
            &dir.join("histo.db").to_string_lossy(),
            StoreOptions::default(),
        )
        .unwrap();
        let acme = CompanyId::parse("acme").unwrap();
        let month = month_of(Utc::now(), TimeZone::default()).plus(-3);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let recorded = |store: &Store| {
            runtime
                .block_on(store.record(acme.clone(), vec![event_of(month)]))
                .unwrap()
        };
        assert_eq!(recorded(&store).accepted, 1);
        let retained_from = month.plus(1).key();
        runtime
            .block_on(store.recorder.step(move |conn| {
                diesel::update(crate::schema::companies::table)
                    .set(crate::schema::companies::retained_from.eq(retained_from))
                    .execute(conn)?;
                Ok(())
            }))
            .unwrap();
        assert_eq!(
            recorded(&store),
            RecordOutcome {
                accepted: 0,
                duplicates: 0,
                expired: 1
            }
        );
        store.close();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
