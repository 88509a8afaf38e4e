//! The web app is served at `/`: index.html for the app's own routes, hashed assets cached for good,
//! unknown API paths answered in JSON, and other methods than GET and HEAD refused.

use crate::helpers::TestApp;

async fn the_web_app_is_served_with_its_routes_and_caching(app: TestApp) {
    let dist = concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/dist/index.html");
    if !std::path::Path::new(dist).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the web app must be built under CI (make web)"
        );
        eprintln!(
            "\n!!!!! the web app is not built (make web): its serving test is SKIPPED !!!!!\n"
        );
        return;
    }
    for path in ["/", "/stats/email?year=2026"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        let html = response.text().await.unwrap();
        assert!(html.contains("<title>Histo</title>"), "{path}: {html}");
        let wasm = html
            .split('"')
            .find(|s| s.ends_with("_bg.wasm"))
            .expect("the page names its wasm module");
        let asset = app.client.get(app.url(wasm)).send().await.unwrap();
        assert_eq!(asset.status().as_u16(), 200);
        assert_eq!(asset.headers()["content-type"], "application/wasm");
        assert!(asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        let on_disk = |name: &str| {
            std::fs::read(format!(
                "{}/frontend/dist/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let plain = asset.bytes().await.unwrap();
        assert_eq!(plain, on_disk(wasm.trim_start_matches('/')));
        // The twins compressed at build time travel as they are, brotli first.
        for (accept, encoding, twin) in
            [("gzip, deflate, br", "br", ".br"), ("gzip", "gzip", ".gz")]
        {
            let compressed = app
                .client
                .get(app.url(wasm))
                .header("accept-encoding", accept)
                .send()
                .await
                .unwrap();
            assert_eq!(compressed.headers()["content-encoding"], encoding);
            assert_eq!(compressed.headers()["vary"], "accept-encoding");
            let body = compressed.bytes().await.unwrap();
            assert_eq!(
                body,
                on_disk(&format!("{}{twin}", wasm.trim_start_matches('/')))
            );
            assert!(body.len() < plain.len() / 2, "the app travels compressed");
        }
    }
    let (status, body) = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("no API route"));
}

/// Whether or not the web app is built: the fallback to the app takes only GET and HEAD, and an API
/// route answers a method that it does not take with 405 and the methods it takes.
async fn methods_that_a_path_does_not_take_are_refused(app: TestApp) {
    for (method, path, allow) in [
        ("POST", "/", "GET, HEAD"),
        ("TRACE", "/healthz", "GET, HEAD"),
        ("DELETE", "/stats/email", "GET, HEAD"),
        ("DELETE", "/api/v1/events", "POST"),
        ("GET", "/api/v1/events", "POST"),
        ("PUT", "/api/v1/sites/LYON", "PATCH"),
        ("POST", "/api/v1/stats", "GET"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"]
            .as_str()
            .unwrap()
            .contains(&format!("only {allow}")));
    }
    // A path that no route has stays a 404, whatever the method.
    for path in ["/api/v1/sites/LYON/more", "/api/v1/sites/"] {
        let response = app.client.delete(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
}

crate::on_both_databases!(
    the_web_app_is_served_with_its_routes_and_caching,
    methods_that_a_path_does_not_take_are_refused
);
