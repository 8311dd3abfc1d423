//! Every way a token can be wrong gets a 401 with a distinct message and a challenge.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Algorithm;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, assert_token_refused, now, valid_claims, TestApp};

#[tokio::test]
async fn both_schemes_in_any_case_are_accepted() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    let token = app.token_for("alice").await;
    for scheme in ["JWT", "jwt", "Bearer", "bearer", "BEARER"] {
        let response = app
            .get_authorized("/protected", format!("{scheme} {token}").as_bytes())
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn a_missing_header_gets_a_challenge_without_an_error_code() {
    let app = TestApp::spawn().await;
    for path in ["/protected", "/me"] {
        let response = app.get(path).await;
        let challenge = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .cloned()
            .unwrap();
        assert_eq!(challenge, r#"Bearer realm="tessera""#);
        assert_error(
            response,
            StatusCode::UNAUTHORIZED,
            "Missing Authorization header",
        )
        .await;
    }
}

#[tokio::test]
async fn malformed_headers_are_refused_cheaply() {
    let app = TestApp::spawn().await;
    let oversized = format!("Bearer {}", "a".repeat(9 * 1024));
    let headers: [&[u8]; 7] = [
        b"Basic dXNlcjpwYXNz",
        b"Bearer",
        b"Bearer ",
        b"Token abc",
        b"Bearer a b",
        b"Bearer \xff\xfe\xfd",
        oversized.as_bytes(),
    ];
    for value in headers {
        let response = app.get_authorized("/protected", value).await;
        assert_token_refused(
            response,
            "Authorization header must be 'Bearer <token>' or 'JWT <token>'",
        )
        .await;
    }
}

#[tokio::test]
async fn a_huge_header_is_a_client_error_not_a_crash() {
    // Over a socket: the head's size is capped where the connection is read.
    let app = TestApp::spawn_listening(&[]).await;
    let huge = format!("Bearer {}", "a".repeat(1 << 20));
    let response = app.get_authorized("/protected", huge.as_bytes()).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let mut expired = valid_claims();
    expired["exp"] = json!(now() - 60);
    let response = app
        .get_bearer("/protected", &app.forge(Algorithm::HS256, &expired))
        .await;
    assert_token_refused(response, "Token has expired").await;

    let mut early = valid_claims();
    early["nbf"] = json!(now() + 600);
    let response = app
        .get_bearer("/protected", &app.forge(Algorithm::HS256, &early))
        .await;
    assert_token_refused(response, "Token is not valid yet").await;
}

#[tokio::test]
async fn the_leeway_tolerates_small_clock_skew() {
    let app = TestApp::spawn().await;
    let mut just_expired = valid_claims();
    just_expired["exp"] = json!(now() - 2);
    let token = app.forge(Algorithm::HS256, &just_expired);
    assert_eq!(
        app.get_bearer("/protected", &token).await.status(),
        StatusCode::OK
    );

    let strict = TestApp::spawn_with(&["--leeway", "0s"]).await;
    let token = strict.forge(Algorithm::HS256, &just_expired);
    assert_token_refused(
        strict.get_bearer("/protected", &token).await,
        "Token has expired",
    )
    .await;
}

#[tokio::test]
async fn tampered_and_foreign_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.forge(Algorithm::HS256, &valid_claims());
    let [header, _, signature]: [&str; 3] =
        token.split('.').collect::<Vec<_>>().try_into().unwrap();
    let mut admin = valid_claims();
    admin["sub"] = json!("2");
    let tampered = format!("{header}.{}.{signature}", encode_part(&admin));
    assert_token_refused(
        app.get_bearer("/protected", &tampered).await,
        "Token signature is invalid",
    )
    .await;

    // Signed with another secret under this server's kid: the signature fails.
    let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(app.kid());
    let wrong_key = jsonwebtoken::EncodingKey::from_secret(&[7u8; 32]);
    let forged = jsonwebtoken::encode(&header, &valid_claims(), &wrong_key).unwrap();
    assert_token_refused(
        app.get_bearer("/protected", &forged).await,
        "Token signature is invalid",
    )
    .await;

    // Another server's token names a key this server does not have.
    let other = TestApp::spawn().await;
    let foreign = other.forge(Algorithm::HS256, &valid_claims());
    assert_token_refused(
        app.get_bearer("/protected", &foreign).await,
        "Token signing key is unknown",
    )
    .await;
}

#[tokio::test]
async fn the_algorithm_is_pinned_whatever_the_header_says() {
    let app = TestApp::spawn().await;
    // `alg: none` with an empty signature.
    let none = format!(
        "{}.{}.",
        encode_part(&json!({ "alg": "none", "typ": "JWT" })),
        encode_part(&valid_claims())
    );
    let response = app.get_bearer("/protected", &none).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Other HMAC sizes, signed with the right secret.
    for algorithm in [Algorithm::HS384, Algorithm::HS512] {
        let token = app.forge(algorithm, &valid_claims());
        assert_token_refused(
            app.get_bearer("/protected", &token).await,
            "Token algorithm is not accepted",
        )
        .await;
    }
    // An RS256 header over an HMAC signature (key confusion).
    let hs = app.forge(Algorithm::HS256, &valid_claims());
    let rs_header = encode_part(&json!({ "alg": "RS256", "typ": "at+jwt", "kid": app.kid() }));
    let confused = format!("{rs_header}.{}", hs.split_once('.').unwrap().1);
    let response = app.get_bearer("/protected", &confused).await;
    assert_token_refused(response, "Token algorithm is not accepted").await;
}

#[tokio::test]
async fn claims_tessera_requires_must_be_present() {
    let app = TestApp::spawn().await;
    let mut no_exp = valid_claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    let response = app
        .get_bearer("/protected", &app.forge(Algorithm::HS256, &no_exp))
        .await;
    assert_token_refused(response, "Token is missing a required claim").await;

    let mut no_username = valid_claims();
    no_username.as_object_mut().unwrap().remove("username");
    let response = app
        .get_bearer("/protected", &app.forge(Algorithm::HS256, &no_username))
        .await;
    assert_token_refused(response, "Token is missing a required claim").await;

    let mut odd_subject = valid_claims();
    odd_subject["sub"] = json!("not-a-number");
    let response = app
        .get_bearer("/protected", &app.forge(Algorithm::HS256, &odd_subject))
        .await;
    assert_token_refused(response, "Token is malformed").await;
}

#[tokio::test]
async fn garbage_is_malformed() {
    let app = TestApp::spawn().await;
    for garbage in [
        "abc",
        "a.b.c",
        "....",
        "eyJhbGciOiJIUzI1NiJ9.e30",
        "%%%.%%%.%%%",
    ] {
        let response = app.get_bearer("/protected", garbage).await;
        assert_token_refused(response, "Token is malformed").await;
    }
}

#[tokio::test]
async fn me_refuses_tokens_of_deleted_users() {
    let app = TestApp::spawn().await;
    // Valid signature, but user 999 was never created.
    let mut ghost = valid_claims();
    ghost["sub"] = json!("999");
    let response = app
        .get_bearer("/me", &app.forge(Algorithm::HS256, &ghost))
        .await;
    assert_token_refused(response, "User no longer exists").await;
}

fn encode_part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}
