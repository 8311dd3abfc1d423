//! Requests and responses of the sign-in and sign-up routes.

use serde::{Deserialize, Deserializer, Serialize};

/// Body of `POST /auth` and `POST /login`.
///
/// A missing or `null` field reads as an empty string, so the server can answer
/// "Missing username parameter" rather than a generic parse error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    /// The account name.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 64,
            pattern = "^[A-Za-z0-9._-]+$"
        )
    )]
    pub username: String,
    /// The plain-text password; only ever sent over the wire, never stored.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 1024)
    )]
    pub password: String,
}

/// Body of `POST /register`: a new account's name and password, and
/// optionally an email address (verified through a mailed link).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    /// The account name: 1–64 ASCII letters, digits, `.`, `_` or `-`.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 64,
            pattern = "^[A-Za-z0-9._-]+$"
        )
    )]
    pub username: String,
    /// The password: 8–1024 bytes.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 8, max_length = 1024)
    )]
    pub password: String,
    /// An email address for verification and password reset (at most 254
    /// characters); stored in lower case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 3,
            max_length = 254,
            pattern = "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
        )
    )]
    pub email: Option<String>,
}

/// Answer of `POST /auth` and `POST /refresh`: Flask-JWT's `access_token` plus
/// OAuth 2.0 style extras and a refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    /// The signed JWT to send as `Authorization: Bearer <token>` (or `JWT <token>`).
    pub access_token: String,
    /// Always `"Bearer"` (RFC 6749 §5.1).
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Exchange it at `POST /refresh` for a new pair; usable once.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
}

/// Body of `POST /refresh`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    /// The refresh token from the last `POST /auth` or `POST /refresh`.
    #[cfg_attr(feature = "openapi", schema(required = true, min_length = 1))]
    #[serde(default, deserialize_with = "null_as_empty")]
    pub refresh_token: String,
}

/// Optional body of `POST /logout`: the session's refresh token, if the client holds one
/// from another session too (the access token's own session is always ended).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoutRequest {
    /// A refresh token to revoke along with the caller's session.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Body of `POST /password`; needs a fresh token (from a password sign-in).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChangeRequest {
    /// The password in use now.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 1024)
    )]
    pub current_password: String,
    /// The password to use from now on (8–1024 bytes).
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 8, max_length = 1024)
    )]
    pub new_password: String,
}

/// Answer of `POST /login`, Flask-JWT-Simple's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// The signed JWT.
    pub jwt: String,
}

fn null_as_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_null_fields_read_as_empty() {
        let parsed: Credentials = serde_json::from_str(r#"{"username": null}"#).unwrap();
        assert_eq!(parsed, Credentials::default());
    }

    #[test]
    fn wrong_field_type_is_an_error() {
        assert!(serde_json::from_str::<Credentials>(r#"{"username": 5}"#).is_err());
    }

    #[test]
    fn auth_response_keeps_the_flask_jwt_field_name() {
        let body = AuthResponse {
            access_token: "t".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
            refresh_token: "r".into(),
            refresh_expires_in: 1_209_600,
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["access_token"], "t");
        assert_eq!(
            serde_json::to_value(LoginResponse { jwt: "t".into() }).unwrap()["jwt"],
            "t"
        );
    }
}
