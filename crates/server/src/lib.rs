//! Histo's HTTP server: the JSON API under `/api/v1`, its OpenAPI document and Swagger UI, health, and
//! the web app at `/`. A request's way: route → `Authorized` extractor → domain types → store.

pub mod auth;
pub mod error;
pub mod openapi;
pub mod query;
pub mod routes;
mod web_app;

use std::net::TcpListener;

use actix_web::{dev::Server, http::header, middleware, web, App, HttpResponse, HttpServer};
use histo_store::Store;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::TokenVerifier;

/// Request limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body taken (a full batch of 10,000 events fits).
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub limits: Limits,
}

/// Starts serving on an already bound listener (port 0 in tests).
pub fn serve(
    listener: TcpListener,
    store: Store,
    verifier: TokenVerifier,
    limits: Limits,
) -> std::io::Result<Server> {
    let state = web::Data::new(AppState { store, limits });
    let verifier = web::Data::new(verifier);
    let document = openapi::ApiDoc::openapi();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(verifier.clone())
            .wrap(middleware::Logger::new("%r %s %Dms").exclude("/healthz"))
            .app_data(query::config())
            .service(routes::events::record)
            .service(routes::stats::statistics)
            .service(routes::stats::overview)
            .service(routes::logs::logs)
            .service(routes::logs::export)
            .service(routes::taxonomy::features)
            .service(routes::sites::sites)
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
    .run();
    Ok(server)
}
