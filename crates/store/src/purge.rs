//! The retention purge: a company's entries of months before the oldest month it keeps are removed,
//! oldest month first, a small chunk per transaction, so that recording never waits long for the
//! write lock. Each chunk reads the retention in force when it runs (lengthening the period stops a
//! purge in progress), and before a month's first entry goes the company's `retained_from` moves past
//! that month, so that a retried event of a purged month is never stored, nor counted, again. The
//! monthly counts and the audit trail stay.

use chrono::Utc;
use diesel::prelude::*;
use histo_domain::{CompanyId, Feature, Month, TimeZone};

use crate::audit::{self, Action, Actor};
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
    /// company's last purge, and one that removed entries goes to the audit trail.
    pub async fn purge(
        &self,
        company: Option<CompanyId>,
        dry_run: bool,
        actor: Actor,
    ) -> Result<Vec<PurgeReport>, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            let mut stored = companies::table
                .select(companies::id)
                .order(companies::id)
                .into_boxed();
            if let Some(company) = &company {
                stored = stored.filter(companies::id.eq(company.as_str()));
            }
            let ids: Vec<String> = stored.load(conn)?;
            let mut reports = Vec::with_capacity(ids.len());
            for id in ids {
                let Ok(company) = CompanyId::parse(&id) else {
                    tracing::error!(company = id, "stored company id unreadable; not purged");
                    continue;
                };
                let report = if dry_run {
                    let settings = load_settings(conn, &company, default_timezone)?;
                    let oldest_kept = settings.retained_from(Utc::now());
                    PurgeReport {
                        removed: count_before(conn, &company, oldest_kept)?,
                        retention_months: settings.retention.months(),
                        oldest_kept,
                        company,
                    }
                } else {
                    let report = remove_old_entries(conn, &company, default_timezone)?;
                    note_purge(conn, &report, default_timezone, &actor)?;
                    report
                };
                reports.push(report);
            }
            Ok(reports)
        })
        .await
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

/// Every feature named, so that a query is a few ranges of the index `events_by_feature_month`.
fn feature_codes() -> Vec<&'static str> {
    Feature::ALL.iter().map(|f| f.code()).collect()
}

/// Removes the entries of months the company no longer keeps, oldest month first, one chunk per
/// transaction; each chunk reads the retention in force when it runs.
fn remove_old_entries(
    conn: &mut DbConnection,
    company: &CompanyId,
    default_timezone: TimeZone,
) -> Result<PurgeReport, StoreError> {
    let mut removed = 0u64;
    loop {
        let (settings, deleted) =
            company_transaction(conn, company, default_timezone, |conn, _| {
                if let DbConnection::Postgres(c) = conn {
                    // One chunk at a time per company, whichever process purges; recording of the
                    // company (a shared lock on the same row) waits for the chunk, and the chunk for it.
                    companies::table
                        .find(company.as_str())
                        .select(companies::id)
                        .for_update()
                        .load::<String>(c)?;
                }
                let settings = load_settings(conn, company, default_timezone)?;
                let oldest_kept = settings
                    .retention
                    .retained_from(histo_domain::month_of(Utc::now(), settings.timezone), None);
                let deleted = match oldest_month(conn, company)? {
                    Some(month) if month < oldest_kept => {
                        if settings.purged_before.is_none_or(|before| before <= month) {
                            // Events of this month are refused from now on, before any of it goes.
                            diesel::update(companies::table.find(company.as_str()))
                                .set(companies::retained_from.eq(month.plus(1).key()))
                                .execute(conn)?;
                        }
                        remove_chunk(conn, company, month)?
                    }
                    _ => 0,
                };
                Ok((settings, deleted))
            })?;
        removed += deleted;
        if deleted == 0 {
            return Ok(PurgeReport {
                company: company.clone(),
                retention_months: settings.retention.months(),
                oldest_kept: settings.retained_from(Utc::now()),
                removed,
            });
        }
    }
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

/// Removes up to one chunk of the company's entries of `month`.
fn remove_chunk(
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
    let deleted = diesel::delete(
        events::table
            .filter(events::company_id.eq(company.as_str()))
            .filter(events::id.eq_any(chunk)),
    )
    .execute(conn)?;
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
            audit::write(conn, company, now, actor, Action::Purge, None, Some(after))?;
        }
        Ok(())
    })
}
