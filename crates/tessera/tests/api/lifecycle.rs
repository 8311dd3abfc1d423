//! Refresh rotation, reuse detection, sign-out and revocation.

use futures::future::join_all;
use jsonwebtoken::Algorithm;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, assert_token_refused, credentials, now, TestApp, PASSWORD};

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {value}"))
        .to_owned()
}

/// The decoded (unverified) header and claims of a JWT.
fn decode(token: &str) -> (Value, Value) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut parts = token.split('.');
    let mut part =
        || serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    (part(), part())
}

async fn refresh(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    app.post_json("/refresh", &json!({ "refresh_token": refresh_token }))
        .await
}

#[tokio::test]
async fn auth_hands_out_a_typed_fresh_access_token_and_a_refresh_token() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    let body = app.sign_in("alice").await;
    // Seconds left, measured when the token is issued: a tick may take one.
    let left = body["refresh_expires_in"].as_u64().unwrap();
    let ttl = 14 * 24 * 3600;
    assert!((ttl - 1..=ttl).contains(&left), "refresh_expires_in {left}");
    let (header, claims) = decode(&text(&body, "access_token"));
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["fresh"], true);
    assert!(claims["sid"].as_str().is_some_and(|sid| !sid.is_empty()));
    let (header, claims) = decode(&text(&body, "refresh_token"));
    assert_eq!(header["typ"], "refresh+jwt");
    assert_eq!(claims["sid"], decode(&text(&body, "access_token")).1["sid"]);
}

