//! The API's routes, one module per area, registered in one place ([`api`]) for the server and for
//! the OpenAPI document alike.

pub mod access;
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

use chrono::{DateTime, SecondsFormat, Utc};
use histo_domain::TimeZone;
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
        .service(health::healthz)
        .service(metrics::metrics);
}

/// An instant as the API shows it: RFC 3339 with the company's local offset.
pub fn local_time(at: DateTime<Utc>, zone: TimeZone) -> String {
    at.with_timezone(&zone.tz())
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}
