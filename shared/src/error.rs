//! The one error body every failing route returns.

use serde::{Deserialize, Serialize};

/// `{"msg": "..."}`: the body of every 4xx and 5xx answer, as in Flask-JWT-Simple.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A human-readable reason, safe to show to the user.
    pub msg: String,
}

impl ErrorBody {
    /// An error body carrying `msg`.
    pub fn new(msg: impl Into<String>) -> Self {
        Self { msg: msg.into() }
    }
}
