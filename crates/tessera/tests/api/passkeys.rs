//! Passkeys over HTTP: registration, a sign-in with no username, the second
//! step of a password sign-in, rename and removal; ceremonies used once, the
//! origin, user verification and the counter checked.

mod authenticator;
mod cluster;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};
use crate::mfa::{claims, code_at, enrolled, json_of};
use authenticator::SoftPasskey;

/// Where the tests' browser runs: the server's public URL.
pub(crate) const ORIGIN: &str = "http://localhost:8080";

async fn app() -> TestApp {
    TestApp::spawn_with(&["--public-url", ORIGIN]).await
}

fn access_of(tokens: &Value) -> String {
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// Registers `key` for the holder of fresh token `access`, named `name`.
async fn add(app: &TestApp, access: &str, key: &mut SoftPasskey, name: &str) -> Value {
    let (status, challenge) =
        json_of(app.post_bearer("/passkeys/options", access, None).await).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    let body = json!({
        "ceremony": challenge["ceremony"],
        "name": name,
        "credential": key.register(&challenge["options"]),
    });
    let (status, added) = json_of(app.post_bearer("/passkeys", access, Some(&body)).await).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    added
}

/// Signs in with `key` and no username: the response.
async fn sign_in_with(app: &TestApp, key: &mut SoftPasskey) -> reqwest::Response {
    let (status, challenge) =
        json_of(app.post_json("/passkeys/sign-in/options", &json!({})).await).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    let body = json!({
        "ceremony": challenge["ceremony"],
        "credential": key.assert(&challenge["options"]),
    });
    app.post_json("/passkeys/sign-in", &body).await
}

async fn list(app: &TestApp, access: &str) -> Vec<Value> {
    let (status, body) = json_of(app.get_bearer("/passkeys", access).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["passkeys"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_passkey_registers_signs_in_with_no_username_and_can_be_renamed_and_removed() {
    let app = app().await;
    app.register("alice").await;
    let access = access_of(&app.sign_in("alice").await);

    let (_, challenge) = json_of(app.post_bearer("/passkeys/options", &access, None).await).await;
    let options = &challenge["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "alice");
    let selection = &options["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{options}");
    assert_eq!(selection["userVerification"], "required");
    assert!(
        !options.to_string().contains("null"),
        "no nulls for the browser: {options}"
    );

    let mut key = SoftPasskey::new(ORIGIN);
    let added = add(&app, &access, &mut key, "Laptop").await;
    assert_eq!(added["name"], "Laptop");
    assert_eq!(added["last_used_at"], Value::Null);

    let response = sign_in_with(&app, &mut key).await;
    let (status, tokens) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let passkey_access = access_of(&tokens);
    let token = claims(&passkey_access);
    assert_eq!(
        (&token["acr"], &token["amr"]),
        (&json!("2"), &json!(["hwk", "user"]))
    );
    assert_eq!(
        (&token["username"], &token["fresh"]),
        (&json!("alice"), &json!(true))
    );
    assert_eq!(
        app.get_bearer("/protected", &passkey_access).await.status(),
        StatusCode::OK
    );
    let refresh = json!({ "refresh_token": tokens["refresh_token"] });
    let (status, refreshed) = json_of(app.post_json("/refresh", &refresh).await).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let refreshed = claims(&access_of(&refreshed));
    assert_eq!(
        (&refreshed["acr"], &refreshed["amr"]),
        (&json!("2"), &json!(["hwk", "user"]))
    );

    let id = added["id"].as_str().unwrap();
    let rename = app
        .http()
        .request(Method::PATCH, app.url(&format!("/passkeys/{id}")))
        .bearer_auth(&access)
        .json(&json!({ "name": "  Work laptop " }))
        .send()
        .await
        .unwrap();
    assert_eq!(rename.status(), StatusCode::OK);
    let listed = list(&app, &access).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "Work laptop");
    assert!(listed[0]["last_used_at"].is_string(), "{listed:?}");

    let removed = app
        .http()
        .delete(app.url(&format!("/passkeys/{id}")))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert!(list(&app, &access).await.is_empty());
    // The passkey's session ends with it (a lost phone's); the remover's goes on.
    let ended = app.get_bearer("/protected", &passkey_access).await;
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
    let refused = app.post_json("/refresh", &refresh).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_error(
        sign_in_with(&app, &mut key).await,
        StatusCode::FORBIDDEN,
        "Passkey not accepted",
    )
    .await;
}

#[tokio::test]
async fn a_ceremony_is_used_once_and_a_counter_must_rise() {
    let app = app().await;
    app.register("bob").await;
    let access = access_of(&app.sign_in("bob").await);
    let mut key = SoftPasskey::new(ORIGIN);
    add(&app, &access, &mut key, "Phone").await;

    let (_, challenge) =
        json_of(app.post_json("/passkeys/sign-in/options", &json!({})).await).await;
    let body = json!({
        "ceremony": challenge["ceremony"],
        "credential": key.assert(&challenge["options"]),
    });
    assert_eq!(
        app.post_json("/passkeys/sign-in", &body).await.status(),
        StatusCode::OK
    );
    let again = app.post_json("/passkeys/sign-in", &body).await;
    assert_error(
        again,
        StatusCode::BAD_REQUEST,
        "Unknown or expired ceremony: start again",
    )
    .await;

    // The same assertion for a new ceremony: its challenge is not this one's.
    let (_, fresh) = json_of(app.post_json("/passkeys/sign-in/options", &json!({})).await).await;
    let replay = json!({ "ceremony": fresh["ceremony"], "credential": body["credential"] });
    let refused = app.post_json("/passkeys/sign-in", &replay).await;
    assert_error(refused, StatusCode::FORBIDDEN, "Passkey not accepted").await;

    // A clone of the authenticator, its counter behind the one accepted.
    key.counter -= 1;
    let cloned = sign_in_with(&app, &mut key).await;
    assert_error(cloned, StatusCode::FORBIDDEN, "Passkey not accepted").await;
    // Ahead again, it signs in.
    key.counter += 5;
    assert_eq!(sign_in_with(&app, &mut key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_origin_and_user_verification_are_checked() {
    let app = app().await;
    app.register("carol").await;
    let access = access_of(&app.sign_in("carol").await);
    let (_, challenge) = json_of(app.post_bearer("/passkeys/options", &access, None).await).await;
    let mut phished = SoftPasskey::new("http://localhost:9999");
    let body = json!({
        "ceremony": challenge["ceremony"],
        "name": "Elsewhere",
        "credential": phished.register(&challenge["options"]),
    });
    let refused = app.post_bearer("/passkeys", &access, Some(&body)).await;
    assert_error(refused, StatusCode::FORBIDDEN, "Passkey not accepted").await;

    let mut key = SoftPasskey::new(ORIGIN);
    add(&app, &access, &mut key, "Key").await;
    key.verifies_user = false;
    let unverified = sign_in_with(&app, &mut key).await;
    assert_error(unverified, StatusCode::FORBIDDEN, "Passkey not accepted").await;
    assert!(list(&app, &access).await[0]["last_used_at"].is_null());
}

#[tokio::test]
async fn a_passkey_completes_a_password_sign_in_as_its_second_step() {
    let app = app().await;
    let dave = enrolled(&app, "dave").await;
    // Registering needs a full, fresh sign-in: password, then a code.
    let first = access_of(&app.sign_in("dave").await);
    let code = json!({ "code": code_at(&dave.secret, crate::helpers::now() + 30) });
    let (status, full) = json_of(app.post_bearer("/mfa/verify", &first, Some(&code)).await).await;
    assert_eq!(status, StatusCode::OK, "{full}");
    let mut key = SoftPasskey::new(ORIGIN);
    add(&app, &access_of(&full), &mut key, "Laptop").await;

    let first = access_of(&app.sign_in("dave").await);
    assert_error(
        app.post_bearer("/passkeys/options", &first, None).await,
        StatusCode::UNAUTHORIZED,
        crate::mfa::PENDING,
    )
    .await;
    let (status, challenge) =
        json_of(app.post_bearer("/mfa/passkey/options", &first, None).await).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    let allowed = &challenge["options"]["publicKey"]["allowCredentials"];
    assert_eq!(allowed[0]["id"], key.credential_id().as_str(), "{allowed}");
    let body = json!({ "ceremony": challenge["ceremony"], "credential": key.assert(&challenge["options"]) });
    let (status, tokens) =
        json_of(app.post_bearer("/mfa/passkey", &first, Some(&body)).await).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let token = claims(&access_of(&tokens));
    assert_eq!(
        (&token["acr"], &token["amr"]),
        (&json!("2"), &json!(["pwd", "hwk", "user"]))
    );
    assert_eq!(token["sid"], claims(&first)["sid"], "the same session");
    // The first step is spent.
    let again = app.post_bearer("/mfa/passkey/options", &first, None).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);

    // A full sign-in needs no second step; a user without passkeys has none to give.
    let full = access_of(&tokens);
    let (status, _) = json_of(app.post_bearer("/mfa/passkey/options", &full, None).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_passkey_of_one_user_cannot_finish_another_users_ceremony() {
    let app = app().await;
    app.register("erin").await;
    app.register("frank").await;
    let erin = access_of(&app.sign_in("erin").await);
    let frank = access_of(&app.sign_in("frank").await);
    let (_, challenge) = json_of(app.post_bearer("/passkeys/options", &erin, None).await).await;
    let mut key = SoftPasskey::new(ORIGIN);
    let body = json!({
        "ceremony": challenge["ceremony"],
        "name": "Stolen ceremony",
        "credential": key.register(&challenge["options"]),
    });
    let response = app.post_bearer("/passkeys", &frank, Some(&body)).await;
    assert_error(
        response,
        StatusCode::BAD_REQUEST,
        "Unknown or expired ceremony: start again",
    )
    .await;
    // Erin cannot finish it either: it was taken.
    let response = app.post_bearer("/passkeys", &erin, Some(&body)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Nor remove or rename Frank's passkeys.
    let mut franks = SoftPasskey::new(ORIGIN);
    let added = add(&app, &frank, &mut franks, "Frank's").await;
    let id = added["id"].as_str().unwrap();
    let response = app
        .http()
        .delete(app.url(&format!("/passkeys/{id}")))
        .bearer_auth(&erin)
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::NOT_FOUND, "No such passkey").await;
    // Registering the same authenticator twice is refused.
    let (_, challenge) = json_of(app.post_bearer("/passkeys/options", &frank, None).await).await;
    let body = json!({
        "ceremony": challenge["ceremony"],
        "name": "Again",
        "credential": franks.register(&challenge["options"]),
    });
    let response = app.post_bearer("/passkeys", &frank, Some(&body)).await;
    assert_error(
        response,
        StatusCode::CONFLICT,
        "This passkey is registered already",
    )
    .await;
}

#[tokio::test]
async fn without_a_public_url_passkeys_are_off() {
    let app = TestApp::spawn().await;
    let response = app.post_json("/passkeys/sign-in/options", &json!({})).await;
    assert_error(
        response,
        StatusCode::NOT_FOUND,
        "Passkeys are off: the server has no public URL (--public-url)",
    )
    .await;
}

#[tokio::test]
async fn a_password_reset_removes_the_passkeys_whoever_added_them() {
    let app = app().await;
    app.register("gina").await;
    let access = access_of(&app.sign_in("gina").await);
    let mut key = SoftPasskey::new(ORIGIN);
    add(&app, &access, &mut key, "Added with a stolen password").await;

    let link = app
        .tessera()
        .accounts()
        .reset_link("gina", ORIGIN)
        .await
        .unwrap();
    let token = link.split("#token=").nth(1).unwrap();
    let body = json!({ "token": token, "new_password": "a brand new passphrase" });
    let reset = app.post_json("/password/reset", &body).await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_error(
        sign_in_with(&app, &mut key).await,
        StatusCode::FORBIDDEN,
        "Passkey not accepted",
    )
    .await;
}
