//! Why a token is refused.
//!
//! A domain error: token checks and the session rules return it, and only
//! `crate::error` turns it into an HTTP answer. Its messages are the `{"msg"}`
//! bodies clients see, so they are part of the API contract.

/// Why a request carries no usable token. Over HTTP it is answered 401 with an RFC
/// 6750 `WWW-Authenticate` challenge (403 `insufficient_scope` for a missing
/// role); usable on its own by library users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header at all.
    #[error("Missing Authorization header")]
    MissingHeader,
    /// The header is not `Bearer <token>` or `JWT <token>`, or is oversized.
    #[error("Authorization header must be 'Bearer <token>' or 'JWT <token>'")]
    MalformedHeader,
    /// `exp` has passed (beyond the leeway).
    #[error("Token has expired")]
    Expired,
    /// `nbf` is still in the future (beyond the leeway).
    #[error("Token is not valid yet")]
    NotYetValid,
    /// The signature does not match this server's key.
    #[error("Token signature is invalid")]
    BadSignature,
    /// The token names an algorithm other than the one this server signs with.
    #[error("Token algorithm is not accepted")]
    WrongAlgorithm,
    /// `iss` or `aud` is not the configured one.
    #[error("Token was issued for another service")]
    WrongAudience,
    /// A refresh (or other) token was presented where an access token is needed.
    #[error("Token is not an access token")]
    NotAccessToken,
    /// An access (or other) token was presented where a refresh token is
    /// needed, or a session's refresh token to
    /// [`TokenService::refresh_access`](crate::TokenService::refresh_access).
    #[error("Token is not a refresh token")]
    NotRefreshToken,
    /// The token, or its whole session, was revoked (sign-out, password change, deletion).
    #[error("Token has been revoked")]
    Revoked,
    /// The token names a signing key this server does not have.
    #[error("Token signing key is unknown")]
    UnknownKey,
    /// The header points at keys elsewhere (`jku`, `x5u`) or embeds one (`jwk`).
    #[error("Token header must not reference or embed keys")]
    ForbiddenHeader,
    /// A refresh token was presented again after its grace window: the
    /// session is treated as stolen and revoked.
    #[error("Refresh token was already used; the session has been revoked")]
    RefreshReused,
    /// A refresh token the store does not know, or whose session has ended.
    #[error("Refresh token is no longer valid")]
    RefreshInvalid,
    /// The route needs a token from a password sign-in, not from a refresh.
    #[error("Fresh sign-in required: sign in with your password again")]
    NotFresh,
    /// The token is a first step: its user has a second factor and has not
    /// given it yet (RFC 9470 `insufficient_user_authentication`).
    #[error("Sign-in incomplete: send your second factor to POST /mfa/verify")]
    SecondStepPending,
    /// The route needs a sign-in with a second factor (RFC 9470
    /// `insufficient_user_authentication`).
    #[error("This needs a sign-in with a second factor")]
    SecondFactorRequired,
    /// The token is valid but lacks the role the route requires (403).
    #[error("Requires the '{0}' role")]
    MissingRole(&'static str),
    /// A claim Tessera requires (`sub`, `username`, `iat`, `nbf`, `exp`, `jti`) is absent.
    #[error("Token is missing a required claim")]
    MissingClaim,
    /// Not a well-formed JWT, or its claims are not Tessera's.
    #[error("Token is malformed")]
    MalformedToken,
    /// The token is valid but its user has been deleted.
    #[error("User no longer exists")]
    UnknownUser,
}
