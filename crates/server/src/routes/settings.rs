//! `GET /api/v1/settings` and `PUT /api/v1/settings/retention`: the company's retention period, time
//! zone and last purge, readable by every reader; the period changed only with the admin password,
//! after `GET /api/v1/settings/retention/preview` said what the change would remove.

use actix_web::{get, put, web, HttpResponse};
use histo_api_types::{
    AdminPasswordInput, ErrorBody, LastPurge, RetentionInput, RetentionPreview,
    RetentionPreviewQuery, Settings,
};
use histo_domain::RetentionPolicy;
use histo_store::Actor;

use crate::auth::{Authorized, LogsRead, SettingsAdmin};
use crate::error::ApiError;
use crate::query::{self, NoParams};
use crate::{password, AppState};

/// The company's settings
///
/// The retention period, the time zone and the last purge, so that everyone reading the logs knows
/// how long entries are kept.
#[utoipa::path(
    tag = "settings",
    responses(
        (status = 200, description = "The settings", body = Settings),
        (status = 422, description = "An unknown parameter", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/settings")]
pub async fn settings(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    _query: web::Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let stored = state.store.settings(auth.caller.company).await?;
    Ok(HttpResponse::Ok().json(shown(&stored)))
}

/// What a retention period would remove
///
/// The oldest month that a period of `months` would keep, and about how many entries it would
/// remove for good: for the settings page to say so before anyone types the admin password.
#[utoipa::path(
    tag = "settings",
    params(RetentionPreviewQuery),
    responses(
        (status = 200, description = "What the period would keep and remove", body = RetentionPreview),
        (status = 422, description = "`months` out of 1–120, or an unknown parameter", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[get("/api/v1/settings/retention/preview")]
pub async fn retention_preview(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    query: web::Query<RetentionPreviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let months = query::required("months", &query.months)?;
    let retention = retention_policy(months.parse::<i64>().unwrap_or(0))?;
    let (retained_from, entries) = state
        .store
        .retention_preview(auth.caller.company, retention, chrono::Utc::now())
        .await?;
    Ok(HttpResponse::Ok().json(RetentionPreview {
        months: retention.months(),
        retained_from: retained_from.to_string(),
        entries,
    }))
}

/// A retention period of `months`, 1–120.
fn retention_policy(months: i64) -> Result<RetentionPolicy, ApiError> {
    u32::try_from(months)
        .ok()
        .and_then(|months| RetentionPolicy::new(months).ok())
        .ok_or_else(|| ApiError::invalid_field("months", "must be between 1 and 120"))
}

/// Change the retention period
///
/// Sets how many months of log entries the company keeps (1–120), with the company's admin password
/// (set by `histo admin-password`). A shorter period purges the entries now out of it right away, in
/// the background; the monthly counts stay. Wrong passwords are slowed down and, after five in a row
/// for the company (whoever types them), refused with 429 for a while; they go to the audit trail, as
/// does the change.
#[utoipa::path(
    tag = "settings",
    request_body = RetentionInput,
    responses(
        (status = 200, description = "The new settings", body = Settings),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "The token lacks `settings:admin`, or the admin password is wrong", body = ErrorBody),
        (status = 409, description = "The company has no admin password yet", body = ErrorBody),
        (status = 422, description = "`months` out of 1–120, or a missing or unknown field", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords: wait for `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "Too many passwords are being checked: wait for `Retry-After` seconds", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[put("/api/v1/settings/retention")]
pub async fn set_retention(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    body: web::Json<RetentionInput>,
) -> Result<HttpResponse, ApiError> {
    let RetentionInput {
        months,
        admin_password,
    } = body.into_inner();
    let retention = retention_policy(months)?;
    let caller = auth.caller;
    super::access::check_admin_password(&state, &caller, admin_password).await?;
    let actor = Actor::User(caller.user);
    let change = state
        .store
        .set_retention(caller.company.clone(), retention, actor.clone())
        .await?;
    if change.shortened() {
        crate::purge::now(
            state.store.clone(),
            caller.company,
            actor,
            state.metrics.clone(),
        );
    }
    Ok(HttpResponse::Ok().json(shown(&change.settings)))
}

/// Set or change the admin password
///
/// Sets the company's admin password, which every change of the retention period and every erasure
/// needs. `current_password` is the one in force; it may be absent only while none is set. Wrong
/// current passwords are slowed down and, after five in a row for the company, refused with 429 for
/// a while; they go to the audit trail, as does the change (never a password).
#[utoipa::path(
    tag = "settings",
    request_body = AdminPasswordInput,
    responses(
        (status = 204, description = "The new admin password is in force"),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "The token lacks `settings:admin`, or the current password is wrong", body = ErrorBody),
        (status = 409, description = "An admin password is set and `current_password` is absent, or it changed meanwhile", body = ErrorBody),
        (status = 422, description = "A new password shorter than 8 or longer than 1,024 characters, or a missing or unknown field", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords: wait for `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "Too many passwords are being checked: wait for `Retry-After` seconds", body = ErrorBody),
    ),
    security(("bearer" = ["settings:admin"]))
)]
#[put("/api/v1/settings/admin-password")]
pub async fn set_admin_password(
    auth: Authorized<SettingsAdmin>,
    state: web::Data<AppState>,
    body: web::Json<AdminPasswordInput>,
) -> Result<HttpResponse, ApiError> {
    let AdminPasswordInput {
        current_password,
        new_password,
    } = body.into_inner();
    let caller = auth.caller;
    let length = new_password.chars().count();
    if !(password::MIN_LENGTH..=password::MAX_LENGTH).contains(&length) {
        return Err(ApiError::invalid_field(
            "new_password",
            format!(
                "must be {} to {} characters",
                password::MIN_LENGTH,
                password::MAX_LENGTH
            ),
        ));
    }
    let in_force = state
        .store
        .admin_password_hash(caller.company.clone())
        .await?;
    match (&in_force, current_password) {
        (Some(_), None) => {
            return Err(ApiError::Conflict(
                "an admin password is set: give it as current_password".into(),
            ))
        }
        (Some(_), Some(current)) => {
            super::access::check_admin_password(&state, &caller, current).await?
        }
        (None, _) => {}
    }
    let hash = state
        .passwords
        .hash(new_password)
        .await
        .map_err(super::access::password_checks_busy)?
        .map_err(|e| ApiError::invalid_field("new_password", e.to_string()))?;
    let set = state
        .store
        .replace_admin_password(
            caller.company,
            Some(in_force),
            hash,
            Actor::User(caller.user),
        )
        .await?;
    if !set {
        return Err(ApiError::Conflict(
            "the admin password changed meanwhile: try again".into(),
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}

fn shown(stored: &histo_store::CompanySettings) -> Settings {
    Settings {
        retention_months: stored.retention.months(),
        timezone: stored.timezone.name().into(),
        last_purge: stored.last_purge.map(|purge| LastPurge {
            at: super::local_time(purge.at, stored.timezone),
            removed: purge.removed,
        }),
        retained_from: stored.retained_from(chrono::Utc::now()).to_string(),
    }
}
