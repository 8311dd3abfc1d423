//! Why a second-factor rule refused or failed.

use crate::store::StoreError;

/// Why an enrolment or a second-factor check did not go through.
/// `crate::error` says how each is answered over HTTP.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MfaError {
    /// The user already has a confirmed authenticator.
    #[error("TOTP is already enabled for this account")]
    AlreadyEnabled,
    /// Confirming, but no enrolment is pending.
    #[error("No TOTP enrolment is pending: start one with POST /mfa/totp")]
    NothingPending,
    /// Checking, but the user has no confirmed authenticator.
    #[error("TOTP is not enabled for this account")]
    NotEnabled,
    /// The code or recovery code is wrong, or was used already.
    #[error("Invalid or already used code")]
    InvalidCode,
    /// Too many wrong codes for this account lately; retry in this many seconds.
    #[error("Too many wrong codes; retry in {0} s")]
    TooManyAttempts(u64),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The store failed or does not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A secret does not open, a QR code cannot be drawn: a bug or a lost key.
    #[error("{0}")]
    Internal(String),
}
