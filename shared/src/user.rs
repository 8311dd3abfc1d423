//! What the API tells a signed-in user about themselves.

use serde::{Deserialize, Serialize};

/// A user as `GET /me` and `POST /register` return it. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserProfile {
    /// Stable numeric id; the token's `sub` claim holds it as a string.
    pub id: i64,
    /// The account name, as registered.
    pub username: String,
    /// When the account was created, RFC 3339 in UTC (e.g. `2026-11-24T09:30:00Z`).
    pub created_at: String,
    /// Roles granted to the account (e.g. `admin`), sorted; also in its access tokens.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The account's email address, normalised (lower case); `null` when none is set.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether `email` was confirmed through the link mailed to it.
    #[serde(default)]
    pub email_verified: bool,
}

/// Body of `GET /protected`: whom the token belongs to, plus the seed's demo data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectedResponse {
    /// The username carried by the token.
    pub hello_from: String,
    /// Demo payload, `[1, 2, 3]`, as in Flask-JWT's example.
    pub data: Vec<i64>,
}
