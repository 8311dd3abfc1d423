//! The password hasher's own error; `crate::error` says how each is answered
//! over HTTP.

/// Why a password could not be hashed or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too many password checks are queued already (a sign-in flood): the
    /// caller should retry shortly rather than wait.
    #[error("Server busy; retry shortly")]
    Busy,
    /// The hashing threads failed; the cause is for the log, never for clients.
    #[error("{0}")]
    Internal(String),
}

impl PasswordError {
    /// An internal error; `cause` goes to the log only.
    pub(super) fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }
}
