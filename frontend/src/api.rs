//! Calls to the Tessera API, all through one request helper.
//!
//! The app is served by the API server itself (or by `trunk serve`, which proxies
//! the API paths), so every request goes to a same-origin path from
//! [`tessera_shared::paths`]. This module knows no session: the calls here take
//! what they send, and the protected routes are called through
//! [`crate::session::SessionHandle`], which supplies the access token and, after
//! a 401, a refreshed one.

use std::fmt;

use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tessera_shared::paths::{AUTH, LOGOUT, REFRESH, REGISTER};
use tessera_shared::{
    AuthResponse, Credentials, ErrorBody, LogoutRequest, RefreshRequest, UserProfile,
};

use crate::{json, token};

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with a non-2xx status; `msg` is its `{"msg": ..}`
    /// (or, for a body without one, a line naming the status).
    Status {
        /// The HTTP status code, e.g. `401`.
        status: u16,
        /// The reason to show the user.
        msg: String,
    },
    /// No answer from the API: the network is down, the server is stopped, or a
    /// gateway in front of it (e.g. `trunk serve`'s proxy) could not reach it.
    Unreachable,
    /// The request could not be built, or a 2xx answer could not be read;
    /// says which, in words for the user.
    Unexpected(&'static str),
    /// A protected call without a session: signed out before it could be sent.
    SignedOut,
}

impl ApiError {
    /// Whether the server refused the token (or the credentials): HTTP 401.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Status { status: 401, .. })
    }

    /// The error for a non-2xx answer, keeping the server's `msg` when the body has one.
    pub fn from_response(status: u16, status_text: &str, body: &str) -> Self {
        match json::parse::<ErrorBody>(body) {
            Some(ErrorBody { msg }) => Self::Status { status, msg },
            None if matches!(status, 502..=504) => Self::Unreachable,
            None => Self::Status {
                status,
                msg: format!("The server answered {status} {status_text}")
                    .trim_end()
                    .to_owned(),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status { msg, .. } => f.write_str(msg),
            Self::Unreachable => {
                f.write_str("The server cannot be reached. Check your connection and try again.")
            }
            Self::Unexpected(what) => f.write_str(what),
            Self::SignedOut => f.write_str("You are signed out."),
        }
    }
}

impl std::error::Error for ApiError {}

/// Sends one request and returns the body of its 2xx answer.
///
/// Adds `Authorization: Bearer <token>` when `token` is given and the JSON
/// `body` when there is one; maps every non-2xx answer to [`ApiError`]. Not
/// generic, so the fetch code exists once in the wasm; [`parse`] reads the body.
pub(crate) async fn request(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<String, ApiError> {
    let mut builder = RequestBuilder::new(path)
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
    .ok_or(ApiError::Unexpected("The request could not be prepared."))?;

    // `fetch` only rejects when no HTTP answer arrived at all.
    let response = request.send().await.map_err(|_| ApiError::Unreachable)?;
    let text = response.text().await.unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(ApiError::from_response(
            response.status(),
            &response.status_text(),
            &text,
        ))
    }
}

/// Serializes a request body.
fn json_body<T: Serialize>(body: &T) -> Result<String, ApiError> {
    json::stringify(body).ok_or(ApiError::Unexpected("The request could not be prepared."))
}

/// Reads a 2xx answer's JSON body.
pub(crate) fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    json::parse(body).ok_or(ApiError::Unexpected(
        "The server's answer could not be read.",
    ))
}

/// `POST /auth`: exchanges credentials for an access and a refresh token.
pub async fn auth(credentials: &Credentials) -> Result<AuthResponse, ApiError> {
    let body = json_body(credentials)?;
    parse(&request(Method::POST, AUTH, None, Some(&body)).await?)
}

/// `POST /register`: creates an account; the server may refuse with 400, 403 or 409.
pub async fn register(credentials: &Credentials) -> Result<UserProfile, ApiError> {
    let body = json_body(credentials)?;
    parse(&request(Method::POST, REGISTER, None, Some(&body)).await?)
}

/// `POST /refresh`: exchanges a refresh token (usable once) for a new pair.
pub async fn refresh(refresh_token: &str) -> Result<AuthResponse, ApiError> {
    let body = json_body(&RefreshRequest {
        refresh_token: refresh_token.to_owned(),
    })?;
    parse(&request(Method::POST, REFRESH, None, Some(&body)).await?)
}

/// `POST /logout`: ends the session of `access_token` (and of `refresh_token`).
///
/// Takes the raw tokens, not the session: signing out forgets them first.
pub async fn logout(access_token: &str, refresh_token: Option<&str>) -> Result<(), ApiError> {
    let body = json_body(&LogoutRequest {
        refresh_token: refresh_token.map(str::to_owned),
    })?;
    request(Method::POST, LOGOUT, Some(access_token), Some(&body)).await?;
    Ok(())
}
