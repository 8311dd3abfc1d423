//! A user with TOTP signs in through the app: the password gives a first
//! step, the sign-in page asks for the second factor, a wrong code is
//! announced, and a recovery code completes the sign-in. The second step's
//! page fits phones and laptops and passes axe-core.
//!
//! Needs `trunk build --release`, `cargo build -p tessera` and axe-core in `tools/`.

use e2e::audit::check_page;
use e2e::steps::{call_api, expect_account_of, register_via_api, sign_in, unix_now, PASSWORD};
use e2e::{Browser, ServerConfig, TesseraServer};
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

/// Enrols `username` in TOTP through the API; returns a recovery code.
async fn enrol(browser: &Browser, username: &str) -> String {
    let body = json!({"username": username, "password": PASSWORD});
    let (status, text) = call_api(browser, "POST", "/auth", None, Some(body)).await;
    assert_eq!(status, 200, "POST /auth: {text}");
    let session: Value = serde_json::from_str(&text).unwrap();
    let access = session["access_token"].as_str().unwrap();
    let (status, text) = call_api(browser, "POST", "/mfa/totp", Some(access), None).await;
    assert_eq!(status, 200, "POST /mfa/totp: {text}");
    let enrollment: Value = serde_json::from_str(&text).unwrap();
    let secret = Secret::Encoded(enrollment["secret"].as_str().unwrap().to_owned());
    let totp = TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret.to_bytes().unwrap(),
        None,
        String::new(),
    );
    let body = json!({"code": totp.generate(unix_now())});
    let (status, text) = call_api(
        browser,
        "POST",
        "/mfa/totp/confirm",
        Some(access),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "POST /mfa/totp/confirm: {text}");
    let codes: Value = serde_json::from_str(&text).unwrap();
    codes["recovery_codes"][0].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_then_a_recovery_code_signs_a_totp_user_in() {
    let server = TesseraServer::start(&ServerConfig::default());
    let browser = Browser::open(server.url()).await;
    browser.goto("/sign-in").await;
    let username = "e2e.totp";
    register_via_api(&browser, username).await;
    let recovery_code = enrol(&browser, username).await;

    sign_in(&browser, username, PASSWORD).await;
    browser.wait_for_text("h1", "Second step").await;
    check_page(&browser, "second step").await;
    browser.fill("#second-factor", "000000").await;
    browser.press_enter("#second-factor").await;
    browser
        .wait_for_text_containing("#form-error", "Invalid or already used code")
        .await;

    browser.fill("#second-factor", &recovery_code).await;
    browser.press_enter("#second-factor").await;
    expect_account_of(&browser, username).await;
    browser.quit().await;
}
