//! Email addresses: set at sign-up or with `PUT /me/email`, verified through
//! the mailed link, shown by `GET /me` and in access tokens, and required for
//! sign-in with `--require-verified-email`. Mail goes through a real SMTP
//! server on loopback (`smtp_sink`).

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, credentials, TestApp, PASSWORD};
use crate::smtp_sink::SmtpSink;

/// An app mailing to a fresh sink, plus `flags`.
pub(crate) async fn app_with_sink(flags: &[&str]) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let mailer = sink.mailer();
    let mut all = vec![
        "--mailer",
        mailer.as_str(),
        "--public-url",
        "https://app.example",
        "--product-name",
        "Acme",
    ];
    all.extend_from_slice(flags);
    (TestApp::spawn_with(&all).await, sink)
}

/// Registers `username` with `email`; returns the profile.
pub(crate) async fn register_with_email(app: &TestApp, username: &str, email: &str) -> Value {
    let body = json!({ "username": username, "password": PASSWORD, "email": email });
    let response = app.post_json("/register", &body).await;
    let status = response.status();
    let profile: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{profile}");
    profile
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn the_mailed_link_verifies_the_address_once() {
    let (app, sink) = app_with_sink(&[]).await;
    let profile = register_with_email(&app, "alice", " Alice@Example.ORG ").await;
    assert_eq!(profile["email"], "alice@example.org");
    assert_eq!(profile["email_verified"], false);
    let token = app.token_for("alice").await;
    assert_eq!(claims(&token)["email_verified"], false);

    let mail = sink.wait_for("alice@example.org", 1).await;
    assert_eq!(mail.subject, "Acme: Confirm your email address");
    let link = mail.link();
    assert!(
        link.starts_with("https://app.example/verify-email#token="),
        "{link}"
    );
    assert!(
        mail.html.contains(&format!("href=\"{link}\"")),
        "{}",
        mail.html
    );
    assert!(mail.text.contains("Acme") && mail.html.contains("Acme"));

    let verify = json!({ "token": mail.token() });
    let response = app.post_json("/email/verify", &verify).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let me: Value = app.get_bearer("/me", &token).await.json().await.unwrap();
    assert_eq!(me["email_verified"], true);
    assert_eq!(
        claims(&app.token_for("alice").await)["email_verified"],
        true
    );

    let again = app.post_json("/email/verify", &verify).await;
    assert_error(
        again,
        StatusCode::BAD_REQUEST,
        "This link was already used or is not valid; ask for a new one",
    )
    .await;
}

#[tokio::test]
async fn users_without_an_address_have_no_email_claim() {
    let app = TestApp::spawn().await;
    let profile = app.register("bob").await;
    assert_eq!(profile["email"], Value::Null);
    assert_eq!(profile["email_verified"], false);
    assert!(claims(&app.token_for("bob").await)
        .get("email_verified")
        .is_none());
}

#[tokio::test]
async fn an_address_belongs_to_one_account_whatever_its_case() {
    let app = TestApp::spawn().await;
    register_with_email(&app, "carol", "Carol@Example.org").await;
    let body = json!({ "username": "carol2", "password": PASSWORD, "email": "carol@EXAMPLE.org" });
    let response = app.post_json("/register", &body).await;
    assert_error(
        response,
        StatusCode::CONFLICT,
        "Email address is already in use",
    )
    .await;
    let body = json!({ "username": "dave", "password": PASSWORD, "email": "not-an-address" });
    let response = app.post_json("/register", &body).await;
    assert_error(
        response,
        StatusCode::BAD_REQUEST,
        "\"not-an-address\" is not a valid email address",
    )
    .await;
}

#[tokio::test]
async fn a_schema_valid_short_password_is_refused_as_the_schema_says() {
    // The schema of /register states the real rules: 8 bytes at least.
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let schema = &doc["components"]["schemas"]["RegisterRequest"];
    assert_eq!(schema["properties"]["password"]["minLength"], 8);
    assert!(schema["properties"]["email"].is_object());
    let response = app
        .post_json("/register", &credentials("erin", "1234567"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn changing_the_address_tells_the_old_one_and_verifies_the_new_one() {
    let (app, sink) = app_with_sink(&[]).await;
    register_with_email(&app, "frank", "frank@old.example").await;
    let first = sink.wait_for("frank@old.example", 1).await;
    let token = app.token_for("frank").await;

    let change = json!({ "email": "Frank@New.example" });
    let response = app
        .http()
        .request(reqwest::Method::PUT, app.url("/me/email"))
        .bearer_auth(&token)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile["email"], "frank@new.example");
    assert_eq!(profile["email_verified"], false);

    let notice = sink.wait_for("frank@old.example", 2).await;
    assert!(notice.text.contains("frank@new.example"), "{}", notice.text);
    let verification = sink.wait_for("frank@new.example", 1).await;
    // The old address's link no longer verifies anything.
    let old = app
        .post_json("/email/verify", &json!({ "token": first.token() }))
        .await;
    assert_eq!(old.status(), StatusCode::BAD_REQUEST);
    let new = app
        .post_json("/email/verify", &json!({ "token": verification.token() }))
        .await;
    assert_eq!(new.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_resent_link_replaces_the_older_one() {
    let (app, sink) = app_with_sink(&[]).await;
    register_with_email(&app, "grace", "grace@example.org").await;
    let first = sink.wait_for("grace@example.org", 1).await;
    let token = app.token_for("grace").await;
    let response = app.post_bearer("/email/resend", &token, None).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let second = sink.wait_for("grace@example.org", 2).await;
    assert_ne!(first.token(), second.token());
    let old = app
        .post_json("/email/verify", &json!({ "token": first.token() }))
        .await;
    assert_error(
        old,
        StatusCode::BAD_REQUEST,
        "This link was replaced by a newer one; use the newest message",
    )
    .await;
    let new = app
        .post_json("/email/verify", &json!({ "token": second.token() }))
        .await;
    assert_eq!(new.status(), StatusCode::NO_CONTENT);
    let done = app.post_bearer("/email/resend", &token, None).await;
    assert_error(
        done,
        StatusCode::BAD_REQUEST,
        "Email address is already verified",
    )
    .await;
}

#[tokio::test]
async fn resending_is_rate_limited_per_account() {
    let (app, sink) = app_with_sink(&["--rate-limit-mail", "2/h"]).await;
    register_with_email(&app, "heidi", "heidi@example.org").await;
    sink.wait_for("heidi@example.org", 1).await;
    let token = app.token_for("heidi").await;
    for _ in 0..2 {
        let response = app.post_bearer("/email/resend", &token, None).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let response = app.post_bearer("/email/resend", &token, None).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn forged_links_are_refused() {
    let app = TestApp::spawn().await;
    for (token, msg) in [
        (
            "nonsense",
            "This link is not valid; check that it was copied whole",
        ),
        (
            "1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "This link was already used or is not valid; ask for a new one",
        ),
    ] {
        let response = app
            .post_json("/email/verify", &json!({ "token": token }))
            .await;
        assert_error(response, StatusCode::BAD_REQUEST, msg).await;
    }
}

#[tokio::test]
async fn sign_in_can_require_a_verified_address() {
    let (app, sink) = app_with_sink(&["--require-verified-email", "true"]).await;
    register_with_email(&app, "ivan", "ivan@example.org").await;
    let msg = "Confirm your email address first: open the link mailed to you, or ask for a new one";
    for path in ["/auth", "/login"] {
        let response = app.post_json(path, &credentials("ivan", PASSWORD)).await;
        assert_error(response, StatusCode::FORBIDDEN, msg).await;
    }
    // A wrong password still gets the usual answer: nothing is revealed.
    let wrong = app
        .post_json("/auth", &credentials("ivan", "wrong password"))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    // Accounts without an address are not affected.
    app.register("judy").await;
    app.token_for("judy").await;

    let mail = sink.wait_for("ivan@example.org", 1).await;
    let response = app
        .post_json("/email/verify", &json!({ "token": mail.token() }))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.token_for("ivan").await;
}
