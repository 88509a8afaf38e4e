//! The API's routes, one module per area, registered in one place ([`api`]) for the server and for
//! the OpenAPI document alike.

pub mod access;
pub mod alerts;
pub mod audit;
pub mod erasures;
pub mod events;
pub mod health;
pub mod logs;
pub mod metrics;
pub mod settings;
pub mod sites;
pub mod stats;
pub mod taxonomy;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use histo_domain::TimeZone;
use uuid::Uuid;

use crate::error::ApiError;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every route of the API: actix serves them, and the OpenAPI document (hence the access test, the
/// fuzzing and the 405 answers) describes them, from this one list.
pub fn api(routes: &mut ServiceConfig) {
    routes
        .service(events::record)
        .service(stats::statistics)
        .service(stats::export)
        .service(stats::usage_by_site)
        .service(stats::overview)
        .service(logs::logs)
        .service(logs::export)
        .service(taxonomy::features)
        .service(sites::sites)
        .service(sites::change_site)
        .service(access::sign_in)
        .service(settings::settings)
        .service(settings::retention_preview)
        .service(settings::set_retention)
        .service(settings::set_admin_password)
        .service(erasures::erase)
        .service(audit::audit)
        .service(audit::verification)
        .service(alerts::rules)
        .service(alerts::add_rule)
        .service(alerts::remove_rule)
        .service(alerts::events)
        .service(alerts::monthly_digest)
        .service(alerts::set_monthly_digest)
        .service(alerts::stop_monthly_digest)
        .service(health::healthz)
        .service(metrics::metrics);
}

/// An instant as the API shows it: RFC 3339 with the company's local offset.
pub fn local_time(at: DateTime<Utc>, zone: TimeZone) -> String {
    at.with_timezone(&zone.tz())
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// An opaque cursor of a newest-first list ordered by time and id: base64url of the last item's time
/// (8 bytes, big-endian) and id (16).
pub fn encode_cursor(at: i64, id: Uuid) -> String {
    let mut bytes = at.to_be_bytes().to_vec();
    bytes.extend_from_slice(id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The time and id an [`encode_cursor`] cursor holds; 422 naming `cursor` for anything else.
pub fn decode_cursor(cursor: &str) -> Result<(i64, Uuid), ApiError> {
    let refused = || {
        ApiError::invalid_field(
            "cursor",
            "is not a cursor of this list (pass next_cursor back unchanged)",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    let bytes: [u8; 24] = bytes.try_into().map_err(|_| refused())?;
    let (at, id) = bytes.split_at(8);
    Ok((
        i64::from_be_bytes(at.try_into().map_err(|_| refused())?),
        Uuid::from_slice(id).map_err(|_| refused())?,
    ))
}
