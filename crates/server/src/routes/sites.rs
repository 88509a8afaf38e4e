//! `GET /api/v1/sites`: the company's sites, with the flag that leaves a site out of every read.

use actix_web::{get, web, HttpResponse};
use histo_api_types::{ApiError as ErrorBody, Site};

use crate::auth::{Authorized, LogsRead};
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
        .map(|site| Site {
            code: site.code,
            name: site.name,
            hidden: site.hidden,
        })
        .collect();
    Ok(HttpResponse::Ok().json(sites))
}
