//! `POST /register` and `GET /me`.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_error, credentials, TestApp, PASSWORD};

#[tokio::test]
async fn register_creates_a_profile_that_me_returns() {
    let app = TestApp::spawn().await;
    let profile = app.register("grace").await;
    assert_eq!(profile["username"], "grace");
    assert!(profile["id"].as_i64().unwrap() > 0);
    let created_at = profile["created_at"].as_str().unwrap();
    assert!(
        created_at.len() == 20 && created_at.ends_with('Z'),
        "{created_at}"
    );
    assert!(profile.get("password_hash").is_none());

    let token = app.token_for("grace").await;
    let me: Value = app.get_bearer("/me", &token).await.json().await.unwrap();
    assert_eq!(me, profile);
}

#[tokio::test]
async fn invalid_input_gets_a_clear_message() {
    let app = TestApp::spawn().await;
    let long_name = "n".repeat(65);
    let long_password = "p".repeat(1025);
    let cases = [
        ("", PASSWORD, "Missing username parameter"),
        ("heidi", "", "Missing password parameter"),
        (
            long_name.as_str(),
            PASSWORD,
            "Username must be at most 64 characters",
        ),
        (
            "heidi smith",
            PASSWORD,
            "Username may contain only letters, digits, '.', '_' and '-'",
        ),
        ("heidi", "short", "Password must be at least 8 bytes long"),
        (
            "heidi",
            long_password.as_str(),
            "Password must be at most 1024 bytes long",
        ),
    ];
    for (username, password, msg) in cases {
        let response = app
            .post_json("/register", &credentials(username, password))
            .await;
        assert_error(response, StatusCode::BAD_REQUEST, msg).await;
    }
}

#[tokio::test]
async fn a_taken_name_is_a_conflict_in_any_case() {
    let app = TestApp::spawn().await;
    app.register("ivan").await;
    for name in ["ivan", "IVAN"] {
        let response = app
            .post_json("/register", &credentials(name, PASSWORD))
            .await;
        assert_error(response, StatusCode::CONFLICT, "Username is already taken").await;
    }
}

#[tokio::test]
async fn concurrent_registrations_of_one_name_create_exactly_one_user() {
    let app = TestApp::spawn().await;
    let body = credentials("judy", PASSWORD);
    let attempts = (0..12).map(|_| app.post_json("/register", &body));
    let statuses: Vec<StatusCode> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 11), "{statuses:?}");
}

#[tokio::test]
async fn closed_signup_is_forbidden() {
    let app = TestApp::spawn_with(&["--signup", "closed"]).await;
    let response = app
        .post_json("/register", &credentials("ken", PASSWORD))
        .await;
    assert_error(
        response,
        StatusCode::FORBIDDEN,
        "Sign-up is closed on this server",
    )
    .await;
}
