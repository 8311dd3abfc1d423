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
async fn a_first_step_cannot_sign_out_everywhere() {
    let app = TestApp::spawn().await;
    let karl = enrolled(&app, "karl").await;
    // A session that passed the second factor, then a first step from
    // someone who knows only the password.
    let step = app.sign_in("karl").await;
    let step_access = step["access_token"].as_str().unwrap();
    let body = json!({ "recovery_code": karl.recovery_codes[0] });
    let (status, full) = super::json_of(
        app.post_bearer("/mfa/verify", step_access, Some(&body))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    let full = full["access_token"].as_str().unwrap().to_owned();
    let first = app.sign_in("karl").await;
    let access = first["access_token"].as_str().unwrap();
    let out = app.post_bearer("/logout/all", access, None).await;
    assert_eq!(out.status(), StatusCode::UNAUTHORIZED);
    let me = app.get_bearer("/me", &full).await;
    assert_eq!(me.status(), StatusCode::OK);
}
