//! `AuthUser`: the seeds' `@jwt_required` and `current_identity` as one extractor,
//! plus `FreshUser` and `WithRole` for stricter routes (`SecondFactor` and
//! `FirstStep`, by assurance level, are in `assurance`).

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::token::{Assurance, AuthError, Claims, NoExtraClaims, TokenService};

/// Longest `Authorization` value considered; longer ones are refused before any decoding.
pub const MAX_AUTHORIZATION_LEN: usize = 8 * 1024;

/// The caller, proven by a valid access token.
///
/// Take it as a handler argument to require a token: requests without a valid
/// one are answered 401 with a `WWW-Authenticate` challenge before the handler
/// runs. Accepts `Authorization: Bearer <token>` and, for Flask-JWT clients,
/// `Authorization: JWT <token>` (scheme case-insensitive). Needs an
/// `Arc<TokenService>` reachable from the router state through [`FromRef`].
/// Use `Option<AuthUser>` for routes where signing in is optional: a missing
/// header gives `None`, a bad token is still refused. `E` is the type of the
/// application's own claims, if it adds any (`Clone + Send + Sync + 'static`,
/// as plain data types are: verified claims are cached, see
/// [`TokenService::verify_access`]).
///
/// A first-step token (a password sign-in of a user with a second factor,
/// not yet completed: `acr` `"0"`) is refused here with 401 and RFC 9470's
/// `insufficient_user_authentication`; see [`SecondFactor`](crate::SecondFactor) for routes that
/// need the second factor and [`Assurance`] for the levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser<E = NoExtraClaims> {
    /// The user's id (the token's `sub`).
    pub id: i64,
    /// The user's name as of when the token was issued.
    pub username: String,
    /// Every claim of the token.
    pub claims: Claims<E>,
}

impl<E> AuthUser<E> {
    /// Whether the token grants `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.claims.roles.iter().any(|granted| granted == role)
    }

    /// How strongly the user signed in (the token's `acr`).
    pub fn assurance(&self) -> Assurance {
        self.claims.assurance()
    }

    /// How the user signed in (the token's `amr`): `["pwd"]` or `["pwd", "otp"]`.
    pub fn amr(&self) -> &[String] {
        &self.claims.amr
    }
}

impl<E: DeserializeOwned + Clone + Send + Sync + 'static> AuthUser<E> {
    fn from_token(tokens: &TokenService, token: &str) -> Result<Self, AuthError> {
        let user = Self::any_level(tokens, token)?;
        if user.assurance() == Assurance::FirstStep {
            return Err(AuthError::SecondStepPending);
        }
        Ok(user)
    }

    /// The token's user whatever its level, first step included.
    pub(super) fn any_level(tokens: &TokenService, token: &str) -> Result<Self, AuthError> {
        let claims = tokens.verify_access::<E>(token)?;
        let id = claims.sub.parse().map_err(|_| AuthError::MalformedToken)?;
        Ok(Self {
            id,
            username: claims.username.clone(),
            claims,
        })
    }
}

impl<S, E> FromRequestParts<S> for AuthUser<E>
where
    Arc<TokenService>: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        Self::from_token(&Arc::<TokenService>::from_ref(state), token)
    }
}

impl<S, E> OptionalFromRequestParts<S> for AuthUser<E>
where
    Arc<TokenService>: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match bearer_token(&parts.headers) {
            Err(AuthError::MissingHeader) => Ok(None),
            Err(other) => Err(other),
            Ok(token) => Self::from_token(&Arc::<TokenService>::from_ref(state), token).map(Some),
        }
    }
}

/// An [`AuthUser`] whose token comes straight from a password sign-in, not from
/// a refresh (Flask-JWT-Extended's "fresh" tokens). Guard sensitive actions
/// with it; stale tokens get 401 asking the user to sign in again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreshUser<E = NoExtraClaims>(pub AuthUser<E>);

impl<S, E> FromRequestParts<S> for FreshUser<E>
where
    Arc<TokenService>: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = <AuthUser<E> as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        if !user.claims.fresh {
            return Err(AuthError::NotFresh);
        }
        Ok(Self(user))
    }
}

/// A role a route can require with [`WithRole`].
///
/// ```
/// struct Editor;
/// impl tessera::Role for Editor {
///     const NAME: &'static str = "editor";
/// }
/// // async fn publish(tessera::WithRole(user, ..): tessera::WithRole<Editor>) { .. }
/// ```
pub trait Role {
    /// The role's name as granted (`tessera user add NAME --role NAME`).
    const NAME: &'static str;
}

/// The built-in `admin` role.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl Role for Admin {
    const NAME: &'static str = "admin";
}

/// An [`AuthUser`] holding role `R`: 401 without a valid token, 403 without the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithRole<R, E = NoExtraClaims>(pub AuthUser<E>, pub PhantomData<R>);

impl<S, R, E> FromRequestParts<S> for WithRole<R, E>
where
    Arc<TokenService>: FromRef<S>,
    S: Send + Sync,
    R: Role,
    E: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = <AuthUser<E> as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        if !user.has_role(R::NAME) {
            return Err(AuthError::MissingRole(R::NAME));
        }
        Ok(Self(user, PhantomData))
    }
}

/// The token in `Authorization: Bearer <token>` or `Authorization: JWT <token>`.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let value = headers.get(AUTHORIZATION).ok_or(AuthError::MissingHeader)?;
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(AuthError::MalformedHeader);
    }
    let value = value.as_bytes().trim_ascii();
    let space = value.iter().position(|&byte| byte == b' ');
    let (scheme, token) = value.split_at(space.ok_or(AuthError::MalformedHeader)?);
    let token = token.trim_ascii_start();
    let known_scheme =
        scheme.eq_ignore_ascii_case(b"bearer") || scheme.eq_ignore_ascii_case(b"jwt");
    // Visible ASCII only. Folded without an early exit so it compiles to a few
    // vector instructions: this runs on every protected request.
    let invisible = token
        .iter()
        .fold(false, |seen, &byte| seen | !(0x21..=0x7e).contains(&byte));
    if !known_scheme || token.is_empty() || invisible {
        return Err(AuthError::MalformedHeader);
    }
    std::str::from_utf8(token).map_err(|_| AuthError::MalformedHeader)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn parse(value: &[u8]) -> Result<String, AuthError> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
        bearer_token(&headers).map(str::to_owned)
    }

    #[test]
    fn accepts_both_schemes_in_any_case() {
        for header in [
            "Bearer abc",
            "bearer abc",
            "BEARER abc",
            "JWT abc",
            "jwt abc",
            "Bearer  abc ",
        ] {
            assert_eq!(parse(header.as_bytes()), Ok("abc".to_owned()), "{header}");
        }
    }

    #[test]
    fn refuses_anything_else() {
        for header in [
            &b"Basic abc"[..],
            b"Bearer",
            b"Bearer ",
            b"abc",
            b"Bearer a b",
            b"Bearer a\tb",
            b"Bearer\tabc",
            b"Token abc",
            b"Bearer \xff\xfe",
        ] {
            assert_eq!(parse(header), Err(AuthError::MalformedHeader), "{header:?}");
        }
        let huge = format!("Bearer {}", "a".repeat(MAX_AUTHORIZATION_LEN));
        assert_eq!(parse(huge.as_bytes()), Err(AuthError::MalformedHeader));
        assert_eq!(
            bearer_token(&HeaderMap::new()),
            Err(AuthError::MissingHeader)
        );
    }
}
