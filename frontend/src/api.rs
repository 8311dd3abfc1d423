//! Calls to the Tessera API, all through one request helper.
//!
//! The app is served by the API server itself (or by `trunk serve`, which proxies
//! the API paths), so every request goes to a same-origin path from
//! [`tessera_shared::paths`].

use std::fmt;

use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use tessera_shared::paths::{AUTH, ME, PROTECTED, REGISTER};
use tessera_shared::{AuthResponse, Credentials, ErrorBody, ProtectedResponse, UserProfile};

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
        }
    }
}

impl std::error::Error for ApiError {}

/// Sends one request and returns the body of its 2xx answer.
///
/// Adds `Authorization: Bearer <token>` when `token` is given and a JSON body
/// when `body` is; maps every non-2xx answer to [`ApiError`]. Not generic, so
/// the fetch code exists once in the wasm; [`parse`] reads the body.
async fn request(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Credentials>,
) -> Result<String, ApiError> {
    let mut builder = RequestBuilder::new(path)
        .method(method)
        .header("Accept", "application/json");
    if let Some(token) = token {
        builder = builder.header("Authorization", &token::bearer(token));
    }
    let request = match body {
        Some(body) => json::stringify(body).and_then(|body| {
            builder
                .header("Content-Type", "application/json")
                .body(body)
                .ok()
        }),
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

/// Reads a 2xx answer's JSON body.
fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    json::parse(body).ok_or(ApiError::Unexpected(
        "The server's answer could not be read.",
    ))
}

/// `POST /auth`: exchanges credentials for an access token.
pub async fn auth(credentials: &Credentials) -> Result<AuthResponse, ApiError> {
    parse(&request(Method::POST, AUTH, None, Some(credentials)).await?)
}

/// `POST /register`: creates an account; the server may refuse with 400, 403 or 409.
pub async fn register(credentials: &Credentials) -> Result<UserProfile, ApiError> {
    parse(&request(Method::POST, REGISTER, None, Some(credentials)).await?)
}

/// `GET /protected`: the demo resource, visible only with a valid token.
pub async fn protected(token: &str) -> Result<ProtectedResponse, ApiError> {
    parse(&request(Method::GET, PROTECTED, Some(token), None).await?)
}

/// `GET /me`: the profile of the token's user.
pub async fn me(token: &str) -> Result<UserProfile, ApiError> {
    parse(&request(Method::GET, ME, Some(token), None).await?)
}
