//! The web app, built into `frontend/dist/` and embedded in the binary, served at `/`. Every file but
//! `index.html` has a content hash in its name and is cached for good; any other path that is not the
//! API's gets `index.html`, so that the app's own routes survive a reload. Only GET and HEAD are
//! served: any other method outside the API (`POST /`, `TRACE /healthz`) is a 405, and so is a method
//! that an API route does not take (`DELETE /api/v1/events`); other API paths are a 404. The hashed files
//! come with brotli and gzip twins made at build time, sent as they are to browsers that take them.

use actix_web::http::header::{self, CacheControl, CacheDirective, HeaderValue};
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use base64::Engine;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "../../frontend/dist"]
#[allow_missing = true]
struct Dist;

const INDEX: &str = "index.html";

pub async fn serve(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    if is_api_path(request.path()) || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return refuse(&request);
    }
    let path = request.path().trim_start_matches('/');
    if let Some(file) = (!path.is_empty()).then(|| Dist::get(path)).flatten() {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        let mut response = HttpResponse::Ok();
        response
            .content_type(mime.as_ref())
            .insert_header(CacheControl(vec![
                CacheDirective::Public,
                CacheDirective::MaxAge(31_536_000),
                CacheDirective::Extension("immutable".into(), None),
            ]))
            .insert_header((header::VARY, "accept-encoding"));
        let compressed = TWINS.into_iter().find_map(|(encoding, extension)| {
            let twin = Dist::get(&format!("{path}.{extension}"))?;
            accepts(&request, encoding).then_some((encoding, twin))
        });
        return Ok(match compressed {
            Some((encoding, twin)) => response
                .insert_header((header::CONTENT_ENCODING, encoding))
                .body(twin.data.into_owned()),
            None => response.body(file.data.into_owned()),
        });
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

/// Whether `path` is the API's (the fallback serves the web app everywhere else).
pub(crate) fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// A request that no route took: an API path that the API does not have is a 404; a method that the
/// path does not take is a 405 naming the methods it takes.
fn refuse(request: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let taken = if is_api_path(request.path()) {
        let Some(methods) = crate::openapi::methods_at(request.path()) else {
            return Err(ApiError::NotFound(format!(
                "no API route {} {}",
                request.method(),
                request.path()
            )));
        };
        methods.join(", ")
    } else {
        "GET, HEAD".to_owned()
    };
    let mut refused = ApiError::MethodNotAllowed(format!(
        "{} is not taken at {}: only {taken}",
        request.method(),
        request.path()
    ))
    .error_response();
    if let Ok(value) = HeaderValue::from_str(&taken) {
        refused.headers_mut().insert(header::ALLOW, value);
    }
    Ok(refused)
}

/// The compressed twins of a file, by preference: content encoding and file name extension.
const TWINS: [(&str, &str); 2] = [("br", "br"), ("gzip", "gz")];

/// Whether the request's `Accept-Encoding` takes `encoding` (named, and not with `q=0`).
fn accepts(request: &HttpRequest, encoding: &str) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let named = parts
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case(encoding));
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            named && !refused
        })
}

/// The web app's Content-Security-Policy: scripts, WebAssembly (`'wasm-unsafe-eval'`) and requests
/// from Histo's own origin only, plus the inline module script of `index.html` by its SHA-256;
/// inline styles (the page's `<style>` and the chart's style attributes); no plugins; framing only by
/// the pages of `frame_ancestors` (the host application's, `HISTO_FRAME_ANCESTORS`), none by default.
pub fn content_security_policy(frame_ancestors: &[String]) -> HeaderValue {
    let index = Dist::get(INDEX).map(|file| file.data.into_owned());
    let hashes: String = inline_scripts(&String::from_utf8_lossy(&index.unwrap_or_default()))
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    let ancestors = if frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        frame_ancestors.join(" ")
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    );
    HeaderValue::from_str(&policy).expect("a policy of ASCII text: origins are checked")
}

/// The text of each `<script>` of a page that has no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|tag| {
        let (attributes, rest) = tag.split_once('>')?;
        let (text, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_encodings() {
        let asking = |accept: &str| {
            actix_web::test::TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, accept))
                .to_http_request()
        };
        assert!(accepts(&asking("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&asking("GZIP;q=0.5"), "gzip"));
        assert!(!accepts(&asking("gzip, br;q=0"), "br"));
        assert!(!accepts(&asking("br; q=0.0"), "br"));
        assert!(!accepts(&asking("identity"), "gzip"));
        assert!(!accepts(&asking("brotli"), "br"));
    }

    #[test]
    fn only_scripts_without_src_are_inline() {
        let page =
            "<script src=\"/e.js\"></script>\n<script type=\"module\">\n  init();\n</script>";
        assert_eq!(inline_scripts(page).collect::<Vec<_>>(), ["\n  init();\n"]);
    }
}
