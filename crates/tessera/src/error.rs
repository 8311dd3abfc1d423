//! The API's errors and how each becomes an HTTP answer with a `{"msg": ..}` body.
//!
//! The one place where errors meet HTTP: the layers below return their own
//! errors ([`AuthError`], [`PasswordError`], the session rules', the store's),
//! and each is mapped to its status, body and headers here.

use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tessera_shared::ErrorBody;

use crate::account::LinkError;
use crate::accounts::AccountsError;
use crate::mfa::MfaError;
use crate::passkey::PasskeyError;
use crate::password::PasswordError;
use crate::session::SessionError;
use crate::store::StoreError;
use crate::token::AuthError;
use crate::users::UsersError;

/// Result of a handler.
pub(crate) type Result<T, E = ApiError> = std::result::Result<T, E>;

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
    /// 403: registration, a password change or reset, or an email route when
    /// the app owns the users.
    #[error("{0} is done by the application, not by this server")]
    AppOwnsUsers(&'static str),
    /// 403: the current password given to `POST /password` is wrong.
    #[error("Current password is incorrect")]
    WrongPassword,
    /// 403: the server requires a verified email address and this account's is not.
    #[error("Confirm your email address first: open the link mailed to you, or ask for a new one")]
    EmailNotVerified,
    /// 403: the second-factor code or recovery code is wrong or already used.
    #[error("Invalid or already used code")]
    InvalidCode,
    /// 403: the passkey's answer does not prove what the ceremony asked.
    #[error("Passkey not accepted")]
    PasskeyRefused,
    /// 404: no such route.
    #[error("Not found")]
    NotFound,
    /// 404: no such user (admin routes).
    #[error("No such user")]
    UnknownUser,
    /// 404: no such live session of the caller's (`DELETE /sessions/{id}`).
    #[error("No such session")]
    UnknownSession,
    /// 404: no such passkey of the caller's, or passkeys are off (the
    /// server has no public URL).
    #[error("{0}")]
    UnknownPasskey(String),
    /// 405: the route exists, the method does not.
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// 409: the username is taken.
    #[error("Username is already taken")]
    UsernameTaken,
    /// 409: another account has that email address.
    #[error("Email address is already in use")]
    EmailTaken,
    /// 409: an administrator asked to delete their own account.
    #[error("You cannot delete your own account")]
    OwnAccount,
    /// 409: deleting the user would leave no administrator.
    #[error("Cannot delete the last administrator")]
    LastAdmin,
    /// 409: the second factor is not in the state the request needs
    /// (already enabled, nothing pending, not enabled).
    #[error("{0}")]
    SecondFactorState(String),
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
            Self::SignupClosed
            | Self::AppOwnsUsers(_)
            | Self::WrongPassword
            | Self::EmailNotVerified
            | Self::InvalidCode
            | Self::PasskeyRefused => StatusCode::FORBIDDEN,
            Self::NotFound | Self::UnknownUser | Self::UnknownSession | Self::UnknownPasskey(_) => {
                StatusCode::NOT_FOUND
            }
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UsernameTaken
            | Self::EmailTaken
            | Self::OwnAccount
            | Self::LastAdmin
            | Self::SecondFactorState(_) => StatusCode::CONFLICT,
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
            StoreError::EmailTaken => Self::EmailTaken,
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "store unavailable");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(err: AccountsError) -> Self {
        match err {
            AccountsError::Invalid(msg) => Self::BadRequest(msg),
            AccountsError::Taken(_) => Self::UsernameTaken,
            AccountsError::NoSuchUser(_) => Self::NotFound,
            AccountsError::Hashing(hashing) => hashing.into(),
            AccountsError::Store(store) => store.into(),
        }
    }
}

impl From<PasswordError> for ApiError {
    fn from(err: PasswordError) -> Self {
        match err {
            PasswordError::Busy => Self::Busy,
            PasswordError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<UsersError> for ApiError {
    fn from(err: UsersError) -> Self {
        match err {
            UsersError::Unavailable(cause) => {
                tracing::warn!(%cause, "user store unavailable");
                Self::Unavailable
            }
            UsersError::Busy => Self::Busy,
            UsersError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<LinkError> for ApiError {
    fn from(err: LinkError) -> Self {
        match err {
            LinkError::Store(store) => store.into(),
            refused => Self::BadRequest(refused.to_string()),
        }
    }
}

impl From<SessionError> for ApiError {
    fn from(err: SessionError) -> Self {
        match err {
            // Like a wrong password: the race is no business of the client's.
            SessionError::PasswordChanged => Self::BadCredentials,
            SessionError::PasskeyOwnerGone => Self::PasskeyRefused,
            SessionError::EmailNotVerified => Self::EmailNotVerified,
            SessionError::NoSuchSession => Self::UnknownSession,
            SessionError::Auth(auth) => Self::Auth(auth),
            SessionError::Store(store) => store.into(),
            SessionError::Users(users) => users.into(),
            SessionError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<MfaError> for ApiError {
    fn from(err: MfaError) -> Self {
        match err {
            MfaError::AlreadyEnabled | MfaError::NothingPending | MfaError::NotEnabled => {
                Self::SecondFactorState(err.to_string())
            }
            MfaError::InvalidCode => Self::InvalidCode,
            MfaError::TooManyAttempts(secs) => Self::TooManyRequests(secs),
            MfaError::BadRequest(msg) => Self::BadRequest(msg),
            MfaError::Store(store) => store.into(),
            MfaError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<PasskeyError> for ApiError {
    fn from(err: PasskeyError) -> Self {
        match err {
            PasskeyError::Off | PasskeyError::NotFound => Self::UnknownPasskey(err.to_string()),
            PasskeyError::UnknownCeremony => Self::BadRequest(err.to_string()),
            PasskeyError::Refused => Self::PasskeyRefused,
            PasskeyError::Duplicate | PasskeyError::NoPasskeys => {
                Self::SecondFactorState(err.to_string())
            }
            PasskeyError::BadRequest(msg) => Self::BadRequest(msg),
            PasskeyError::Store(store) => store.into(),
            PasskeyError::Internal(cause) => Self::Internal(cause),
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

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        // RFC 6750 §3.1: no error code when the request carried no credentials.
        let (status, challenge) = match self {
            Self::MissingHeader => (StatusCode::UNAUTHORIZED, r#"Bearer realm="tessera""#),
            // RFC 9470 §3: the token is good, the way its user signed in is not enough.
            Self::SecondStepPending => (
                StatusCode::UNAUTHORIZED,
                r#"Bearer realm="tessera", error="insufficient_user_authentication", error_description="Complete the sign-in with a second factor at POST /mfa/verify", acr_values="2""#,
            ),
            Self::SecondFactorRequired => (
                StatusCode::UNAUTHORIZED,
                r#"Bearer realm="tessera", error="insufficient_user_authentication", error_description="A sign-in with a second factor is required", acr_values="2""#,
            ),
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
