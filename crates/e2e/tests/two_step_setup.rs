//! Two-step sign-in set up on the account page: the QR code and key, a code
//! to turn it on, the recovery codes shown once (copy, download), one of
//! them completing a later sign-in, new codes, and turning it off. The
//! setup and the codes pass the layout and axe-core checks.
//!
//! Needs `trunk build --release`, `cargo build -p tessera` and axe-core in `tools/`.

use e2e::audit::check_page;
use e2e::steps::{
    expect_account_of, next_totp_code, register_via_api, sign_in, submit_of, totp_code,
    totp_step_now, PASSWORD,
};
use e2e::{eventually, Browser, ServerConfig, TesseraServer};
use serde_json::json;

/// The recovery codes on show, once there are ten.
async fn shown_codes(browser: &Browser) -> Vec<String> {
    eventually("ten recovery codes on show", || async {
        let script = "return [...document.querySelectorAll('#recovery-codes li')] \
                      .map(e => e.textContent.trim());";
        let codes: Vec<String> =
            serde_json::from_value(browser.script(script, vec![]).await).unwrap_or_default();
        if codes.len() == 10 {
            Ok(codes)
        } else {
            Err(format!("{codes:?}"))
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_authenticator_app_is_set_up_used_renewed_and_turned_off_on_the_account_page() {
    let server = TesseraServer::start(&ServerConfig::default());
    let browser = Browser::open(server.url()).await;
    browser.goto("/sign-in").await;
    let username = "e2e.setup";
    register_via_api(&browser, username).await;
    sign_in(&browser, username, PASSWORD).await;
    expect_account_of(&browser, username).await;

    // Set up: the QR code shows, the key is typed into the "app".
    browser.wait_for_text_containing("#totp-state", "Off").await;
    browser.click(&submit_of("totp-start")).await;
    let secret = browser
        .wait_for_text_where("#totp-secret", "a base32 key", |key| key.len() >= 26)
        .await;
    eventually("the QR code drawn", || async {
        let script = "const qr = document.getElementById('totp-qr'); \
                      return qr.complete && qr.naturalWidth > 0;";
        let drawn = browser.script(script, vec![]).await;
        (drawn == json!(true))
            .then_some(())
            .ok_or(drawn.to_string())
    })
    .await;
    check_page(&browser, "authenticator setup").await;
    let step = totp_step_now();
    browser
        .fill("#totp-confirm-code", &totp_code(&secret, step))
        .await;
    browser.press_enter("#totp-confirm-code").await;

    // The codes: listed, in the download, copied.
    let codes = shown_codes(&browser).await;
    check_page(&browser, "recovery codes").await;
    let script = "return decodeURIComponent(document.getElementById('download-codes') \
                  .getAttribute('href').split(',')[1]);";
    let download = browser.script(script, vec![]).await;
    assert_eq!(download, json!(codes.join("\n") + "\n"));
    browser.grant_clipboard().await;
    browser.click("#copy-codes").await;
    browser.wait_for_text("#copy-codes", "Copied").await;
    browser.wait_for_text("#totp-announce", "Copied.").await;
    let copied = browser
        .script("return navigator.clipboard.readText();", vec![])
        .await;
    assert_eq!(copied, download);
    browser.click("#codes-saved").await;
    browser
        .wait_for_text_containing("#totp-state", "10 recovery codes left")
        .await;
    assert_eq!(browser.text("#recovery-codes").await, None, "shown once");
    // This session signed in with the password alone: changes need a code.
    browser
        .wait_for_text_containing("#totp-sign-in-again", "sign in again with a code")
        .await;

    // A password sign-in now needs a second step; a shown code completes it.
    browser.click("#sign-out").await;
    sign_in(&browser, username, PASSWORD).await;
    browser.wait_for_text("h1", "Second step").await;
    browser.fill("#second-factor", &codes[4]).await;
    browser.press_enter("#second-factor").await;
    expect_account_of(&browser, username).await;
    browser
        .wait_for_text_containing("#totp-state", "9 recovery codes left")
        .await;

    // New codes replace the old ones.
    let (code, step) = next_totp_code(&secret, step).await;
    browser.fill("#totp-codes-code", &code).await;
    browser.press_enter("#totp-codes-code").await;
    let renewed = shown_codes(&browser).await;
    assert!(
        renewed.iter().all(|code| !codes.contains(code)),
        "{renewed:?}"
    );
    browser.click("#codes-saved").await;
    browser
        .wait_for_text_containing("#totp-state", "10 recovery codes left")
        .await;

    // Off: a wrong code is refused, a right one turns it off.
    browser.fill("#totp-remove-code", "12345").await;
    browser.press_enter("#totp-remove-code").await;
    browser
        .wait_for_text_containing("#totp-remove-error", "Invalid or already used code")
        .await;
    let (code, _) = next_totp_code(&secret, step).await;
    browser.fill("#totp-remove-code", &code).await;
    browser.press_enter("#totp-remove-code").await;
    browser.wait_for_text_containing("#totp-state", "Off").await;
    browser.quit().await;
}
