//! The minimal example app (`examples/yew-minimal`) end to end: built into its
//! own `dist/`, served by `tessera serve --static-dir`, driven in Chromium.
//!
//! Needs `trunk build --release` in examples/yew-minimal and `cargo build -p tessera`.

use e2e::audit::axe_violations;
use e2e::steps::{assert_no_tokens_stored, looks_like_a_jwt, register_via_api, PASSWORD};
use e2e::{example_dist_dir, Browser, ServerConfig, TesseraServer};

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_call_protected_and_sign_out() {
    let server = TesseraServer::start_serving(&ServerConfig::default(), &example_dist_dir());
    let browser = Browser::open(server.url()).await;
    browser.goto("/").await;
    register_via_api(&browser, "e2e.minimal").await;

    // A refused sign-in shows the server's message.
    browser.fill("#username", "e2e.minimal").await;
    browser.fill("#password", "not the password").await;
    browser.click("button[type=submit]").await;
    browser
        .wait_for_text_containing("#error", "Bad username or password")
        .await;
    assert_no_tokens_stored(&browser).await;

    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("#user", "e2e.minimal").await;
    browser
        .wait_for_text_containing("#answer", "Hello from e2e.minimal")
        .await;
    let access = browser
        .local_storage("access_token")
        .await
        .unwrap_or_default();
    assert!(looks_like_a_jwt(&access), "stored raw: {access}");
    let violations = axe_violations(&browser).await;
    assert!(violations.is_empty(), "signed in: {violations:#?}");

    // A reload keeps the session.
    browser.reload().await;
    browser
        .wait_for_text_containing("#answer", "Hello from e2e.minimal")
        .await;

    browser.click("#sign-out").await;
    browser
        .wait_for_text("button[type=submit]", "Sign in")
        .await;
    assert_no_tokens_stored(&browser).await;
    let violations = axe_violations(&browser).await;
    assert!(violations.is_empty(), "signed out: {violations:#?}");
    browser.quit().await;
}
