//! Where the session talks to and where it keeps its tokens: the
//! [`crate::SessionProvider`]'s settings, each with the seeds' default.

use tessera_shared::paths;
use yew::AttrValue;

/// The API routes the session calls, relative to the base URL.
///
/// The defaults are Tessera's own routes (those of [`tessera_shared::paths`]);
/// change them when the server is mounted elsewhere (e.g. under `/api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Sign-in: credentials for an access and a refresh token. Defaults to `/auth`.
    pub auth: AttrValue,
    /// Sign-up: creates an account. Defaults to `/register`.
    pub register: AttrValue,
    /// Refresh: a refresh token for a new pair. Defaults to `/refresh`.
    pub refresh: AttrValue,
    /// Sign-out of this session. Defaults to `/logout`.
    pub logout: AttrValue,
    /// Sign-out of every session of the user. Defaults to `/logout/all`.
    pub logout_all: AttrValue,
    /// The second step of a sign-in: a code for a full session. Defaults to
    /// `/mfa/verify`.
    pub mfa_verify: AttrValue,
    /// The user's TOTP authenticator: its status, enrolment and removal, and
    /// `/confirm` below it. Defaults to `/mfa/totp`.
    pub mfa_totp: AttrValue,
    /// New recovery codes. Defaults to `/mfa/recovery-codes`.
    pub mfa_recovery_codes: AttrValue,
    /// The passkeys: registration below it (`/options`), and the sign-in
    /// with no username (`/sign-in/options`, `/sign-in`). Defaults to
    /// `/passkeys`.
    pub passkeys: AttrValue,
    /// The second step by passkey (and its `/options`). Defaults to
    /// `/mfa/passkey`.
    pub mfa_passkey: AttrValue,
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            auth: paths::AUTH.into(),
            register: paths::REGISTER.into(),
            refresh: paths::REFRESH.into(),
            logout: paths::LOGOUT.into(),
            logout_all: paths::LOGOUT_ALL.into(),
            mfa_verify: paths::MFA_VERIFY.into(),
            mfa_totp: paths::MFA_TOTP.into(),
            mfa_recovery_codes: paths::MFA_RECOVERY_CODES.into(),
            passkeys: paths::PASSKEYS.into(),
            mfa_passkey: paths::MFA_PASSKEY.into(),
        }
    }
}

/// The `localStorage` keys holding the raw tokens.
///
/// Every tab of the app reads the same keys, which is how a refresh or a
/// sign-out in one tab reaches the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageKeys {
    /// The access token's key. Defaults to `access_token`, where the seeds'
    /// page kept its token.
    pub access: AttrValue,
    /// The refresh token's key. Defaults to `refresh_token`.
    pub refresh: AttrValue,
}

impl Default for StorageKeys {
    fn default() -> Self {
        Self {
            access: "access_token".into(),
            refresh: "refresh_token".into(),
        }
    }
}

/// Everything the session needs to know about its server and storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Prefixed to every path, e.g. `https://auth.example.com`. Defaults to
    /// empty: the page's own origin. Another origin needs the server to allow
    /// it (Tessera's `--cors-origin`).
    pub base_url: AttrValue,
    /// The API routes.
    pub paths: Paths,
    /// The `localStorage` keys.
    pub keys: StorageKeys,
}

impl Config {
    /// The full URL of `path` (`base_url` + `path`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }
}
