//! Every refusal of the API, and the one place that maps it to a status code and a JSON body.
//! Database text never reaches the client; it goes to the log.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use histo_api_types::{ApiError as Body, ErrorDetail};
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
    #[error("{error}")]
    Invalid {
        error: String,
        details: Vec<ErrorDetail>,
    },
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the request's headers are larger than {limit} bytes")]
    HeadersTooLarge { limit: usize },
    #[error("the database is unavailable")]
    Store(#[from] StoreError),
}

impl ApiError {
    /// A bad query parameter or single field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::Invalid {
            error: format!("invalid '{field}': {message}"),
            details: vec![ErrorDetail {
                index: None,
                field: field.to_owned(),
                message,
            }],
        }
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
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
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
            ApiError::Store(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::TooManyAttempts { retry_after } => {
                response
                    .insert_header((header::RETRY_AFTER, whole_seconds(retry_after).to_string()));
            }
            _ => {}
        }
        response.json(Body {
            error: self.to_string(),
            details,
        })
    }
}

/// A wait in whole seconds, rounded up (at least 1), as `Retry-After` gives it.
fn whole_seconds(wait: &std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}
