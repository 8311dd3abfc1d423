//! The API's errors and how each becomes an HTTP answer with a `{"msg": ..}` body.

use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tessera_shared::ErrorBody;

use crate::store::StoreError;

/// Result of a handler.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// Every way a request can fail. Client faults carry a message safe to show;
/// server faults are logged and answered with a generic 500.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: no JSON object in the body, or the content type is not JSON.
    #[error("Missing JSON in request")]
    MissingJson,
    /// 400: the JSON is there but a field is missing or invalid.
    #[error("{0}")]
    BadRequest(String),
    /// 401: unknown user or wrong password (deliberately indistinguishable).
    #[error("Bad username or password")]
    BadCredentials,
    /// 401: no valid token; carries `WWW-Authenticate`.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// 403: `POST /register` while sign-up is closed.
    #[error("Sign-up is closed on this server")]
    SignupClosed,
    /// 403: the current password given to `POST /password` is wrong.
    #[error("Current password is incorrect")]
    WrongPassword,
    /// 404: no such route.
    #[error("Not found")]
    NotFound,
    /// 404: no such user (admin routes).
    #[error("No such user")]
    UnknownUser,
    /// 405: the route exists, the method does not.
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// 409: the username is taken.
    #[error("Username is already taken")]
    UsernameTaken,
    /// 409: an administrator asked to delete their own account.
    #[error("You cannot delete your own account")]
    OwnAccount,
    /// 409: deleting the user would leave no administrator.
    #[error("Cannot delete the last administrator")]
    LastAdmin,
    /// 413: the body is over the limit.
    #[error("Request body is too large")]
    PayloadTooLarge,
    /// 429: too many sign-in requests from this client or for this username.
    #[error("Too many requests; retry in {0} s")]
    TooManyRequests(u64),
    /// 503: a dependency (the user store) does not answer.
    #[error("Service unavailable")]
    Unavailable,
    /// 503: too many password checks are already queued (a sign-in flood).
    #[error("Server busy; retry shortly")]
    Busy,
    /// 503: the request took longer than the server allows.
    #[error("Request took too long")]
    Timeout,
    /// 500: a bug or an infrastructure fault; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 500 whose cause is logged, never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::MissingJson | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::BadCredentials | Self::Auth(_) => StatusCode::UNAUTHORIZED,
            Self::SignupClosed | Self::WrongPassword => StatusCode::FORBIDDEN,
            Self::NotFound | Self::UnknownUser => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UsernameTaken | Self::OwnAccount | Self::LastAdmin => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::Busy | Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::UsernameTaken => Self::UsernameTaken,
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "store unavailable");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let msg = match self {
            Self::Auth(auth) => return auth.into_response(),
            Self::Internal(ref cause) => {
                tracing::error!(%cause, "request failed");
                "Internal server error".to_owned()
            }
            ref other => other.to_string(),
        };
        let mut response = (self.status(), Json(ErrorBody::new(msg))).into_response();
        let retry_after = match self {
            Self::TooManyRequests(secs) => Some(HeaderValue::from(secs.max(1))),
            // Outages and floods here are short (a database restart, a burst): retry soon.
            Self::Unavailable | Self::Busy | Self::Timeout => Some(HeaderValue::from_static("1")),
            _ => None,
        };
        if let Some(retry_after) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, retry_after);
        }
        response
    }
}

/// Why a request carries no usable token. Answered 401 with an RFC 6750
/// `WWW-Authenticate` challenge (403 `insufficient_scope` for a missing role);
/// usable on its own by library users.
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
    /// An access (or other) token was presented where a refresh token is needed.
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

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        // RFC 6750 §3.1: no error code when the request carried no credentials.
        let (status, challenge) = match self {
            Self::MissingHeader => (StatusCode::UNAUTHORIZED, r#"Bearer realm="tessera""#),
            Self::MissingRole(_) => (
                StatusCode::FORBIDDEN,
                r#"Bearer realm="tessera", error="insufficient_scope""#,
            ),
            _ => (
                StatusCode::UNAUTHORIZED,
                r#"Bearer realm="tessera", error="invalid_token""#,
            ),
        };
        (
            status,
            [(WWW_AUTHENTICATE, HeaderValue::from_static(challenge))],
            Json(ErrorBody::new(self.to_string())),
        )
            .into_response()
    }
}
