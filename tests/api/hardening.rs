//! What protects Histo and its users at the HTTP level, through real connections: security headers on
//! every answer (strict for the web app, looser for Swagger UI, nothing loadable from the API), CORS
//! closed unless origins are configured, request heads over the limit refused, slow clients cut off,
//! and connections beyond the limit kept waiting.

use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{test_limits, token, Db, TestApp};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The headers that every answer carries, whatever its area.
fn assert_protected(headers: &HeaderMap, what: &str) {
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{what}");
    assert!(
        header(headers, "content-security-policy").contains("frame-ancestors 'none'"),
        "{what}"
    );
}

#[tokio::test]
async fn api_answers_load_nothing_and_are_never_cached() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let reader = token("acme", "logs:read");
    for (path, bearer, status) in [
        ("/api/v1/sites", Some(&reader), 200),
        ("/api/v1/sites", None, 401),
        ("/api/v1/nothing-here", None, 404),
        ("/healthz", None, 200),
        ("/metrics", None, 200),
        ("/api-docs/openapi.json", None, 200),
    ] {
        let mut request = app.client.get(app.url(path));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        let headers = response.headers();
        assert_protected(headers, path);
        assert_eq!(
            header(headers, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(header(headers, "cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn the_web_app_may_run_only_its_own_code() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_protected(response.headers(), "/");
    let policy = header(response.headers(), "content-security-policy").to_owned();
    for directive in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("'unsafe-eval'"), "{policy}");
    let script_sources = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!script_sources.contains("'unsafe-inline'"), "{policy}");
    assert_eq!(
        response.status().as_u16(),
        200,
        "the web app is built into the binary (make web)"
    );
    assert_eq!(header(response.headers(), "cache-control"), "no-cache");
    let page = response.text().await.unwrap();
    // Every script of the page is Histo's own file, or inline and allowed by its hash.
    let mut inline = 0;
    for tag in page.split("<script").skip(1) {
        let (attributes, rest) = tag.split_once('>').unwrap();
        if let Some(source) = attributes.split("src=\"").nth(1) {
            assert!(source.starts_with('/'), "a script from elsewhere: {source}");
            continue;
        }
        let text = rest.split_once("</script>").unwrap().0;
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text));
        assert!(
            script_sources.contains(&format!("'sha256-{hash}'")),
            "the inline script is not allowed: {text}"
        );
        inline += 1;
    }
    assert_eq!(inline, 1, "the page starts the app with one inline script");
}

#[tokio::test]
async fn swagger_ui_runs_its_own_scripts_only() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let response = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_protected(response.headers(), "/docs/");
    let policy = header(response.headers(), "content-security-policy").to_owned();
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
    assert!(policy.contains("img-src 'self' data:"), "{policy}");
    assert!(
        !policy.contains("script-src"),
        "scripts as default-src: {policy}"
    );
    let page = response.text().await.unwrap();
    let scripts: Vec<&str> = page
        .split("<script")
        .skip(1)
        .map(|tag| tag.split_once('>').unwrap().0)
        .collect();
    assert!(!scripts.is_empty(), "{page}");
    for attributes in scripts {
        let source = attributes
            .split("src=\"")
            .nth(1)
            .unwrap_or_else(|| panic!("an inline script in Swagger UI: {page}"));
        let source = source.split('"').next().unwrap();
        let file = app
            .client
            .get(app.url(&format!("/docs/{}", source.trim_start_matches("./"))))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status().as_u16(), 200, "{source}");
    }
}

/// A CORS preflight for a GET with a bearer token from `origin`.
async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/sites"))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap()
}

const ERP: &str = "https://erp.example.com";
const OTHER: &str = "https://other.example.net";

