//! What every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;
use webauthn_rs::Webauthn;

use crate::account::SelfService;
use crate::config::Signup;
use crate::limits::Limits;
use crate::mail::MailSettings;
use crate::mfa::{SecondFactors, SecretsKey};
use crate::passkey::{PasskeyError, Passkeys};
use crate::password::Passwords;
use crate::session::{SessionSettings, Sessions};
use crate::store::Store;
use crate::token::TokenService;
use crate::users::UserSource;

/// The application state behind [`crate::app`]; cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The user database.
    pub(crate) store: Store,
    /// Signs and verifies tokens.
    pub(crate) tokens: Arc<TokenService>,
    /// Hashes and verifies passwords.
    pub(crate) passwords: Passwords,
    /// Whose users sign in (the built-in store's or the app's), and the app's claims.
    pub(crate) accounts: UserSource,
    /// How sessions and refresh rotation behave.
    pub(crate) session_settings: SessionSettings,
    /// Whether `POST /register` is open.
    pub(crate) signup: Signup,
    /// Rate limits on the sign-in routes ([`Limits::default`]: none).
    pub(crate) limits: Arc<Limits>,
    /// Where clients reach this Tessera, no trailing slash: the base of the
    /// discovery document's `jwks_uri`. `None` turns discovery off.
    pub(crate) public_url: Option<String>,
    /// Where mail goes and how it reads.
    pub(crate) mail: Arc<MailSettings>,
    /// Whether an unverified email address keeps its account from signing in.
    pub(crate) require_verified_email: bool,
    /// Seals TOTP secrets and keys recovery-code hashes (from the key ring).
    pub(crate) secrets_key: Arc<SecretsKey>,
    /// The passkeys' relying party, from `public_url`; none turns passkeys off.
    pub(crate) passkeys: Option<Arc<Webauthn>>,
}

impl AppState {
    /// The session rules over this state's store, tokens and settings.
    pub(crate) fn sessions(&self) -> Sessions<'_> {
        Sessions::new(
            &self.store,
            &self.tokens,
            &self.accounts,
            self.session_settings,
            self.require_verified_email,
        )
    }

    /// The self-service rules over this state's store and mail settings.
    pub(crate) fn self_service(&self) -> SelfService<'_> {
        SelfService::new(&self.store, &self.mail, &self.secrets_key)
    }
}

impl AppState {
    /// The second-factor rules over this state's store and secrets key.
    pub(crate) fn second_factors(&self) -> SecondFactors<'_> {
        SecondFactors::new(&self.store, &self.secrets_key)
    }
}

impl AppState {
    /// The passkey rules, if passkeys are on (the server has a public URL).
    pub(crate) fn passkeys(&self) -> Result<Passkeys<'_>, PasskeyError> {
        let rp = self.passkeys.as_deref().ok_or(PasskeyError::Off)?;
        Ok(Passkeys::new(&self.store, rp))
    }
}

impl FromRef<AppState> for Arc<Limits> {
    fn from_ref(state: &AppState) -> Self {
        state.limits.clone()
    }
}

impl FromRef<AppState> for Arc<TokenService> {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}
