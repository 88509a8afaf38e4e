//! `POST /api/v1/erasures`: the right to erasure. Every entry of a user code gets the user code
//! `ERASED`, with the company's admin password; the user code travels in the body, never in an
//! address, so that it reaches no log, and the audit trail says how many entries, never whose.

use actix_web::{post, web, HttpResponse};
use histo_api_types::{Erasure, ErasureInput, ErrorBody};
use histo_domain::UserCode;
use histo_store::{Actor, ERASED};

use crate::auth::{Authorized, SettingsAdmin};
use crate::error::ApiError;
use crate::AppState;

/// Erase a user from the entries
///
/// Every entry of `user_code` gets the user code `ERASED`; the counts stay as they are (they hold no
/// user code). Needs the company's admin password (wrong ones are slowed down and, after five in a
/// row, refused with 429 for a while). Answers how many entries were erased; the audit trail records
/// that number, never the user code.
#[utoipa::path(
    tag = "settings",
    request_body = ErasureInput,
    responses(
        (status = 200, description = "The entries erased", body = Erasure),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "The token lacks `settings:admin`, or the admin password is wrong", body = ErrorBody),
        (status = 409, description = "The company has no admin password yet", body = ErrorBody),
        (status = 422, description = "A bad user code, or a missing or unknown field", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords: wait for `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "Too many passwords are being checked: wait for `Retry-After` seconds", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[post("/api/v1/erasures")]
pub async fn erase(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    body: web::Json<ErasureInput>,
) -> Result<HttpResponse, ApiError> {
    let ErasureInput {
        user_code,
        admin_password,
    } = body.into_inner();
    let user = UserCode::parse(&user_code)
        .map_err(|e| ApiError::invalid_field("user_code", e.to_string()))?;
    if user.as_str() == ERASED {
        return Err(ApiError::invalid_field(
            "user_code",
            format!("'{ERASED}' marks entries already erased"),
        ));
    }
    let caller = auth.caller;
    super::access::check_admin_password(&state, &caller, admin_password).await?;
    let entries = state
        .store
        .erase_user(caller.company, user, Actor::User(caller.user))
        .await?;
    Ok(HttpResponse::Ok().json(Erasure { entries }))
}
