//! `ClientDigest`: which client sent a request, as far as the server can tell,
//! so a refresh token's grace window serves only the client that used the token.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::limits::Client;

/// A digest of the request's client (as the rate limits count it: its address,
/// `X-Forwarded-For` only from a trusted proxy, every line counted; an IPv6
/// client by its `--ipv6-prefix`, since temporary addresses change between
/// connections of one browser) and its `User-Agent`. Tabs of one browser share it; another device, browser or
/// network does not. Refresh tokens record this digest, never the address
/// itself (the devices list keeps only the user agent and the network; see
/// `session::devices`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientDigest(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientDigest {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        // The limits' middleware worked the address out; served without
        // connection info (`oneshot`) every request is the same unknown client.
        let Ok(client) = Client::from_request_parts(parts, state).await;
        let agent = parts
            .headers
            .get(USER_AGENT)
            .map(|value| value.as_bytes())
            .unwrap_or_default();
        let mut digest = Sha256::new();
        digest.update(client.key.to_string().as_bytes());
        digest.update([0]);
        digest.update(agent);
        Ok(Self(URL_SAFE_NO_PAD.encode(digest.finalize())))
    }
}
