//! `Seen`: where a request came from, as the session it starts or refreshes
//! records it for the signed-in devices list.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;

use crate::limits::Client;
use crate::session::SeenFrom;

/// The request's client address (as the rate limits work it out, so behind a
/// trusted proxy the address that proxy saw) and its `User-Agent`.
#[derive(Debug, Clone)]
pub(crate) struct Seen(pub SeenFrom);

impl<S: Send + Sync> FromRequestParts<S> for Seen {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        // Served without connection info (`oneshot`), the address is unknown
        // (unspecified), and the session records none.
        let Ok(client) = Client::from_request_parts(parts, state).await;
        let agent = parts.headers.get(USER_AGENT).map(|value| value.as_bytes());
        Ok(Self(SeenFrom::new(Some(client.address), agent)))
    }
}
