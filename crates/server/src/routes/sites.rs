//! `GET /api/v1/sites` and `PATCH /api/v1/sites/{code}`: the company's sites, with the flag that
//! leaves a site out of every read, set by the holders of `sites:manage`.

use actix_web::{get, patch, web, HttpResponse};
use histo_api_types::{ErrorBody, Site, SiteInput, SitesQuery};
use histo_domain::{SiteCode, SiteName};
use histo_store::{Actor, SiteChange};

use crate::auth::{Authorized, LogsRead, SitesManage};
use crate::error::ApiError;
use crate::AppState;

/// The company's sites
///
/// The sites of the token's company, hidden ones included, ordered by code, a page at a time (1,000
/// by default). A site appears when an event first names it. When more sites follow, the answer's
/// `Link` header gives the next page's address (`rel="next"`).
#[utoipa::path(
    tag = "sites",
    params(SitesQuery),
    responses(
        (status = 200, description = "The sites, ordered by code", body = [Site],
         headers(("Link" = String, description = "`</api/v1/sites?after=LYON&limit=1000>; rel=\"next\"` when more sites follow"))),
        (status = 422, description = "An unknown parameter, named in `details[0].field`", body = ErrorBody),
    ),
    security(("bearer" = ["logs:read"]))
)]
#[get("/api/v1/sites")]
pub async fn sites(
    auth: Authorized<LogsRead>,
    state: web::Data<AppState>,
    query: web::Query<SitesQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = match query.limit.as_deref() {
        None => DEFAULT_SITES_PAGE,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_SITES_PAGE).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "limit",
                    format!("must be a number from 1 to {MAX_SITES_PAGE}"),
                )
            })?,
    };
    let after = query
        .after
        .as_deref()
        .map(SiteCode::parse)
        .transpose()
        .map_err(|e| ApiError::invalid_field("after", e.to_string()))?;
    let mut sites: Vec<Site> = state
        .store
        .sites(auth.caller.company, after, limit + 1)
        .await?
        .into_iter()
        .map(shown)
        .collect();
    let mut answer = HttpResponse::Ok();
    if sites.len() > limit {
        sites.truncate(limit);
        if let Some(last) = sites.last() {
            let next: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("after", &last.code)
                .append_pair("limit", &limit.to_string())
                .finish();
            answer.insert_header((
                actix_web::http::header::LINK,
                format!("</api/v1/sites?{next}>; rel=\"next\""),
            ));
        }
    }
    Ok(answer.json(sites))
}

/// Sites per page when the client does not say.
pub const DEFAULT_SITES_PAGE: usize = 1_000;
/// The most sites one page holds.
pub const MAX_SITES_PAGE: usize = 10_000;

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
    let name = name
        .map(|name| SiteName::parse(&name).map(SiteName::into_string))
        .transpose()
        .map_err(|e| ApiError::invalid_field("name", e.to_string()))?;
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

fn shown(site: histo_store::StoredSite) -> Site {
    Site {
        code: site.code,
        name: site.name,
        hidden: site.hidden,
    }
}
