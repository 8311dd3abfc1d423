//! `GET /openapi.json`: an OpenAPI 3.1 document that lists every route.

use reqwest::StatusCode;
use serde_json::Value;
use tessera_shared::paths;

use crate::helpers::TestApp;

/// Every route as (method, path in OpenAPI syntax).
fn routes() -> Vec<(&'static str, String)> {
    let mut routes: Vec<(&str, String)> = [
        ("post", paths::AUTH),
        ("post", paths::LOGIN),
        ("post", paths::REGISTER),
        ("get", paths::PROTECTED),
        ("get", paths::ME),
        ("post", paths::REFRESH),
        ("post", paths::LOGOUT),
        ("post", paths::LOGOUT_ALL),
        ("get", paths::SESSIONS),
        ("post", paths::PASSWORD),
        ("put", paths::ME_EMAIL),
        ("post", paths::EMAIL_VERIFY),
        ("post", paths::EMAIL_RESEND),
        ("post", paths::PASSWORD_FORGOT),
        ("post", paths::PASSWORD_RESET),
        ("get", paths::JWKS),
        ("get", paths::OPENID_CONFIGURATION),
        ("get", paths::ADMIN_USERS),
        ("get", paths::HEALTHZ),
        ("get", paths::READYZ),
        ("get", paths::MFA_TOTP),
        ("post", paths::MFA_TOTP),
        ("delete", paths::MFA_TOTP),
        ("post", paths::MFA_TOTP_CONFIRM),
        ("post", paths::MFA_VERIFY),
        ("post", paths::MFA_RECOVERY_CODES),
        ("post", paths::MFA_PASSKEY_OPTIONS),
        ("post", paths::MFA_PASSKEY),
        ("get", paths::PASSKEYS),
        ("post", paths::PASSKEYS),
        ("post", paths::PASSKEY_OPTIONS),
        ("patch", paths::PASSKEY),
        ("delete", paths::PASSKEY),
        ("post", paths::PASSKEY_SIGN_IN_OPTIONS),
        ("post", paths::PASSKEY_SIGN_IN),
        ("get", "/openapi.json"),
    ]
    .into_iter()
    .map(|(method, path)| (method, path.to_owned()))
    .collect();
    routes.push(("delete", format!("{}/{{username}}", paths::ADMIN_USERS)));
    routes.push(("delete", format!("{}/{{id}}", paths::SESSIONS)));
    routes
}

async fn document(app: &TestApp) -> Value {
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert_eq!(content_type, "application/json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn document_is_openapi_3_1() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Tessera");
    assert!(doc["paths"].is_object());
    let bearer = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(bearer["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn document_lists_every_route() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    // Every path the shared crate names is a route, except prefixes reserved
    // below them (such as "/.well-known").
    let listed: Vec<String> = routes().into_iter().map(|(_, path)| path).collect();
    for path in paths::ALL {
        assert!(
            listed.iter().any(|route| route == path)
                || listed
                    .iter()
                    .any(|route| route.starts_with(&format!("{path}/"))),
            "{path} is in paths::ALL but not in this test's route list"
        );
    }
    for (method, path) in routes() {
        let operation = &doc["paths"][&path][method];
        assert!(operation.is_object(), "{method} {path} is missing");
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{method} {path} documents no response"
        );
    }
    // The document names nothing that is not a route.
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, routes().len());
}

#[tokio::test]
async fn every_documented_route_exists() {
    // Discovery answers 404 until the server knows its public URL.
    let app = TestApp::spawn_with(&["--public-url", "https://auth.example"]).await;
    let doc = document(&app).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let url = app.url(&path.replace("{username}", "nobody").replace("{id}", "none"));
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = app
                .http()
                .request(method.clone(), &url)
                .send()
                .await
                .unwrap()
                .status();
            assert!(
                status != StatusCode::NOT_FOUND || path.contains("{username}"),
                "{method} {path} is documented but answers 404"
            );
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn protected_routes_require_the_bearer_scheme() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    for (method, path) in [
        ("get", paths::PROTECTED),
        ("get", paths::ME),
        ("post", paths::LOGOUT),
        ("post", paths::LOGOUT_ALL),
        ("get", paths::SESSIONS),
        ("post", paths::PASSWORD),
        ("put", paths::ME_EMAIL),
        ("post", paths::EMAIL_RESEND),
        ("get", paths::ADMIN_USERS),
        ("get", paths::MFA_TOTP),
        ("post", paths::MFA_TOTP),
        ("delete", paths::MFA_TOTP),
        ("post", paths::MFA_TOTP_CONFIRM),
        ("post", paths::MFA_VERIFY),
        ("post", paths::MFA_RECOVERY_CODES),
        ("post", paths::MFA_PASSKEY_OPTIONS),
        ("post", paths::MFA_PASSKEY),
        ("get", paths::PASSKEYS),
        ("post", paths::PASSKEYS),
        ("post", paths::PASSKEY_OPTIONS),
        ("patch", paths::PASSKEY),
        ("delete", paths::PASSKEY),
    ] {
        let operation = &doc["paths"][path][method];
        assert_eq!(
            operation["security"][0]["bearer"],
            serde_json::json!([]),
            "{method} {path}"
        );
        assert!(operation["responses"]["401"].is_object(), "{method} {path}");
    }
    assert!(doc["paths"][paths::AUTH]["post"]["security"].is_null());
    assert!(doc["paths"][paths::PASSKEY_SIGN_IN]["post"]["security"].is_null());
}
