//! `RemoteUser` in another service: its handlers see Tessera's users, and its
//! refusals are Tessera's own (401 with the challenge, 503 when Tessera is away).

use std::net::SocketAddr;

use axum::routing::get;
use axum::Router;
use jsonwebtoken::Algorithm;
use reqwest::header::RETRY_AFTER;
use reqwest::StatusCode;
use tessera::{Keys, SigningAlg};
use tessera::{RemoteUser, Verifier};

use crate::helpers::{assert_error, assert_token_refused, valid_claims, TestApp};
use crate::verifier::verifier_for;

async fn orders(user: RemoteUser) -> String {
    format!("the orders of {} (user {})", user.username, user.id)
}

async fn greeting(user: Option<RemoteUser>) -> String {
    match user {
        Some(user) => format!("hello {}", user.username),
        None => "hello stranger".to_owned(),
    }
}

/// Another service, on a loopback port, checking tokens with `verifier`.
pub(crate) async fn service(verifier: Verifier) -> String {
    let app = Router::new()
        .route("/orders", get(orders))
        .route("/greeting", get(greeting))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn client() -> reqwest::Client {
    crate::helpers::test_client()
}

#[tokio::test]
async fn handlers_see_the_user_and_bad_tokens_get_tesseras_answers() {
    let app = TestApp::spawn_listening(&[
        "--public-url",
        "https://auth.example",
        "--signing-alg",
        "ES256",
    ])
    .await;
    app.register("alice").await;
    let token = app.token_for("alice").await;
    let url = service(verifier_for(&app, None)).await;
    let get = |path: &str| client().get(format!("{url}{path}"));

    let response = get("/orders").bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.text().await.unwrap(),
        "the orders of alice (user 1)"
    );
    let flask = get("/orders")
        .header("Authorization", format!("JWT {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(flask.status(), StatusCode::OK);

    let hs256 = app.forge(Algorithm::HS256, &valid_claims());
    let response = get("/orders").bearer_auth(&hs256).send().await.unwrap();
    assert_token_refused(response, "Token algorithm is not accepted").await;
    let response = get("/orders").send().await.unwrap();
    assert_error(
        response,
        StatusCode::UNAUTHORIZED,
        "Missing Authorization header",
    )
    .await;

    let response = get("/greeting").send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "hello stranger");
    let response = get("/greeting").bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "hello alice");
    let response = get("/greeting").bearer_auth(&hs256).send().await.unwrap();
    assert_token_refused(response, "Token algorithm is not accepted").await;
}

/// A "Tessera" that takes connections and closes them unanswered.
async fn dead_tessera() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((connection, _)) = listener.accept().await {
            drop(connection);
        }
    });
    addr
}

#[tokio::test]
async fn without_tessera_and_keys_tokens_get_503_never_a_pass() {
    let addr = dead_tessera().await;
    let verifier = Verifier::builder(&format!("http://{addr}"))
        .http_client(client())
        .build()
        .unwrap();
    let url = service(verifier).await;

    // Well formed, signed with an EdDSA key: only the keys can decide it.
    let data = tempfile::tempdir().unwrap();
    let ring = Keys::open(&data.path().join(Keys::DIR), SigningAlg::EdDsa, None)
        .unwrap()
        .current();
    let mut header = jsonwebtoken::Header::new(ring.signing_algorithm());
    header.typ = Some("at+jwt".to_owned());
    header.kid = Some(ring.signing_kid().to_owned());
    let token = jsonwebtoken::encode(&header, &valid_claims(), ring.encoding_key()).unwrap();

    // Twice: the second comes within the second in which Tessera is not asked again.
    for _ in 0..2 {
        let response = client()
            .get(format!("{url}/orders"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[RETRY_AFTER], "1");
        assert_error(
            response,
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable",
        )
        .await;
    }
}
