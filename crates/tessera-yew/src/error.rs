//! Why a call to the API failed.

use std::fmt;

use tessera_shared::ErrorBody;

use crate::json;

/// Why a call to the API failed.
///
/// [`Display`](fmt::Display) gives a sentence for the user: the server's own
/// `msg` for a refusal, or a short English line for the other cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// When the server answered with a non-2xx status; `msg` is its `{"msg": ..}`
    /// (or, for a body without one, a line naming the status).
    Status {
        /// The HTTP status code, e.g. `401`.
        status: u16,
        /// The reason to show the user.
        msg: String,
    },
    /// When no answer came: the network is down, the server is stopped, or a
    /// gateway in front of it (e.g. `trunk serve`'s proxy) could not reach it.
    Unreachable,
    /// When the request could not be built, or a 2xx answer could not be read;
    /// says which.
    Unexpected(&'static str),
    /// When a call needs a session and there is none (or it ended meanwhile).
    SignedOut,
}

impl Error {
    /// Whether the server refused the token (or the credentials): HTTP 401.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Status { status: 401, .. })
    }

    /// The server's `msg`, for an [`Error::Status`].
    pub fn msg(&self) -> Option<&str> {
        match self {
            Self::Status { msg, .. } => Some(msg),
            _ => None,
        }
    }

    /// The error for a non-2xx answer, keeping the server's `msg` when the body has one.
    pub fn from_response(status: u16, status_text: &str, body: &str) -> Self {
        match json::parse::<ErrorBody>(body) {
            Some(ErrorBody { msg }) => Self::Status { status, msg },
            None if matches!(status, 502..=504) => Self::Unreachable,
            None => Self::Status {
                status,
                msg: format!("The server answered {status} {status_text}")
                    .trim_end()
                    .to_owned(),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status { msg, .. } => f.write_str(msg),
            Self::Unreachable => {
                f.write_str("The server cannot be reached. Check your connection and try again.")
            }
            Self::Unexpected(what) => f.write_str(what),
            Self::SignedOut => f.write_str("You are signed out."),
        }
    }
}

impl std::error::Error for Error {}
