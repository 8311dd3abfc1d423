//! The refresh grace window around a second factor: a first step's refresh
//! token, replayed by its own client after the sign-in was completed, must
//! not come back as a session at the second-factor level.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{claims, code_at, enrolled, json_of};
use crate::helpers::{assert_error, now, TestApp};

/// `POST /refresh` with `token`, from the test's one client.
async fn refresh(app: &TestApp, token: &str) -> (StatusCode, Value) {
    json_of(
        app.post_json("/refresh", &json!({ "refresh_token": token }))
            .await,
    )
    .await
}

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body[name].as_str().unwrap()
}

#[tokio::test]
async fn a_first_step_token_replayed_after_the_second_factor_stays_a_first_step() {
    // The longest window allowed, which no busy machine outlasts: the replay below is always inside it.
    let app = TestApp::spawn_with(&["--refresh-grace", "60s"]).await;
    let kim = enrolled(&app, "kim").await;
    let first = app.sign_in("kim").await;
    let (status, second) = refresh(&app, field(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let (status, third) = refresh(&app, field(&second, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_eq!(claims(field(&third, "access_token"))["acr"], "0");

    let proof = json!({ "code": code_at(&kim.secret, now() + 30) });
    let verified = app
        .post_bearer("/mfa/verify", field(&third, "access_token"), Some(&proof))
        .await;
    let (status, full) = json_of(verified).await;
    assert_eq!(status, StatusCode::OK, "{full}");

    // The first step's tokens, though their client is within the window.
    for used in [&first, &second] {
        let replayed = app
            .post_json(
                "/refresh",
                &json!({ "refresh_token": field(used, "refresh_token") }),
            )
            .await;
        assert_error(
            replayed,
            StatusCode::UNAUTHORIZED,
            "Refresh token is no longer valid",
        )
        .await;
    }
    // Refused, not taken for theft: the completed session goes on.
    let (status, next) = refresh(&app, field(&full, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_eq!(claims(field(&next, "access_token"))["acr"], "2");
}

#[tokio::test]
async fn without_a_second_factor_a_chain_of_refreshes_keeps_its_grace() {
    let app = TestApp::spawn_with(&["--refresh-grace", "60s"]).await;
    app.register("lou").await;
    let first = app.sign_in("lou").await;
    let (status, second) = refresh(&app, field(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let (status, third) = refresh(&app, field(&second, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    // A slow tab repeating the first refresh gets the pair the first one got.
    let (status, again) = refresh(&app, field(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["refresh_token"], second["refresh_token"]);
    assert_eq!(claims(field(&again, "access_token"))["acr"], "1");
}
