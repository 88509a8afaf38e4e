//! Histo's HTTP server: the JSON API under `/api/v1`, its OpenAPI document and Swagger UI, health, and
//! the web app at `/`. A request's way: route → `Authorized` extractor → domain types → store.

pub mod auth;
pub mod error;
pub mod openapi;
pub mod password;
mod purge;
pub mod query;
pub mod routes;
pub mod throttle;
mod web_app;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{dev::Server, http::header, middleware, web, App, HttpResponse, HttpServer};
use histo_store::Store;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::TokenVerifier;
pub use throttle::ThrottlePolicy;

/// Request limits and the server's own timings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body taken (a full batch of 10,000 events fits).
    pub max_body_bytes: usize,
    /// How wrong passwords (sign-in, admin password) are slowed down and refused.
    pub wrong_passwords: ThrottlePolicy,
    /// How often every company is purged, from the start on; never when `None`.
    pub purge_every: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            wrong_passwords: ThrottlePolicy::default(),
            purge_every: Some(Duration::from_secs(6 * 3600)),
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub limits: Limits,
    /// Wrong passwords at sign-in, per company and user code.
    pub sign_in_attempts: throttle::Throttle,
    /// Wrong admin passwords, per company and user.
    pub admin_password_attempts: throttle::Throttle,
}

/// Starts serving on an already bound listener (port 0 in tests).
pub fn serve(
    listener: TcpListener,
    store: Store,
    verifier: TokenVerifier,
    limits: Limits,
) -> std::io::Result<Server> {
    if let Some(every) = limits.purge_every {
        purge::schedule(store.clone(), every);
    }
    let state = web::Data::new(AppState {
        store,
        limits,
        sign_in_attempts: throttle::Throttle::new(limits.wrong_passwords),
        admin_password_attempts: throttle::Throttle::new(limits.wrong_passwords),
    });
    let verifier = web::Data::new(verifier);
    let document = openapi::ApiDoc::openapi();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(verifier.clone())
            .wrap(middleware::Logger::new("%r %s %Dms").exclude("/healthz"))
            // The web app's wasm and ECharts shrink to a third with gzip or brotli.
            .wrap(middleware::Compress::default())
            .app_data(query::config())
            .app_data(query::json_config())
            .service(routes::events::record)
            .service(routes::stats::statistics)
            .service(routes::stats::overview)
            .service(routes::logs::logs)
            .service(routes::logs::export)
            .service(routes::taxonomy::features)
            .service(routes::sites::sites)
            .service(routes::sites::change_site)
            .service(routes::access::sign_in)
            .service(routes::settings::settings)
            .service(routes::settings::set_retention)
            .service(routes::audit::audit)
            .service(routes::health::healthz)
            .service(web::resource("/docs").to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", document.clone()))
            .default_service(web::to(web_app::serve))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    // The caller decides how signals stop the server (`histo serve`: gracefully on SIGTERM and SIGINT).
    .disable_signals()
    .run();
    Ok(server)
}
