//! Calls to the Histo HTTP API (same origin as the page).

use gloo_net::http::Request;
use serde::Deserialize;

/// Body of `GET /healthz`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Health {
    pub status: String,
    pub database: String,
    pub version: String,
}

/// Why an API call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request did not get an HTTP response (server down, network error).
    Network(String),
    /// The server answered with a non-2xx status.
    Status(u16),
    /// The response body was not the expected JSON.
    Decode(String),
}

/// `GET /healthz`.
pub async fn health() -> Result<Health, ApiError> {
    let response = Request::get("/healthz")
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::Status(response.status()));
    }
    response
        .json::<Health>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}
