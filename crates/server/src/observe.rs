//! The envelope of every request: an id (the caller's `X-Request-Id` when it is short and plain, else a
//! new one) echoed in the answer and carried by every log line written while it is served, the
//! security headers, the metrics under the route pattern, and one log line when it is answered.
//! The log line names the method, route, path, status and duration: never a header, a query string
//! or a body, so that no token, password or user code reaches the log.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpRequest};
use tracing::Instrument;

use crate::headers::{self, Area, REQUEST_ID};
use crate::metrics::{UNKNOWN_ROUTE, WEB_APP_ROUTE};
use crate::AppState;

/// The longest request id taken from a caller.
const MAX_REQUEST_ID: usize = 64;

/// Paths polled by probes and scrapers, left out of the log (they are still counted).
const QUIET_PATHS: [&str; 2] = ["/healthz", "/metrics"];

pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = request_id(request.headers());
    let span = tracing::info_span!("request", request_id = %id);
    // Every route and middleware inside answers its errors itself: an `Err` here has no request left
    // to answer with, and goes to actix as it is.
    let mut response = next.call(request).instrument(span).await?;
    let http_request = response.request().clone();
    let pattern = http_request.match_pattern();
    let path = http_request.path();
    let area = Area::of(path, pattern.is_some());
    let route = pattern.as_deref().unwrap_or(match area {
        Area::WebApp => WEB_APP_ROUTE,
        Area::Api | Area::Docs => UNKNOWN_ROUTE,
    });
    let state = http_request.app_data::<web::Data<AppState>>().cloned();
    let default_framing;
    let framing = match &state {
        Some(state) => &state.framing,
        None => {
            default_framing = headers::Framing::new(&[]);
            &default_framing
        }
    };
    headers::secure(area, response.headers_mut(), framing);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status();
    let took = started.elapsed();
    if let Some(state) = &state {
        state
            .metrics
            .answered(http_request.method(), route, status, took);
    }
    if !QUIET_PATHS.contains(&path) {
        log_answer(&http_request, &id, route, status.as_u16(), took);
    }
    Ok(response.map_into_boxed_body())
}

fn log_answer(
    request: &HttpRequest,
    id: &str,
    route: &str,
    status: u16,
    took: std::time::Duration,
) {
    tracing::info!(
        request_id = id,
        method = %request.method(),
        route,
        path = request.path(),
        status,
        duration_ms = (took.as_secs_f64() * 10_000.0).round() / 10.0,
        "answered"
    );
}

/// The caller's request id when it has 1 to 64 letters, digits, `-`, `_`, `.` or `:`; a new UUID
/// otherwise, so that nothing odd reaches the log or the answer.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=MAX_REQUEST_ID).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}
