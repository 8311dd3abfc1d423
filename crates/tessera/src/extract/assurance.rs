//! Extractors by assurance level: `SecondFactor` for routes that need a
//! sign-in with a second factor, `FirstStep` for the routes that complete
//! or end a sign-in.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::auth_user::{bearer_token, AuthUser};
use crate::token::{Assurance, AuthError, NoExtraClaims, TokenService};

/// An [`AuthUser`] who signed in with a second factor (`acr` `"2"`): others
/// get 401 with RFC 9470's `insufficient_user_authentication` challenge.
/// Combine with a check of `claims.fresh` for actions that also need a
/// recent sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor<E = NoExtraClaims>(pub AuthUser<E>);

impl<S, E> FromRequestParts<S> for SecondFactor<E>
where
    Arc<TokenService>: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = <AuthUser<E> as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        if user.assurance() < Assurance::MultiFactor {
            return Err(AuthError::SecondFactorRequired);
        }
        Ok(Self(user))
    }
}

/// The holder of any valid access token, a first-step one included: only for
/// the routes that complete a sign-in (`POST /mfa/verify`) or end that one
/// session (`POST /logout`; not `POST /logout/all`, which would let the
/// password alone sign the user out everywhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstStep<E = NoExtraClaims>(pub AuthUser<E>);

impl<S, E> FromRequestParts<S> for FirstStep<E>
where
    Arc<TokenService>: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        AuthUser::any_level(&Arc::<TokenService>::from_ref(state), token).map(Self)
    }
}
