//! The web app, built into `frontend/dist/` and embedded in the binary, served at `/`. Every file but
//! `index.html` has a content hash in its name and is cached for good; any other path that is not the
//! API's gets `index.html`, so that the app's own routes survive a reload. Only GET and HEAD are
//! served: any other method outside the API (`POST /`, `TRACE /healthz`) is a 405.

use actix_web::http::header::{self, CacheControl, CacheDirective, HeaderValue};
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use rust_embed::RustEmbed;

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "../../frontend/dist"]
#[allow_missing = true]
struct Dist;

const INDEX: &str = "index.html";

pub async fn serve(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = request.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return Err(ApiError::NotFound(format!(
            "no API route {} {}",
            request.method(),
            request.path()
        )));
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut refused = ApiError::MethodNotAllowed(format!(
            "{} is not taken at {}: only GET and HEAD",
            request.method(),
            request.path()
        ))
        .error_response();
        refused
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(refused);
    }
    if let Some(file) = (!path.is_empty()).then(|| Dist::get(path)).flatten() {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        return Ok(HttpResponse::Ok()
            .content_type(mime.as_ref())
            .insert_header(CacheControl(vec![
                CacheDirective::Public,
                CacheDirective::MaxAge(31_536_000),
                CacheDirective::Extension("immutable".into(), None),
            ]))
            .body(file.data.into_owned()));
    }
    match Dist::get(INDEX) {
        Some(index) => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(CacheControl(vec![CacheDirective::NoCache]))
            .body(index.data.into_owned())),
        None => Ok(HttpResponse::ServiceUnavailable()
            .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body("Histo's web app is not built into this binary: run `make build`. The API is at /api/v1, its documentation at /docs.")),
    }
}
