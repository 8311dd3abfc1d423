//! Signed-in devices: `GET /sessions` lists the caller's live sessions and
//! `DELETE /sessions/{id}` ends one, its access tokens at once.

use reqwest::header::USER_AGENT;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, assert_token_refused, credentials, TestApp, PASSWORD};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
                       (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {value}"))
        .to_owned()
}

/// The `sid` claim of an access or refresh token (read, not verified).
fn sid(token: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    text(&claims, "sid")
}

/// Signs `username` in through `/auth` from a browser saying `agent`.
async fn sign_in_as(app: &TestApp, username: &str, agent: &str) -> Value {
    let response = app
        .http()
        .post(app.url("/auth"))
        .header(USER_AGENT, agent)
        .json(&credentials(username, PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// `GET /sessions` with `token`: the list, after checking the answer is a 200.
async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get_bearer("/sessions", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["sessions"].as_array().unwrap().clone()
}

/// The listed session `id`.
fn by_id<'a>(listed: &'a [Value], id: &str) -> &'a Value {
    listed
        .iter()
        .find(|session| session["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {listed:?}"))
}

async fn end_session(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.http()
        .delete(app.url(&format!("/sessions/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_list_names_each_device_and_marks_the_current_one() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    let laptop = sign_in_as(&app, "alice", FIREFOX).await;
    let phone = sign_in_as(&app, "alice", IPHONE).await;
    let laptop_token = text(&laptop, "access_token");

    let (laptop_sid, phone_sid) = (sid(&laptop_token), sid(&text(&phone, "access_token")));
    let listed = sessions(&app, &laptop_token).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let on_phone = by_id(&listed, &phone_sid);
    assert_eq!(on_phone["device"], "Safari on iPhone");
    assert_eq!(on_phone["current"], false);
    let on_laptop = by_id(&listed, &laptop_sid);
    assert_eq!(on_laptop["device"], "Firefox on Linux");
    assert_eq!(on_laptop["current"], true);
    for session in &listed {
        // In-process requests come from 127.0.0.1: only its /24 is shown.
        assert_eq!(session["address"], "127.0.0.0/24");
        assert_eq!(session["refreshed_at"], Value::Null);
        assert!(text(session, "created_at").ends_with('Z'), "{session}");
    }

    // A refresh records when, and the device it came from this time.
    let refreshed = app
        .http()
        .post(app.url("/refresh"))
        .header(USER_AGENT, ANDROID)
        .json(&json!({ "refresh_token": text(&phone, "refresh_token") }))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    let listed = sessions(&app, &laptop_token).await;
    assert_eq!(listed.len(), 2, "a refresh is the same session");
    let on_phone = by_id(&listed, &phone_sid);
    assert_eq!(on_phone["device"], "Chrome on Android");
    assert!(text(on_phone, "refreshed_at").ends_with('Z'));
    assert_eq!(by_id(&listed, &laptop_sid)["refreshed_at"], Value::Null);
}

#[tokio::test]
async fn ending_a_session_refuses_its_tokens_at_once() {
    let app = TestApp::spawn().await;
    app.register("bob").await;
    let laptop = sign_in_as(&app, "bob", FIREFOX).await;
    let phone = sign_in_as(&app, "bob", IPHONE).await;
    let (laptop_token, phone_token) = (text(&laptop, "access_token"), text(&phone, "access_token"));
    assert_eq!(
        app.get_bearer("/protected", &phone_token).await.status(),
        StatusCode::OK
    );

    // From the laptop, with a token that is not fresh: signing a device out
    // needs no recent password.
    let pair: Value = app
        .post_json(
            "/refresh",
            &json!({ "refresh_token": text(&laptop, "refresh_token") }),
        )
        .await
        .json()
        .await
        .unwrap();
    let stale = text(&pair, "access_token");
    let response = end_session(&app, &stale, &sid(&phone_token)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    assert_token_refused(
        app.get_bearer("/protected", &phone_token).await,
        "Token has been revoked",
    )
    .await;
    let refresh = app
        .post_json(
            "/refresh",
            &json!({ "refresh_token": text(&phone, "refresh_token") }),
        )
        .await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
    let listed = sessions(&app, &stale).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], sid(&laptop_token));

    // Gone is gone: ending it again finds nothing.
    let again = end_session(&app, &stale, &sid(&phone_token)).await;
    assert_error(again, StatusCode::NOT_FOUND, "No such session").await;

    // Ending one's own current session signs this device out too.
    let own = end_session(&app, &stale, &sid(&laptop_token)).await;
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_bearer("/sessions", &stale).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn another_users_session_is_not_found_and_stays_signed_in() {
    let app = TestApp::spawn().await;
    app.register("carol").await;
    app.register("dave").await;
    let carol = text(&sign_in_as(&app, "carol", FIREFOX).await, "access_token");
    let dave = text(&sign_in_as(&app, "dave", IPHONE).await, "access_token");

    let response = end_session(&app, &carol, &sid(&dave)).await;
    assert_error(response, StatusCode::NOT_FOUND, "No such session").await;
    let unknown = end_session(&app, &carol, "no-such-session").await;
    assert_error(unknown, StatusCode::NOT_FOUND, "No such session").await;

    assert_eq!(
        app.get_bearer("/protected", &dave).await.status(),
        StatusCode::OK,
        "dave's session is untouched"
    );
    let listed = sessions(&app, &carol).await;
    assert_eq!(listed.len(), 1, "only carol's own: {listed:?}");
    assert_eq!(listed[0]["id"], sid(&carol));
    assert_eq!(sessions(&app, &dave).await.len(), 1);
}

#[tokio::test]
async fn the_routes_need_a_token_and_list_signed_out_sessions_no_more() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/sessions").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let anonymous = app
        .http()
        .delete(app.url("/sessions/anything"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    app.register("erin").await;
    let first = text(&sign_in_as(&app, "erin", FIREFOX).await, "access_token");
    let second = text(&sign_in_as(&app, "erin", ANDROID).await, "access_token");
    assert_eq!(
        app.post_bearer("/logout", &first, None).await.status(),
        StatusCode::NO_CONTENT
    );
    let listed = sessions(&app, &second).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["current"], true);
    assert_eq!(listed[0]["device"], "Chrome on Android");
}
