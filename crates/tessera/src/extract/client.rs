//! `Client`: which client sent a request, as far as the server can tell, so a
//! refresh token's grace window serves only the client that used the token.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// A digest of the request's client address (as the rate limits see it:
/// `X-Forwarded-For` only from a trusted proxy) and its `User-Agent`. Tabs of
/// one browser share it; another device, browser or network does not. Stored
/// as a digest so the store keeps no addresses or user agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client(pub String);

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        // Without connection info (served through `oneshot`) the address is unknown: empty.
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                let forwarded = parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|value| value.to_str().ok());
                state
                    .limits
                    .client_address(peer.ip(), forwarded)
                    .to_string()
            })
            .unwrap_or_default();
        let agent = parts
            .headers
            .get(USER_AGENT)
            .map(|value| value.as_bytes())
            .unwrap_or_default();
        let mut digest = Sha256::new();
        digest.update(address.as_bytes());
        digest.update([0]);
        digest.update(agent);
        Ok(Self(URL_SAFE_NO_PAD.encode(digest.finalize())))
    }
}
