//! Steps the app tests share: accounts, signing in, the stored tokens, and API
//! calls made from inside the page (same origin, so no CORS and no extra client).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{eventually, Browser};

/// The password of every test account.
pub const PASSWORD: &str = "correct horse battery";

/// The `localStorage` keys of the access and the refresh token.
pub const KEYS: [&str; 2] = ["access_token", "refresh_token"];

/// Calls the API with `fetch` from the page: `method` `path`, with
/// `Authorization: Bearer <token>` when given and `body` as JSON. Returns the
/// status and the body text.
pub async fn call_api(
    browser: &Browser,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String) {
    let script = "const [method, path, token, body] = arguments; \
         const headers = {'Content-Type': 'application/json'}; \
         if (token) headers.Authorization = 'Bearer ' + token; \
         const init = {method, headers, body: body === null ? undefined : JSON.stringify(body)}; \
         return fetch(path, init) \
           .then(response => response.text().then(text => [response.status, text]));";
    let args = vec![json!(method), json!(path), json!(token), json!(body)];
    let answer = browser.script(script, args).await;
    let status = answer[0]
        .as_u64()
        .and_then(|status| u16::try_from(status).ok());
    let body = answer[1].as_str().unwrap_or_default().to_owned();
    (status.expect("an HTTP status"), body)
}

/// Creates an account through the API (not through the form).
pub async fn register_via_api(browser: &Browser, username: &str) {
    let body = json!({"username": username, "password": PASSWORD});
    let (status, text) = call_api(browser, "POST", "/register", None, Some(body)).await;
    assert_eq!(status, 201, "POST /register for {username}: {text}");
}

/// The CSS selector of the submit button of the app's form whose error
/// line is `#{form}-error`.
pub fn submit_of(form: &str) -> String {
    format!("form:has(#{form}-error) button[type=submit]")
}

/// Fills the sign-in form and submits it with Enter in the password field.
pub async fn sign_in(browser: &Browser, username: &str, password: &str) {
    browser.wait_for_text("h1", "Sign in").await;
    browser.fill("#username", username).await;
    browser.fill("#password", password).await;
    browser.press_enter("#password").await;
}

/// Waits for the account page to show `username`'s protected data and profile.
pub async fn expect_account_of(browser: &Browser, username: &str) {
    browser.wait_for_path("/account").await;
    browser.wait_for_text("#hello-from", username).await;
    browser.wait_for_text("#protected-data", "1, 2, 3").await;
    browser.wait_for_text("#profile-username", username).await;
}

/// Whether `token` looks like a compact JWT stored raw (not JSON-quoted).
pub fn looks_like_a_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.split('.').count() == 3
}

/// The stored access and refresh tokens; panics unless both are there.
pub async fn stored_tokens(browser: &Browser) -> (String, String) {
    let access = browser.local_storage(KEYS[0]).await;
    let refresh = browser.local_storage(KEYS[1]).await;
    match (access, refresh) {
        (Some(access), Some(refresh)) => (access, refresh),
        other => panic!("expected both tokens in localStorage, found {other:?}"),
    }
}

/// Waits until the app has stored tokens other than `old` (a refresh), and returns them.
pub async fn tokens_after(browser: &Browser, old: &(String, String)) -> (String, String) {
    eventually("the app to store refreshed tokens", || async {
        let tokens = stored_tokens(browser).await;
        if tokens.0 == old.0 {
            Err("the same access token".to_owned())
        } else {
            Ok(tokens)
        }
    })
    .await
}

/// Asserts `localStorage` holds neither token.
pub async fn assert_no_tokens_stored(browser: &Browser) {
    for key in KEYS {
        assert_eq!(browser.local_storage(key).await, None, "{key} is stored");
    }
}

/// The claims of a JWT, decoded in the page.
pub async fn claims_of(browser: &Browser, token: &str) -> Value {
    let script = "const part = arguments[0].split('.')[1].replace(/-/g, '+').replace(/_/g, '/'); \
                  return JSON.parse(atob(part));";
    browser.script(script, vec![json!(token)]).await
}

/// The `exp` claim of a JWT, decoded in the page.
pub async fn exp_of(browser: &Browser, token: &str) -> u64 {
    let exp = &claims_of(browser, token).await["exp"];
    exp.as_u64().expect("a numeric exp claim")
}

/// The clock in Unix seconds.
pub fn unix_now() -> u64 {
    since_epoch().as_secs()
}

/// Sleeps until the server (leeway 0 s), which takes a token up to and
/// including its `exp` second, refuses a token with this `exp`.
pub async fn wait_until_expired(exp: u64) {
    let expired_at = Duration::from_secs(exp + 1) + Duration::from_millis(200);
    tokio::time::sleep(expired_at.saturating_sub(since_epoch())).await;
}

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
}

/// Enrols `username` in TOTP through the API, confirmed with the code of
/// now; returns one of their recovery codes.
pub async fn enrol_totp(browser: &Browser, username: &str) -> String {
    let body = json!({"username": username, "password": PASSWORD});
    let (status, text) = call_api(browser, "POST", "/auth", None, Some(body)).await;
    assert_eq!(status, 200, "POST /auth: {text}");
    let session: Value = serde_json::from_str(&text).unwrap();
    let access = session["access_token"].as_str().unwrap();
    let (status, text) = call_api(browser, "POST", "/mfa/totp", Some(access), None).await;
    assert_eq!(status, 200, "POST /mfa/totp: {text}");
    let enrollment: Value = serde_json::from_str(&text).unwrap();
    let secret = enrollment["secret"].as_str().unwrap();
    let body = json!({"code": totp_code(secret, unix_now() / TOTP_STEP)});
    let confirm = "/mfa/totp/confirm";
    let (status, text) = call_api(browser, "POST", confirm, Some(access), Some(body)).await;
    assert_eq!(status, 200, "POST {confirm}: {text}");
    let codes: Value = serde_json::from_str(&text).unwrap();
    codes["recovery_codes"][0].as_str().unwrap().to_owned()
}

/// Seconds per TOTP step.
const TOTP_STEP: u64 = 30;

/// The code an authenticator app with base32 `secret` shows in time step `step`.
pub fn totp_code(secret: &str, step: u64) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new());
    totp.generate(step * TOTP_STEP)
}

/// The time step of now.
pub fn totp_step_now() -> u64 {
    unix_now() / TOTP_STEP
}

/// A code the server will take after one of step `last` was accepted: it
/// takes each step once, in order, up to one step ahead of its clock. So
/// this is the code of step `last + 1`, or of now when that is later; when
/// `last` is already a step ahead, it first waits for the clock to get there
/// (at most one step). Returns the code and its step.
pub async fn next_totp_code(secret: &str, last: u64) -> (String, u64) {
    let ahead_from = Duration::from_secs(last * TOTP_STEP);
    tokio::time::sleep(ahead_from.saturating_sub(since_epoch())).await;
    let step = (last + 1).max(totp_step_now());
    (totp_code(secret, step), step)
}
