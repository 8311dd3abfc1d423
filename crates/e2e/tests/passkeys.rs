//! Passkeys through the app, in headless Chromium with a virtual platform
//! authenticator: add one on the account page, rename it, sign out, sign in
//! with it and no username (from the username field's autofill, then with
//! the button), use it as the second step of a password sign-in, remove it,
//! and see it refused afterwards.
//!
//! The virtual authenticator answers an autofill request (conditional
//! mediation) at once with its credential, as a user picking it from the
//! suggestions would; while its user presence is off, requests wait.
//!
//! Needs `trunk build --release`, `cargo build -p tessera` and axe-core in `tools/`.

use e2e::audit::check_page;
use e2e::steps::{
    claims_of, enrol_totp, expect_account_of, register_via_api, sign_in, submit_of, PASSWORD,
};
use e2e::{eventually, Browser, ServerConfig, TesseraServer};
use serde_json::{json, Value};

/// Wraps `navigator.credentials.get` to keep the abort signal of each
/// autofill (conditional) request in `window.autofillSignals`.
const RECORD_AUTOFILL: &str = "window.autofillSignals = []; \
    const get = navigator.credentials.get.bind(navigator.credentials); \
    navigator.credentials.get = options => { \
      if (options && options.mediation === 'conditional') window.autofillSignals.push(options.signal); \
      return get(options); \
    };";

/// The claims of the stored access token (null when none is stored).
async fn access_claims(browser: &Browser) -> Value {
    match browser.local_storage("access_token").await {
        Some(token) => claims_of(browser, &token).await,
        None => Value::Null,
    }
}

/// Waits until the stored access token says it was signed in with `amr`.
async fn wait_for_amr(browser: &Browser, amr: &Value) {
    eventually(&format!("a session signed in with {amr}"), || async {
        let seen = access_claims(browser).await["amr"].clone();
        (&seen == amr).then_some(()).ok_or(seen.to_string())
    })
    .await;
}

async fn passkey_names(browser: &Browser) -> Vec<String> {
    let script =
        "return [...document.querySelectorAll('li.passkey strong')].map(e => e.textContent);";
    let names = browser.script(script, vec![]).await;
    serde_json::from_value(names).unwrap_or_default()
}

async fn wait_for_passkeys(browser: &Browser, expected: &[&str]) {
    eventually(&format!("the passkeys {expected:?} listed"), || async {
        let names = passkey_names(browser).await;
        if names == expected {
            Ok(())
        } else {
            Err(format!("listed: {names:?}"))
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passkey_is_added_signs_in_without_a_username_completes_a_second_step_and_is_removed() {
    let config = ServerConfig {
        passkeys: true,
        ..ServerConfig::default()
    };
    let server = TesseraServer::start(&config);
    let browser = Browser::open(server.url()).await;
    let authenticator = browser.add_virtual_authenticator().await;
    let username = "e2e.passkey";
    browser.goto("/sign-in").await;
    register_via_api(&browser, username).await;
    sign_in(&browser, username, PASSWORD).await;
    expect_account_of(&browser, username).await;

    // Add one, then rename it.
    browser.fill("#passkey-name", "Test laptop").await;
    browser.press_enter("#passkey-name").await;
    browser
        .wait_for_text("#passkey-add-status", "Passkey added.")
        .await;
    wait_for_passkeys(&browser, &["Test laptop"]).await;
    let held = browser.authenticator_credentials(&authenticator).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(
        held[0]["isResidentCredential"],
        json!(true),
        "a discoverable credential"
    );
    check_page(&browser, "account with a passkey").await;
    browser.click("li.passkey button[type=button]").await;
    browser.fill("#passkey-new-name", "Work laptop").await;
    browser.press_enter("#passkey-new-name").await;
    wait_for_passkeys(&browser, &["Work laptop"]).await;

    // Signed out, the sign-in page offers the passkey in autofill: picked,
    // it signs in with no username typed.
    browser.click("#sign-out").await;
    wait_for_amr(&browser, &json!(["hwk", "user"])).await;
    expect_account_of(&browser, username).await;
    assert_eq!(access_claims(&browser).await["acr"], json!("2"));

    // The button: it withdraws the waiting autofill offer first (a browser
    // runs one passkey request at a time). The offer waits (no user
    // presence) until it has reached the browser.
    browser.script(RECORD_AUTOFILL, vec![]).await;
    browser.set_user_presence(&authenticator, false).await;
    browser.click("#sign-out").await;
    browser.wait_for_text("h1", "Sign in").await;
    eventually("the autofill offer made", || async {
        let made = browser
            .script("return window.autofillSignals.length;", vec![])
            .await;
        (made == json!(1)).then_some(()).ok_or(made.to_string())
    })
    .await;
    browser.set_user_presence(&authenticator, true).await;
    browser.click(&submit_of("passkey")).await;
    wait_for_amr(&browser, &json!(["hwk", "user"])).await;
    expect_account_of(&browser, username).await;
    let withdrawn = browser
        .script("return window.autofillSignals[0].aborted;", vec![])
        .await;
    assert_eq!(withdrawn, json!(true), "the autofill offer was withdrawn");

    // With TOTP on, a password sign-in is a first step the passkey completes.
    enrol_totp(&browser, username).await;
    browser.set_user_presence(&authenticator, false).await;
    browser.click("#sign-out").await;
    sign_in(&browser, username, PASSWORD).await;
    browser.wait_for_text("h1", "Second step").await;
    browser.set_user_presence(&authenticator, true).await;
    browser.click(&submit_of("passkey")).await;
    wait_for_amr(&browser, &json!(["pwd", "hwk", "user"])).await;
    expect_account_of(&browser, username).await;

    // Removed, it signs nobody in, though the authenticator still holds it:
    // neither from autofill nor with the button.
    wait_for_passkeys(&browser, &["Work laptop"]).await;
    browser.click("li.passkey form button[type=submit]").await;
    wait_for_passkeys(&browser, &[]).await;
    browser.click("#sign-out").await;
    browser.wait_for_text("h1", "Sign in").await;
    browser
        .wait_for_text_containing("#autofill-error", "Passkey not accepted")
        .await;
    browser.click(&submit_of("passkey")).await;
    browser
        .wait_for_text_containing("#passkey-error", "Passkey not accepted")
        .await;
    assert_eq!(
        browser
            .authenticator_credentials(&authenticator)
            .await
            .len(),
        1
    );
    browser.quit().await;
}
