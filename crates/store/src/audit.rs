//! The audit trail: who changed what and when — retention changes, purges, sites hidden, shown or
//! renamed, admin password changes, alert rules and the digest's address — and who typed a wrong
//! admin password or was locked out for it. Entries are only ever added; nothing here changes or removes one. The trail is tamper-evident:
//! each entry has its place in its company's chain and a hash of itself and of the entry before it,
//! and the company row keeps the last place and hash, so that [`Store::verify_audit_trail`] names the
//! first entry that was changed, removed or slipped in by hand.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use histo_api_types::{AuditAction, CLI_ACTOR, PURGE_ACTOR};
use histo_domain::{CompanyId, UserCode};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::connection::DbConnection;
use crate::schema::{audit_entries, companies};
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
            Actor::System => PURGE_ACTOR,
            Actor::Cli => CLI_ACTOR,
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
pub struct AuditRecord {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub position: AuditPosition,
}

/// A page of entries, newest first; `next` is set when more follow.
#[derive(Debug, Clone)]
pub struct AuditRecords {
    pub entries: Vec<AuditRecord>,
    pub next: Option<AuditPosition>,
}

/// Adds an entry, inside the transaction of the change it records (which created the company row):
/// the entry takes the next place in the company's chain, under the row lock of that update, so that
/// concurrent changes are chained one after the other.
pub(crate) fn write(
    conn: &mut DbConnection,
    company: &CompanyId,
    at: i64,
    actor: &Actor,
    action: AuditAction,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), StoreError> {
    let id = Uuid::now_v7().as_bytes().to_vec();
    let fields = Fields {
        at,
        id: &id,
        actor: actor.name(),
        action: action.code(),
        before: before.as_deref(),
        after: after.as_deref(),
    };
    let (seq, hash) = take_next_link(conn, company.as_str(), &fields)?;
    diesel::insert_into(audit_entries::table)
        .values((
            audit_entries::company_id.eq(company.as_str()),
            audit_entries::at.eq(at),
            audit_entries::id.eq(&id),
            audit_entries::actor.eq(actor.name()),
            audit_entries::action.eq(action.code()),
            audit_entries::before_state.eq(&before),
            audit_entries::after_state.eq(&after),
            audit_entries::seq.eq(seq),
            audit_entries::hash.eq(hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// What an entry says, as its hash covers it.
struct Fields<'a> {
    at: i64,
    id: &'a [u8],
    actor: &'a str,
    action: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

/// The hash of an entry at place `seq` of `company`'s chain, after the entry whose hash is
/// `previous`: SHA-256, in hex, of all of them written as one JSON array.
fn link(previous: Option<&str>, company: &str, seq: i64, fields: &Fields) -> String {
    let id: String = fields.id.iter().map(|b| format!("{b:02x}")).collect();
    let text = serde_json::json!([
        previous,
        company,
        seq,
        fields.at,
        id,
        fields.actor,
        fields.action,
        fields.before,
        fields.after
    ])
    .to_string();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Moves the company's chain on by one entry: returns the entry's place and hash. The update comes
/// first so that it holds the company row's lock until the transaction ends.
fn take_next_link(
    conn: &mut DbConnection,
    company: &str,
    fields: &Fields,
) -> Result<(i64, String), StoreError> {
    diesel::update(companies::table.find(company))
        .set(companies::audit_last_seq.eq(companies::audit_last_seq + 1))
        .execute(conn)?;
    let (seq, previous): (i64, Option<String>) = companies::table
        .find(company)
        .select((companies::audit_last_seq, companies::audit_last_hash))
        .first(conn)?;
    let hash = link(previous.as_deref(), company, seq, fields);
    diesel::update(companies::table.find(company))
        .set(companies::audit_last_hash.eq(&hash))
        .execute(conn)?;
    Ok((seq, hash))
}

/// The migration that started the chains: the entries written before it are chained, in the order
/// they were written, when it runs.
pub(crate) const CHAIN_MIGRATION: &str = "20261130000004";

/// Chains the entries written before the chains existed; runs once, with [`CHAIN_MIGRATION`]. An
/// entry added by hand later stays out of the chain, where verifying finds it.
pub(crate) fn chain_earlier_entries(conn: &mut DbConnection) -> Result<(), StoreError> {
    let companies: Vec<String> = audit_entries::table
        .filter(audit_entries::seq.is_null())
        .select(audit_entries::company_id)
        .distinct()
        .load(conn)?;
    for company in companies {
        conn.transaction(|conn| loop {
            let rows: Vec<Row> = audit_entries::table
                .filter(audit_entries::company_id.eq(&company))
                .filter(audit_entries::seq.is_null())
                .order((audit_entries::at, audit_entries::id))
                .limit(1000)
                .select(Row::as_select())
                .load(conn)?;
            if rows.is_empty() {
                return Ok::<_, StoreError>(());
            }
            for row in rows {
                let (seq, hash) = take_next_link(conn, &company, &row.fields())?;
                diesel::update(audit_entries::table.find((&company, row.at, &row.id)))
                    .set((audit_entries::seq.eq(seq), audit_entries::hash.eq(hash)))
                    .execute(conn)?;
            }
        })?;
    }
    Ok(())
}

/// The first place where a company's audit trail is not what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailBreak {
    /// The place in the chain of the entry concerned (for a removal, of the first one missing; for
    /// an entry slipped in, none).
    pub seq: Option<i64>,
    /// The entry found there, if any.
    pub at: Option<DateTime<Utc>>,
    pub action: Option<String>,
    pub problem: TrailProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailProblem {
    /// The entry is not what was written.
    Changed,
    /// The entry is missing.
    Removed,
    /// The entry was never written by Histo.
    Added,
}

impl TrailProblem {
    pub fn code(self) -> &'static str {
        match self {
            TrailProblem::Changed => "changed",
            TrailProblem::Removed => "removed",
            TrailProblem::Added => "added",
        }
    }
}

/// What verifying a company's audit trail found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailCheck {
    /// Entries in the chain, as the company row counts them.
    pub entries: i64,
    /// The time of the last entry found intact, with every entry before it.
    pub verified_up_to: Option<DateTime<Utc>>,
    /// The hash of the newest entry, to keep elsewhere: a later verification that ends on another
    /// hash for the same entry shows the trail was rewritten from there.
    pub last_hash: Option<String>,
    pub first_break: Option<TrailBreak>,
}

/// An entry's row as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_entries)]
struct Row {
    at: i64,
    id: Vec<u8>,
    actor: String,
    action: String,
    before_state: Option<String>,
    after_state: Option<String>,
    seq: Option<i64>,
    hash: Option<String>,
}

impl Row {
    /// What the entry's hash covers.
    fn fields(&self) -> Fields<'_> {
        Fields {
            at: self.at,
            id: &self.id,
            actor: &self.actor,
            action: &self.action,
            before: self.before_state.as_deref(),
            after: self.after_state.as_deref(),
        }
    }
}

/// Entries verified per query.
const VERIFY_PAGE: i64 = 1000;

fn verify(conn: &mut DbConnection, company: &str) -> Result<TrailCheck, StoreError> {
    let (last_seq, last_hash): (i64, Option<String>) = companies::table
        .find(company)
        .select((companies::audit_last_seq, companies::audit_last_hash))
        .first(conn)
        .optional()?
        .unwrap_or((0, None));
    let mut check = TrailCheck {
        entries: last_seq,
        verified_up_to: None,
        last_hash: last_hash.clone(),
        first_break: None,
    };
    let broken = |seq, at: Option<i64>, action, problem| TrailBreak {
        seq,
        at: at.and_then(DateTime::from_timestamp_micros),
        action,
        problem,
    };
    let mut previous: Option<String> = None;
    let mut seen = 0;
    'chain: loop {
        let rows: Vec<Row> = audit_entries::table
            .filter(audit_entries::company_id.eq(company))
            .filter(audit_entries::seq.gt(seen))
            .order(audit_entries::seq)
            .limit(VERIFY_PAGE)
            .select(Row::as_select())
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let seq = row.seq.unwrap_or_default();
            if seq != seen + 1 {
                check.first_break = Some(broken(Some(seen + 1), None, None, TrailProblem::Removed));
                break 'chain;
            }
            let expected = link(previous.as_deref(), company, seq, &row.fields());
            if row.hash.as_deref() != Some(expected.as_str()) {
                let problem = TrailProblem::Changed;
                check.first_break =
                    Some(broken(Some(seq), Some(row.at), Some(row.action), problem));
                break 'chain;
            }
            check.verified_up_to = DateTime::from_timestamp_micros(row.at);
            previous = Some(expected);
            seen = seq;
        }
    }
    if check.first_break.is_none() && seen < last_seq {
        // The newest entries are gone.
        check.first_break = Some(broken(Some(seen + 1), None, None, TrailProblem::Removed));
    } else if check.first_break.is_none() && (seen > last_seq || previous != last_hash) {
        // The company row no longer ends the chain where its entries do: it was rewritten.
        check.first_break = Some(broken(Some(seen), None, None, TrailProblem::Changed));
    }
    if check.first_break.is_none() {
        let added: Option<(i64, String)> = audit_entries::table
            .filter(audit_entries::company_id.eq(company))
            .filter(audit_entries::seq.is_null())
            .order((audit_entries::at, audit_entries::id))
            .select((audit_entries::at, audit_entries::action))
            .first(conn)
            .optional()?;
        if let Some((at, action)) = added {
            check.first_break = Some(broken(None, Some(at), Some(action), TrailProblem::Added));
        }
    }
    Ok(check)
}

