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
    let second = verified(&app, first_access, &spent).await;
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(
        totp_status(&app, access).await,
        json!({ "enabled": true, "recovery_codes_left": 9 })
    );

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
    assert_eq!(
        totp_status(&app, access).await,
        json!({ "enabled": false, "recovery_codes_left": 0 })
    );
    let plain = app.sign_in("dave").await;
    assert_eq!(claims(plain["access_token"].as_str().unwrap())["acr"], "1");
}

#[tokio::test]
async fn the_status_counts_only_a_confirmed_authenticator_and_unspent_codes() {
    let app = TestApp::spawn().await;
    app.register("erin").await;
    let signed_in = app.sign_in("erin").await;
    let access = signed_in["access_token"].as_str().unwrap();
    let off = json!({ "enabled": false, "recovery_codes_left": 0 });
    assert_eq!(totp_status(&app, access).await, off);
    let pending = app.post_bearer("/mfa/totp", access, None).await;
    assert_eq!(pending.status(), StatusCode::OK);
    assert_eq!(
        totp_status(&app, access).await,
        off,
        "a pending enrolment is not on"
    );

    let fay = enrolled(&app, "fay").await;
    let first = app.sign_in("fay").await;
    let first_access = first["access_token"].as_str().unwrap();
    let refused = app.get_bearer("/mfa/totp", first_access).await;
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "a first step sees nothing"
    );
    let proof = json!({ "code": code_at(&fay.secret, now() + 30) });
    let second = verified(&app, first_access, &proof).await;
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(
        totp_status(&app, access).await,
        json!({ "enabled": true, "recovery_codes_left": 10 })
    );
}

async fn totp_status(app: &TestApp, access: &str) -> serde_json::Value {
    let (status, body) = json_of(app.get_bearer("/mfa/totp", access).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The full session `POST /mfa/verify` gives first step `first_access` for `proof`.
async fn verified(
    app: &TestApp,
    first_access: &str,
    proof: &serde_json::Value,
) -> serde_json::Value {
    let answer = app
        .post_bearer("/mfa/verify", first_access, Some(proof))
        .await;
    let (status, second) = json_of(answer).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    second
}
