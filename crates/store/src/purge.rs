//! The retention purge: a company's entries of months before the oldest month it keeps are removed,
//! oldest month first, a small chunk per transaction on the write path (on SQLite, between two groups
//! of the writer), so that recording never waits for more than one chunk. Each chunk reads the retention in force when it runs (lengthening the period stops a
//! purge in progress), and before a month's first entry goes the company's `retained_from` moves past
//! that month, so that a retried event of a purged month is never stored, nor counted, again. The
//! monthly counts and the audit trail stay.

use chrono::Utc;
use diesel::prelude::*;
use histo_api_types::AuditAction;
use histo_domain::{CompanyId, Feature, Month, TimeZone};

use crate::audit::{self, Actor};
use crate::company::{company_transaction, load_settings};
use crate::connection::DbConnection;
use crate::schema::{companies, events};
use crate::{Store, StoreError};

/// Entries removed per statement: each statement is its own short transaction.
const CHUNK: i64 = 1_000;

/// What a purge did (or, in a dry run, would do) for one company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub company: CompanyId,
    pub retention_months: u32,
    /// Entries of months before this one are removed.
    pub oldest_kept: Month,
    /// Entries removed, or that would be removed in a dry run.
    pub removed: u64,
}

impl Store {
    /// Purges one company, or every stored company; a dry run only counts. Each real purge sets the
    /// company's last purge, and one that removed entries goes to the audit trail. Each chunk runs
    /// on the write path ([`Store::on_write_path`]): recording goes on between chunks.
    pub async fn purge(
        &self,
        company: Option<CompanyId>,
        dry_run: bool,
        actor: Actor,
    ) -> Result<Vec<PurgeReport>, StoreError> {
        let default_timezone = self.default_timezone;
        let ids: Vec<String> = self
            .with_connection(move |conn| {
                let mut stored = companies::table
                    .select(companies::id)
                    .order(companies::id)
                    .into_boxed();
                if let Some(company) = &company {
                    stored = stored.filter(companies::id.eq(company.as_str()));
                }
                Ok(stored.load(conn)?)
            })
            .await?;
        let mut reports = Vec::with_capacity(ids.len());
        for id in ids {
            let Ok(company) = CompanyId::parse(&id) else {
                tracing::error!(company = id, "stored company id unreadable; not purged");
                continue;
            };
            let report = if dry_run {
                self.with_connection(move |conn| {
                    let settings = load_settings(conn, &company, default_timezone)?;
                    let oldest_kept = settings.retained_from(Utc::now());
                    Ok(PurgeReport {
                        removed: count_before(conn, &company, oldest_kept)?,
                        retention_months: settings.retention.months(),
                        oldest_kept,
                        company,
                    })
                })
                .await?
            } else {
                let report = self.remove_old_entries(company).await?;
                let (noted, actor) = (report.clone(), actor.clone());
                self.on_write_path(move |conn| note_purge(conn, &noted, default_timezone, &actor))
                    .await?;
                report
            };
            reports.push(report);
        }
        Ok(reports)
    }

    /// Removes the entries of months the company no longer keeps, oldest month first, one chunk per
    /// transaction; each chunk reads the retention in force when it runs.
    async fn remove_old_entries(&self, company: CompanyId) -> Result<PurgeReport, StoreError> {
        let default_timezone = self.default_timezone;
        let mut removed = 0u64;
        loop {
            let chunk_of = company.clone();
            let (settings, chunk) = self
                .on_write_path(move |conn| remove_chunk(conn, &chunk_of, default_timezone))
                .await?;
            match chunk {
                Some(n) => removed += n,
                None => {
                    return Ok(PurgeReport {
                        retention_months: settings.retention.months(),
                        oldest_kept: settings.retained_from(Utc::now()),
                        company,
                        removed,
                    })
                }
            }
        }
    }
}

fn count_before(
    conn: &mut DbConnection,
    company: &CompanyId,
    oldest_kept: Month,
) -> Result<u64, StoreError> {
    let count: i64 = events::table
        .filter(events::company_id.eq(company.as_str()))
        .filter(events::feature.eq_any(feature_codes()))
        .filter(events::month.lt(oldest_kept.key()))
        .count()
        .get_result(conn)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Every feature named, so that a query is a few ranges of the index `events_by_outcome`.
fn feature_codes() -> Vec<&'static str> {
    Feature::ALL.iter().map(|f| f.code()).collect()
}

