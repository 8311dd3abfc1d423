//! `RemoteUser`: [`AuthUser`](super::auth_user::AuthUser) for services that are
//! not Tessera, checking its tokens with a [`Verifier`].

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::auth_user::bearer_token;
use crate::error::ApiError;
use crate::token::AuthError;
use crate::token::{Assurance, Claims, NoExtraClaims};
use crate::verifier::{Verifier, VerifyError};

/// The caller of another service, proven by a Tessera access token that a
/// [`Verifier`] accepted.
///
/// Take it as a handler argument to require a token; it needs a [`Verifier`]
/// reachable from the router state through [`FromRef`] (a `Verifier` as the
/// whole state will do). Answers as [`AuthUser`](crate::AuthUser) does: 401
/// with `WWW-Authenticate: Bearer realm="tessera", error="invalid_token"` and
/// a `{"msg"}` body for a bad token (`Bearer` or `JWT` scheme), and 503 with
/// `Retry-After` when Tessera's keys cannot be read and none known verify the
/// token. `Option<RemoteUser>` makes a token optional; a bad one is still
/// refused. Revocations at Tessera are not seen: a signed-out token is
/// accepted here until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUser<E = NoExtraClaims> {
    /// The user's id (the token's `sub`).
    pub id: i64,
    /// The user's name as of when the token was issued.
    pub username: String,
    /// Every claim of the token.
    pub claims: Claims<E>,
}

impl<E> RemoteUser<E> {
    /// Whether the token grants `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.claims.roles.iter().any(|granted| granted == role)
    }
}

impl<E: DeserializeOwned> RemoteUser<E> {
    async fn from_token(verifier: &Verifier, token: &str) -> Result<Self, ApiError> {
        let claims = verifier.verify::<E>(token).await.map_err(|err| match err {
            VerifyError::Token(reason) => ApiError::Auth(reason),
            VerifyError::Unavailable(reason) => {
                tracing::warn!(%reason, "token not checked: Tessera's keys are unavailable");
                ApiError::Unavailable
            }
        })?;
        // Another service must not grant what Tessera's own routes refuse.
        if claims.assurance() == Assurance::FirstStep {
            return Err(AuthError::SecondStepPending.into());
        }
        let id = claims.sub.parse().map_err(|_| AuthError::MalformedToken)?;
        Ok(Self {
            id,
            username: claims.username.clone(),
            claims,
        })
    }
}

impl<S, E> FromRequestParts<S> for RemoteUser<E>
where
    Verifier: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned + Send + Sync + 'static,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        Self::from_token(&Verifier::from_ref(state), token).await
    }
}

impl<S, E> OptionalFromRequestParts<S> for RemoteUser<E>
where
    Verifier: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned + Send + Sync + 'static,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match bearer_token(&parts.headers) {
            Err(AuthError::MissingHeader) => Ok(None),
            Err(other) => Err(other.into()),
            Ok(token) => Self::from_token(&Verifier::from_ref(state), token)
                .await
                .map(Some),
        }
    }
}
