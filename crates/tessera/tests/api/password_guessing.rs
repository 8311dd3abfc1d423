//! `POST /password` checks the current password: guessing it is limited like signing in.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, assert_token_refused, credentials, TestApp, PASSWORD};

fn change(current: &str) -> Value {
    json!({ "current_password": current, "new_password": "a brand new password" })
}

async fn assert_limited(response: reqwest::Response) {
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn password_changes_are_limited_per_account() {
    let app = TestApp::spawn_with(&["--rate-limit", "off", "--rate-limit-user", "2/min"]).await;
    app.register("alice").await;
    let token = app.token_for("alice").await;
    for _ in 0..2 {
        let response = app
            .post_bearer("/password", &token, Some(&change("wrong guess")))
            .await;
        assert_error(
            response,
            StatusCode::FORBIDDEN,
            "Current password is incorrect",
        )
        .await;
    }
    let right = change(PASSWORD);
    assert_limited(app.post_bearer("/password", &token, Some(&right)).await).await;
}

#[tokio::test]
async fn password_changes_are_limited_per_client_address() {
    let flags = ["--rate-limit", "1/min", "--rate-limit-user", "off"];
    let app = TestApp::spawn_with(&[&flags[..], &["--trusted-proxy", "127.0.0.1"]].concat()).await;
    let client = app.http();
    let register = client
        .post(app.url("/register"))
        .header("x-forwarded-for", "203.0.113.1")
        .json(&credentials("alice", PASSWORD));
    assert_eq!(register.send().await.unwrap().status(), StatusCode::CREATED);
    let sign_in = client
        .post(app.url("/auth"))
        .header("x-forwarded-for", "203.0.113.2")
        .json(&credentials("alice", PASSWORD));
    let body: Value = sign_in.send().await.unwrap().json().await.unwrap();
    let token = body["access_token"].as_str().unwrap().to_owned();
    let guess = || {
        client
            .post(app.url("/password"))
            .header("x-forwarded-for", "203.0.113.3")
            .bearer_auth(&token)
            .json(&change("wrong guess"))
            .send()
    };
    assert_eq!(guess().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_limited(guess().await.unwrap()).await;
}

#[tokio::test]
async fn the_session_ends_after_five_wrong_current_passwords_in_a_row() {
    let app = TestApp::spawn_with(&["--rate-limit", "off", "--rate-limit-user", "off"]).await;
    app.register("alice").await;
    let session = app.sign_in("alice").await;
    let token = session["access_token"].as_str().unwrap();
    let other_session = app.token_for("alice").await;
    for _ in 0..5 {
        let response = app
            .post_bearer("/password", token, Some(&change("wrong guess")))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    assert_token_refused(
        app.get_bearer("/protected", token).await,
        "Token has been revoked",
    )
    .await;
    let right = change(PASSWORD);
    assert_token_refused(
        app.post_bearer("/password", token, Some(&right)).await,
        "Token has been revoked",
    )
    .await;
    let refresh = json!({ "refresh_token": session["refresh_token"] });
    assert_eq!(
        app.post_json("/refresh", &refresh).await.status(),
        StatusCode::UNAUTHORIZED,
        "the session's refresh token ended with it"
    );
    assert_eq!(
        app.get_bearer("/protected", &other_session).await.status(),
        StatusCode::OK,
        "other sessions go on"
    );
}

#[tokio::test]
async fn a_right_current_password_starts_the_count_over() {
    let app = TestApp::spawn_with(&["--rate-limit", "off", "--rate-limit-user", "off"]).await;
    app.register("alice").await;
    let token = app.token_for("alice").await;
    for _ in 0..4 {
        let response = app
            .post_bearer("/password", &token, Some(&change("wrong guess")))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    let right = json!({ "current_password": PASSWORD, "new_password": "second password" });
    let response = app.post_bearer("/password", &token, Some(&right)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let wrong = app
        .post_bearer("/password", &token, Some(&change("wrong guess")))
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_bearer("/protected", &token).await.status(),
        StatusCode::OK
    );
}
