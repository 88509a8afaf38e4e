//! Every refusal of the API, and the one place that maps it to a status code and a JSON body.
//! Database text never reaches the client; it goes to the log.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use histo_api_types::{ErrorBody, ErrorDetail};
use histo_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("too many wrong passwords: try again in {} seconds", whole_seconds(.retry_after))]
    TooManyAttempts { retry_after: std::time::Duration },
    #[error("{0}")]
    Unavailable(String),
    /// Too much is waiting already (password checks, events for the writer): nothing was done.
    #[error("{what}: try again in {} seconds", whole_seconds(.retry_after))]
    Busy {
        what: &'static str,
        retry_after: std::time::Duration,
    },
    #[error("the body came too slowly")]
    BodyTooSlow,
    #[error("{error}")]
    Invalid {
        error: String,
        details: Vec<ErrorDetail>,
    },
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the request's headers are larger than {limit} bytes")]
    HeadersTooLarge { limit: usize },
    /// The database failed: out of reach for now (503, try again) or Histo's own fault (500).
    #[error("{}", if .0.is_unavailable() { "the database is unavailable" } else { "an internal error occurred; it has been logged" })]
    Store(#[from] StoreError),
}

impl ApiError {
    /// A bad query parameter or single field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> ApiError {
        let detail = ErrorDetail {
            index: None,
            field: shortened(field, MAX_FIELD_CHARS),
            message: shortened(&message.into(), MAX_MESSAGE_CHARS),
        };
        ApiError::Invalid {
            error: format!("invalid '{}': {}", detail.field, detail.message),
            details: vec![detail],
        }
    }

    /// Refused input with one detail per bad field, at most [`MAX_DETAILS`] of them: an answer never
    /// grows with what the caller sent.
    pub fn invalid(error: String, details: impl IntoIterator<Item = ErrorDetail>) -> ApiError {
        let mut details: Vec<ErrorDetail> = details
            .into_iter()
            .take(MAX_DETAILS)
            .map(|detail| ErrorDetail {
                field: shortened(&detail.field, MAX_FIELD_CHARS),
                message: shortened(&detail.message, MAX_MESSAGE_CHARS),
                ..detail
            })
            .collect();
        details.shrink_to_fit();
        ApiError::Invalid { error, details }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::BodyTooSlow => StatusCode::REQUEST_TIMEOUT,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::Store(error) if error.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let details = match self {
            ApiError::Invalid { details, .. } => details.clone(),
            ApiError::Store(error) => {
                tracing::error!(%error, "request failed in the store");
                Vec::new()
            }
            _ => Vec::new(),
        };
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::Store(error) if error.is_unavailable() => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::TooManyAttempts { retry_after } | ApiError::Busy { retry_after, .. } => {
                response
                    .insert_header((header::RETRY_AFTER, whole_seconds(retry_after).to_string()));
            }
            // The rest of a slow body is not waited for.
            ApiError::BodyTooSlow => {
                response.force_close();
            }
            _ => {}
        }
        response.json(ErrorBody {
            error: self.to_string(),
            details,
        })
    }
}

/// The most details one refusal lists.
pub const MAX_DETAILS: usize = 100;
/// The longest field name a detail names (an unknown field's name is the caller's text).
const MAX_FIELD_CHARS: usize = 64;
/// The longest message of a detail (messages may quote the value refused).
const MAX_MESSAGE_CHARS: usize = 300;

/// `text` cut to `max` characters, with `…` where it was cut.
pub fn shortened(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// A wait in whole seconds, rounded up (at least 1), as `Retry-After` gives it.
fn whole_seconds(wait: &std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_worth_a_retry_and_a_bad_row_is_not() {
        let answer = ApiError::Store(StoreError::WriterStopped).error_response();
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(answer.headers().get(header::RETRY_AFTER).unwrap(), "1");
        let answer =
            ApiError::Store(StoreError::BadRow("event 01: bad month".into())).error_response();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(answer.headers().get(header::RETRY_AFTER).is_none());
        assert_eq!(
            ApiError::Store(StoreError::BadRow("event 01: bad month".into())).to_string(),
            "an internal error occurred; it has been logged"
        );
    }
}
