//! A company's sites: listed with their `hidden` flag, and hidden, shown or renamed by people allowed
//! to (each change goes to the audit trail). What hiding does to reads is in `read.rs`.

use diesel::prelude::*;
use histo_api_types::AuditAction;
use histo_domain::{CompanyId, SiteCode};

use crate::audit::{self, Actor};
use crate::company::company_transaction;
use crate::schema::sites;
use crate::{Store, StoreError};

/// A site of a company, hidden or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSite {
    pub code: String,
    pub name: String,
    pub hidden: bool,
}

impl StoredSite {
    /// The audit trail's picture of a site.
    fn to_json(&self) -> String {
        serde_json::json!({"code": self.code, "name": self.name, "hidden": self.hidden}).to_string()
    }
}

/// What to change on a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteChange {
    pub hidden: bool,
    /// A new display name; the name stays when absent.
    pub name: Option<String>,
}

impl Store {
    /// Up to `limit` of the company's sites after the code `after`, hidden ones included, ordered by
    /// code.
    pub async fn sites(
        &self,
        company: CompanyId,
        after: Option<SiteCode>,
        limit: usize,
    ) -> Result<Vec<StoredSite>, StoreError> {
        self.with_connection(move |conn| {
            let mut query = sites::table
                .filter(sites::company_id.eq(company.as_str()))
                .into_boxed();
            if let Some(after) = &after {
                query = query.filter(sites::code.gt(after.as_str()));
            }
            let rows: Vec<(String, String, bool)> = query
                .order(sites::code)
                .limit(i64::try_from(limit).unwrap_or(i64::MAX))
                .select((sites::code, sites::name, sites::hidden))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(code, name, hidden)| StoredSite { code, name, hidden })
                .collect())
        })
        .await
    }

    /// Hides, shows or renames a site; `None` when the company has no such site.
    pub async fn change_site(
        &self,
        company: CompanyId,
        code: SiteCode,
        change: SiteChange,
        actor: Actor,
    ) -> Result<Option<StoredSite>, StoreError> {
        let default_timezone = self.default_timezone;
        self.with_connection(move |conn| {
            company_transaction(conn, &company, default_timezone, |conn, now| {
                let site = sites::table.find((company.as_str(), code.as_str()));
                let Some((name, hidden)) = site
                    .select((sites::name, sites::hidden))
                    .first::<(String, bool)>(conn)
                    .optional()?
                else {
                    return Ok(None);
                };
                let before = StoredSite {
                    code: code.as_str().to_owned(),
                    name,
                    hidden,
                };
                let after = StoredSite {
                    hidden: change.hidden,
                    name: change.name.unwrap_or_else(|| before.name.clone()),
                    ..before.clone()
                };
                let action = if after.hidden != before.hidden {
                    Some(if after.hidden {
                        AuditAction::SiteHidden
                    } else {
                        AuditAction::SiteShown
                    })
                } else if after.name != before.name {
                    Some(AuditAction::SiteRenamed)
                } else {
                    None
                };
                if let Some(action) = action {
                    diesel::update(site)
                        .set((sites::name.eq(&after.name), sites::hidden.eq(after.hidden)))
                        .execute(conn)?;
                    audit::write(
                        conn,
                        &company,
                        now,
                        &actor,
                        action,
                        Some(before.to_json()),
                        Some(after.to_json()),
                    )?;
                }
                Ok(Some(after))
            })
        })
        .await
    }
}
