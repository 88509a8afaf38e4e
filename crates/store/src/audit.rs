//! The audit trail: who changed what and when — retention changes, purges, sites hidden, shown or
//! renamed, admin password changes — and who typed a wrong admin password or was locked out for it.
//! Entries are only ever added; nothing here changes or removes one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use histo_domain::{CompanyId, UserCode};
use uuid::Uuid;

use crate::connection::DbConnection;
use crate::schema::audit_entries;
use crate::{Store, StoreError};

/// Who made a change: a signed-in user, Histo itself (the scheduled purge), or an operator's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(UserCode),
    System,
    Cli,
}

impl Actor {
    pub fn name(&self) -> &str {
        match self {
            Actor::User(user) => user.as_str(),
            Actor::System => "system",
            Actor::Cli => "cli",
        }
    }
}

/// What was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    RetentionChanged,
    Purge,
    SiteHidden,
    SiteShown,
    SiteRenamed,
    AdminPasswordChanged,
    /// A wrong admin password was typed.
    AdminPasswordRefused,
    /// Too many wrong admin passwords: the company's admin password is refused for a while.
    AdminPasswordLocked,
    /// A user code was erased from the entries (the right to erasure).
    UserErased,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::RetentionChanged => "retention_changed",
            Action::Purge => "purge",
            Action::SiteHidden => "site_hidden",
            Action::SiteShown => "site_shown",
            Action::SiteRenamed => "site_renamed",
            Action::AdminPasswordChanged => "admin_password_changed",
            Action::AdminPasswordRefused => "admin_password_refused",
            Action::AdminPasswordLocked => "admin_password_locked",
            Action::UserErased => "user_erased",
        }
    }
}

/// Where an entry sits in the newest-first order; a page continues after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditPosition {
    /// Microseconds since 1970-01-01 UTC.
    pub at: i64,
    pub id: Uuid,
}

/// One change. `before` and `after` are JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub position: AuditPosition,
}

/// A page of entries, newest first; `next` is set when more follow.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<AuditPosition>,
}

/// Adds an entry, inside the transaction of the change it records.
pub(crate) fn write(
    conn: &mut DbConnection,
    company: &CompanyId,
    at: i64,
    actor: &Actor,
    action: Action,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), StoreError> {
    let id = Uuid::now_v7();
    diesel::insert_into(audit_entries::table)
        .values((
            audit_entries::company_id.eq(company.as_str()),
            audit_entries::at.eq(at),
            audit_entries::id.eq(id.as_bytes().to_vec()),
            audit_entries::actor.eq(actor.name()),
            audit_entries::action.eq(action.code()),
            audit_entries::before_state.eq(before),
            audit_entries::after_state.eq(after),
        ))
        .execute(conn)?;
    Ok(())
}

type Row = (i64, Vec<u8>, String, String, Option<String>, Option<String>);

impl Store {
    /// Notes in the audit trail something that changed nothing (a refused admin password).
    pub async fn note(
        &self,
        company: CompanyId,
        actor: Actor,
        action: Action,
    ) -> Result<(), StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            crate::company::company_transaction(conn, &company, default_timezone, |conn, now| {
                write(conn, &company, now, &actor, action, None, None)
            })
        })
        .await
    }

    /// Up to `limit` entries of the company's audit trail, newest first, after `after` when given.
    pub async fn audit_page(
        &self,
        company: CompanyId,
        after: Option<AuditPosition>,
        limit: usize,
    ) -> Result<AuditPage, StoreError> {
        self.with_connection(move |conn| {
            let mut query = audit_entries::table
                .filter(audit_entries::company_id.eq(company.as_str()))
                .into_boxed();
            if let Some(position) = after {
                // (at, id) < position, written so that both databases range over the primary key.
                query = query.filter(audit_entries::at.le(position.at)).filter(
                    audit_entries::at
                        .lt(position.at)
                        .or(audit_entries::id.lt(position.id.as_bytes().to_vec())),
                );
            }
            let rows: Vec<Row> = query
                .order((audit_entries::at.desc(), audit_entries::id.desc()))
                .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
                .select((
                    audit_entries::at,
                    audit_entries::id,
                    audit_entries::actor,
                    audit_entries::action,
                    audit_entries::before_state,
                    audit_entries::after_state,
                ))
                .load(conn)?;
            let mut entries = rows.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
            let next = if entries.len() > limit {
                entries.truncate(limit);
                entries.last().map(|e| e.position)
            } else {
                None
            };
            Ok(AuditPage { entries, next })
        })
        .await
    }
}

fn entry((at, id, actor, action, before, after): Row) -> Result<AuditEntry, StoreError> {
    let id = Uuid::from_slice(&id)
        .map_err(|_| StoreError::BadRow("audit entry: the id is not 16 bytes".into()))?;
    let time = DateTime::from_timestamp_micros(at)
        .ok_or_else(|| StoreError::BadRow(format!("audit entry {id}: time out of range")))?;
    Ok(AuditEntry {
        at: time,
        actor,
        action,
        before,
        after,
        position: AuditPosition { at, id },
    })
}
