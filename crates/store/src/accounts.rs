//! Accounts of people who sign in to Histo with a password instead of a token of the host
//! application: the Argon2 hash of the password, the scopes their tokens carry, and when the password
//! was last set (tokens of earlier sign-ins are refused).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use histo_domain::{CompanyId, Scopes, UserCode};

use crate::schema::accounts;
use crate::{with_backend, Store, StoreError};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Argon2, as a PHC string.
    pub password_hash: String,
    pub scopes: Scopes,
}

impl Store {
    /// Adds an account, or replaces the password and scopes of an existing one, which ends its earlier
    /// sign-ins; tells whether it is new.
    pub async fn save_account(
        &self,
        company: CompanyId,
        user: UserCode,
        password_hash: String,
        scopes: Scopes,
    ) -> Result<bool, StoreError> {
        self.with_connection(move |conn| {
            let existed = accounts::table
                .find((company.as_str(), user.as_str()))
                .count()
                .get_result::<i64>(conn)?
                > 0;
            let now = Utc::now().timestamp_micros();
            let row = (
                accounts::company_id.eq(company.as_str()),
                accounts::user_code.eq(user.as_str()),
                accounts::password_hash.eq(&password_hash),
                accounts::scopes.eq(scopes.to_claim()),
                accounts::created_at.eq(now),
                accounts::password_changed_at.eq(now),
            );
            with_backend!(conn, |c| diesel::insert_into(accounts::table)
                .values(row)
                .on_conflict((accounts::company_id, accounts::user_code))
                .do_update()
                .set((
                    accounts::password_hash.eq(&password_hash),
                    accounts::scopes.eq(scopes.to_claim()),
                    accounts::password_changed_at.eq(now),
                ))
                .execute(c))?;
            Ok(!existed)
        })
        .await
    }

    /// The account of a user of a company, if there is one.
    pub async fn account(
        &self,
        company: CompanyId,
        user: UserCode,
    ) -> Result<Option<Account>, StoreError> {
        self.with_connection(move |conn| {
            let row: Option<(String, String)> = accounts::table
                .find((company.as_str(), user.as_str()))
                .select((accounts::password_hash, accounts::scopes))
                .first(conn)
                .optional()?;
            Ok(row.map(|(password_hash, scopes)| Account {
                password_hash,
                scopes: Scopes::parse_claim(&scopes),
            }))
        })
        .await
    }

    /// Removes an account, which ends its sign-ins; tells whether there was one.
    pub async fn remove_account(
        &self,
        company: CompanyId,
        user: UserCode,
    ) -> Result<bool, StoreError> {
        self.with_connection(move |conn| {
            let removed = diesel::delete(accounts::table.find((company.as_str(), user.as_str())))
                .execute(conn)?;
            Ok(removed > 0)
        })
        .await
    }

    /// When the account's password was last set; `None` when there is no such account.
    pub async fn password_changed_at(
        &self,
        company: CompanyId,
        user: UserCode,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.with_connection(move |conn| {
            let changed: Option<i64> = accounts::table
                .find((company.as_str(), user.as_str()))
                .select(accounts::password_changed_at)
                .first(conn)
                .optional()?;
            changed
                .map(|micros| {
                    DateTime::from_timestamp_micros(micros).ok_or_else(|| {
                        StoreError::BadRow(format!("account: password_changed_at {micros}"))
                    })
                })
                .transpose()
        })
        .await
    }
}
