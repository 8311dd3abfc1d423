//! Why a passkey rule refused or failed.

use crate::store::StoreError;

/// Why a passkey ceremony or change did not go through. `crate::error` says
/// how each is answered over HTTP.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PasskeyError {
    /// The server has no public URL, so no relying-party id or origin.
    #[error("Passkeys are off: the server has no public URL (--public-url)")]
    Off,
    /// The ceremony is unknown, used, expired, or another user's.
    #[error("Unknown or expired ceremony: start again")]
    UnknownCeremony,
    /// The credential does not prove what the ceremony asked: wrong
    /// challenge, origin or signature, no user verification, an unknown
    /// credential, or a counter that did not rise.
    #[error("Passkey not accepted")]
    Refused,
    /// No such passkey of the caller's.
    #[error("No such passkey")]
    NotFound,
    /// The authenticator's credential is registered already.
    #[error("This passkey is registered already")]
    Duplicate,
    /// A second step by passkey, but the user has none.
    #[error("No passkey is registered for this account")]
    NoPasskeys,
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The store failed or does not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record does not read back, or options do not serialise: a bug.
    #[error("{0}")]
    Internal(String),
}

impl From<serde_json::Error> for PasskeyError {
    fn from(err: serde_json::Error) -> Self {
        Self::Internal(err.to_string())
    }
}
