//! Requests and responses of the second-factor routes (`/mfa/...`).

use serde::{Deserialize, Serialize};

/// Answer of `POST /mfa/totp`: what an authenticator app needs. Shown while
/// the enrolment is pending; it signs nobody in until confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrollment {
    /// The shared secret, base32 (RFC 4648) without padding, for typing in.
    pub secret: String,
    /// The `otpauth://totp/...` URI (SHA-1, 6 digits, 30-second steps).
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: String,
}

/// Body of `POST /mfa/totp/confirm`, `DELETE /mfa/totp` and
/// `POST /mfa/recovery-codes`: a current code of the authenticator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpCode {
    /// The 6 digits the authenticator shows now.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 64))]
    pub code: String,
}

/// Body of `POST /mfa/verify`: exactly one of a current code or an unused
/// recovery code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorProof {
    /// The 6 digits the authenticator shows now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub code: Option<String>,
    /// One of the recovery codes, each usable once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub recovery_code: Option<String>,
}

/// Answer of `POST /mfa/totp/confirm` and `POST /mfa/recovery-codes`: new
/// recovery codes, shown this once (the server keeps only their hashes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    /// Ten codes such as `k7m2q-9xw4t`; each completes one sign-in.
    pub recovery_codes: Vec<String>,
}

/// Answer of `GET /mfa/totp`: whether the user's sign-ins need a code, and
/// how many of their recovery codes are left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpStatus {
    /// Whether an authenticator app is confirmed (a pending one is not).
    pub enabled: bool,
    /// Unused recovery codes, 0 to 10; 0 when TOTP is off.
    pub recovery_codes_left: u32,
}
