//! A user with TOTP signs in through the app: the password gives a first
//! step, the sign-in page asks for the second factor, a wrong code is
//! announced, and a recovery code completes the sign-in. The second step's
//! page fits phones and laptops and passes axe-core.
//!
//! Needs `trunk build --release`, `cargo build -p tessera` and axe-core in `tools/`.

use e2e::audit::check_page;
use e2e::steps::{enrol_totp, expect_account_of, register_via_api, sign_in, PASSWORD};
use e2e::{Browser, ServerConfig, TesseraServer};

#[tokio::test(flavor = "multi_thread")]
async fn a_password_then_a_recovery_code_signs_a_totp_user_in() {
    let server = TesseraServer::start(&ServerConfig::default());
    let browser = Browser::open(server.url()).await;
    browser.goto("/sign-in").await;
    let username = "e2e.totp";
    register_via_api(&browser, username).await;
    let recovery_code = enrol_totp(&browser, username).await;

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
