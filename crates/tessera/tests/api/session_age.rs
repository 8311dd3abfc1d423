//! A session is bound to the password it was made from, and ends at an
//! absolute age however often it is refreshed.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const LIMITS_OFF: [&str; 4] = ["--rate-limit", "off", "--rate-limit-user", "off"];

/// The decoded (unverified) claims of a JWT.
fn claims(token: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn refreshing_never_extends_a_session_past_its_max_age() {
    let mut flags = LIMITS_OFF.to_vec();
    flags.extend(["--session-max-age", "3s"]);
    let app = TestApp::spawn_with(&flags).await;
    app.register("keeper").await;
    let signed_in = app.sign_in("keeper").await;
    let access = claims(signed_in["access_token"].as_str().unwrap());
    let deadline = access["iat"].as_u64().unwrap() + 3;
    assert!(signed_in["refresh_expires_in"].as_u64().unwrap() <= 3);
    let mut token = signed_in["refresh_token"].as_str().unwrap().to_owned();
    assert!(claims(&token)["exp"].as_u64().unwrap() <= deadline);
    // Refresh as a busy client would, until the session ends.
    let started = Instant::now();
    loop {
        let response = app
            .post_json("/refresh", &json!({ "refresh_token": token }))
            .await;
        if response.status() != StatusCode::OK {
            let body: Value = response.json().await.unwrap();
            let msg = body["msg"].as_str().unwrap();
            assert!(
                ["Refresh token is no longer valid", "Token has expired"].contains(&msg),
                "{msg}"
            );
            break;
        }
        let body: Value = response.json().await.unwrap();
        token = body["refresh_token"].as_str().unwrap().to_owned();
        let exp = claims(&token)["exp"].as_u64().unwrap();
        assert!(
            exp <= deadline,
            "refresh extended the session: {exp} > {deadline}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the session outlived its max age"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The end is final: the last token stays refused.
    let again = app
        .post_json("/refresh", &json!({ "refresh_token": token }))
        .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}
