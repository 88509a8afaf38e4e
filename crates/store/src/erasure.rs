//! The right to erasure: every entry of a user code gets the user code `ERASED`, month by month of
//! each feature that has entries, a chunk per transaction on the write path (so that recording goes
//! on), and the audit trail says how many entries were erased, never whose. The monthly counts hold no user code and stay as they are.

use diesel::prelude::*;
use histo_api_types::AuditAction;
use histo_domain::{CompanyId, UserCode};

use crate::audit::{self, Actor};
use crate::company::company_transaction;
use crate::connection::DbConnection;
use crate::schema::{events, monthly_totals};
use crate::{Store, StoreError};

/// The user code that erased entries carry.
pub const ERASED: &str = "ERASED";
/// Entries changed per transaction.
const CHUNK: i64 = 1_000;

impl Store {
    /// Erases `user` from every entry of the company; how many entries were erased.
    pub async fn erase_user(
        &self,
        company: CompanyId,
        user: UserCode,
        actor: Actor,
    ) -> Result<u64, StoreError> {
        let default_timezone = self.default_timezone;
        let of_company = company.clone();
        let months: Vec<(String, i32)> = self
            .with_connection(move |conn| {
                Ok(monthly_totals::table
                    .filter(monthly_totals::company_id.eq(of_company.as_str()))
                    .select((monthly_totals::feature, monthly_totals::month))
                    .distinct()
                    .load(conn)?)
            })
            .await?;
        let mut erased = 0u64;
        for (feature, month) in months {
            loop {
                let (company, user, feature) = (company.clone(), user.clone(), feature.clone());
                let changed = self
                    .on_write_path(move |conn| erase_chunk(conn, &company, &user, &feature, month))
                    .await?;
                erased += changed;
                if changed < CHUNK as u64 {
                    break;
                }
            }
        }
        self.on_write_path(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let after = format!(r#"{{"entries":{erased}}}"#);
                audit::write(
                    conn,
                    &company,
                    now,
                    &actor,
                    AuditAction::UserErased,
                    None,
                    Some(after),
                )
            })
        })
        .await?;
        Ok(erased)
    }
}

/// Erases up to one chunk of the user's entries of one feature and month (a range of the index
/// `events_by_user`).
fn erase_chunk(
    conn: &mut DbConnection,
    company: &CompanyId,
    user: &UserCode,
    feature: &str,
    month: i32,
) -> Result<u64, StoreError> {
    let of_user = diesel::alias!(events as of_user);
    let chunk = of_user
        .filter(of_user.field(events::company_id).eq(company.as_str()))
        .filter(of_user.field(events::feature).eq(feature))
        .filter(of_user.field(events::month).eq(month))
        .filter(of_user.field(events::user_code).eq(user.as_str()))
        .select(of_user.field(events::id))
        .limit(CHUNK);
    let changed = diesel::update(
        events::table
            .filter(events::company_id.eq(company.as_str()))
            .filter(events::id.eq_any(chunk)),
    )
    .set(events::user_code.eq(ERASED))
    .execute(conn)?;
    Ok(changed as u64)
}
