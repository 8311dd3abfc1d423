//! The API's route paths, so the server and its clients cannot drift apart.

/// `POST`: exchange credentials for `{"access_token": ..}` (Flask-JWT shape).
pub const AUTH: &str = "/auth";
/// `POST`: exchange credentials for `{"jwt": ..}` (Flask-JWT-Simple shape).
pub const LOGIN: &str = "/login";
/// `POST`: create an account; answers `201` with the new [`crate::UserProfile`].
pub const REGISTER: &str = "/register";
/// `GET`, token required: the demo protected resource.
pub const PROTECTED: &str = "/protected";
/// `GET`, token required: the caller's [`crate::UserProfile`].
pub const ME: &str = "/me";
/// `POST`: exchange a refresh token for a new pair (rotation).
pub const REFRESH: &str = "/refresh";
/// `POST`, token required: end the caller's session.
pub const LOGOUT: &str = "/logout";
/// `POST`, token required: end every session of the caller.
pub const LOGOUT_ALL: &str = "/logout/all";
/// `GET`, token required: the caller's live sessions (signed-in devices).
/// `DELETE {SESSIONS}/{id}` ends one of them.
pub const SESSIONS: &str = "/sessions";
/// `POST`, fresh token required: change the caller's password.
pub const PASSWORD: &str = "/password";
/// `PUT`, fresh token required: set or change the caller's email address.
pub const ME_EMAIL: &str = "/me/email";
/// `POST`: confirm an email address with the token from its verification link.
pub const EMAIL_VERIFY: &str = "/email/verify";
/// `POST`, token required: mail the caller a new verification link.
pub const EMAIL_RESEND: &str = "/email/resend";
/// `POST`: mail a password reset link to an account, named by email or username.
pub const PASSWORD_FORGOT: &str = "/password/forgot";
/// `POST`: set a new password with the token from a reset link.
pub const PASSWORD_RESET: &str = "/password/reset";
/// `GET`: the public signing keys (JWK Set, RFC 7517).
pub const JWKS: &str = "/.well-known/jwks.json";
/// `GET`: OpenID Provider Metadata (issuer, `jwks_uri`, algorithms), when the
/// server knows its public URL; `404` otherwise.
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// `GET`, `admin` role required: every user. `DELETE {ADMIN_USERS}/{username}` deletes one.
pub const ADMIN_USERS: &str = "/admin/users";
/// `GET`: liveness; never touches the user store.
pub const HEALTHZ: &str = "/healthz";
/// `GET`: readiness; `200` when the user store answers, `503` otherwise.
pub const READYZ: &str = "/readyz";

/// `POST`: start a TOTP enrolment (fresh token); `DELETE`: remove TOTP (fresh
/// second-factor token and a current code).
pub const MFA_TOTP: &str = "/mfa/totp";
/// `POST`: confirm the TOTP enrolment with a code; answers the recovery codes.
pub const MFA_TOTP_CONFIRM: &str = "/mfa/totp/confirm";
/// `POST`: complete a sign-in with a code or a recovery code (first-step token).
pub const MFA_VERIFY: &str = "/mfa/verify";
/// `POST`: new recovery codes (fresh second-factor token and a current code).
pub const MFA_RECOVERY_CODES: &str = "/mfa/recovery-codes";
/// `POST`: the options of a passkey assertion that completes a sign-in
/// (first-step token).
pub const MFA_PASSKEY_OPTIONS: &str = "/mfa/passkey/options";
/// `POST`: complete a sign-in with a passkey (first-step token).
pub const MFA_PASSKEY: &str = "/mfa/passkey";

/// `GET`: the caller's passkeys; `POST`: register one (fresh token) with the
/// options of `PASSKEY_OPTIONS`.
pub const PASSKEYS: &str = "/passkeys";
/// `POST`: the options of a passkey registration (fresh token).
pub const PASSKEY_OPTIONS: &str = "/passkeys/options";
/// `PATCH`: rename one of the caller's passkeys; `DELETE`: remove it (fresh token).
pub const PASSKEY: &str = "/passkeys/{id}";
/// `POST`: the options of a sign-in with a passkey and no username.
pub const PASSKEY_SIGN_IN_OPTIONS: &str = "/passkeys/sign-in/options";
/// `POST`: sign in with a passkey; answers like `POST /auth`.
pub const PASSKEY_SIGN_IN: &str = "/passkeys/sign-in";

/// Every API path. A browser app served by the same server must never shadow these
/// (nor anything below them).
pub const ALL: [&str; 17] = [
    AUTH,
    LOGIN,
    REGISTER,
    PROTECTED,
    ME,
    REFRESH,
    LOGOUT,
    SESSIONS,
    PASSWORD,
    "/email",
    JWKS,
    ADMIN_USERS,
    HEALTHZ,
    READYZ,
    "/mfa",
    PASSKEYS,
    "/.well-known",
];
