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

#[tokio::test]
async fn readyz_is_503_when_the_store_is_down_while_healthz_stays_ok() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let dir = tempfile::tempdir().unwrap();
    let tessera = tessera::Tessera::open(tessera::Config {
        store: tessera::StoreConfig {
            data_dir: dir.path().to_owned(),
            ..tessera::StoreConfig::default()
        },
        ..tessera::Config::default()
    })
    .await
    .unwrap();
    let app: axum::Router = tessera.router();
    tessera.close().await;

    let get = |path: &'static str| Request::get(path).body(Body::empty()).unwrap();
    let ready = app.clone().oneshot(get("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = axum::body::to_bytes(ready.into_body(), 1024).await.unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!({ "msg": "Service unavailable" })
    );
    let live = app.oneshot(get("/healthz")).await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
}
