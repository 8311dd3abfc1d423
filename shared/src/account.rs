//! Requests of the account self-service routes: email address, verification
//! and password reset by mail.

use serde::{Deserialize, Deserializer, Serialize};

/// Body of `PUT /me/email`; needs a fresh token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailChangeRequest {
    /// The new address (at most 254 characters); a verification link is mailed to it.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 3,
            max_length = 254,
            pattern = "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
        )
    )]
    pub email: String,
}

/// Body of `POST /email/verify` and the token half of `POST /password/reset`:
/// the token from a mailed link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenRequest {
    /// The token carried by the link (after `#token=`).
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 256)
    )]
    pub token: String,
}

/// Body of `POST /password/forgot`: the account's email address or its username.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForgotPasswordRequest {
    /// The account's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: Option<String>,
    /// The account's username, when the email address is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub username: Option<String>,
}

/// Body of `POST /password/reset`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetRequest {
    /// The token carried by the reset link (after `#token=`).
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 256)
    )]
    pub token: String,
    /// The password to use from now on (8–1024 bytes).
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 8, max_length = 1024)
    )]
    pub new_password: String,
}

fn null_as_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}
