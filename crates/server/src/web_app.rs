//! The web app, built into `frontend/dist/` and embedded in the binary, served at `/`. Every file but
//! `index.html` has a content hash in its name and is cached for good; any other path that is not the
//! API's gets `index.html`, so that the app's own routes survive a reload.

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse};
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
