//! The browser app end to end: the built `dist/` served by the `tessera` binary,
//! driven in headless Chromium. Every test has its own server and browser.
//!
//! Needs `trunk build --release` and `cargo build -p tessera` first.

use e2e::{Browser, ServerConfig, TesseraServer};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// Creates an account through the API, from inside the page (not through the form).
async fn register_via_api(browser: &Browser, username: &str) {
    let status = browser
        .script(
            "return fetch('/register', {method: 'POST', \
               headers: {'Content-Type': 'application/json'}, \
               body: JSON.stringify({username: arguments[0], password: arguments[1]})}) \
             .then(response => response.status);",
            vec![json!(username), json!(PASSWORD)],
        )
        .await;
    assert_eq!(status, json!(201), "POST /register for {username}");
}

/// Fills the sign-in form and submits it with Enter in the password field.
async fn sign_in(browser: &Browser, username: &str, password: &str) {
    browser.wait_for_text("h1", "Sign in").await;
    browser.fill("#username", username).await;
    browser.fill("#password", password).await;
    browser.press_enter("#password").await;
}

/// Waits for the account page to show `username`'s protected data and profile.
async fn expect_account_of(browser: &Browser, username: &str) {
    browser.wait_for_path("/account").await;
    browser.wait_for_text("#hello-from", username).await;
    browser.wait_for_text("#protected-data", "1, 2, 3").await;
    browser.wait_for_text("#profile-username", username).await;
}

fn looks_like_a_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.split('.').count() == 3
}

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
    assert_eq!(browser.local_storage("access_token").await, None);

    // A valid sign-up signs straight in.
    browser.fill("#username", "e2e.alice").await;
    browser.click("button[type=submit]").await;
    expect_account_of(&browser, "e2e.alice").await;
    let token = browser
        .local_storage("access_token")
        .await
        .expect("a stored token");
    assert!(
        looks_like_a_jwt(&token),
        "stored raw, not JSON-quoted: {token}"
    );

    // Signing out forgets the token and returns to the sign-in page.
    browser.click("#sign-out").await;
    browser.wait_for_path("/sign-in").await;
    browser
        .wait_for_text("#notice", "You have signed out.")
        .await;
    assert_eq!(browser.local_storage("access_token").await, None);

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
    assert_eq!(browser.local_storage("access_token").await, None);

    sign_in(&browser, "bob", PASSWORD).await;
    expect_account_of(&browser, "bob").await;
    let token = browser
        .local_storage("access_token")
        .await
        .expect("a stored token");
    assert!(looks_like_a_jwt(&token), "{token}");
    browser
        .wait_for_text_containing("#token-claims", "\"username\": \"bob\"")
        .await;
    browser
        .wait_for_text_containing("#token-header", "\"alg\": \"HS256\"")
        .await;
    browser
        .wait_for_text_where("#countdown", "a countdown", |text| {
            text.starts_with("Expires in ")
        })
        .await;

    // A reload keeps the session: same token, data fetched again.
    browser.reload().await;
    expect_account_of(&browser, "bob").await;
    assert_eq!(browser.local_storage("access_token").await, Some(token));

    browser.click("#sign-out").await;
    browser.wait_for_path("/sign-in").await;
    assert_eq!(browser.local_storage("access_token").await, None);
    browser.reload().await;
    browser.wait_for_text("h1", "Sign in").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_sends_the_user_back_to_sign_in() {
    let config = ServerConfig {
        access_ttl: "5s",
        leeway: Some("0s"),
        signup_open: true,
    };
    let server = TesseraServer::start(&config);
    let browser = Browser::open(server.url()).await;
    browser.goto("/sign-in").await;
    register_via_api(&browser, "carol").await;

    // The server refuses the expired token: the 401 ends the session.
    sign_in(&browser, "carol", PASSWORD).await;
    expect_account_of(&browser, "carol").await;
    wait_until_expired_on_the_server(&browser).await;
    browser.click("#refresh").await;
    browser.wait_for_path("/sign-in").await;
    browser
        .wait_for_text_containing("#notice", "Your session has expired")
        .await;
    assert_eq!(browser.local_storage("access_token").await, None);

    // A reload with an expired stored token drops it before any request.
    sign_in(&browser, "carol", PASSWORD).await;
    expect_account_of(&browser, "carol").await;
    wait_until_expired_on_the_server(&browser).await;
    browser.reload().await;
    browser.wait_for_path("/sign-in").await;
    browser
        .wait_for_text("#notice", "Your session has expired. Please sign in again.")
        .await;
    assert_eq!(browser.local_storage("access_token").await, None);
    browser.quit().await;
}

/// Waits (on the token panel's countdown) until the token is over a second past
/// `exp`, so the server, which accepts a token up to and including its `exp`
/// second, refuses it too.
async fn wait_until_expired_on_the_server(browser: &Browser) {
    browser
        .wait_for_text_where("#countdown", "\"Expired 2s ago\" or later", |text| {
            text.strip_prefix("Expired ")
                .and_then(|rest| rest.strip_suffix("s ago"))
                .and_then(|secs| secs.parse::<u32>().ok())
                .is_some_and(|secs| secs >= 2)
        })
        .await;
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
