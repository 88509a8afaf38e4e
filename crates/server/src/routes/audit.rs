//! `GET /api/v1/audit`: the company's audit trail, newest first, in pages. Read only: no route changes
//! or removes an entry.

use actix_web::{get, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use histo_api_types::{ApiError as ErrorBody, AuditEntry, AuditPage, AuditQuery};
use histo_store::AuditPosition;
use uuid::Uuid;

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
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
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
        next_cursor: page.next.map(encode_cursor),
    }))
}

/// An opaque cursor: base64url of the last entry's time (8 bytes, big-endian) and id (16).
fn encode_cursor(position: AuditPosition) -> String {
    let mut bytes = position.at.to_be_bytes().to_vec();
    bytes.extend_from_slice(position.id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode_cursor(cursor: &str) -> Result<AuditPosition, ApiError> {
    let refused = || {
        ApiError::invalid_field(
            "cursor",
            "is not a cursor of this list (pass next_cursor back unchanged)",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    let bytes: [u8; 24] = bytes.try_into().map_err(|_| refused())?;
    let (at, id) = bytes.split_at(8);
    Ok(AuditPosition {
        at: i64::from_be_bytes(at.try_into().map_err(|_| refused())?),
        id: Uuid::from_slice(id).map_err(|_| refused())?,
    })
}
