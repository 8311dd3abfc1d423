//! The HTTP calls, all through one request helper.
//!
//! This module knows no session: its calls take the tokens they send. The
//! session ([`crate::Session`]) supplies them, and refreshes after a 401.

use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tessera_shared::{AuthResponse, Credentials, LogoutRequest, RefreshRequest, UserProfile};

use crate::{json, token, Config, Error};

/// Sends one request to `url` and returns the body of its 2xx answer.
///
/// Adds `Authorization: Bearer <token>` when `token` is given and the JSON
/// `body` when there is one; maps every non-2xx answer to [`Error`]. Not
/// generic, so the fetch code exists once in the wasm; [`parse`] reads the body.
pub(crate) async fn request(
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<String, Error> {
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .header("Accept", "application/json");
    if let Some(token) = token {
        builder = builder.header("Authorization", &token::bearer(token));
    }
    let request = match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body)
            .ok(),
        None => builder.build().ok(),
    }
    .ok_or(Error::Unexpected("The request could not be prepared."))?;

    // `fetch` only rejects when no HTTP answer arrived at all.
    let response = request.send().await.map_err(|_| Error::Unreachable)?;
    let text = response.text().await.unwrap_or_default();
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
    json::stringify(body).ok_or(Error::Unexpected("The request could not be prepared."))
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
    let body = json_body(credentials)?;
    let url = config.url(&config.paths.auth);
    parse(&request(Method::POST, &url, None, Some(&body)).await?)
}

/// Sign-up: creates an account; the server may refuse with 400, 403 or 409.
pub(crate) async fn register(
    config: &Config,
    credentials: &Credentials,
) -> Result<UserProfile, Error> {
    let body = json_body(credentials)?;
    let url = config.url(&config.paths.register);
    parse(&request(Method::POST, &url, None, Some(&body)).await?)
}

/// Refresh: exchanges a refresh token (usable once) for a new pair.
pub(crate) async fn refresh(config: &Config, refresh_token: &str) -> Result<AuthResponse, Error> {
    let body = json_body(&RefreshRequest {
        refresh_token: refresh_token.to_owned(),
    })?;
    let url = config.url(&config.paths.refresh);
    parse(&request(Method::POST, &url, None, Some(&body)).await?)
}

/// Sign-out: ends the session of `access_token` (and of `refresh_token`).
///
/// Takes the raw tokens, not the session: signing out forgets them first.
pub(crate) async fn logout(
    config: &Config,
    access_token: &str,
    refresh_token: Option<&str>,
) -> Result<(), Error> {
    let body = json_body(&LogoutRequest {
        refresh_token: refresh_token.map(str::to_owned),
    })?;
    let url = config.url(&config.paths.logout);
    request(Method::POST, &url, Some(access_token), Some(&body)).await?;
    Ok(())
}