impl Store {
    /// Notes in the audit trail something that changed nothing (a refused admin password).
    pub async fn note(
        &self,
        company: CompanyId,
        actor: Actor,
        action: AuditAction,
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
    ) -> Result<AuditRecords, StoreError> {
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
                .select(Row::as_select())
                .load(conn)?;
            let mut entries = rows.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
            let next = if entries.len() > limit {
                entries.truncate(limit);
                entries.last().map(|e| e.position)
            } else {
                None
            };
            Ok(AuditRecords { entries, next })
        })
        .await
    }

    /// Recomputes the company's audit chain from its first entry: where it holds, up to when, and
    /// the first entry changed, removed or added by hand.
    pub async fn verify_audit_trail(&self, company: CompanyId) -> Result<TrailCheck, StoreError> {
        self.with_connection(move |conn| verify(conn, company.as_str()))
            .await
    }

    /// Every company with an audit trail (or with entries outside it), for verifying them all.
    pub async fn companies_with_audit_trail(&self) -> Result<Vec<CompanyId>, StoreError> {
        self.with_connection(|conn| {
            let mut ids: BTreeSet<String> = companies::table
                .filter(companies::audit_last_seq.gt(0))
                .select(companies::id)
                .load::<String>(conn)?
                .into_iter()
                .collect();
            ids.extend(
                audit_entries::table
                    .select(audit_entries::company_id)
                    .distinct()
                    .load::<String>(conn)?,
            );
            ids.into_iter()
                .map(|id| {
                    CompanyId::parse(&id)
                        .map_err(|e| StoreError::BadRow(format!("company id {id:?}: {e}")))
                })
                .collect()
        })
        .await
    }
}

fn entry(row: Row) -> Result<AuditRecord, StoreError> {
    let id = Uuid::from_slice(&row.id)
        .map_err(|_| StoreError::BadRow("audit entry: the id is not 16 bytes".into()))?;
    let time = DateTime::from_timestamp_micros(row.at)
        .ok_or_else(|| StoreError::BadRow(format!("audit entry {id}: time out of range")))?;
    Ok(AuditRecord {
        at: time,
        actor: row.actor,
        action: row.action,
        before: row.before_state,
        after: row.after_state,
        position: AuditPosition { at: row.at, id },
    })
}
