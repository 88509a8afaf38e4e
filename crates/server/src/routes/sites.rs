//! `GET /api/v1/sites` and `PATCH /api/v1/sites/{code}`: the company's sites, with the flag that
//! leaves a site out of every read, set by the holders of `sites:manage`.

use actix_web::{get, patch, web, HttpResponse};
use histo_api_types::{ApiError as ErrorBody, Site, SiteInput};
use histo_domain::SiteCode;
use histo_store::{Actor, SiteChange};

use crate::auth::{Authorized, LogsRead, SitesManage};
use crate::error::ApiError;
use crate::query::NoParams;
use crate::AppState;

/// The company's sites
///
/// Every site of the token's company, hidden ones included, ordered by code. A site appears when an
/// event first names it.
#[utoipa::path(
    tag = "sites",
    responses(
        (status = 200, description = "The sites, ordered by code", body = [Site]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The token lacks `logs:read`", body = ErrorBody),
        (status = 422, description = "An unknown parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/sites")]
pub async fn sites(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    _query: web::Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let sites: Vec<Site> = state
        .store
        .sites(auth.caller.company)
        .await?
        .into_iter()
        .map(shown)
        .collect();
    Ok(HttpResponse::Ok().json(sites))
}

/// The longest display name of a site.
pub const MAX_NAME_CHARS: usize = 100;

/// Hide, show or rename a site
///
/// A hidden site is left out of every statistic, list and export, for every user of the company, and
/// goes on being recorded. The change goes to the audit trail.
#[utoipa::path(
    tag = "sites",
    params(("code" = String, Path, description = "The site's code", example = "LYON")),
    request_body = SiteInput,
    responses(
        (status = 200, description = "The site as it now is", body = Site),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The token lacks `sites:manage`", body = ErrorBody),
        (status = 404, description = "The company has no such site", body = ErrorBody),
        (status = 422, description = "A bad name, or a missing or unknown field", body = ErrorBody),
    ),
    security(("bearer" = ["sites:manage"]))
)]
#[patch("/api/v1/sites/{code}")]
pub async fn change_site(
    auth: Authorized<SitesManage>,
    state: web::Data<AppState>,
    code: web::Path<String>,
    body: web::Json<SiteInput>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound("no such site".into());
    let code = SiteCode::parse(&code).map_err(|_| not_found())?;
    let SiteInput { hidden, name } = body.into_inner();
    let name = name.map(|name| display_name(&name)).transpose()?;
    let caller = auth.caller;
    let site = state
        .store
        .change_site(
            caller.company,
            code,
            SiteChange { hidden, name },
            Actor::User(caller.user),
        )
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(shown(site)))
}

/// A display name: trimmed, 1–100 characters, no control characters.
fn display_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid_field(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

fn shown(site: histo_store::Site) -> Site {
    Site {
        code: site.code,
        name: site.name,
        hidden: site.hidden,
    }
}
