//! Accounts of people who sign in to Histo with a password instead of a token of the host
//! application: the Argon2 hash of the password and the scopes their tokens carry.

use chrono::Utc;
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
    /// Adds an account, or replaces the password and scopes of an existing one; tells whether it is new.
    pub async fn save_account(
        &self,
        company: CompanyId,
        user: UserCode,
        password_hash: String,
        scopes: Scopes,
    ) -> Result<bool, StoreError> {
        self.read(move |conn| {
            let existed = accounts::table
                .find((company.as_str(), user.as_str()))
                .count()
                .get_result::<i64>(conn)?
                > 0;
            let row = (
                accounts::company_id.eq(company.as_str()),
                accounts::user_code.eq(user.as_str()),
                accounts::password_hash.eq(&password_hash),
                accounts::scopes.eq(scopes.to_claim()),
                accounts::created_at.eq(Utc::now().timestamp_micros()),
            );
            with_backend!(conn, |c| diesel::insert_into(accounts::table)
                .values(row)
                .on_conflict((accounts::company_id, accounts::user_code))
                .do_update()
                .set((
                    accounts::password_hash.eq(&password_hash),
                    accounts::scopes.eq(scopes.to_claim()),
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
        self.read(move |conn| {
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
}
