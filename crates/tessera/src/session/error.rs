//! Why a session rule refused or failed.

use crate::store::StoreError;
use crate::token::AuthError;
use crate::users::{AccountError, UsersError};

/// Why a sign-in, refresh or sign-out did not go through. `crate::error` says
/// how each is answered over HTTP.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SessionError {
    /// The password changed while the sign-in checked it: refused like a
    /// wrong password, so the race reveals nothing.
    #[error("the password changed during sign-in")]
    PasswordChanged,
    /// The password was right, but the user's email address is not verified
    /// and the server requires it.
    #[error("the email address is not verified")]
    EmailNotVerified,
    /// A passkey signed in whose owner is gone or disabled: refused like an
    /// unknown passkey.
    #[error("the passkey's owner may not sign in")]
    PasskeyOwnerGone,
    /// No such live session of the user's (or it is another user's).
    #[error("no such session")]
    NoSuchSession,
    /// The token is refused: invalid, revoked, or a reused refresh token.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The store failed or does not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The app's users hook could not answer.
    #[error(transparent)]
    Users(#[from] UsersError),
    /// A token could not be signed, or a bug; the cause is for the log only.
    #[error("{0}")]
    Internal(String),
}

impl From<jsonwebtoken::errors::Error> for SessionError {
    fn from(err: jsonwebtoken::errors::Error) -> Self {
        Self::Internal(err.to_string())
    }
}

impl From<AccountError> for SessionError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Users(users) => Self::Users(users),
            AccountError::Store(store) => Self::Store(store),
        }
    }
}
