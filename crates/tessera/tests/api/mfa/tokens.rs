//! The stateless refresh of `TokenService::refresh_access` and a session's
//! refresh tokens: the one never takes the other, so it skips no second factor.

use tessera::AuthError;

use super::{claims, enrolled};
use crate::helpers::TestApp;

#[tokio::test]
async fn refresh_access_refuses_the_refresh_tokens_of_sessions() {
    let app = TestApp::spawn().await;
    let tokens = app.tessera().tokens();
    app.register("hana").await;
    let session = app.sign_in("hana").await;
    let refresh = session["refresh_token"].as_str().unwrap();
    assert_eq!(
        tokens.refresh_access(refresh, "hana", vec![]).unwrap_err(),
        AuthError::NotRefreshToken,
        "a session's refresh token"
    );

    enrolled(&app, "ivan").await;
    let first = app.sign_in("ivan").await;
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["acr"], "0");
    let refresh = first["refresh_token"].as_str().unwrap();
    assert_eq!(
        tokens.refresh_access(refresh, "ivan", vec![]).unwrap_err(),
        AuthError::NotRefreshToken,
        "a first step's refresh token"
    );
}
