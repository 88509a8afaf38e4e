//! `GET /metrics`: Histo's counters in the Prometheus text format, for the operators' monitoring.

use actix_web::{get, web, HttpResponse};

use crate::AppState;

/// Metrics
///
/// Requests by route pattern and status with their latency, refusals by reason, events recorded and
/// duplicates, the writer's queue and the server's purges, in the Prometheus text format. The counts
/// are the whole server's: no label names a company, a site or a user.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The metrics, Prometheus text format 0.0.4", body = String, content_type = "text/plain"),
    )
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(state.metrics.render(state.store.writer_queue()))
}