#[tokio::test]
async fn cors_is_closed_by_default() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let answer = preflight(&app, ERP).await;
    assert!(answer
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let read = app
        .client
        .get(app.url("/api/v1/sites"))
        .header("origin", ERP)
        .bearer_auth(token("acme", "logs:read"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    assert!(read.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn cors_opens_to_the_listed_origins_only() {
    let limits = histo_server::Limits {
        cors_origins: vec![ERP.to_owned()],
        ..test_limits()
    };
    let app = TestApp::spawn_with(Db::Sqlite, limits).await;
    let allowed = preflight(&app, ERP).await;
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(
        header(allowed.headers(), "access-control-allow-origin"),
        ERP
    );
    assert!(header(allowed.headers(), "access-control-allow-headers")
        .to_ascii_lowercase()
        .contains("authorization"));
    assert!(preflight(&app, OTHER)
        .await
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    for (origin, allowed) in [(ERP, true), (OTHER, false)] {
        let read = app
            .client
            .get(app.url("/api/v1/sites"))
            .header("origin", origin)
            .bearer_auth(token("acme", "logs:read"))
            .send()
            .await
            .unwrap();
        let headers = read.headers();
        assert_eq!(
            headers
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap()),
            allowed.then_some(origin),
            "{origin}"
        );
        if allowed {
            assert!(header(headers, "access-control-expose-headers").contains("x-request-id"));
        }
    }
}

/// Sends raw bytes on a new connection and reads until the server closes it or `wait` ends; the
/// text read, and whether the server closed the connection.
async fn exchange(app: &TestApp, bytes: &[u8], wait: Duration) -> (String, bool) {
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    // A refusal may close the connection before everything is written.
    let _ = stream.write_all(bytes).await;
    let mut read = Vec::new();
    let closed = tokio::time::timeout(wait, async {
        let mut buffer = [0; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&read).into_owned(), closed)
}

#[tokio::test]
async fn headers_over_the_limit_are_refused() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let limit = test_limits().max_header_bytes;
    let refused = app
        .client
        .get(app.url("/api/v1/sites"))
        .bearer_auth(token("acme", "logs:read"))
        .header("x-filler", "a".repeat(limit))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 431);
    assert_protected(refused.headers(), "431");
    assert!(refused.headers().contains_key("x-request-id"));
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        body["error"],
        format!("the request's headers are larger than {limit} bytes")
    );
    let fits = app
        .client
        .get(app.url("/api/v1/sites"))
        .bearer_auth(token("acme", "logs:read"))
        .header("x-filler", "a".repeat(limit / 2))
        .send()
        .await
        .unwrap();
    assert_eq!(fits.status().as_u16(), 200);
}

#[tokio::test]
async fn heads_beyond_what_the_http_server_reads_close_the_connection() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nhost: histo\r\nx-filler: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nhost: histo\r\n{}\r\n",
        (0..200)
            .map(|n| format!("x-h{n}: 1\r\n"))
            .collect::<String>()
    );
    for request in [huge_header, many_headers] {
        let (answer, closed) = exchange(&app, request.as_bytes(), Duration::from_secs(5)).await;
        assert!(closed, "the connection stays open: {answer}");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
            "{answer}"
        );
    }
    assert_eq!(app.get("/healthz", None).await.0, 200);
}

#[tokio::test]
async fn clients_too_slow_to_send_their_headers_are_cut_off() {
    let limits = histo_server::Limits {
        client_request_timeout: Duration::from_secs(1),
        ..test_limits()
    };
    let app = TestApp::spawn_with(Db::Sqlite, limits).await;
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    // Then a byte of headers every 200 ms, as a slowloris client sends them.
    let mut trickle = b"x-slow: 1\r\n".iter().cycle();
    let cut_off = loop {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a slow client is still connected"
        );
        let byte = [*trickle.next().unwrap()];
        if stream.write_all(&byte).await.is_err() {
            break started.elapsed();
        }
        let mut buffer = [0; 1024];
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break started.elapsed(),
            Ok(Ok(n)) => {
                let answer = String::from_utf8_lossy(&buffer[..n]);
                assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
                break started.elapsed();
            }
            Err(_) => {}
        }
    };
    assert!(cut_off >= Duration::from_millis(900), "{cut_off:?}");
    assert_eq!(app.get("/healthz", None).await.0, 200);
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_one() {
    let limits = histo_server::Limits {
        max_connections: 1,
        ..test_limits()
    };
    let app = TestApp::spawn_with(Db::Sqlite, limits).await;
    let mut first = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: histo\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0; 1024];
    let n = first.read(&mut buffer).await.unwrap();
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));

    // The first connection stays open (keep-alive): the second client waits.
    let client = app.client.clone();
    let url = app.url("/healthz");
    let second = tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(!second.is_finished(), "a second connection was served");

    drop(first);
    let status = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("served once the first connection closed")
        .unwrap()
        .unwrap();
    assert_eq!(status.as_u16(), 200);
}
