//! Requests and responses of the passkey routes (`/passkeys/...`,
//! `/mfa/passkey...`).
//!
//! A WebAuthn ceremony takes two requests: the server answers options (a
//! [`PasskeyChallenge`]), the browser hands them to
//! `navigator.credentials.create()` or `.get()`, and sends back what the
//! authenticator made, with the ceremony's id. Options and credentials are
//! the WebAuthn Level 3 JSON forms (`PublicKeyCredential.parse...FromJSON()`
//! and `.toJSON()`), carried here as JSON documents.

use serde::{Deserialize, Serialize};

/// Answer of the `.../options` routes: one ceremony's options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyChallenge {
    /// The ceremony's id, sent back with its result. Single use; expires
    /// after five minutes.
    pub ceremony: String,
    /// `{"publicKey": {...}}`: `PublicKeyCredentialCreationOptionsJSON` or
    /// `PublicKeyCredentialRequestOptionsJSON` under `publicKey`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: serde_json::Value,
}

/// Body of `POST /passkeys`: a new credential, named by its owner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyRegistration {
    /// The registration ceremony's id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 64))]
    pub ceremony: String,
    /// A name to tell the passkey apart, e.g. `Laptop`; 1 to 64 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 64))]
    pub name: String,
    /// The `PublicKeyCredential` as its `toJSON()` gives it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Object))]
    pub credential: serde_json::Value,
}

/// Body of `POST /passkeys/sign-in` and `POST /mfa/passkey`: an assertion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyAssertion {
    /// The sign-in ceremony's id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 64))]
    pub ceremony: String,
    /// The `PublicKeyCredential` as its `toJSON()` gives it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Object))]
    pub credential: serde_json::Value,
}

/// Body of `PATCH /passkeys/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyName {
    /// The new name; 1 to 64 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 64))]
    pub name: String,
}

/// One of the caller's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyInfo {
    /// Its id in the routes (`/passkeys/{id}`), not the credential's.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// When it was registered, RFC 3339 in UTC.
    pub created_at: String,
    /// When it last signed in, RFC 3339 in UTC; `null` if never.
    pub last_used_at: Option<String>,
}

/// Body of `GET /passkeys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyList {
    /// The caller's passkeys, oldest first.
    pub passkeys: Vec<PasskeyInfo>,
}
