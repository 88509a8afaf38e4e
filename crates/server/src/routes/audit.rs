//! `GET /api/v1/audit`: the company's audit trail, newest first, in pages, and
//! `GET /api/v1/audit/verification`: whether every entry is as Histo wrote it. Read only: no route
//! changes or removes an entry.

use actix_web::{get, web, HttpResponse};
use histo_api_types::{
    AuditBreak, AuditEntry, AuditPage, AuditQuery, AuditVerification, ErrorBody,
};
use histo_domain::TimeZone;
use histo_store::{AuditPosition, TrailCheck, TrailProblem};

use crate::auth::{Authorized, SettingsAdmin};
use crate::error::ApiError;
use crate::AppState;

/// The audit trail
///
/// Who changed what and when: retention changes, purges, sites hidden, shown or renamed, admin
/// password changes. Newest first; pass `next_cursor` back as `cursor` for the next page.
#[utoipa::path(
    tag = "settings",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries, newest first", body = AuditPage),
        (status = 422, description = "A bad parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[get("/api/v1/audit")]
pub async fn audit(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = crate::routes::logs::limit(&query.limit)?;
    let after = query
        .cursor
        .as_deref()
        .map(super::decode_cursor)
        .transpose()?
        .map(|(at, id)| AuditPosition { at, id });
    let company = auth.caller.company;
    let zone = state.store.settings(company.clone()).await?.timezone;
    let page = state.store.audit_page(company, after, limit).await?;
    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Ok(HttpResponse::Ok().json(AuditPage {
        items: page
            .entries
            .into_iter()
            .map(|entry| AuditEntry {
                at: super::local_time(entry.at, zone),
                actor: entry.actor,
                action: entry.action,
                before: json(entry.before),
                after: json(entry.after),
            })
            .collect(),
        next_cursor: page.next.map(|p| super::encode_cursor(p.at, p.id)),
    }))
}

/// Whether the audit trail is intact
///
/// Recomputes the company's audit chain (each entry carries the hash of the one before it) and
/// names the first entry that was changed, removed, or added to the database outside Histo.
#[utoipa::path(
    tag = "settings",
    responses((status = 200, description = "What the verification found", body = AuditVerification)),
    security(("bearer" = ["settings:admin"]))
)]
#[get("/api/v1/audit/verification")]
pub async fn verification(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let company = auth.caller.company;
    let zone = state.store.settings(company.clone()).await?.timezone;
    let check = state.store.verify_audit_trail(company).await?;
    let (intact, message) = describe(&check, zone);
    Ok(HttpResponse::Ok().json(AuditVerification {
        intact,
        entries: check.entries,
        verified_up_to: check.verified_up_to.map(|at| super::local_time(at, zone)),
        first_break: check.first_break.map(|found| AuditBreak {
            entry: found.seq,
            problem: found.problem.code().to_owned(),
            at: found.at.map(|at| super::local_time(at, zone)),
            action: found.action,
        }),
        message,
    }))
}

/// Whether a verified trail is intact, and what was found in a sentence, times in `zone`: for the
/// settings page and `histo audit verify`.
pub fn describe(check: &TrailCheck, zone: TimeZone) -> (bool, String) {
    let time = |at| super::local_time(at, zone);
    let verified = match check.verified_up_to {
        Some(at) => format!("verified up to {}", time(at)),
        None => "no entry verified".to_owned(),
    };
    let Some(found) = &check.first_break else {
        let hash = check.last_hash.as_deref().unwrap_or("none");
        return (
            true,
            format!("{} entries, {verified} (last hash {hash})", check.entries),
        );
    };
    let place = found.seq.map(|n| format!("entry #{n}")).unwrap_or_default();
    let what = match (&found.action, found.at) {
        (Some(action), Some(at)) => format!(" ({action}, {})", time(at)),
        _ => String::new(),
    };
    let problem = match found.problem {
        TrailProblem::Changed => format!("{place}{what} was changed"),
        TrailProblem::Removed => format!("{place} was removed"),
        TrailProblem::Added => format!("an entry{what} was added outside the trail"),
    };
    (false, format!("TAMPERED: {problem}; {verified}"))
}
