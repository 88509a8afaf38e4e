//! `GET /healthz`: whether Histo and its database answer, for load balancers and the web app.

use actix_web::{get, web, HttpResponse};
use histo_api_types::Health;

use crate::AppState;

/// Health
///
/// `200` with `status: ok` when the database answers, `503` with `status: unavailable` otherwise.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Histo and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    )
)]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let up = state.store.ping().await.is_ok();
    let health = Health {
        status: if up { "ok" } else { "unavailable" }.into(),
        database: state.store.backend().name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    if up {
        HttpResponse::Ok().json(health)
    } else {
        HttpResponse::ServiceUnavailable().json(health)
    }
}
