//! `POST /api/v1/events`: the host application records one event or a batch. A batch is taken whole or
//! refused whole, and the answer comes only once the events are committed.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use histo_api_types::{ErrorBody, ErrorDetail, RecordEvents, Recorded};
use histo_domain::{FieldValue, Fields, NewEvent, MAX_BATCH};
use histo_store::StoreError;
use tokio::sync::SemaphorePermit;

use crate::auth::{Authorized, EventsWrite};
use crate::error::ApiError;
use crate::AppState;

/// Record events
///
/// Stores one event, or a batch of up to 10,000, for the token's company (never a company named in the
/// body). Idempotent by event id: a retried request stores nothing twice and says how many events were
/// already there. Events of a month the company no longer keeps are acknowledged as `expired`, neither
/// stored nor counted. A batch with a bad event is refused whole, each bad event named by its index
/// (at most 100 details).
#[utoipa::path(
    tag = "events",
    request_body = RecordEvents,
    responses(
        (status = 200, description = "Durably stored", body = Recorded),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 408, description = "The body came too slowly; nothing was stored", body = ErrorBody),
        (status = 413, description = "The body is over the size limit", body = ErrorBody),
        (status = 422, description = "Bad events, or a new site beyond the company's limit; nothing was stored", body = ErrorBody),
        (status = 503, description = "The database is unavailable, or too many events already wait to be stored (see `Retry-After`); nothing was acknowledged", body = ErrorBody),
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
    let (body, reserved) = read_body(&state, &request, body).await?;
    let events = parse_events(&body, Utc::now())?;
    // Only the parsed events wait for the writer; the bytes they came in go now.
    drop(body);
    let company = auth.caller.company;
    let concerned = state.alerts.concerned(&company, &events);
    let recorded = state.store.record(company.clone(), events).await;
    drop(reserved);
    let recorded = recorded.map_err(|error| match error {
        StoreError::TooManySites { .. } => ApiError::invalid_field("site", error.to_string()),
        other => other.into(),
    })?;
    state
        .metrics
        .recorded(recorded.accepted, recorded.duplicates);
    if recorded.accepted > 0 {
        state.alerts.recorded(&company, concerned);
    }
    Ok(HttpResponse::Ok().json(Recorded {
        accepted: recorded.accepted as u64,
        duplicates: recorded.duplicates as u64,
        expired: recorded.expired as u64,
    }))
}

/// Reads the body up to the size limit, within the bytes that recording requests may hold in
/// memory all together: 413 over the size limit (without reading it all), 503 with `Retry-After`
/// while too much already waits. The bytes stay reserved until the answer.
async fn read_body<'a>(
    state: &'a AppState,
    request: &HttpRequest,
    mut body: web::Payload,
) -> Result<(web::BytesMut, SemaphorePermit<'a>), ApiError> {
    let limit = state.limits.max_body_bytes;
    let declared = request
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(ApiError::TooLarge { limit });
    }
    let busy = || ApiError::Busy {
        what: "too many events wait to be stored",
        retry_after: std::time::Duration::from_secs(1),
    };
    let reserve = |bytes: usize| {
        u32::try_from(bytes)
            .ok()
            .and_then(|bytes| state.pending_bytes.try_acquire_many(bytes).ok())
            .ok_or_else(busy)
    };
    let mut reserved = reserve(declared.unwrap_or(0))?;
    let mut bytes = web::BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            if crate::body::too_slow(&e) {
                ApiError::BodyTooSlow
            } else {
                ApiError::BadRequest(format!("the body could not be read: {e}"))
            }
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
        if bytes.len() > reserved.num_permits() {
            reserved.merge(reserve(bytes.len() - reserved.num_permits())?);
        }
    }
    Ok((bytes, reserved))
}

/// Reads one event object or `{"events": [...]}`; every bad event is named with each bad field (at
/// most [`crate::error::MAX_DETAILS`] details).
pub fn parse_events(body: &[u8], now: DateTime<Utc>) -> Result<Vec<NewEvent>, ApiError> {
    let value = Fields::from_body(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let FieldValue::Object(object) = &value else {
        return Err(ApiError::invalid_field(
            "body",
            "expected an event object or {\"events\": [...]}",
        ));
    };
    let Some(events) = object.get("events") else {
        return NewEvent::parse(&value, now)
            .map(|event| vec![event])
            .map_err(|errors| {
                ApiError::invalid(
                    "the event is invalid; nothing was stored".into(),
                    errors.into_iter().map(|e| ErrorDetail {
                        index: None,
                        field: e.field,
                        message: e.message,
                    }),
                )
            });
    };
    if let Some(other) = object.names().find(|name| *name != "events") {
        return Err(ApiError::invalid_field(
            other,
            "unknown field: a batch holds only \"events\"",
        ));
    }
    if let (names, count @ 1..) = object.unknown() {
        let name = names.first().map_or("…", String::as_str);
        return Err(ApiError::invalid_field(
            name,
            format!("unknown field: a batch holds only \"events\" ({count} unknown)"),
        ));
    }
    let batch = match events {
        FieldValue::Events { total: 0, .. } => {
            return Err(ApiError::invalid_field(
                "events",
                "must hold at least one event",
            ))
        }
        FieldValue::Events { total, .. } if *total > MAX_BATCH => {
            return Err(ApiError::invalid_field(
                "events",
                format!("holds {total} events; a batch holds at most {MAX_BATCH}"),
            ))
        }
        FieldValue::Events { events, .. } => events,
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
                if details.len() < crate::error::MAX_DETAILS {
                    details.extend(errors.into_iter().map(|e| ErrorDetail {
                        index: Some(index),
                        field: e.field,
                        message: e.message,
                    }));
                }
            }
        }
    }
    if bad > 0 {
        return Err(ApiError::invalid(
            format!(
                "{bad} of {} events are invalid; nothing was stored",
                batch.len()
            ),
            details,
        ));
    }
    Ok(events)
}
