//! The HTTP calls, all through one request helper.
//!
//! This module knows no session: its calls take the tokens they send. The
//! session ([`crate::Session`]) supplies them, and refreshes after a 401.

use serde::de::DeserializeOwned;
use serde::Serialize;
use tessera_shared::{AuthResponse, Credentials, RegisterRequest, UserProfile};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use crate::{json, token, Config, Error, Method};

const UNPREPARED: Error = Error::Unexpected("The request could not be prepared.");

/// Sends one request to `url` and returns the body of its 2xx answer.
///
/// Adds `Authorization: Bearer <token>` when `token` is given and the JSON
/// `body` when there is one; maps every non-2xx answer to [`Error`]. Not
/// generic, so the fetch code exists once in the wasm; [`parse`] reads the body.
/// Calls the browser's `fetch` directly: an HTTP client crate would add
/// kilobytes to every app's download.
pub(crate) async fn request(
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<String, Error> {
    let headers = Headers::new().map_err(|_| UNPREPARED)?;
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|_| UNPREPARED);
    set("Accept", "application/json")?;
    if let Some(token) = token {
        set("Authorization", &token::bearer(token))?;
    }
    let init = RequestInit::new();
    init.set_method(method.as_str());
    if let Some(body) = body {
        set("Content-Type", "application/json")?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(UNPREPARED)?;

    // `fetch` only rejects when no HTTP answer arrived at all.
    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let response: Response = answer
        .ok()
        .and_then(|response| response.dyn_into().ok())
        .ok_or(Error::Unreachable)?;
    let text = match response.text() {
        Ok(text) => JsFuture::from(text)
            .await
            .ok()
            .and_then(|text| text.as_string()),
        Err(_) => None,
    };
    let text = text.unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(Error::from_response(
            response.status(),
            &response.status_text(),
            &text,
        ))
    }
}

/// Serializes a request body.
pub(crate) fn json_body<T: Serialize>(body: &T) -> Result<String, Error> {
    json::stringify(body).ok_or(UNPREPARED)
}

/// The body of a sign-in ([`Credentials`]).
fn credentials_body(credentials: &Credentials) -> Result<String, Error> {
    json::object(&[
        ("username", Some(&credentials.username)),
        ("password", Some(&credentials.password)),
    ])
    .ok_or(UNPREPARED)
}

/// Reads a 2xx answer's JSON body.
pub(crate) fn parse<T: DeserializeOwned>(body: &str) -> Result<T, Error> {
    json::parse(body).ok_or(Error::Unexpected("The server's answer could not be read."))
}

/// Sign-in: exchanges credentials for an access and a refresh token.
pub(crate) async fn auth(
    config: &Config,
    credentials: &Credentials,
) -> Result<AuthResponse, Error> {
    let body = credentials_body(credentials)?;
    let url = config.url(&config.paths.auth);
    parse(&request(Method::Post, &url, None, Some(&body)).await?)
}

/// Sign-up: creates an account; the server may refuse with 400, 403 or 409.
pub(crate) async fn register(
    config: &Config,
    account: &RegisterRequest,
) -> Result<UserProfile, Error> {
    let body = json::object(&[
        ("username", Some(&account.username)),
        ("password", Some(&account.password)),
        ("email", account.email.as_deref()),
    ])
    .ok_or(UNPREPARED)?;
    let url = config.url(&config.paths.register);
    parse(&request(Method::Post, &url, None, Some(&body)).await?)
}

/// Refresh: exchanges a refresh token (usable once) for a new pair.
pub(crate) async fn refresh(config: &Config, refresh_token: &str) -> Result<AuthResponse, Error> {
    let body = json::object(&[("refresh_token", Some(refresh_token))]).ok_or(UNPREPARED)?;
    let url = config.url(&config.paths.refresh);
    parse(&request(Method::Post, &url, None, Some(&body)).await?)
}

/// Sign-out: ends the session of `access_token` (and of `refresh_token`).
///
/// Takes the raw tokens, not the session: signing out forgets them first.
pub(crate) async fn logout(
    config: &Config,
    access_token: &str,
    refresh_token: Option<&str>,
) -> Result<(), Error> {
    let body = json::object(&[("refresh_token", refresh_token)]).ok_or(UNPREPARED)?;
    let url = config.url(&config.paths.logout);
    request(Method::Post, &url, Some(access_token), Some(&body)).await?;
    Ok(())
}