#[tokio::test]
async fn refresh_rotates_and_its_tokens_are_not_fresh() {
    let app = TestApp::spawn().await;
    app.register("bob").await;
    let first = app.sign_in("bob").await;
    let response = refresh(&app, &text(&first, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second: Value = response.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let access = text(&second, "access_token");
    assert_eq!(decode(&access).1["fresh"], false);
    assert_eq!(
        app.get_bearer("/protected", &access).await.status(),
        StatusCode::OK
    );
    // The new refresh token works in turn.
    assert_eq!(
        refresh(&app, &text(&second, "refresh_token"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn token_kinds_are_never_interchangeable() {
    let app = TestApp::spawn().await;
    app.register("carol").await;
    let body = app.sign_in("carol").await;
    let response = app
        .get_bearer("/protected", &text(&body, "refresh_token"))
        .await;
    assert_token_refused(response, "Token is not an access token").await;
    let response = refresh(&app, &text(&body, "access_token")).await;
    assert_token_refused(response, "Token is not a refresh token").await;
    // A token with no `typ` at all (as Tessera 0.1 issued) is neither.
    let untyped = app.forge_typed(Algorithm::HS256, "JWT", &crate::helpers::valid_claims());
    assert_token_refused(
        app.get_bearer("/protected", &untyped).await,
        "Token is not an access token",
    )
    .await;
}

#[tokio::test]
async fn reuse_after_the_grace_window_revokes_the_whole_session() {
    let app = TestApp::spawn_with(&["--refresh-grace", "0s"]).await;
    app.register("dave").await;
    let first = app.sign_in("dave").await;
    let stolen = text(&first, "refresh_token");
    let second: Value = refresh(&app, &stolen).await.json().await.unwrap();

    let replay = refresh(&app, &stolen).await;
    assert_token_refused(
        replay,
        "Refresh token was already used; the session has been revoked",
    )
    .await;
    // Every token of the session is dead: the legitimate successor and both access tokens.
    let successor = refresh(&app, &text(&second, "refresh_token")).await;
    assert_token_refused(successor, "Refresh token is no longer valid").await;
    for access in [text(&first, "access_token"), text(&second, "access_token")] {
        assert_token_refused(
            app.get_bearer("/protected", &access).await,
            "Token has been revoked",
        )
        .await;
    }
    // Other sessions of the same user are untouched.
    let other = app.sign_in("dave").await;
    assert_eq!(
        app.get_bearer("/protected", &text(&other, "access_token"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn racing_tabs_within_the_grace_window_all_get_the_same_pair() {
    let app = TestApp::spawn().await;
    app.register("erin").await;
    let token = text(&app.sign_in("erin").await, "refresh_token");
    let responses = join_all((0..8).map(|_| refresh(&app, &token))).await;
    let mut pairs = Vec::new();
    for response in responses {
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        pairs.push((text(&body, "access_token"), text(&body, "refresh_token")));
    }
    assert!(
        pairs.windows(2).all(|w| w[0] == w[1]),
        "exactly one rotation: {pairs:?}"
    );
    // That single successor is usable once, and the session lives on.
    let (access, successor) = pairs.remove(0);
    assert_eq!(
        app.get_bearer("/protected", &access).await.status(),
        StatusCode::OK
    );
    assert_eq!(refresh(&app, &successor).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_rejects_bad_input() {
    let app = TestApp::spawn().await;
    let response = app.post_json("/refresh", &json!({})).await;
    assert_error(
        response,
        StatusCode::BAD_REQUEST,
        "Missing refresh_token parameter",
    )
    .await;
    let response = refresh(&app, "not-a-token").await;
    assert_token_refused(response, "Token is malformed").await;
    // Well signed, typed and timed, but never issued by this store.
    let t = now();
    let claims =
        json!({ "sub": "1", "sid": "s", "iat": t, "nbf": t, "exp": t + 60, "jti": "unknown" });
    let forged = app.forge_typed(Algorithm::HS256, "refresh+jwt", &claims);
    assert_token_refused(
        refresh(&app, &forged).await,
        "Refresh token is no longer valid",
    )
    .await;
}

#[tokio::test]
async fn logout_revokes_the_session_and_survives_a_restart() {
    let app = TestApp::spawn().await;
    app.register("frank").await;
    let mine = app.sign_in("frank").await;
    let other = app.sign_in("frank").await;
    let access = text(&mine, "access_token");

    let response = app.post_bearer("/logout", &access, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_token_refused(
        app.get_bearer("/protected", &access).await,
        "Token has been revoked",
    )
    .await;
    assert_token_refused(
        refresh(&app, &text(&mine, "refresh_token")).await,
        "Refresh token is no longer valid",
    )
    .await;
    let other_access = text(&other, "access_token");
    assert_eq!(
        app.get_bearer("/protected", &other_access).await.status(),
        StatusCode::OK
    );

    let app = app.restart().await;
    assert_token_refused(
        app.get_bearer("/protected", &access).await,
        "Token has been revoked",
    )
    .await;
    assert_eq!(
        app.get_bearer("/protected", &other_access).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_can_name_another_refresh_token_and_logout_all_ends_everything() {
    let app = TestApp::spawn().await;
    app.register("grace").await;
    let one = app.sign_in("grace").await;
    let two = app.sign_in("grace").await;
    let three = app.sign_in("grace").await;
    let body = json!({ "refresh_token": text(&two, "refresh_token") });
    let response = app
        .post_bearer("/logout", &text(&one, "access_token"), Some(&body))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_token_refused(
        app.get_bearer("/protected", &text(&two, "access_token"))
            .await,
        "Token has been revoked",
    )
    .await;

    let response = app
        .post_bearer("/logout/all", &text(&three, "access_token"), None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_token_refused(
        app.get_bearer("/protected", &text(&three, "access_token"))
            .await,
        "Token has been revoked",
    )
    .await;
    assert_token_refused(
        refresh(&app, &text(&three, "refresh_token")).await,
        "Refresh token is no longer valid",
    )
    .await;
}

#[tokio::test]
async fn changing_the_password_needs_a_fresh_token_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    app.register("heidi").await;
    let current = app.sign_in("heidi").await;
    let elsewhere = app.sign_in("heidi").await;
    let change = json!({ "current_password": PASSWORD, "new_password": "a brand new secret" });

    let refreshed: Value = refresh(&app, &text(&current, "refresh_token"))
        .await
        .json()
        .await
        .unwrap();
    let stale = app
        .post_bearer(
            "/password",
            &text(&refreshed, "access_token"),
            Some(&change),
        )
        .await;
    assert_token_refused(
        stale,
        "Fresh sign-in required: sign in with your password again",
    )
    .await;

    let fresh = text(&app.sign_in("heidi").await, "access_token");
    let wrong =
        json!({ "current_password": "not it at all", "new_password": "a brand new secret" });
    let response = app.post_bearer("/password", &fresh, Some(&wrong)).await;
    assert_error(
        response,
        StatusCode::FORBIDDEN,
        "Current password is incorrect",
    )
    .await;
    let weak = json!({ "current_password": PASSWORD, "new_password": "short" });
    let response = app.post_bearer("/password", &fresh, Some(&weak)).await;
    assert_error(
        response,
        StatusCode::BAD_REQUEST,
        "Password must be at least 8 bytes long",
    )
    .await;

    let response = app.post_bearer("/password", &fresh, Some(&change)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_bearer("/protected", &fresh).await.status(),
        StatusCode::OK,
        "this session lives on"
    );
    let other = text(&elsewhere, "access_token");
    assert_token_refused(
        app.get_bearer("/protected", &other).await,
        "Token has been revoked",
    )
    .await;
    let old = app
        .post_json("/auth", &credentials("heidi", PASSWORD))
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .post_json("/auth", &credentials("heidi", "a brand new secret"))
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn roles_reach_the_token_and_guard_admin_routes() {
    let app = TestApp::spawn().await;
    app.create_user("root", &["admin"]).await;
    app.register("ivan").await;
    let admin = text(&app.sign_in("root").await, "access_token");
    let user = text(&app.sign_in("ivan").await, "access_token");
    assert_eq!(decode(&admin).1["roles"], json!(["admin"]));

    let listed = app.get_bearer("/admin/users", &admin).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let users: Vec<Value> = listed.json().await.unwrap();
    let names: Vec<&str> = users
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["root", "ivan"]);
    assert_eq!(users[0]["roles"], json!(["admin"]));

    let forbidden = app.get_bearer("/admin/users", &user).await;
    assert_eq!(
        forbidden.headers()["www-authenticate"],
        r#"Bearer realm="tessera", error="insufficient_scope""#
    );
    assert_error(
        forbidden,
        StatusCode::FORBIDDEN,
        "Requires the 'admin' role",
    )
    .await;
    assert_eq!(
        app.get("/admin/users").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn deleting_a_user_kills_their_live_tokens_at_once() {
    let app = TestApp::spawn().await;
    app.create_user("root", &["admin"]).await;
    app.register("judy").await;
    let admin = text(&app.sign_in("root").await, "access_token");
    let judy = app.sign_in("judy").await;
    let client = app.http();
    let url = app.url("/admin/users/judy");
    let deleted = client
        .delete(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let again = client
        .delete(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_error(again, StatusCode::NOT_FOUND, "No such user").await;

    assert_token_refused(
        app.get_bearer("/protected", &text(&judy, "access_token"))
            .await,
        "Token has been revoked",
    )
    .await;
    assert_token_refused(
        refresh(&app, &text(&judy, "refresh_token")).await,
        "Refresh token is no longer valid",
    )
    .await;
}

#[tokio::test]
async fn issuer_and_audience_are_issued_and_required_when_configured() {
    let app =
        TestApp::spawn_with(&["--issuer", "https://auth.example", "--audience", "shop"]).await;
    app.register("ken").await;
    let body = app.sign_in("ken").await;
    let (_, claims) = decode(&text(&body, "access_token"));
    assert_eq!(
        (claims["iss"].as_str(), claims["aud"].as_str()),
        (Some("https://auth.example"), Some("shop"))
    );
    assert_eq!(
        refresh(&app, &text(&body, "refresh_token")).await.status(),
        StatusCode::OK
    );

    let mut foreign = claims.clone();
    foreign["aud"] = json!("another-service");
    let mut unaddressed = claims.clone();
    unaddressed.as_object_mut().unwrap().remove("aud");
    let mut unsourced = claims.clone();
    unsourced.as_object_mut().unwrap().remove("iss");
    // Signed with this server's key, but not made for this service: refused, also
    // when the claim is simply absent.
    for claims in [foreign, unaddressed, unsourced] {
        let token = app.forge(Algorithm::HS256, &claims);
        assert_token_refused(
            app.get_bearer("/protected", &token).await,
            "Token was issued for another service",
        )
        .await;
    }
}
