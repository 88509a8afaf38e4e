//! Histo's storage: events and their monthly counters on SQLite or PostgreSQL through diesel, with the
//! migrations embedded. Recording goes through one writer that groups concurrent requests into shared
//! transactions; reads and the administration's changes (settings, accounts, sites, the audit trail)
//! use a pool; the purge and the right to erasure run on the write path, beside recording. Alert
//! rules, their firings and the webhooks that tell them are kept here too.

mod accounts;
mod alerts;
mod audit;
mod company;
pub mod connection;
mod detail;
mod erasure;
mod purge;
mod read;
mod recorder;
pub mod schema;
mod sites;
mod webhooks;

use std::time::Duration;

use histo_domain::{CompanyId, NewEvent, TimeZone};
use thiserror::Error;

pub use accounts::Account;
pub use alerts::{AlertEvent, AlertEventPosition, Digest, StoredRule};
pub use audit::{
    Actor, AuditPosition, AuditRecord, AuditRecords, TrailBreak, TrailCheck, TrailProblem,
};
pub use company::{CompanySettings, PurgeRun, RetentionChange};
pub use connection::{Backend, DatabaseUrl, DbConnection};
pub use erasure::ERASED;
pub use purge::PurgeReport;
pub use read::{
    CompanyView, EntryPage, EntryPosition, EntrySelection, NextPage, SiteUsage, SiteUsageReport,
    StoredEntry, Usage, UsageQuery, UsageReport,
};
pub use recorder::RecordOutcome;
pub use sites::{SiteChange, StoredSite};
pub use webhooks::{Attempt, Delivery, NewDelivery};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("bad database URL: {0}")]
    BadUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("the writer has stopped")]
    WriterStopped,
    #[error("a database task stopped unexpectedly")]
    TaskFailed,
    #[error("a stored row cannot be read: {0}")]
    BadRow(String),
    #[error("the company already has its {limit} sites: an event cannot name a new one")]
    TooManySites { limit: usize },
    #[error("the company already has its {limit} alert rules")]
    TooManyRules { limit: usize },
}

impl StoreError {
    /// Whether the database is out of reach for now (no connection, the writer stopped, a lock
    /// held too long), so that the same request may succeed later; other errors are Histo's own
    /// (a bad query or row) and trying again changes nothing.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            StoreError::Connect(_)
            | StoreError::Pool(_)
            | StoreError::WriterStopped
            | StoreError::TaskFailed => true,
            StoreError::Query(Error::DatabaseError(kind, info)) => {
                matches!(
                    kind,
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
                ) || info.message().contains("database is locked")
            }
            StoreError::Query(Error::BrokenTransactionManager) => true,
            _ => false,
        }
    }
}

/// What the store needs to know besides the URL.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The time zone of companies that have not chosen one.
    pub default_timezone: TimeZone,
    /// Connections for readers.
    pub pool_size: u32,
    /// Sites one company may have: an event naming one more is refused.
    pub max_sites: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            default_timezone: TimeZone::default(),
            pool_size: 8,
            max_sites: 10_000,
        }
    }
}

/// An open, migrated database with its writer running.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    pool: connection::Pool,
    recorder: recorder::Recorder,
    /// The time zone of companies not stored yet (a company exists as soon as a token names it).
    default_timezone: TimeZone,
}

impl Store {
    /// Connects, applies pending migrations and starts the writer.
    pub fn open(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        let url = DatabaseUrl::parse(url)?;
        url.migrate()?;
        let pool = diesel::r2d2::Pool::builder()
            .max_size(options.pool_size)
            .connection_timeout(Duration::from_secs(10))
            .build(connection::Connector(url.clone()))?;
        let recorder =
            recorder::Recorder::start(url.clone(), options.default_timezone, options.max_sites)?;
        Ok(Store {
            backend: url.backend(),
            pool,
            recorder,
            default_timezone: options.default_timezone,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Stores a company's events once each; answers only after the transaction committed.
    pub async fn record(
        &self,
        company: CompanyId,
        events: Vec<NewEvent>,
    ) -> Result<RecordOutcome, StoreError> {
        self.recorder.record(company, events).await
    }

    /// Stops recording once everything queued so far is committed, and waits for it: the writer's
    /// open transaction and queued requests are finished, later ones fail with `WriterStopped`. For
    /// a clean stop of the process; blocks, so call it outside async code.
    pub fn close(&self) {
        self.recorder.close();
    }

    /// Recording requests waiting for the writer: a queue that stays long means the database cannot
    /// keep up.
    pub fn writer_queue(&self) -> usize {
        self.recorder.waiting()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.with_connection(connection::ping).await
    }

    /// Runs a write that must not stall recording (a chunk of the purge) where events are written:
    /// on SQLite, which has one writer at a time, as a step of the writer between two groups of
    /// events, so that recording waits for one step at most instead of for SQLite's lock; on
    /// PostgreSQL, on a pooled connection beside the writer.
    async fn on_write_path<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        match self.backend {
            Backend::Sqlite => self.recorder.step(work).await,
            Backend::Postgres => self.with_connection(work).await,
        }
    }

    /// Runs database work (reads, and the administration's changes) on a pooled connection, off the
    /// async threads, in the caller's tracing span, so that its log lines carry the request id.
    async fn with_connection<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| work(&mut *pool.get()?)))
            .await
            .map_err(|_| StoreError::TaskFailed)?
    }
}

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorKind, Error};

    use super::StoreError;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> StoreError {
        StoreError::Query(Error::DatabaseError(kind, Box::new(message.to_owned())))
    }

    #[test]
    fn only_a_database_out_of_reach_is_worth_a_retry() {
        let unavailable = [
            StoreError::Connect(diesel::ConnectionError::BadConnection("refused".into())),
            StoreError::WriterStopped,
            StoreError::TaskFailed,
            StoreError::Query(Error::BrokenTransactionManager),
            database_error(
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection",
            ),
            database_error(DatabaseErrorKind::UnableToSendCommand, "no connection"),
            database_error(DatabaseErrorKind::Unknown, "database is locked"),
        ];
        for error in &unavailable {
            assert!(error.is_unavailable(), "{error:?}");
        }
        let histos_own = [
            database_error(DatabaseErrorKind::UniqueViolation, "duplicate key"),
            database_error(DatabaseErrorKind::Unknown, "no such column"),
            StoreError::Query(Error::NotFound),
            StoreError::BadRow("alert rule: unknown feature".into()),
            StoreError::TooManySites { limit: 5 },
        ];
        for error in &histos_own {
            assert!(!error.is_unavailable(), "{error:?}");
        }
    }
}
