//! User-facing texts. French is the default language of the app.

use crate::api::{ApiError, Health};

pub const APP_TITLE: &str = "Histo";

pub const HEALTH_LOADING: &str = "API : vérification…";

/// E.g. "API : ok (sqlite)".
pub fn health_ok(health: &Health) -> String {
    format!("API : {} ({})", health.status, health.database)
}

/// E.g. "API injoignable (HTTP 502)".
pub fn health_error(error: &ApiError) -> String {
    match error {
        ApiError::Network(_) => "API injoignable".to_owned(),
        ApiError::Status(code) => format!("API injoignable (HTTP {code})"),
        ApiError::Decode(_) => "API : réponse invalide".to_owned(),
    }
}
