//! Health probes and the JSON answers for unknown routes and methods.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "status": "ok" })
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let app = TestApp::spawn().await;
    assert_error(app.get("/nope").await, StatusCode::NOT_FOUND, "Not found").await;
    let response = app.get("/auth").await;
    assert_eq!(response.headers().get("allow").unwrap(), "POST");
    assert_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
    )
    .await;
}
