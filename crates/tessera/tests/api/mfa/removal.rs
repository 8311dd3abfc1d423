//! Recovery codes, and removing TOTP.

use reqwest::StatusCode;
use serde_json::json;

use super::{claims, code_at, enrolled, json_of, other_than};
use crate::helpers::{assert_error, now, TestApp};

#[tokio::test]
async fn recovery_codes_work_once_and_removal_needs_a_second_factor_and_a_code() {
    let app = TestApp::spawn().await;
    let dave = enrolled(&app, "dave").await;
    let first = app.sign_in("dave").await;
    let first_access = first["access_token"].as_str().unwrap();
    let spent = json!({ "recovery_code": dave.recovery_codes[3].to_uppercase() });
    let (status, second) = json_of(
        app.post_bearer("/mfa/verify", first_access, Some(&spent))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let access = second["access_token"].as_str().unwrap();

    let other = app.sign_in("dave").await;
    let other_access = other["access_token"].as_str().unwrap();
    let reused = app
        .post_bearer("/mfa/verify", other_access, Some(&spent))
        .await;
    assert_error(
        reused,
        StatusCode::FORBIDDEN,
        "Invalid or already used code",
    )
    .await;

    let code = code_at(&dave.secret, now() + 30);
    let (wrong, right) = (
        json!({ "code": other_than(&code) }),
        json!({ "code": code }),
    );
    let refused = app
        .http()
        .delete(app.url("/mfa/totp"))
        .bearer_auth(access)
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_error(
        refused,
        StatusCode::FORBIDDEN,
        "Invalid or already used code",
    )
    .await;
    let removed = app
        .http()
        .delete(app.url("/mfa/totp"))
        .bearer_auth(access)
        .json(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let plain = app.sign_in("dave").await;
    assert_eq!(claims(plain["access_token"].as_str().unwrap())["acr"], "1");
}
