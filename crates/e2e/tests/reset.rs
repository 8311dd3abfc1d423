//! The forgotten password, end to end over real SMTP: "Forgot password?" on
//! the sign-in page, the mail delivered to an SMTP server on loopback, its
//! link opened in the browser, a new password set, signed in with it, and the
//! sessions from before the reset gone.
//!
//! Needs `trunk build --release` and `cargo build -p tessera`.

// The SMTP server of the API tests (`crates/tessera/tests/api/smtp_sink.rs`,
// with its `smtp_sink/mime.rs`); this test uses only part of what it offers.
#[path = "../../tessera/tests/api"]
mod api {
    #[allow(dead_code)]
    pub(crate) mod smtp_sink;
}

use api::smtp_sink::SmtpSink;
use e2e::steps::{call_api, expect_account_of, sign_in, PASSWORD};
use e2e::{Browser, ServerConfig, TesseraServer};
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a brand new passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn forgot_password_mail_link_new_password_signed_in_old_sessions_gone() {
    let sink = SmtpSink::start().await;
    let config = ServerConfig {
        mailer: Some(sink.mailer()),
        ..ServerConfig::default()
    };
    let server = TesseraServer::start(&config);
    let browser = Browser::open(server.url()).await;
    browser.goto("/sign-in").await;

    let (username, email) = ("e2e.reset", "e2e.reset@example.org");
    let body = json!({"username": username, "password": PASSWORD, "email": email});
    let (status, text) = call_api(&browser, "POST", "/register", None, Some(body)).await;
    assert_eq!(status, 201, "POST /register: {text}");
    // A session from before the reset, as another device would hold it.
    let body = json!({"username": username, "password": PASSWORD});
    let (status, text) = call_api(&browser, "POST", "/auth", None, Some(body)).await;
    assert_eq!(status, 200, "POST /auth: {text}");
    let old: Value = serde_json::from_str(&text).unwrap();
    let old_access = old["access_token"].as_str().unwrap().to_owned();
    // The verification mail of the sign-up comes first; reset links go only
    // to verified addresses.
    let verification = sink.wait_for(email, 1).await;
    let body = json!({"token": verification.token()});
    let (status, text) = call_api(&browser, "POST", "/email/verify", None, Some(body)).await;
    assert_eq!(status, 204, "POST /email/verify: {text}");

    browser.click("a[href='/forgot-password']").await;
    browser.wait_for_text("h1", "Reset your password").await;
    browser.fill("#account", email).await;
    browser.press_enter("#account").await;
    browser
        .wait_for_text_containing("#forgot-status", "is on its way")
        .await;

    let mail = sink.wait_for(email, 2).await;
    let link = mail.link();
    let path = link
        .strip_prefix(server.url())
        .unwrap_or_else(|| panic!("{link} does not open {}", server.url()));
    assert!(path.starts_with("/reset-password#token="), "{link}");
    browser.goto(path).await;
    browser.wait_for_text("h1", "Choose a new password").await;
    browser.fill("#new-password", NEW_PASSWORD).await;
    browser.fill("#new-password-again", NEW_PASSWORD).await;
    browser.press_enter("#new-password-again").await;

    browser.wait_for_path("/sign-in").await;
    browser
        .wait_for_text_containing("#notice", "Your password was changed")
        .await;
    sign_in(&browser, username, NEW_PASSWORD).await;
    expect_account_of(&browser, username).await;

    let (status, _) = call_api(&browser, "GET", "/protected", Some(&old_access), None).await;
    assert_eq!(status, 401, "the session from before the reset still works");
    let body = json!({"username": username, "password": PASSWORD});
    let (status, _) = call_api(&browser, "POST", "/auth", None, Some(body)).await;
    assert_eq!(status, 401, "the old password still works");

    // The same link a second time is refused, and says so.
    browser.click("#sign-out").await;
    browser.goto(path).await;
    browser
        .fill("#new-password", "yet another passphrase")
        .await;
    browser
        .fill("#new-password-again", "yet another passphrase")
        .await;
    browser.press_enter("#new-password-again").await;
    browser
        .wait_for_text_containing("#reset-error", "already used")
        .await;
    browser.quit().await;
}
