//! The refresh grace window serves only the client that used the token: its own
//! racing tabs get the same pair again; anyone else replaying it is a thief.

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_token_refused, TestApp};

/// Trusting the loopback proxy lets a test speak for other client addresses.
const FLAGS: [&str; 6] = [
    "--rate-limit",
    "off",
    "--rate-limit-user",
    "off",
    "--trusted-proxy",
    "127.0.0.1",
];
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";

/// `POST /refresh` as the client with `user_agent` at `address`.
async fn refresh_as(app: &TestApp, token: &str, user_agent: &str, address: &str) -> Response {
    app.http()
        .post(app.url("/refresh"))
        .header(reqwest::header::USER_AGENT, user_agent)
        .header("x-forwarded-for", address)
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap()
}

async fn pair(response: Response) -> (String, String) {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let field = |name: &str| body[name].as_str().unwrap().to_owned();
    (field("access_token"), field("refresh_token"))
}

#[tokio::test]
async fn the_same_client_replaying_within_the_window_gets_the_same_pair() {
    let app = TestApp::spawn_with(&FLAGS).await;
    app.register("tabs").await;
    let token = app.sign_in("tabs").await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = pair(refresh_as(&app, &token, BROWSER, "198.51.100.4").await).await;
    let again = pair(refresh_as(&app, &token, BROWSER, "198.51.100.4").await).await;
    assert_eq!(first, again);
    assert_eq!(
        app.get_bearer("/protected", &first.0).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn another_client_replaying_within_the_window_revokes_the_session() {
    let app = TestApp::spawn_with(&FLAGS).await;
    app.register("victim").await;
    for (user_agent, address) in [("curl/8.5.0", "198.51.100.4"), (BROWSER, "203.0.113.9")] {
        let token = app.sign_in("victim").await["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let (access, successor) =
            pair(refresh_as(&app, &token, BROWSER, "198.51.100.4").await).await;
        // A thief with another user agent, or from another address, replays at once.
        assert_token_refused(
            refresh_as(&app, &token, user_agent, address).await,
            "Refresh token was already used; the session has been revoked",
        )
        .await;
        assert_token_refused(
            refresh_as(&app, &successor, BROWSER, "198.51.100.4").await,
            "Refresh token is no longer valid",
        )
        .await;
        assert_token_refused(
            app.get_bearer("/protected", &access).await,
            "Token has been revoked",
        )
        .await;
    }
}