/// One step of the purge, in its own short transaction: up to [`CHUNK`] entries removed of the oldest
/// month before `retained_from`, or else `retained_from` moved past the oldest month that the
/// retention in force no longer keeps (before any of its entries goes). A month once given up is
/// finished even if the period was lengthened meanwhile, so that no entry stays before
/// `retained_from`. The settings read, and how many entries went (`None` when there is nothing more
/// to do).
fn remove_chunk(
    conn: &mut DbConnection,
    company: &CompanyId,
    default_timezone: TimeZone,
) -> Result<(crate::company::CompanySettings, Option<u64>), StoreError> {
    company_transaction(conn, company, default_timezone, |conn, _| {
        let settings = load_settings(conn, company, default_timezone)?;
        let oldest_kept = settings
            .retention
            .retained_from(histo_domain::month_of(Utc::now(), settings.timezone), None);
        let removed = match oldest_month(conn, company)? {
            // A month already given up is finished, whatever the retention says now.
            Some(month) if settings.purged_before.is_some_and(|before| month < before) => {
                // None removed: another process's purge holds what is left of the month.
                Some(remove_from_month(conn, company, month)?).filter(|n| *n > 0)
            }
            Some(month) if month < oldest_kept => {
                // Events of this month are refused from now on, before any of it goes: a
                // transaction of its own, since on PostgreSQL it takes the company's row, which
                // recording reads under a shared lock (a recording in flight commits first, and its
                // entries of this month go with the others).
                diesel::update(companies::table.find(company.as_str()))
                    .filter(
                        companies::retained_from
                            .is_null()
                            .or(companies::retained_from.le(month.key())),
                    )
                    .set(companies::retained_from.eq(month.plus(1).key()))
                    .execute(conn)?;
                Some(0)
            }
            _ => None,
        };
        Ok((settings, removed))
    })
}

/// The oldest month of the company's entries, feature by feature (each a seek in the index).
fn oldest_month(conn: &mut DbConnection, company: &CompanyId) -> Result<Option<Month>, StoreError> {
    let mut oldest: Option<i32> = None;
    for feature in Feature::ALL {
        let month: Option<i32> = events::table
            .filter(events::company_id.eq(company.as_str()))
            .filter(events::feature.eq(feature.code()))
            .select(diesel::dsl::min(events::month))
            .first(conn)?;
        oldest = match (oldest, month) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    oldest
        .map(|key| Month::from_key(key).map_err(|_| StoreError::BadRow(format!("bad month {key}"))))
        .transpose()
}

/// Removes up to one chunk of the company's entries of `month`. On PostgreSQL the chunk's rows are
/// locked as they are chosen, skipping those another purge (in another process) already holds, so
/// that two purges of one company share the work instead of deadlocking.
fn remove_from_month(
    conn: &mut DbConnection,
    company: &CompanyId,
    month: Month,
) -> Result<u64, StoreError> {
    let old = diesel::alias!(events as old);
    let chunk = old
        .filter(old.field(events::company_id).eq(company.as_str()))
        .filter(old.field(events::feature).eq_any(feature_codes()))
        .filter(old.field(events::month).eq(month.key()))
        .select(old.field(events::id))
        .limit(CHUNK);
    let of_company = events::company_id.eq(company.as_str());
    let deleted = match conn {
        DbConnection::Sqlite(c) => diesel::delete(
            events::table
                .filter(of_company)
                .filter(events::id.eq_any(chunk)),
        )
        .execute(c)?,
        DbConnection::Postgres(c) => diesel::delete(
            events::table
                .filter(of_company)
                .filter(events::id.eq_any(chunk.for_update().skip_locked())),
        )
        .execute(c)?,
    };
    Ok(deleted as u64)
}

fn note_purge(
    conn: &mut DbConnection,
    report: &PurgeReport,
    default_timezone: TimeZone,
    actor: &Actor,
) -> Result<(), StoreError> {
    let PurgeReport {
        company,
        oldest_kept,
        removed,
        ..
    } = report;
    company_transaction(conn, company, default_timezone, |conn, now| {
        diesel::update(companies::table.find(company.as_str()))
            .set((
                companies::last_purge_at.eq(now),
                companies::last_purge_removed.eq(i64::try_from(*removed).unwrap_or(i64::MAX)),
            ))
            .execute(conn)?;
        if *removed > 0 {
            let after = format!(r#"{{"removed":{removed},"removed_before":"{oldest_kept}"}}"#);
            audit::write(
                conn,
                company,
                now,
                actor,
                AuditAction::Purge,
                None,
                Some(after),
            )?;
        }
        Ok(())
    })
}
