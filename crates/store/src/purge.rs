//! The retention purge: a company's entries whose company-local month lies before the oldest month its
//! retention period keeps are removed, a small chunk per statement, so that recording never waits more
//! than a few milliseconds for the write lock. The monthly counts and the audit trail stay.

use chrono::Utc;
use diesel::prelude::*;
use histo_domain::{month_of, CompanyId, Feature, Month, TimeZone};

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
        self.read(move |conn| {
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
                let settings = load_settings(conn, &company, default_timezone)?;
                let oldest_kept = settings
                    .retention
                    .oldest_kept(month_of(Utc::now(), settings.timezone));
                let removed = if dry_run {
                    count_before(conn, &company, oldest_kept)?
                } else {
                    let removed = remove_before(conn, &company, oldest_kept)?;
                    note_purge(
                        conn,
                        &company,
                        default_timezone,
                        &actor,
                        oldest_kept,
                        removed,
                    )?;
                    removed
                };
                reports.push(PurgeReport {
                    company,
                    retention_months: settings.retention.months(),
                    oldest_kept,
                    removed,
                });
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
        .filter(events::month.lt(oldest_kept.key()))
        .count()
        .get_result(conn)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Removes the entries, feature by feature (each a range of the index `events_by_feature_month`), one
/// chunk per statement. A lone DELETE needs no explicit transaction, and as its first statement writes,
/// it waits its turn for SQLite's write lock instead of failing.
fn remove_before(
    conn: &mut DbConnection,
    company: &CompanyId,
    oldest_kept: Month,
) -> Result<u64, StoreError> {
    let mut removed = 0u64;
    for feature in Feature::ALL {
        loop {
            let old = diesel::alias!(events as old);
            let chunk = old
                .filter(old.field(events::company_id).eq(company.as_str()))
                .filter(old.field(events::feature).eq(feature.code()))
                .filter(old.field(events::month).lt(oldest_kept.key()))
                .select(old.field(events::id))
                .limit(CHUNK);
            let deleted = diesel::delete(
                events::table
                    .filter(events::company_id.eq(company.as_str()))
                    .filter(events::id.eq_any(chunk)),
            )
            .execute(conn)?;
            removed += deleted as u64;
            if (deleted as i64) < CHUNK {
                break;
            }
        }
    }
    Ok(removed)
}

fn note_purge(
    conn: &mut DbConnection,
    company: &CompanyId,
    default_timezone: TimeZone,
    actor: &Actor,
    oldest_kept: Month,
    removed: u64,
) -> Result<(), StoreError> {
    company_transaction(conn, company, default_timezone, |conn, now| {
        diesel::update(companies::table.find(company.as_str()))
            .set((
                companies::last_purge_at.eq(now),
                companies::last_purge_removed.eq(i64::try_from(removed).unwrap_or(i64::MAX)),
            ))
            .execute(conn)?;
        if removed > 0 {
            let after = format!(r#"{{"removed":{removed},"removed_before":"{oldest_kept}"}}"#);
            audit::write(conn, company, now, actor, Action::Purge, None, Some(after))?;
        }
        Ok(())
    })
}
