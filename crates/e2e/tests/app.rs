//! The browser app end to end: the built `dist/` served by the `tessera` binary,
//! driven in headless Chromium. Every test has its own server and browser.
//!
//! Needs `trunk build --release` and `cargo build -p tessera` first.

use e2e::steps::{
    assert_no_tokens_stored, call_api, expect_account_of, looks_like_a_jwt, register_via_api,
    sign_in, stored_tokens, PASSWORD,
};
use e2e::{Browser, ServerConfig, TesseraServer};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_sign_out_and_navigate() {
    let server = TesseraServer::start(&ServerConfig::default());
    let browser = Browser::open(server.url()).await;

    browser.goto("/").await;
    browser.wait_for_path("/sign-in").await;
    browser.wait_for_text("h1", "Sign in").await;
    browser.click("main a[href='/sign-up']").await;
    browser.wait_for_path("/sign-up").await;
    browser.wait_for_text("h1", "Create an account").await;

    // The server's validation message is shown inline.
    browser.fill("#username", "no spaces allowed").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_for_text_containing("#form-error", "Username may contain only")
        .await;
    assert_no_tokens_stored(&browser).await;

    // A valid sign-up signs straight in.
    browser.fill("#username", "e2e.alice").await;
    browser.click("button[type=submit]").await;
    expect_account_of(&browser, "e2e.alice").await;
    let (access, refresh) = stored_tokens(&browser).await;
    for token in [&access, &refresh] {
        assert!(
            looks_like_a_jwt(token),
            "stored raw, not JSON-quoted: {token}"
        );
    }

    // Signing out forgets the tokens and returns to the sign-in page.
    browser.click("#sign-out").await;
    browser.wait_for_path("/sign-in").await;
    browser
        .wait_for_text("#notice", "You have signed out.")
        .await;
    assert_no_tokens_stored(&browser).await;

    // The name is now taken.
    browser.click("main a[href='/sign-up']").await;
    browser.wait_for_text("h1", "Create an account").await;
    browser.fill("#username", "e2e.alice").await;
    browser.fill("#password", PASSWORD).await;
    browser.press_enter("#password").await;
    browser
        .wait_for_text("#form-error", "Username is already taken")
        .await;

    // Back and Forward move between client-side routes.
    browser.back().await;
    browser.wait_for_path("/sign-in").await;
    browser.wait_for_text("h1", "Sign in").await;
    browser.forward().await;
    browser.wait_for_path("/sign-up").await;
    browser.wait_for_text("h1", "Create an account").await;

    browser.goto("/no/such/page").await;
    browser.wait_for_text("h1", "Page not found").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_see_data_reload_and_sign_out() {
    let server = TesseraServer::start(&ServerConfig::default());
    let browser = Browser::open(server.url()).await;
    browser.goto("/sign-in").await;
    register_via_api(&browser, "bob").await;

    sign_in(&browser, "bob", "wrong password").await;
    browser
        .wait_for_text("#form-error", "Bad username or password")
        .await;
    browser.wait_for_path("/sign-in").await;
    assert_no_tokens_stored(&browser).await;

    sign_in(&browser, "bob", PASSWORD).await;
    expect_account_of(&browser, "bob").await;
    let tokens = stored_tokens(&browser).await;
    browser.wait_for_text("#profile-roles", "none").await;

    // The token panel decodes both tokens, each with its countdown.
    let panel = [
        ("#access-header", "\"typ\": \"at+jwt\""),
        ("#access-claims", "\"username\": \"bob\""),
        ("#access-claims", "\"sid\": "),
        ("#refresh-header", "\"typ\": \"refresh+jwt\""),
        ("#refresh-claims", "\"sid\": "),
    ];
    for (css, needle) in panel {
        browser.wait_for_text_containing(css, needle).await;
    }
    // 10 minutes, 14 days (the server's defaults but the access TTL).
    browser
        .wait_for_text_where("#access-countdown", "10 minutes or less", |text| {
            text.starts_with("Expires in 9m ") || text == "Expires in 10m 00s"
        })
        .await;
    browser
        .wait_for_text_where("#refresh-countdown", "about 14 days", |text| {
            text.starts_with("Expires in 13d 23h ") || text.starts_with("Expires in 14d ")
        })
        .await;

    // A reload keeps the session: same tokens, data fetched again.
    browser.reload().await;
    expect_account_of(&browser, "bob").await;
    assert_eq!(stored_tokens(&browser).await, tokens);

    // Signing out forgets both tokens and ends the session on the server.
    browser.click("#sign-out").await;
    browser.wait_for_path("/sign-in").await;
    assert_no_tokens_stored(&browser).await;
    let (access, refresh) = tokens;
    e2e::eventually(
        "the server to refuse the signed-out access token",
        || async {
            match call_api(&browser, "GET", "/protected", Some(&access), None).await {
                (401, body) if body.contains("Token has been revoked") => Ok(()),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await;
    let body = json!({"refresh_token": refresh});
    let (status, _) = call_api(&browser, "POST", "/refresh", None, Some(body)).await;
    assert_eq!(status, 401, "the signed-out refresh token still works");

    browser.reload().await;
    browser.wait_for_text("h1", "Sign in").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_sign_up_and_an_unreachable_server_are_explained() {
    let config = ServerConfig {
        signup_open: false,
        ..ServerConfig::default()
    };
    let mut server = TesseraServer::start(&config);
    let browser = Browser::open(server.url()).await;

    browser.goto("/sign-up").await;
    browser.wait_for_text("h1", "Create an account").await;
    browser.fill("#username", "dave").await;
    browser.fill("#password", PASSWORD).await;
    browser.press_enter("#password").await;
    browser
        .wait_for_text("#form-error", "Sign-up is closed on this server")
        .await;

    server.stop();
    browser.click("button[type=submit]").await;
    browser
        .wait_for_text_containing("#form-error", "The server cannot be reached")
        .await;
    browser.quit().await;
}
