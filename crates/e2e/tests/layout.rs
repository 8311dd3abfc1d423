//! Every page of the app on a phone (390 × 844) and a laptop (1280 × 800): no
//! two visible controls overlap, nothing scrolls sideways, and axe-core finds
//! no serious or critical accessibility violation.
//!
//! Needs `trunk build --release`, `cargo build -p tessera` and axe-core in
//! `tools/` (`scripts/install-frontend-tools`).

use e2e::audit::check_page as check;
use e2e::steps::{expect_account_of, register_via_api, sign_in, PASSWORD};
use e2e::{Browser, ServerConfig, TesseraServer};

#[tokio::test(flavor = "multi_thread")]
async fn every_page_fits_phones_and_laptops_and_passes_axe() {
    let server = TesseraServer::start(&ServerConfig::default());
    let browser = Browser::open(server.url()).await;

    browser.goto("/sign-in").await;
    browser.wait_for_text("h1", "Sign in").await;
    check(&browser, "sign-in").await;

    // With the server's refusal shown.
    browser.fill("#username", "nobody").await;
    browser.fill("#password", "not the password").await;
    browser.press_enter("#password").await;
    browser
        .wait_for_text("#form-error", "Bad username or password")
        .await;
    check(&browser, "sign-in with an error").await;

    browser.goto("/sign-up").await;
    browser.wait_for_text("h1", "Create an account").await;
    check(&browser, "sign-up").await;

    // The account self-service pages: the forms, and an error announced.
    browser.goto("/forgot-password").await;
    browser.wait_for_text("h1", "Reset your password").await;
    check(&browser, "forgot password").await;

    browser.goto("/reset-password#token=1.layout").await;
    browser.wait_for_text("h1", "Choose a new password").await;
    check(&browser, "reset password").await;
    browser.fill("#new-password", "a new password").await;
    browser
        .fill("#new-password-again", "another password")
        .await;
    browser.press_enter("#new-password-again").await;
    browser
        .wait_for_text("#reset-error", "The two passwords differ.")
        .await;
    check(&browser, "reset password with an error").await;

    browser.goto("/reset-password").await;
    browser
        .wait_for_text("h1", "Open the link from the mail")
        .await;
    check(&browser, "a link without its token").await;

    browser.goto("/verify-email#token=1.layout").await;
    browser
        .wait_for_text("h1", "Verify your email address")
        .await;
    check(&browser, "verify email").await;

    browser.goto("/no-such-page").await;
    browser.wait_for_text("h1", "Page not found").await;
    check(&browser, "not found").await;

    register_via_api(&browser, "e2e.layout").await;
    browser.goto("/sign-in").await;
    sign_in(&browser, "e2e.layout", PASSWORD).await;
    expect_account_of(&browser, "e2e.layout").await;
    browser.wait_for_text("#reload", "Reload").await;
    browser
        .wait_for_text("#email-state", "No address yet")
        .await;
    check(&browser, "account").await;

    browser.click("#sign-out").await;
    browser
        .wait_for_text("#notice", "You have signed out.")
        .await;
    check(&browser, "sign-in after signing out").await;
    browser.quit().await;
}
