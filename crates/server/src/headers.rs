//! Headers: request heads over the limit are refused (431); every answer says no content-type
//! sniffing, no referrer (the web app's address may hold `#access_token=`), no framing by other sites
//! (but the web app by the host application's pages, `HISTO_FRAME_ANCESTORS`), a
//! Content-Security-Policy fitting its area, and no caching of API answers. CORS stays closed unless
//! origins are configured (`HISTO_CORS_ORIGINS`).

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error};

use crate::error::ApiError;
use crate::{web_app, AppState};

/// The request id header, which a page of another origin may send and read.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What an answer is part of, for its Content-Security-Policy and caching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// JSON, CSV, the OpenAPI document, health and metrics: nothing in them may load anything.
    Api,
    /// Swagger UI at `/docs`: its own scripts, inline styles and `data:` images.
    Docs,
    /// The web app: its own files, WebAssembly, the page's inline module script by its hash.
    WebApp,
}

impl Area {
    /// `routed`: whether one of the server's routes (not the web app's fallback) took the path.
    pub fn of(path: &str, routed: bool) -> Area {
        if path == "/docs" || path.starts_with("/docs/") {
            Area::Docs
        } else if routed || web_app::is_api_path(path) {
            Area::Api
        } else {
            Area::WebApp
        }
    }
}

/// Refuses a request whose target and headers together exceed `Limits::max_header_bytes`.
pub async fn refuse_large_heads(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limit = request
        .app_data::<web::Data<AppState>>()
        .map_or(usize::MAX, |state| state.limits.max_header_bytes);
    let size = request.uri().to_string().len()
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum::<usize>();
    if size > limit {
        return Ok(request.error_response(ApiError::HeadersTooLarge { limit }));
    }
    Ok(next.call(request).await?.map_into_boxed_body())
}

const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                           object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Who may show the web app in a frame: the Content-Security-Policy of its pages, built once.
#[derive(Debug, Clone)]
pub struct Framing {
    web_app_policy: HeaderValue,
    /// Whether some origins may frame the web app (`HISTO_FRAME_ANCESTORS`).
    allowed: bool,
}

impl Framing {
    pub fn new(frame_ancestors: &[String]) -> Framing {
        Framing {
            web_app_policy: web_app::content_security_policy(frame_ancestors),
            allowed: !frame_ancestors.is_empty(),
        }
    }
}

/// Adds the security headers of `area` to an answer.
pub fn secure(area: Area, headers: &mut HeaderMap, framing: &Framing) {
    let policy = match area {
        Area::Api => HeaderValue::from_static(API_POLICY),
        Area::Docs => HeaderValue::from_static(DOCS_POLICY),
        Area::WebApp => framing.web_app_policy.clone(),
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // X-Frame-Options knows no list of origins: where the web app may be framed, its
    // Content-Security-Policy says by whom.
    if !(area == Area::WebApp && framing.allowed) {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if area == Area::Api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Reads `HISTO_CORS_ORIGINS`: comma-separated origins such as `https://erp.example.com` (scheme,
/// host and port, nothing more, as browsers send them).
pub fn parse_origins(text: &str) -> Result<Vec<String>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let uri: actix_web::http::Uri = origin.parse().map_err(|_| bad_origin(origin))?;
            match (uri.scheme_str(), uri.authority()) {
                (Some(scheme @ ("http" | "https")), Some(authority))
                    if origin == format!("{scheme}://{authority}") =>
                {
                    Ok(origin.to_owned())
                }
                _ => Err(bad_origin(origin)),
            }
        })
        .collect()
}

fn bad_origin(origin: &str) -> String {
    format!("'{origin}' is not an origin like https://erp.example.com (scheme, host and port only)")
}

/// CORS for `origins`: pages of those sites may call the API with a bearer token and read the
/// request id and `Retry-After`; other origins get no CORS header, so browsers keep their pages out.
pub fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PUT", "PATCH"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            REQUEST_ID,
        ])
        .expose_headers([REQUEST_ID, header::RETRY_AFTER, header::CONTENT_DISPOSITION])
        .max_age(3600)
        // The web app's own requests carry an Origin too: a mismatch only leaves out the CORS headers.
        .block_on_origin_mismatch(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            parse_origins(" https://erp.example.com, http://localhost:8081 ,").unwrap(),
            ["https://erp.example.com", "http://localhost:8081"]
        );
        for bad in [
            "erp.example.com",
            "https://erp.example.com/",
            "https://erp.example.com/app",
            "ftp://erp.example.com",
            "*",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad}");
        }
    }
}
