//! A third-party verifier, the `jwt-authorizer` crate, given nothing but the
//! discovery URL of a Tessera nested in an app under a prefix: it follows
//! `jwks_uri` and checks `iss`, as any OpenID-aware service would.

use std::net::SocketAddr;

use axum07::body::Body;
use axum07::http::{Request, StatusCode};
use jwt_authorizer::{IntoLayer, JwtAuthorizer, JwtClaims, Validation};
use serde::Deserialize;
use serde_json::{json, Value};
use tessera::Tessera;
use tessera::{Keys, SigningAlg};
use tower::ServiceExt;

use crate::helpers::{credentials, settings, PASSWORD};

/// What the consuming service reads from a token. Requiring `username`, a
/// claim only access tokens carry, is what keeps refresh tokens out:
/// jwt-authorizer does not check `typ`.
#[derive(Debug, Clone, Deserialize)]
struct TesseraUser {
    username: String,
}

async fn orders(JwtClaims(user): JwtClaims<TesseraUser>) -> String {
    format!("the orders of {}", user.username)
}

/// Tessera inside an app, under `/auth-api`, with that prefix in its public
/// URL (known before the start, as the listener is bound first). Returns the
/// public URL and the data dir, which holds the key ring.
async fn embedded_tessera(alg: &str) -> (String, tempfile::TempDir) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public_url = format!("http://{}/auth-api", listener.local_addr().unwrap());
    let (mut config, _) = settings(&["--public-url", &public_url, "--signing-alg", alg]);
    let data = tempfile::tempdir().unwrap();
    config.store.data_dir = data.path().to_owned();
    let tessera = Tessera::open(config).await.unwrap();
    let app = axum::Router::new().nest("/auth-api", tessera.router());
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (public_url, data)
}

fn client() -> reqwest::Client {
    crate::helpers::test_client()
}

/// Registers alice and signs her in; the whole `/auth` answer.
async fn sign_in(public_url: &str) -> Value {
    for path in ["register", "auth"] {
        let response = client()
            .post(format!("{public_url}/{path}"))
            .json(&credentials("alice", PASSWORD))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        if path == "auth" {
            return response.json().await.unwrap();
        }
    }
    unreachable!()
}

/// The consuming service's status and body for a request with `token`.
async fn call(app: &axum07::Router, token: &str) -> (StatusCode, String) {
    let request = Request::get("/orders")
        .header("Authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum07::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// `token`'s claims and kid, signed instead by a key Tessera never had.
fn forge_from(token: &str, alg: SigningAlg) -> String {
    let data = tempfile::tempdir().unwrap();
    let other = Keys::open(&data.path().join(Keys::DIR), alg, None)
        .unwrap()
        .current();
    let mut header = jsonwebtoken::decode_header(token).unwrap();
    header.alg = other.signing_algorithm();
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .unwrap()
        .claims;
    jsonwebtoken::encode(&header, &claims, other.encoding_key()).unwrap()
}

#[tokio::test]
async fn jwt_authorizer_accepts_tesseras_tokens_from_discovery_and_refuses_forged_ones() {
    for alg in ["EdDSA", "ES256", "RS256"] {
        let (public_url, _data) = embedded_tessera(alg).await;
        let answer = sign_in(&public_url).await;
        let access = answer["access_token"].as_str().unwrap();

        let authorizer = JwtAuthorizer::<TesseraUser>::from_oidc(&public_url)
            .validation(Validation::new().iss(&[&public_url]))
            .http_client(client())
            .build()
            .await
            .unwrap_or_else(|err| panic!("{alg}: discovery failed: {err}"));
        let app = axum07::Router::new()
            .route("/orders", axum07::routing::get(orders))
            .layer([authorizer].into_layer());

        assert_eq!(
            call(&app, access).await,
            (StatusCode::OK, "the orders of alice".to_owned()),
            "{alg}"
        );
        let forged = forge_from(access, alg.parse().unwrap());
        assert_eq!(
            call(&app, &forged).await.0,
            StatusCode::UNAUTHORIZED,
            "{alg}"
        );
        let refresh = answer["refresh_token"].as_str().unwrap();
        assert_eq!(
            call(&app, refresh).await.0,
            StatusCode::UNAUTHORIZED,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn the_discovery_document_names_the_prefixed_urls() {
    let (public_url, _data) = embedded_tessera("EdDSA").await;
    let doc: Value = client()
        .get(format!("{public_url}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], json!(public_url));
    assert_eq!(
        doc["jwks_uri"],
        json!(format!("{public_url}/.well-known/jwks.json"))
    );
}
