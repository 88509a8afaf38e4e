//! Histo's HTTP server: the JSON API under `/api/v1`, its OpenAPI document and Swagger UI, health,
//! metrics, and the web app at `/`. A request's way: `observe` (request id, security headers, metrics,
//! log) → route → `Authorized` extractor → domain types → store. Beside requests, the server purges
//! on a schedule and watches alert rules.

pub mod alerts;
pub mod auth;
mod body;
pub mod error;
mod export;
pub mod headers;
pub mod metrics;
mod observe;
pub mod openapi;
pub mod password;
pub mod peer;
mod purge;
pub mod query;
pub mod routes;
pub mod throttle;
mod web_app;

use std::net::{IpAddr, TcpListener};
use std::time::Duration;

use actix_web::{dev::Server, http::header, middleware, web, App, HttpResponse, HttpServer};
use histo_store::Store;
use metrics::Metrics;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::TokenVerifier;
pub use throttle::ThrottlePolicy;

/// Request limits, who may call from a browser, and the server's own timings.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest body of a recording request (a full batch of 10,000 events fits).
    pub max_body_bytes: usize,
    /// The largest body of every other request (sign-in, settings, sites).
    pub max_json_body_bytes: usize,
    /// Bytes of recording requests read or waiting for the writer, all requests together; beyond,
    /// recording answers 503 with `Retry-After` until the writer has caught up.
    pub max_pending_bytes: usize,
    /// How slowly a body may come: after a few seconds' grace, at least this many bytes a second on
    /// average, else 408 and the connection is closed.
    pub min_body_bytes_per_second: usize,
    /// Password checks (Argon2) run at once, and how many more may wait; beyond, 503.
    pub password_checks: (usize, usize),
    /// Reverse proxies whose `X-Forwarded-For` names the client (for counting wrong passwords).
    pub trusted_proxies: Vec<IpAddr>,
    /// The largest request head: target and headers (whatever this says, the HTTP server refuses a
    /// head over 128 KiB or with more than 96 headers).
    pub max_header_bytes: usize,
    /// How wrong passwords (sign-in, admin password) are slowed down and refused.
    pub wrong_passwords: ThrottlePolicy,
    /// How often every company is purged, from the start on; never when `None`.
    pub purge_every: Option<Duration>,
    /// Connections open at once (at least 1); further clients wait until one closes.
    pub max_connections: usize,
    /// How long a client has to send a request's headers; slower ones are cut off (408).
    pub client_request_timeout: Duration,
    /// How long a closing connection has to shut down before it is dropped.
    pub client_disconnect_timeout: Duration,
    /// Origins of other web sites whose pages may call the API (CORS); none by default.
    pub cors_origins: Vec<String>,
    /// Origins whose pages may show the web app in a frame (the host application's); none by default.
    pub frame_ancestors: Vec<String>,
    /// Where alert webhooks may go, and how they are sent.
    pub alerts: alerts::AlertSettings,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            max_json_body_bytes: 64 * 1024,
            max_pending_bytes: 64 * 1024 * 1024,
            min_body_bytes_per_second: 1024,
            password_checks: password::PasswordChecks::default_size(),
            trusted_proxies: Vec::new(),
            max_header_bytes: 16 * 1024,
            wrong_passwords: ThrottlePolicy::default(),
            purge_every: Some(Duration::from_secs(6 * 3600)),
            max_connections: 10_000,
            client_request_timeout: Duration::from_secs(5),
            client_disconnect_timeout: Duration::from_secs(2),
            cors_origins: Vec::new(),
            frame_ancestors: Vec::new(),
            alerts: alerts::AlertSettings::default(),
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub limits: Limits,
    /// Wrong passwords: at sign-in per account and address and per address, for the admin password
    /// per company.
    pub wrong_passwords: throttle::Throttle,
    /// Argon2, a few at a time.
    pub passwords: password::PasswordChecks,
    /// Who may frame the web app.
    pub framing: headers::Framing,
    /// Bytes of recording requests in memory, against `Limits::max_pending_bytes`.
    pub pending_bytes: std::sync::Arc<tokio::sync::Semaphore>,
    pub metrics: Metrics,
    /// The alert rules watched.
    pub alerts: std::sync::Arc<alerts::Alerts>,
}

/// Starts serving on an already bound listener (port 0 in tests).
pub fn serve(
    listener: TcpListener,
    store: Store,
    verifier: TokenVerifier,
    limits: Limits,
) -> std::io::Result<Server> {
    let metrics = Metrics::new();
    if let Some(every) = limits.purge_every {
        purge::schedule(store.clone(), every, metrics.clone());
    }
    let max_connections = limits.max_connections.max(1);
    // Actix counts connections per worker thread: no more workers than connections.
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(max_connections);
    let (request_timeout, disconnect_timeout) = (
        limits.client_request_timeout,
        limits.client_disconnect_timeout,
    );
    let cors_origins = limits.cors_origins.clone();
    let json_limit = limits.max_json_body_bytes;
    let (running, queue) = limits.password_checks;
    let alerts = alerts::Alerts::start(store.clone(), limits.alerts.clone(), metrics.clone());
    let state = web::Data::new(AppState {
        store,
        alerts,
        wrong_passwords: throttle::Throttle::new(limits.wrong_passwords),
        passwords: password::PasswordChecks::new(running, queue),
        framing: headers::Framing::new(&limits.frame_ancestors),
        pending_bytes: std::sync::Arc::new(tokio::sync::Semaphore::new(
            limits
                .max_pending_bytes
                .min(tokio::sync::Semaphore::MAX_PERMITS),
        )),
        limits,
        metrics,
    });
    let verifier = web::Data::new(verifier);
    let document = openapi::document();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(verifier.clone())
            // JSON and CSV answers, compressed as the client accepts; the web app's files come
            // compressed from the build and are sent as they are.
            .wrap(middleware::Compress::default())
            .wrap(middleware::Condition::new(
                !cors_origins.is_empty(),
                headers::cors(&cors_origins),
            ))
            .wrap(middleware::from_fn(headers::refuse_large_heads))
            .wrap(middleware::from_fn(body::deadline))
            .wrap(middleware::from_fn(observe::observe))
            .app_data(query::config())
            .app_data(query::json_config(json_limit))
            .into_utoipa_app()
            .configure(routes::api)
            .into_app()
            .service(web::resource("/docs").to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", document.clone()))
            .default_service(web::to(web_app::serve))
    })
    .workers(workers)
    .max_connections(max_connections.div_ceil(workers))
    .client_request_timeout(request_timeout)
    .client_disconnect_timeout(disconnect_timeout)
    .listen(listener)?
    .shutdown_timeout(10)
    // The caller decides how signals stop the server (`histo serve`: gracefully on SIGTERM and SIGINT).
    .disable_signals()
    .run();
    Ok(server)
}
