//! Tessera inside an app of its own: nested under a prefix, beside the app's own
//! routes, state and fallback, with the maintenance the app runs.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tessera::{AuthUser, Config, StoreConfig, Tessera, TokenService};
use tower::ServiceExt;

use crate::helpers::PASSWORD;

#[derive(Clone)]
struct AppState {
    tessera: Tessera,
    greeting: &'static str,
}

impl FromRef<AppState> for Arc<TokenService> {
    fn from_ref(state: &AppState) -> Self {
        state.tessera.tokens()
    }
}

async fn dashboard(
    axum::extract::State(state): axum::extract::State<AppState>,
    user: AuthUser,
) -> Json<Value> {
    Json(json!({ "greeting": state.greeting, "user": user.username }))
}

async fn open(dir: &std::path::Path) -> Tessera {
    let config = Config {
        store: StoreConfig {
            data_dir: dir.to_owned(),
            ..StoreConfig::default()
        },
        ..Config::default()
    };
    Tessera::open(config).await.expect("tessera opens")
}

/// Sends `request` as a server with the client's address would (`axum::serve`
/// with `into_make_service_with_connect_info`).
async fn call(app: &Router, mut request: Request<Body>) -> (StatusCode, header::HeaderMap, Value) {
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 50_000));
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (parts.status, parts.headers, body)
}

fn post(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get_as(path: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn nested_under_a_prefix_beside_the_apps_own_routes_and_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let tessera = open(dir.path()).await;
    let maintenance = tokio::spawn(tessera.maintenance());
    let app = Router::new()
        .route("/dashboard", get(dashboard))
        .nest("/api", tessera.router())
        .fallback(|| async { (StatusCode::NOT_FOUND, "the app's own page") })
        .with_state(AppState {
            tessera: tessera.clone(),
            greeting: "hi",
        });

    let alice = json!({ "username": "alice", "password": PASSWORD });
    let (status, _, _) = call(&app, post("/api/register", &alice)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, headers, body) = call(&app, post("/api/auth", &alice)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Tessera's answers keep their security headers when nested.
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(headers[name], value, "{name}");
    }
    assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
    let token = body["access_token"].as_str().unwrap().to_owned();

    let (status, _, body) = call(&app, get_as("/dashboard", Some(&token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "greeting": "hi", "user": "alice" }));
    let (status, _, body) = call(&app, get_as("/api/protected", Some(&token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["hello_from"], "alice");

    let (status, headers, body) = call(&app, get_as("/dashboard", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers.contains_key(header::WWW_AUTHENTICATE));
    assert!(body["msg"].is_string());

    // The app keeps its own fallback; Tessera's paths exist only under the prefix.
    let (status, _, _) = call(&app, post("/auth", &alice)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app.clone().oneshot(get_as("/nope", None)).await.unwrap();
    assert!(
        !response.headers().contains_key("x-frame-options"),
        "the app's own answer"
    );
    let page = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(&page[..], b"the app's own page");

    maintenance.abort();
    tessera.close().await;
}

#[tokio::test]
async fn merged_at_the_root_it_answers_the_seeds_paths() {
    let dir = tempfile::tempdir().unwrap();
    let tessera = open(dir.path()).await;
    let app: Router = Router::new().merge(tessera.router());
    let alice = json!({ "username": "alice", "password": PASSWORD });
    assert_eq!(
        call(&app, post("/register", &alice)).await.0,
        StatusCode::CREATED
    );
    let (status, _, body) = call(&app, post("/login", &alice)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(&app, get_as("/protected", body["jwt"].as_str())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["hello_from"], "alice");
    tessera.close().await;
}

#[tokio::test]
async fn without_the_clients_address_sign_ins_are_refused_while_limits_are_on() {
    let dir = tempfile::tempdir().unwrap();
    let tessera = open(dir.path()).await;
    let app: Router = Router::new().merge(tessera.router());
    let alice = json!({ "username": "alice", "password": PASSWORD });
    // Served without `into_make_service_with_connect_info`: every client would
    // share one rate-limit key, so one stranger's guesses would lock all out.
    let response = app.clone().oneshot(post("/auth", &alice)).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!({ "msg": "Internal server error" })
    );
    // With the limits off there is nothing to key, and nothing to refuse.
    tessera.close().await;
    let dir = tempfile::tempdir().unwrap();
    let unlimited = Tessera::open(Config {
        store: StoreConfig {
            data_dir: dir.path().to_owned(),
            ..StoreConfig::default()
        },
        rate_limit: tessera::Rate::Off,
        rate_limit_user: tessera::Rate::Off,
        ..Config::default()
    })
    .await
    .unwrap();
    let app: Router = Router::new().merge(unlimited.router());
    let response = app.oneshot(post("/register", &alice)).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    unlimited.close().await;
}

#[tokio::test]
async fn a_setting_out_of_range_is_a_typed_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        store: StoreConfig {
            data_dir: dir.path().to_owned(),
            ..StoreConfig::default()
        },
        leeway: std::time::Duration::from_secs(600),
        ..Config::default()
    };
    let Err(err) = Tessera::open(config).await else {
        panic!("a ten-minute leeway is refused")
    };
    assert!(matches!(err, tessera::StartupError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("leeway"), "{err}");
}
