//! `GET /.well-known/openid-configuration`: what other services need to verify
//! Tessera's tokens, stated only when the server knows its public URL.

use reqwest::header::CACHE_CONTROL;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tessera_shared::paths;

use crate::helpers::{assert_error, TestApp};

const NO_PUBLIC_URL: &str = "Discovery needs the public URL Tessera is reached at: set \
                             --public-url (TESSERA_PUBLIC_URL, Config::public_url)";

async fn document(app: &TestApp) -> Value {
    let response = app.get(paths::OPENID_CONFIGURATION).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=300");
    response.json().await.unwrap()
}

/// The claims of a token, unverified (the server checked them already).
fn claims_of(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .unwrap()
        .claims
}

#[tokio::test]
async fn the_document_states_the_issuer_the_keys_and_nothing_else() {
    let app = TestApp::spawn_with(&[
        "--public-url",
        "https://auth.example/",
        "--signing-alg",
        "EdDSA",
    ])
    .await;
    let claims = [
        "sub", "username", "roles", "sid", "fresh", "iss", "iat", "nbf", "exp", "jti", "amr", "acr",
    ];
    assert_eq!(
        document(&app).await,
        json!({
            "issuer": "https://auth.example",
            "jwks_uri": "https://auth.example/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": ["EdDSA"],
            "subject_types_supported": ["public"],
            "response_types_supported": [],
            "grant_types_supported": [],
            "claims_supported": claims,
            "acr_values_supported": ["0", "1", "2"],
        })
    );

    // The tokens carry the issuer the document states, and the server requires it.
    app.register("alice").await;
    let token = app.token_for("alice").await;
    assert_eq!(claims_of(&token)["iss"], "https://auth.example");
    let me = app.get_bearer(paths::ME, &token).await;
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_issuer_other_than_the_public_url_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (mut config, _) = crate::helpers::settings(&[
        "--public-url",
        "https://app.example/api",
        "--issuer",
        "https://id.example",
    ]);
    config.store.data_dir = dir.path().to_owned();
    let Err(err) = tessera::Tessera::open(config).await else {
        panic!("discovery at one URL naming another issuer is refused")
    };
    assert!(err.to_string().contains("OpenID Discovery"), "{err}");
}

#[tokio::test]
async fn an_explicit_issuer_equal_to_the_public_url_is_stated() {
    let app = TestApp::spawn_with(&[
        "--public-url",
        "https://app.example/api",
        "--issuer",
        "https://app.example/api",
        "--audience",
        "shop",
        "--signing-alg",
        "ES256",
    ])
    .await;
    let doc = document(&app).await;
    assert_eq!(doc["issuer"], "https://app.example/api");
    assert_eq!(
        doc["jwks_uri"],
        "https://app.example/api/.well-known/jwks.json"
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["ES256"])
    );
    assert!(doc["claims_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("aud")));
}

#[tokio::test]
async fn an_issuer_that_is_a_url_is_enough() {
    let app =
        TestApp::spawn_with(&["--issuer", "https://id.example/", "--signing-alg", "RS256"]).await;
    let doc = document(&app).await;
    assert_eq!(doc["issuer"], "https://id.example/");
    assert_eq!(doc["jwks_uri"], "https://id.example/.well-known/jwks.json");
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
}

#[tokio::test]
async fn without_a_public_url_there_is_no_document() {
    for flags in [&[][..], &["--issuer", "tessera"][..]] {
        let app = TestApp::spawn_with(flags).await;
        let response = app.get(paths::OPENID_CONFIGURATION).await;
        assert_error(response, StatusCode::NOT_FOUND, NO_PUBLIC_URL).await;
    }
}

#[tokio::test]
async fn an_hs256_server_states_no_algorithm_as_its_key_is_secret() {
    let app = TestApp::spawn_with(&["--public-url", "https://auth.example"]).await;
    let doc = document(&app).await;
    assert_eq!(doc["id_token_signing_alg_values_supported"], json!([]));
    let jwks: Value = app.get(paths::JWKS).await.json().await.unwrap();
    assert_eq!(jwks, json!({ "keys": [] }));
}

#[tokio::test]
async fn a_public_url_that_is_not_a_plain_url_stops_the_start() {
    for bad in [
        "auth.example",
        "https://auth.example/?x=1",
        "ftp://auth.example",
    ] {
        let (mut config, _) = crate::helpers::settings(&["--public-url", bad]);
        let dir = tempfile::tempdir().unwrap();
        config.store.data_dir = dir.path().to_owned();
        let refused = tessera::Tessera::open(config).await.err().unwrap();
        assert!(
            refused.to_string().contains("--public-url"),
            "{bad}: {refused}"
        );
    }
}
