//! A company's own row: its settings (time zone, retention, admin password, last purge), created with
//! the defaults as soon as anything names the company, and the transaction every administrative change
//! runs in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use histo_api_types::AuditAction;
use histo_domain::{month_of, CompanyId, Month, RetentionPolicy, TimeZone};

use crate::audit::{self, Actor};
use crate::connection::DbConnection;
use crate::schema::{companies, monthly_counts};
use crate::{Store, StoreError};

/// What a company chose, and when its entries were last purged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanySettings {
    pub timezone: TimeZone,
    pub retention: RetentionPolicy,
    pub last_purge: Option<PurgeRun>,
    /// Entries of months before this one were purged (whatever the retention says now).
    pub purged_before: Option<Month>,
}

impl CompanySettings {
    /// The oldest month whose entries are kept, as of `now`: events of earlier months are neither
    /// stored nor counted.
    pub fn retained_from(&self, now: DateTime<Utc>) -> Month {
        self.retention
            .retained_from(month_of(now, self.timezone), self.purged_before)
    }
}

/// The last purge of a company's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeRun {
    pub at: DateTime<Utc>,
    pub removed: u64,
}

/// A change of the retention period, once stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionChange {
    pub before: RetentionPolicy,
    pub settings: CompanySettings,
}

impl RetentionChange {
    /// Whether entries kept until now are now due to be purged.
    pub fn shortened(&self) -> bool {
        self.settings.retention.months() < self.before.months()
    }
}

/// Creates the company with the default settings unless it exists.
pub(crate) fn ensure_company(
    conn: &mut DbConnection,
    company: &str,
    default_timezone: TimeZone,
    now: i64,
) -> Result<(), StoreError> {
    let new_company = (
        companies::id.eq(company),
        companies::timezone.eq(default_timezone.name()),
        companies::created_at.eq(now),
    );
    match conn {
        // OR IGNORE, which diesel keeps prepared, unlike ON CONFLICT: `companies` has no CHECK and
        // every NOT NULL column is given or has a default, so only a company already there is
        // skipped. It takes the write lock all the same.
        DbConnection::Sqlite(c) => diesel::insert_or_ignore_into(companies::table)
            .values(new_company)
            .execute(c)?,
        DbConnection::Postgres(c) => diesel::insert_into(companies::table)
            .values(new_company)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(())
}

/// Runs `work` in one transaction that writes first, creating the company if needed. On SQLite a
/// transaction that reads and then writes fails at once when the recorder committed in between, while
/// one whose first statement writes waits for the write lock (busy_timeout) like any other writer.
pub(crate) fn company_transaction<T>(
    conn: &mut DbConnection,
    company: &CompanyId,
    default_timezone: TimeZone,
    work: impl FnOnce(&mut DbConnection, i64) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let now = Utc::now().timestamp_micros();
    conn.transaction(|conn| {
        ensure_company(conn, company.as_str(), default_timezone, now)?;
        work(conn, now)
    })
}

/// The columns of a company's row that make its settings.
#[derive(Queryable, Selectable)]
#[diesel(table_name = companies)]
struct SettingsRow {
    timezone: String,
    retention_months: i32,
    last_purge_at: Option<i64>,
    last_purge_removed: Option<i64>,
    retained_from: Option<i32>,
}

/// The company's settings; the defaults when it has stored nothing yet.
pub(crate) fn load_settings(
    conn: &mut DbConnection,
    company: &CompanyId,
    default_timezone: TimeZone,
) -> Result<CompanySettings, StoreError> {
    let row = companies::table
        .find(company.as_str())
        .select(SettingsRow::as_select())
        .first(conn)
        .optional()?;
    Ok(settings_of(company, row, default_timezone))
}

/// The settings of stored companies, read in one statement under a shared lock on their rows,
/// taken in key order: a change of `retained_from` (the purge) waits for it, and it waits for such
/// a change. The defaults for a company not stored.
pub(crate) fn shared_settings<'a>(
    conn: &mut diesel::PgConnection,
    ids: impl IntoIterator<Item = &'a CompanyId>,
    default_timezone: TimeZone,
) -> Result<HashMap<CompanyId, CompanySettings>, StoreError> {
    let ids: Vec<&CompanyId> = ids.into_iter().collect();
    let mut rows: HashMap<String, SettingsRow> = companies::table
        .filter(companies::id.eq_any(ids.iter().map(|c| c.as_str())))
        .order(companies::id)
        .select((companies::id, SettingsRow::as_select()))
        .for_share()
        .load::<(String, SettingsRow)>(conn)?
        .into_iter()
        .collect();
    Ok(ids
        .into_iter()
        .map(|company| {
            let row = rows.remove(company.as_str());
            (company.clone(), settings_of(company, row, default_timezone))
        })
        .collect())
}

