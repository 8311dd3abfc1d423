//! Second factors over HTTP: TOTP enrolment, the first-step token and its
//! RFC 9470 challenge, completing a sign-in, refreshes keeping the level.

mod cluster;
mod confirm_race;
mod grace;
mod key_check;
mod limits;
mod logout;
mod remote;
mod removal;
mod tokens;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use reqwest::header::WWW_AUTHENTICATE;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::helpers::{assert_error, credentials, now, TestApp, PASSWORD};

/// The code of base32 `secret` at Unix time `at`, as an authenticator app shows it.
pub(crate) fn code_at(secret: &str, at: u64) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, "test".to_owned());
    totp.generate(at)
}

/// A six-digit code that is not `code`.
pub(crate) fn other_than(code: &str) -> String {
    let first = code.as_bytes()[0] - b'0';
    format!("{}{}", (first + 1) % 10, &code[1..])
}

/// The claims of a JWT, read without checking it.
pub(crate) fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// What enrolling `username` gave: the secret and the recovery codes.
pub(crate) struct Enrolled {
    pub(crate) secret: String,
    pub(crate) recovery_codes: Vec<String>,
}

/// Registers `username` and enrols TOTP for them, confirmed with the code of now.
pub(crate) async fn enrolled(app: &TestApp, username: &str) -> Enrolled {
    app.register(username).await;
    let access = app.sign_in(username).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, enrollment) = json_of(app.post_bearer("/mfa/totp", &access, None).await).await;
    assert_eq!(status, StatusCode::OK, "{enrollment}");
    let secret = enrollment["secret"].as_str().unwrap().to_owned();
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!("otpauth://totp/Tessera:{username}?")),
        "{uri}"
    );
    assert!(enrollment["qr_svg"].as_str().unwrap().contains("<svg"));
    let body = json!({ "code": code_at(&secret, now()) });
    let (status, codes) = json_of(
        app.post_bearer("/mfa/totp/confirm", &access, Some(&body))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{codes}");
    let recovery_codes: Vec<String> =
        serde_json::from_value(codes["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery_codes.len(), 10);
    Enrolled {
        secret,
        recovery_codes,
    }
}

pub(crate) async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Asserts RFC 9470's answer to a token whose sign-in is not strong enough.
pub(crate) async fn assert_insufficient(response: Response, msg: &str) {
    let challenge = response.headers().get(WWW_AUTHENTICATE).cloned().unwrap();
    let challenge = challenge.to_str().unwrap();
    assert!(
        challenge.starts_with(r#"Bearer realm="tessera", error="insufficient_user_authentication", error_description=""#),
        "{challenge}"
    );
    assert_error(response, StatusCode::UNAUTHORIZED, msg).await;
}

pub(crate) const PENDING: &str = "Sign-in incomplete: send your second factor to POST /mfa/verify";

#[tokio::test]
async fn a_totp_sign_in_is_a_first_step_until_verified_then_refreshes_keep_its_level() {
    let app = TestApp::spawn().await;
    let alice = enrolled(&app, "alice").await;

    let first = app.sign_in("alice").await;
    let first_access = first["access_token"].as_str().unwrap();
    let first_claims = claims(first_access);
    assert_eq!(
        (&first_claims["acr"], &first_claims["amr"]),
        (&json!("0"), &json!(["pwd"]))
    );
    for path in ["/protected", "/me"] {
        assert_insufficient(app.get_bearer(path, first_access).await, PENDING).await;
    }
    assert_insufficient(
        app.post_bearer("/mfa/totp", first_access, None).await,
        PENDING,
    )
    .await;

    // The next step's code: the confirmation used this one.
    let body = json!({ "code": code_at(&alice.secret, now() + 30) });
    let (status, second) = json_of(
        app.post_bearer("/mfa/verify", first_access, Some(&body))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let access = second["access_token"].as_str().unwrap();
    let second_claims = claims(access);
    assert_eq!(second_claims["acr"], "2");
    assert_eq!(second_claims["amr"], json!(["pwd", "otp"]));
    assert_eq!(
        second_claims["sid"], first_claims["sid"],
        "the same session"
    );
    assert_eq!(second_claims["fresh"], true);
    assert_eq!(
        app.get_bearer("/protected", access).await.status(),
        StatusCode::OK
    );

    // The first step is spent: its token and its refresh token are refused.
    let again = app
        .post_bearer("/mfa/verify", first_access, Some(&body))
        .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let old_refresh = json!({ "refresh_token": first["refresh_token"] });
    assert_eq!(
        app.post_json("/refresh", &old_refresh).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let refresh = json!({ "refresh_token": second["refresh_token"] });
    let (status, refreshed) = json_of(app.post_json("/refresh", &refresh).await).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let refreshed = claims(refreshed["access_token"].as_str().unwrap());
    assert_eq!(
        (&refreshed["acr"], &refreshed["fresh"]),
        (&json!("2"), &json!(false))
    );
    assert_eq!(refreshed["amr"], json!(["pwd", "otp"]));
}

#[tokio::test]
async fn login_keeps_its_shape_and_hands_out_the_first_step() {
    let app = TestApp::spawn().await;
    enrolled(&app, "bob").await;
    let (status, body) =
        json_of(app.post_json("/login", &credentials("bob", PASSWORD)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["jwt"]
    );
    let jwt = body["jwt"].as_str().unwrap();
    assert_eq!(claims(jwt)["acr"], "0");
    assert_insufficient(app.get_bearer("/protected", jwt).await, PENDING).await;
}

#[tokio::test]
async fn without_a_second_factor_tokens_are_level_1_and_stronger_routes_ask_for_it() {
    let app = TestApp::spawn().await;
    app.register("carol").await;
    let access = app.sign_in("carol").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = claims(&access);
    assert_eq!(
        (&token["acr"], &token["amr"]),
        (&json!("1"), &json!(["pwd"]))
    );
    let body = json!({ "code": "123456" });
    assert_insufficient(
        app.post_bearer("/mfa/recovery-codes", &access, Some(&body))
            .await,
        "This needs a sign-in with a second factor",
    )
    .await;
    let verify = app.post_bearer("/mfa/verify", &access, Some(&body)).await;
    assert_error(
        verify,
        StatusCode::CONFLICT,
        "This sign-in needs no second step",
    )
    .await;
    let confirm = app
        .post_bearer("/mfa/totp/confirm", &access, Some(&body))
        .await;
    assert_error(
        confirm,
        StatusCode::CONFLICT,
        "No TOTP enrolment is pending: start one with POST /mfa/totp",
    )
    .await;
}
