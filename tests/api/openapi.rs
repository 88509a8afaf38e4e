//! The API's documentation: the served document is the committed one, and Swagger UI answers.

use crate::helpers::TestApp;

async fn the_served_document_is_the_committed_one(app: TestApp) {
    let served = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let served: serde_json::Value = serde_json::from_str(&served).unwrap();
    let committed = include_str!("../../openapi/openapi.json");
    let committed: serde_json::Value = serde_json::from_str(committed).unwrap();
    assert_eq!(
        served, committed,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
    assert_eq!(served["openapi"], "3.1.0");
    assert!(served["paths"]["/api/v1/events"]["post"].is_object());

    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status().as_u16(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

async fn health_names_the_database(app: TestApp) {
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], app.db.backend().name(), "{body}");
}

crate::on_both_databases!(
    the_served_document_is_the_committed_one,
    health_names_the_database
);
