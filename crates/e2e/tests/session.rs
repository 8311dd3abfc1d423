//! The token lifecycle in the browser app: refreshing before and after the
//! access token expires, retrying a refused call, and sessions the server ends.
//! Every test has its own server and browser.
//!
//! Needs `trunk build --release` and `cargo build -p tessera` first.

use e2e::steps::{
    assert_no_tokens_stored, call_api, exp_of, expect_account_of, register_via_api, sign_in,
    stored_tokens, tokens_after, unix_now, wait_until_expired, PASSWORD,
};
use e2e::{Browser, ServerConfig, TesseraServer};
use serde_json::json;

/// A server, a browser on its sign-in page, and `username` signed in.
async fn signed_in(config: &ServerConfig, username: &str) -> (TesseraServer, Browser) {
    let server = TesseraServer::start(config);
    let browser = Browser::open(server.url()).await;
    browser.goto("/sign-in").await;
    register_via_api(&browser, username).await;
    sign_in(&browser, username, PASSWORD).await;
    expect_account_of(&browser, username).await;
    (server, browser)
}

/// Waits until the page shows the sign-in form with a notice containing `needle`.
async fn expect_sent_to_sign_in(browser: &Browser, needle: &str) {
    browser.wait_for_path("/sign-in").await;
    browser.wait_for_text_containing("#notice", needle).await;
    assert_no_tokens_stored(browser).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn short_lived_access_tokens_are_refreshed_and_data_keeps_loading() {
    let config = ServerConfig {
        access_ttl: "3s",
        leeway: Some("0s"),
        ..ServerConfig::default()
    };
    let (_server, browser) = signed_in(&config, "erin").await;
    let first = stored_tokens(&browser).await;

    // Before the 3 s token runs out the app swaps it, and the refresh token rotates.
    let second = tokens_after(&browser, &first).await;
    assert_ne!(second.1, first.1, "the refresh token was not rotated");

    // Past the first token's expiry the server refuses it, yet a fresh page
    // load shows the data with the tokens the app holds now.
    wait_until_expired(exp_of(&browser, &first.0).await).await;
    let (status, body) = call_api(&browser, "GET", "/protected", Some(&first.0), None).await;
    assert_eq!(
        (status, body.as_str()),
        (401, r#"{"msg":"Token has expired"}"#)
    );
    browser.goto("/account").await;
    expect_account_of(&browser, "erin").await;

    // A session whose access token expired while no page was open is refreshed on load.
    let before = stored_tokens(&browser).await;
    browser.leave().await;
    // Any 3 s token the app stored before it stopped has expired by then.
    wait_until_expired(unix_now() + 3).await;
    browser.goto("/account").await;
    expect_account_of(&browser, "erin").await;
    let after = stored_tokens(&browser).await;
    assert_ne!(after.0, before.0, "the expired access token was kept");
    assert_ne!(after.1, before.1, "the refresh token was not rotated");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_access_token_is_refreshed_and_the_call_retried() {
    let (_server, browser) = signed_in(&ServerConfig::default(), "frank").await;
    let (access, refresh) = stored_tokens(&browser).await;

    // Hand the app an access token the server refuses (a broken signature), as
    // another tab would: through localStorage and a `storage` event. (Should
    // the app ignore it, it never refreshes and the wait below fails.)
    let (unsigned, signature) = access.rsplit_once('.').expect("a JWT");
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let refused = format!("{unsigned}.{flipped}{}", &signature[1..]);
    browser
        .script(
            "localStorage.setItem('access_token', arguments[0]); \
             window.dispatchEvent(new StorageEvent('storage', {key: 'access_token'}));",
            vec![json!(refused)],
        )
        .await;

    // Reloading the data hits the 401, refreshes once and retries: no error shown.
    browser.click("#reload").await;
    let (new_access, new_refresh) = tokens_after(&browser, &(refused, refresh.clone())).await;
    assert_ne!(new_access, access);
    assert_ne!(new_refresh, refresh, "the refresh token was not rotated");
    browser.wait_for_text("#reload", "Reload").await;
    browser.wait_for_path("/account").await;
    assert_eq!(browser.text("#account-error").await.as_deref(), Some(""));
    let (status, _) = call_api(&browser, "GET", "/protected", Some(&new_access), None).await;
    assert_eq!(status, 200);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_session_sends_the_user_back_to_sign_in() {
    let (_server, browser) = signed_in(&ServerConfig::default(), "grace").await;

    // Signed out everywhere behind the app's back: the next call finds out.
    let (access, _) = stored_tokens(&browser).await;
    let (status, _) = call_api(&browser, "POST", "/logout/all", Some(&access), None).await;
    assert_eq!(status, 204);
    browser.click("#reload").await;
    expect_sent_to_sign_in(&browser, "Your session has expired").await;

    // The app's own "Sign out everywhere".
    sign_in(&browser, "grace", PASSWORD).await;
    expect_account_of(&browser, "grace").await;
    let (access, _) = stored_tokens(&browser).await;
    browser.click("#sign-out-everywhere").await;
    expect_sent_to_sign_in(&browser, "You have signed out everywhere.").await;
    let (status, _) = call_api(&browser, "GET", "/protected", Some(&access), None).await;
    assert_eq!(status, 401);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reused_refresh_token_ends_the_session_with_the_servers_reason() {
    let config = ServerConfig {
        access_ttl: "10s",
        refresh_grace: Some("0s"),
        ..ServerConfig::default()
    };
    let (_server, browser) = signed_in(&config, "heidi").await;

    // Someone else uses the app's refresh token first; when the app refreshes
    // (about 8 s after sign-in) it presents a used token.
    let (_, refresh) = stored_tokens(&browser).await;
    let body = json!({"refresh_token": refresh});
    let (status, _) = call_api(&browser, "POST", "/refresh", None, Some(body)).await;
    assert_eq!(status, 200, "the app refreshed before the test could");
    expect_sent_to_sign_in(
        &browser,
        "Refresh token was already used; the session has been revoked",
    )
    .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_offline_still_signs_out() {
    let (mut server, browser) = signed_in(&ServerConfig::default(), "ivan").await;
    server.stop();
    browser.click("#sign-out").await;
    expect_sent_to_sign_in(&browser, "You have signed out.").await;
    browser.quit().await;
}
