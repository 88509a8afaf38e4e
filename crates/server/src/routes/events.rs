//! `POST /api/v1/events`: the host application records one event or a batch. A batch is taken whole or
//! refused whole, and the answer comes only once the events are committed.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use histo_api_types::{ApiError as ErrorBody, ErrorDetail, RecordEvents, Recorded};
use histo_domain::NewEvent;
use serde_json::Value;

use crate::auth::{Authorized, EventsWrite};
use crate::error::ApiError;
use crate::AppState;

/// The most events one request may carry.
pub const MAX_BATCH: usize = 10_000;

/// Record events
///
/// Stores one event, or a batch of up to 10,000, for the token's company (never a company named in the
/// body). Idempotent by event id: a retried request stores nothing twice and says how many events were
/// already there. A batch with a bad event is refused whole, each bad event named by its index.
#[utoipa::path(
    tag = "events",
    request_body = RecordEvents,
    responses(
        (status = 200, description = "Durably stored", body = Recorded),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The token lacks `events:write`", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Bad events; nothing was stored", body = ErrorBody),
        (status = 503, description = "The database is unavailable; nothing was acknowledged", body = ErrorBody),
    ),
    security(("bearer" = ["events:write"]))
)]
#[post("/api/v1/events")]
pub async fn record(
    auth: Authorized<EventsWrite>,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(&request, body, state.limits.max_body_bytes).await?;
    let events = parse_events(&body, Utc::now())?;
    let recorded = state.store.record(auth.caller.company, events).await?;
    state
        .metrics
        .recorded(recorded.accepted, recorded.duplicates);
    Ok(HttpResponse::Ok().json(Recorded {
        accepted: recorded.accepted as u64,
        duplicates: recorded.duplicates as u64,
    }))
}

/// Reads the body up to `limit` bytes; refuses a larger one with 413 without reading it all.
async fn read_body(
    request: &HttpRequest,
    mut body: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let declared = request
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ApiError::TooLarge { limit });
    }
    let mut bytes = web::BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads one event object or `{"events": [...]}`; every bad event is named with each bad field.
pub fn parse_events(body: &[u8], now: DateTime<Utc>) -> Result<Vec<NewEvent>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(ApiError::invalid_field(
            "body",
            "expected an event object or {\"events\": [...]}",
        ));
    };
    if !object.contains_key("events") {
        return NewEvent::parse(&value, now)
            .map(|event| vec![event])
            .map_err(|errors| ApiError::Invalid {
                error: "the event is invalid; nothing was stored".into(),
                details: errors
                    .into_iter()
                    .map(|e| ErrorDetail {
                        index: None,
                        field: e.field,
                        message: e.message,
                    })
                    .collect(),
            });
    }
    if let Some(other) = object.keys().find(|k| k.as_str() != "events") {
        return Err(ApiError::invalid_field(
            other,
            "unknown field: a batch holds only \"events\"",
        ));
    }
    let batch = match &object["events"] {
        Value::Array(batch) if batch.is_empty() => {
            return Err(ApiError::invalid_field(
                "events",
                "must hold at least one event",
            ))
        }
        Value::Array(batch) if batch.len() > MAX_BATCH => {
            return Err(ApiError::invalid_field(
                "events",
                format!(
                    "holds {} events; a batch holds at most {MAX_BATCH}",
                    batch.len()
                ),
            ))
        }
        Value::Array(batch) => batch,
        _ => {
            return Err(ApiError::invalid_field(
                "events",
                "must be an array of events",
            ))
        }
    };
    let mut events = Vec::with_capacity(batch.len());
    let mut details = Vec::new();
    let mut bad = 0;
    for (index, value) in batch.iter().enumerate() {
        match NewEvent::parse(value, now) {
            Ok(event) => events.push(event),
            Err(errors) => {
                bad += 1;
                details.extend(errors.into_iter().map(|e| ErrorDetail {
                    index: Some(index),
                    field: e.field,
                    message: e.message,
                }));
            }
        }
    }
    if bad > 0 {
        return Err(ApiError::Invalid {
            error: format!(
                "{bad} of {} events are invalid; nothing was stored",
                batch.len()
            ),
            details,
        });
    }
    Ok(events)
}