/// The settings a company's row holds; the defaults without a row. A stored value that cannot be
/// read is logged and replaced by the default, so that one bad row never locks a company out.
fn settings_of(
    company: &CompanyId,
    row: Option<SettingsRow>,
    default_timezone: TimeZone,
) -> CompanySettings {
    let Some(row) = row else {
        return CompanySettings {
            timezone: default_timezone,
            retention: RetentionPolicy::default(),
            last_purge: None,
            purged_before: None,
        };
    };
    let id = company.as_str();
    let months = row.retention_months;
    CompanySettings {
        timezone: TimeZone::parse(&row.timezone).unwrap_or_else(|error| {
            tracing::error!(company = id, %error, "stored time zone unreadable; using the default");
            default_timezone
        }),
        retention: u32::try_from(months)
            .ok()
            .and_then(|m| RetentionPolicy::new(m).ok())
            .unwrap_or_else(|| {
                tracing::error!(
                    company = id,
                    months,
                    "stored retention unreadable; using the default"
                );
                RetentionPolicy::default()
            }),
        last_purge: row
            .last_purge_at
            .and_then(DateTime::from_timestamp_micros)
            .map(|at| PurgeRun {
                at,
                removed: row
                    .last_purge_removed
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
            }),
        purged_before: row.retained_from.and_then(|key| {
            Month::from_key(key)
                .inspect_err(|_| {
                    tracing::error!(
                        company = id,
                        key,
                        "stored retained_from unreadable; ignored"
                    )
                })
                .ok()
        }),
    }
}

impl Store {
    /// The company's settings (the defaults for a company not stored yet).
    pub async fn settings(&self, company: CompanyId) -> Result<CompanySettings, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| load_settings(conn, &company, default_timezone))
            .await
    }

    /// Changes the retention period and records the change in the audit trail.
    pub async fn set_retention(
        &self,
        company: CompanyId,
        retention: RetentionPolicy,
        actor: Actor,
    ) -> Result<RetentionChange, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let before = load_settings(conn, &company, default_timezone)?.retention;
                diesel::update(companies::table.find(company.as_str()))
                    .set(companies::retention_months.eq(retention.months() as i32))
                    .execute(conn)?;
                if before != retention {
                    let state =
                        |p: RetentionPolicy| format!(r#"{{"retention_months":{}}}"#, p.months());
                    audit::write(
                        conn,
                        &company,
                        now,
                        &actor,
                        AuditAction::RetentionChanged,
                        Some(state(before)),
                        Some(state(retention)),
                    )?;
                }
                let settings = load_settings(conn, &company, default_timezone)?;
                Ok(RetentionChange { before, settings })
            })
        })
        .await
    }

    /// What a retention period of `retention` would keep, as of `now`: the oldest month kept, and
    /// about how many entries would be removed (from the monthly counts of the months still kept,
    /// so that the answer costs the same whatever the number of entries).
    pub async fn retention_preview(
        &self,
        company: CompanyId,
        retention: RetentionPolicy,
        now: DateTime<Utc>,
    ) -> Result<(Month, u64), StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            let settings = load_settings(conn, &company, default_timezone)?;
            let current = month_of(now, settings.timezone);
            let features: Vec<&str> = histo_domain::Feature::ALL
                .iter()
                .map(|f| f.code())
                .collect();
            let mut counts = monthly_counts::table
                .filter(monthly_counts::company_id.eq(company.as_str()))
                .filter(monthly_counts::feature.eq_any(features))
                .filter(monthly_counts::month.lt(retention.oldest_kept(current).key()))
                .into_boxed();
            // Months before an earlier purge have their counts, but no entries left.
            if let Some(purged_before) = settings.purged_before {
                counts = counts.filter(monthly_counts::month.ge(purged_before.key()));
            }
            let entries: Option<i64> = counts
                .select(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
                >("CAST(SUM(count) AS BIGINT)"))
                .first(conn)?;
            Ok((
                retention.retained_from(current, settings.purged_before),
                entries.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
            ))
        })
        .await
    }

    /// The Argon2 hash of the company's admin password, if one was set.
    pub async fn admin_password_hash(
        &self,
        company: CompanyId,
    ) -> Result<Option<String>, StoreError> {
        self.with_connection(move |conn| {
            Ok(companies::table
                .find(company.as_str())
                .select(companies::admin_password_hash)
                .first::<Option<String>>(conn)
                .optional()?
                .flatten())
        })
        .await
    }

    /// Sets the company's admin password (its Argon2 hash), creating the company if needed; the audit
    /// trail says that it changed, never what it is.
    pub async fn set_admin_password(
        &self,
        company: CompanyId,
        password_hash: String,
        actor: Actor,
    ) -> Result<(), StoreError> {
        self.replace_admin_password(company, None, password_hash, actor)
            .await
            .map(drop)
    }

    /// Sets the company's admin password, but only if the one in force is still `previous` (the hash
    /// that the caller's current password was checked against, `None` for none) when `previous` is
    /// given: two changes at once cannot both win. Tells whether it was set.
    pub async fn replace_admin_password(
        &self,
        company: CompanyId,
        previous: Option<Option<String>>,
        password_hash: String,
        actor: Actor,
    ) -> Result<bool, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let was_set: Option<String> = companies::table
                    .find(company.as_str())
                    .select(companies::admin_password_hash)
                    .first(conn)?;
                if previous.is_some_and(|previous| previous != was_set) {
                    return Ok(false);
                }
                diesel::update(companies::table.find(company.as_str()))
                    .set(companies::admin_password_hash.eq(password_hash))
                    .execute(conn)?;
                let state = |set: bool| format!(r#"{{"admin_password_set":{set}}}"#);
                audit::write(
                    conn,
                    &company,
                    now,
                    &actor,
                    AuditAction::AdminPasswordChanged,
                    Some(state(was_set.is_some())),
                    Some(state(true)),
                )?;
                Ok(true)
            })
        })
        .await
    }
}
