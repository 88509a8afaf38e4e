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
    #[error("{error}")]
    Invalid {
        error: String,
        details: Vec<ErrorDetail>,
    },
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
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
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
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
            _ => {}
        }
        response.json(Body {
            error: self.to_string(),
            details,
        })
    }
}
