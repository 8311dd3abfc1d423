//! Signing out of a first step: a sign-in abandoned at the second factor
//! must not leave a live refresh token behind.

use reqwest::StatusCode;
use serde_json::json;

use super::{claims, enrolled};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_first_step_can_sign_out_and_its_refresh_token_then_fails() {
    let app = TestApp::spawn().await;
    enrolled(&app, "jana").await;
    let first = app.sign_in("jana").await;
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["acr"], "0");
    let out = app.post_bearer("/logout", access, None).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let refresh = json!({ "refresh_token": first["refresh_token"] });
    let refused = app.post_json("/refresh", &refresh).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // Other routes still refuse a first step.
    let second = app.sign_in("jana").await;
    let access = second["access_token"].as_str().unwrap();
    let me = app.get_bearer("/me", access).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_first_step_can_sign_out_everywhere() {
    let app = TestApp::spawn().await;
    enrolled(&app, "karl").await;
    let first = app.sign_in("karl").await;
    let access = first["access_token"].as_str().unwrap();
    let out = app.post_bearer("/logout/all", access, None).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let refresh = json!({ "refresh_token": first["refresh_token"] });
    let refused = app.post_json("/refresh", &refresh).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}
